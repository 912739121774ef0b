"""Ingestion: turn files, saved pages, corpora and URLs into `Document`s with provenance.

One module per input shape (`text`, `threads`, `html_article`, `forums/`, `tabular`, `fetch`);
this module picks the shape, reads the bytes safely and finishes every document the same way
(links, repost origins, disclaimers, ids).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..model import Document, IngestProblem

FORMATS = ("auto", "thread", "article", "markdown", "html", "article-html", "forum-html", "jsonl", "csv")


class IngestError(Exception):
    """A source that cannot be read at all; the batch goes on without it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class IngestOptions:
    fmt: str = "auto"
    as_of: datetime | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    max_file_bytes: int = 100 * 1024 * 1024
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()


@dataclass
class SourceResult:
    """What one file or URL gave: its documents and the problems met (per line where it applies)."""

    source: str
    documents: list[Document] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    fmt: str | None = None
    encoding: str | None = None


def expand_paths(inputs: Iterable[str | Path], include: Iterable[str], exclude: Iterable[str]) -> Iterator[Path]:
    """Files named directly, and files under named directories that match `include` and not `exclude`.

    A file named directly is always taken (the user asked for it); globs filter directory walks only.
    """
    include, exclude = tuple(include), tuple(exclude)
    for item in inputs:
        path = Path(item)
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, pat) for pat in exclude))
            for name in sorted(files):
                if any(fnmatch.fnmatch(name, pat) for pat in exclude):
                    continue
                if any(fnmatch.fnmatch(name, pat) for pat in include):
                    yield Path(root) / name


def detect_format(name: str, text: str, as_of: datetime) -> str:
    from .threads import looks_like_thread

    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith((".csv", ".tsv")):
        return "csv"
    head = text[:2048].lstrip().lower()
    if lower.endswith((".html", ".htm", ".xhtml")) or head.startswith(("<!doctype html", "<html")):
        return "html"
    if looks_like_thread(text, as_of):
        return "thread"
    return "markdown" if lower.endswith((".md", ".markdown")) else "article"


def parse_text(text: str, *, source: str, fmt: str, as_of: datetime, path: str | None = None,
               url: str | None = None, mapping: dict[str, str] | None = None) -> SourceResult:
    """Documents in already-decoded `text` read as `fmt` (or detected when `fmt` is "auto")."""
    if fmt == "auto":
        fmt = detect_format(path or url or source, text, as_of)
    result = SourceResult(source=source, fmt=fmt)
    if fmt == "thread":
        from .threads import split_thread

        result.documents = split_thread(text, source=source, as_of=as_of, path=path)
    elif fmt in ("article", "markdown"):
        from .text import parse_text_article

        result.documents = [parse_text_article(text, source=source, as_of=as_of,
                                               markdown=fmt == "markdown", path=path)]
    elif fmt in ("html", "article-html", "forum-html"):
        from .forums import detect_forum_engine, parse_forum_html
        from .html_article import parse_article_html

        if fmt == "forum-html" or (fmt == "html" and detect_forum_engine(text)):
            result.documents = parse_forum_html(text, url=url, path=path, as_of=as_of)
            result.fmt = "forum-html"
        else:
            result.documents = parse_article_html(text, url=url, path=path)
            result.fmt = "article-html"
    elif fmt in ("jsonl", "csv"):
        from .tabular import read_csv, read_jsonl

        reader = read_jsonl if fmt == "jsonl" else read_csv
        result.documents, result.problems = reader(text, path=path or source, mapping=mapping or None)
    else:
        raise IngestError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    for doc in result.documents:
        finish(doc)
    if not result.documents and not result.problems:
        raise IngestError("no text found")
    return result


def finish(doc: Document) -> Document:
    """The steps every document gets, whatever its shape: links, origins, disclaimers, id."""
    from .links import add_link_spans
    from .provenance import add_provenance

    if not any(s.layer == "link" for s in doc.spans):
        add_link_spans(doc)
    if not any(s.layer in ("origin", "disclaimer") for s in doc.spans):
        add_provenance(doc)
    doc.assign_id()
    return doc


def read_file(path: Path, options: IngestOptions) -> SourceResult:
    """Read and parse one file; raises IngestError (naming no path: the caller adds it)."""
    from .encoding import read_text_file

    text, encoding = read_text_file(path, options.max_file_bytes)
    as_of = options.as_of or datetime.fromtimestamp(path.stat().st_mtime)
    result = parse_text(text, source=str(path), fmt=options.fmt, as_of=as_of, path=str(path),
                        mapping=options.mapping)
    result.encoding = encoding
    return result


def read_sources(inputs: Iterable[str | Path], options: IngestOptions) -> Iterator[SourceResult]:
    """Each input file's result in turn; a file that fails yields a result holding only its problem."""
    for path in expand_paths(inputs, options.include, options.exclude):
        try:
            yield read_file(path, options)
        except IngestError as exc:
            yield SourceResult(source=str(path), problems=[IngestProblem(str(path), str(exc), exc.line)])
        except (OSError, ValueError) as exc:
            yield SourceResult(source=str(path), problems=[IngestProblem(str(path), f"cannot read: {exc}")])
