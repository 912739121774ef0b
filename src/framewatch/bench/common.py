"""What every benchmark adapter shares: the two kinds of error, tab-separated rows, article folders, metrics."""

from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase
from pathlib import Path

_ARTICLE = re.compile(r"article(.+)\.txt")


class BenchError(Exception):
    """A problem the command line reports in one line and exits with `exit_code`."""

    exit_code = 1


class UsageError(BenchError):
    """The command was given the wrong thing: an unknown task, a missing path, a folder without its files."""

    exit_code = 2


class InputError(BenchError):
    """A malformed input file, reported as `path:line: message`."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def read_text(path: Path) -> str:
    """A file's exact text: utf-8, line ends untouched (offsets count them)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise InputError(path, line, f"not valid UTF-8 ({exc.reason})") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Tab-separated fields of each non-blank line, with its 1-based line number.

    Lines end at LF only, so a stray CR inside a text field cannot split a row; a CR before the LF
    (the CRLF files of SemEval-2023) is dropped, and so is a byte-order mark."""
    rows = []
    for number, line in enumerate(read_text(path).removeprefix("\ufeff").split("\n"), 1):
        line = line.removesuffix("\r")
        if line.strip():
            rows.append((number, line.split("\t")))
    return rows


def parse_offset(value: str, path: Path, line: int, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InputError(path, line, f"{what} offset {value!r} is not a whole number") from None
    if number < 0:
        raise InputError(path, line, f"{what} offset {number} is negative")
    return number


def need_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise UsageError(f"{what} {path}: {'is a folder, expected a file' if path.is_dir() else 'no such file'}")
    return path


def need_folder(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise UsageError(f"{what} {path}: {'is a file, expected a folder' if path.exists() else 'no such folder'}")
    return path


def files_under(folder: Path, pattern: str) -> list[Path]:
    """Files named like `pattern` anywhere under `folder`, sorted; unlike `Path.rglob` before Python 3.13 this
    follows linked folders, as corpora are often linked into place."""
    found = []
    for root, _, names in os.walk(folder, followlinks=True):
        found += [Path(root, name) for name in names if fnmatchcase(name, pattern)]
    return sorted(found)


def label_files(path: Path, what: str) -> list[Path]:
    """`path` itself, or every `*.labels` file under the folder `path`."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise UsageError(f"{what} {path}: no such file or folder")
    files = files_under(need_folder(path, what), "*.labels")
    if not files:
        raise UsageError(f"{what} {path}: no *.labels files under this folder")
    return files


def find_articles(folder: Path) -> dict[str, Path]:
    """`article<ID>.txt` files anywhere under `folder`, by ID."""
    found: dict[str, Path] = {}
    for path in files_under(folder, "article*.txt"):
        match = _ARTICLE.fullmatch(path.name)
        if not match:
            continue
        article_id = match.group(1)
        if article_id in found:
            raise InputError(path, None, f"article {article_id} is also at {found[article_id]}")
        found[article_id] = path
    return found


def prf(precision_hits: float, predicted: int, recall_hits: float, gold: int) -> dict[str, float]:
    """Precision, recall and F1; 0 where a denominator is 0 (as scikit-learn reports it).

    The hits are counted apart because span scorers give partial credit that differs by direction."""
    precision = precision_hits / predicted if predicted else 0.0
    recall = recall_hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 6), "recall": round(recall, 6), "f1": round(f1, 6)}


def write_lines(path: Path, lines: list[str]) -> None:
    """Write prediction lines with LF ends, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(line + "\n" for line in lines)
