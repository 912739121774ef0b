"""`framewatch bench predict|score` as the held-out evaluation runs it: real processes, the metrics JSON alone
on stdout, messages on stderr, exit 2 for usage errors and 1 for malformed files."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from conftest import framewatch

ARTICLE = ("Title of the article\n\n"
           "The corrupt regime and its shameful, disgusting lies must end now.\n"
           "Who really believes these so-called experts?\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_score_prints_only_json(tmp_path: Path) -> None:
    write(tmp_path / "run" / "gold.labels", "1\t2\t8\n1\t4\t10\n")
    write(tmp_path / "run" / "pred.txt", "1\t0\t4\n")
    proc = framewatch("bench", "score", "ptc-si", "run/gold.labels", "run/pred.txt", cwd=tmp_path)
    result = json.loads(proc.stdout)
    # Gold 2-8 and 4-10 merge into 2-10; the prediction 0-4 holds 2 of its characters: P = 2/4, R = 2/8.
    assert (result["task"], result["precision"], result["recall"], result["f1"]) == ("ptc-si", 0.5, 0.25,
                                                                                    round(1 / 3, 6))
    assert result["baselines"] == {}
    assert "every_line baseline is left out" in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("score", "nope", "gold.txt", "pred.txt"), "unknown task 'nope'; the tasks are: ptc-si, ptc-tc, semeval2023"),
    (("score", "semeval2023-t3-st3", "missing.txt", "gold.txt"), "GOLD missing.txt: no such file"),
    (("score", "ptc-tc", "gold.txt", "gold.txt", "--articles", "."), "--articles does not apply to task ptc-tc"),
    (("predict", "ptc-si", "gold.txt", "-o", "pred.txt"), "INPUT gold.txt: is a file, expected a folder"),
    (("predict", "ptc-si", "."), "Missing option '-o'"),
    (("predict", "ptc-si", ".", "-o", "pred.txt", "--config", "none.toml"), "config file not found: none.toml"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    write(tmp_path / "gold.txt", "a\t1\tDoubt\n")
    proc = framewatch("bench", *args, cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert message in " ".join(proc.stderr.split())


def test_malformed_file_exits_1_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "gold.txt", "a\t1\tDoubt\r\na\t2\tDoubt,Lies\r\n")
    proc = framewatch("bench", "score", "semeval2023-t3-st3", "gold.txt", "gold.txt", cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "gold.txt:2: unknown technique 'Lies'" in proc.stderr


def test_predict_then_score_with_the_engine(tmp_path: Path) -> None:
    write(tmp_path / "articles" / "article42.txt", ARTICLE)
    proc = framewatch("bench", "predict", "ptc-si", "articles", "-o", "out/pred.txt", cwd=tmp_path)
    assert proc.stdout == ""
    lines = (tmp_path / "out" / "pred.txt").read_text(encoding="utf-8").splitlines()
    spans = [tuple(map(int, line.split("\t")[1:])) for line in lines]
    assert lines and all(line.startswith("42\t") for line in lines)
    assert all(0 <= start < end <= len(ARTICLE) for start, end in spans)
    assert all(end < start for (_, end), (start, _) in pairwise(spans))  # merged, in order
    assert f"wrote {len(lines)} lines" in proc.stderr
    write(tmp_path / "gold.labels", "42\t26\t40\n")  # "corrupt regime"
    result = json.loads(framewatch("bench", "score", "ptc-si", "gold.labels", "out/pred.txt", cwd=tmp_path).stdout)
    assert result["spans_pred"] == len(lines)
    assert result["baselines"]["every_line"]["recall"] == 1.0


def test_predict_semeval2023_writes_every_template_line(tmp_path: Path) -> None:
    write(tmp_path / "in.template", "1\t1\tЗаголовок статьи\r\n"
                                    "1\t3\tЭтот позорный и лживый режим должен уйти!\r\n"
                                    "1\t5\n")
    framewatch("bench", "predict", "semeval2023-t3-st3", "in.template", "-o", "pred.txt", cwd=tmp_path)
    rows = [line.split("\t") for line in (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines()]
    assert [row[:2] for row in rows] == [["1", "1"], ["1", "3"], ["1", "5"]]
    assert all(len(row) == 3 for row in rows)
