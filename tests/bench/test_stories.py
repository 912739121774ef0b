"""The `stories` benchmark: B-cubed scoring on hand-computed cases, the cross-language figure, and
bad input named by file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewatch.bench import InputError, get_task
from framewatch.bench.stories import bcubed


def test_bcubed_on_a_hand_computed_case() -> None:
    gold = {"a": "x", "b": "x", "c": "y"}
    assert bcubed(gold, {"a": "1", "b": "1", "c": "2"}) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # all in one story: precision (2/3 + 2/3 + 1/3) / 3 = 5/9, recall 1
    merged = bcubed(gold, {"a": "1", "b": "1", "c": "1"})
    assert merged["precision"] == pytest.approx(5 / 9, abs=1e-6) and merged["recall"] == 1.0
    # every document alone: precision 1, recall (1/2 + 1/2 + 1) / 3 = 2/3
    assert bcubed(gold, {"a": "a", "b": "b", "c": "c"})["recall"] == pytest.approx(2 / 3, abs=1e-6)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_score_counts_events_held_together_across_english_and_russian(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", [
        {"id": "1", "event": "raid", "language": "en"}, {"id": "2", "event": "raid", "language": "ru"},
        {"id": "3", "event": "arrest", "language": "en"}, {"id": "4", "event": "arrest", "language": "ru"},
    ])
    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps({"stories": [{"id": "s1", "documents": ["d1", "d2"], "external_ids": ["1", "2"]}]}),
                    encoding="utf-8")
    result = get_task("stories").score(gold, pred)
    assert result["en_ru_events"] == 2
    assert result["en_ru_events_held_together"] == 0.5
    assert result["missing"] == 2
    assert result["bcubed"]["precision"] == 1.0
    assert result["bcubed"]["recall"] == 0.75
    assert result["baselines"]["every_document_alone"]["recall"] == 0.5


def test_a_malformed_gold_line_is_named(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "1", "event": "x"}\n{"id": "2"\n', encoding="utf-8")
    pred = tmp_path / "pred.json"
    pred.write_text('{"stories": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"gold.jsonl:2: not a JSON object"):
        get_task("stories").score(gold, pred)


def test_a_prediction_that_is_not_a_comparison_is_named(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", [{"id": "1", "event": "x"}])
    pred = tmp_path / "pred.json"
    pred.write_text('{"documents": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"pred.json: not a framewatch comparison"):
        get_task("stories").score(gold, pred)
    pred.write_bytes(b"\x00\xff binary")
    with pytest.raises(InputError, match=r"pred.json"):
        get_task("stories").score(gold, pred)
