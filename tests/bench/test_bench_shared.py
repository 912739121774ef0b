"""The scorers on the shared training corpora (beside the repository, never copied into it): gold scored
against itself is perfect, and the simple baselines land where they are known to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import framewatch, need_shared
from framewatch.bench.ptc import score_si, score_tc
from framewatch.bench.semeval2023 import read_labels, read_template


@pytest.fixture
def ptc_train() -> Path:
    return need_shared("data/ptc-semeval2020-task11/EN/train")


@pytest.fixture
def st3_train() -> Path:
    return need_shared("data/semeval2023-task3/RU/train")


def test_ptc_si_gold_against_itself_and_every_line_baseline(ptc_train: Path) -> None:
    # The per-article folder and the single file hold the same spans.
    result = score_si(ptc_train / "train-labels-task-si", ptc_train / "train-task-si.labels")
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    # Measured: P 0.1311, R 0.9995, F1 0.2318 over the 371 training articles (train-articles/ beside GOLD).
    assert result["baselines"]["every_line"]["f1"] == pytest.approx(0.2318, abs=0.002)


def test_ptc_tc_gold_against_itself_and_all_loaded_language(ptc_train: Path) -> None:
    result = score_tc(ptc_train / "train-task-flc-tc.labels", ptc_train / "train-labels-task-flc-tc")
    assert (result["f1"], result["spans_gold"]) == (1.0, 6128)
    assert result["baselines"]["all_loaded_language"]["f1"] == pytest.approx(0.346, abs=0.002)


def test_st3_gold_against_itself_and_majority_baseline(st3_train: Path, tmp_path: Path) -> None:
    gold = st3_train / "train-labels-subtask-3.txt"
    proc = framewatch("bench", "score", "semeval2023-t3-st3", str(gold), str(gold), cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert (result["micro_f1"], result["macro_f1"]) == (1.0, 1.0)
    majority = result["baselines"]["majority"]
    assert majority["label"] == "Loaded_Language"
    assert 0.27 <= majority["micro_f1"] <= 0.29


def test_st3_template_yields_every_gold_paragraph(st3_train: Path) -> None:
    # 85 lines of the published template carry two paragraphs each (a lost line break); all are recovered.
    paragraphs = read_template(st3_train / "train-labels-subtask-3.template")
    gold = read_labels(st3_train / "train-labels-subtask-3.txt", "GOLD")
    assert len(paragraphs) == len(gold) == 1962
    assert {(p.article, p.number) for p in paragraphs} == set(gold)
