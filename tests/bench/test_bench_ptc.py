"""PTC scorers and readers on small hand-written files whose scores were worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewatch.bench import InputError, UsageError
from framewatch.bench.ptc import merge_spans, score_si, score_tc

# Article 1: gold 0-10 and 5-15 share characters and merge into 0-15; 20-30 and 30-40 only touch and stay
# apart. Article 2 has one gold span and no prediction; article 3 has a prediction and no gold.
SI_GOLD = "1\t0\t10\n1\t5\t15\n1\t20\t30\n1\t30\t40\n2\t0\t4\n"
SI_PRED = "1\t0\t5\n1\t10\t25\n3\t0\t10\n"
# precision: 0-5 lies inside 0-15 (5/5); 10-25 covers 5 of 0-15 and 5 of 20-30 (5/15 + 5/15); 3's span 0
#            -> (1 + 10/15) / 3 predicted spans = 5/9
# recall:    0-15 gets 5/15 + 5/15, 20-30 gets 5/10 -> (7/6) / 4 gold spans = 7/24
# F1 = 2 * 5/9 * 7/24 / (5/9 + 7/24) = 70/183
SI_EXPECTED = {"precision": round(5 / 9, 6), "recall": round(7 / 24, 6), "f1": round(70 / 183, 6)}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_si_partial_credit_with_merged_gold(tmp_path: Path) -> None:
    result = score_si(write(tmp_path / "gold.labels", SI_GOLD), write(tmp_path / "pred.txt", SI_PRED))
    assert {key: result[key] for key in SI_EXPECTED} == SI_EXPECTED
    assert (result["spans_gold"], result["spans_pred"]) == (4, 3)


def test_si_gold_folder_of_four_column_files_scores_the_same(tmp_path: Path) -> None:
    gold = tmp_path / "labels"
    write(gold / "article1.task-flc-tc.labels",
          "1\tDoubt\t0\t10\n1\tLoaded_Language\t5\t15\n1\tDoubt\t20\t30\n1\tSlogans\t30\t40\n")
    write(gold / "more" / "article2.task-si.labels", "2\t0\t4\r\n")
    result = score_si(gold, write(tmp_path / "pred.txt", SI_PRED))
    assert {key: result[key] for key in SI_EXPECTED} == SI_EXPECTED


def test_si_every_line_baseline_from_articles_beside_gold(tmp_path: Path) -> None:
    write(tmp_path / "articles" / "article1.txt", "aaaa\n\nbbbbbb\n   \n")
    gold = write(tmp_path / "gold.labels", "1\t2\t8\n")
    result = score_si(gold, write(tmp_path / "pred.txt", ""))
    # Lines 0-4 and 6-12 each hold 2 characters of the gold span 2-8 (the blank and the spaces-only lines are
    # no span): P = (2/4 + 2/6) / 2 = 5/12, R = 2/6 + 2/6 = 2/3, F1 = 20/39.
    assert result["baselines"]["every_line"] == {"precision": round(5 / 12, 6), "recall": round(2 / 3, 6),
                                                 "f1": round(20 / 39, 6)}
    assert (result["precision"], result["recall"], result["f1"]) == (0.0, 0.0, 0.0)


def test_si_baseline_left_out_without_articles_and_explicit_folder(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    gold = write(tmp_path / "run" / "gold.labels", "1\t2\t8\n")
    pred = write(tmp_path / "run" / "pred.txt", "1\t2\t8\n")
    assert score_si(gold, pred)["baselines"] == {}
    assert "every_line baseline is left out" in caplog.text
    write(tmp_path / "elsewhere" / "article1.txt", "aaaa\n\nbbbbbb\n")
    assert score_si(gold, pred, articles=tmp_path / "elsewhere")["baselines"]["every_line"]["f1"] == round(20 / 39, 6)
    with pytest.raises(UsageError, match="no article"):
        score_si(gold, pred, articles=tmp_path / "run")


def test_si_overlapping_predictions_are_merged_with_a_warning(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    gold = write(tmp_path / "gold.labels", SI_GOLD)
    result = score_si(gold, gold)
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    assert "PRED has 1 spans overlapping" in caplog.text and "gold.labels:2" in caplog.text
    caplog.clear()
    # 30-40 overlaps 0-100 though not its neighbour 10-20.
    score_si(gold, write(tmp_path / "pred.txt", "1\t0\t100\n1\t10\t20\n1\t30\t40\n"))
    assert "PRED has 2 spans overlapping" in caplog.text


def test_si_nothing_on_either_side_is_perfect_by_the_official_convention(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.labels", "")
    assert score_si(empty, empty)["f1"] == 1.0


def test_merge_spans_strict_or_touching() -> None:
    spans = [(20, 30), (0, 10), (5, 15), (30, 40)]
    assert merge_spans(spans, touching=False) == [(0, 15), (20, 30), (30, 40)]
    assert merge_spans(spans, touching=True) == [(0, 15), (20, 40)]


@pytest.mark.parametrize(("text", "message"), [
    ("1\t0\t5\n1\t7\n", "pred.txt:2: expected 3 tab-separated columns"),
    ("1\t0\t5\n\n1\tx\t9\n", "pred.txt:3: start offset 'x' is not a whole number"),
    ("1\t9\t9\n", "pred.txt:1: span 9-9 is empty or reversed"),
    ("1\t-1\t9\n", "pred.txt:1: start offset -1 is negative"),
])
def test_si_malformed_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    gold = write(tmp_path / "gold.labels", SI_GOLD)
    with pytest.raises(InputError, match=message):
        score_si(gold, write(tmp_path / "pred.txt", text))


def test_si_missing_paths_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"GOLD .*nowhere: no such file or folder"):
        score_si(tmp_path / "nowhere", tmp_path / "pred.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no \*\.labels files"):
        score_si(tmp_path / "empty", tmp_path / "pred.txt")


TC_GOLD = ("1\tLoaded_Language\t0\t5\n"
           "1\tRepetition\t0\t5\n"  # the same span with a second technique
           "1\tDoubt\t10\t20\n"
           "2\tSlogans\t3\t9\n")
TC_PRED = ("1\tRepetition\t0\t5\n"  # both techniques of 0-5, in the other order: two hits
           "1\tLoaded_Language\t0\t5\n"
           "1\tLoaded_Language\t10\t20\n"  # wrong technique
           "2\tSlogans\t3\t9\n"  # hit
           "1\tLoaded_Language\t30\t40\n")  # no such gold span


def test_tc_micro_scores_match_repeated_spans_as_multisets(tmp_path: Path) -> None:
    result = score_tc(write(tmp_path / "gold.labels", TC_GOLD), write(tmp_path / "pred.txt", TC_PRED))
    # 3 hits of 5 predictions and 4 gold spans: P = 0.6, R = 0.75, F1 = 2/3.
    assert (result["precision"], result["recall"], result["f1"]) == (0.6, 0.75, round(2 / 3, 6))
    assert result["per_class"]["Loaded_Language"] == {"precision": round(1 / 3, 6), "recall": 1.0, "f1": 0.5,
                                                      "gold": 1, "pred": 3}
    assert result["per_class"]["Doubt"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 1, "pred": 0}
    assert result["per_class"]["Repetition"]["f1"] == 1.0
    # Every gold span called Loaded_Language: 1 of 4 right.
    assert result["baselines"]["all_loaded_language"] == {"precision": 0.25, "recall": 0.25, "f1": 0.25}


def test_tc_a_repeated_prediction_matches_only_once(tmp_path: Path) -> None:
    pred = write(tmp_path / "pred.txt", "1\tLoaded_Language\t0\t5\n1\tLoaded_Language\t0\t5\n")
    gold = write(tmp_path / "gold.labels", "1\tLoaded_Language\t0\t5\n1\tRepetition\t0\t5\n")
    assert score_tc(gold, pred)["f1"] == 0.5


def test_tc_gold_folder_and_self_score(tmp_path: Path) -> None:
    write(tmp_path / "labels" / "article1.labels", TC_GOLD)
    gold = write(tmp_path / "gold.labels", TC_GOLD)
    assert score_tc(tmp_path / "labels", gold)["f1"] == 1.0


@pytest.mark.parametrize(("text", "message"), [
    ("1\tLoaded_Language\t0\n", "pred.txt:1: expected 4 tab-separated columns"),
    ("1\tLoaded_Language\t0\t5\n1\t?\t0\t5\n", r"pred.txt:2: '\?' is not a PTC technique class"),
    ("1\tName_Calling-Labeling\t0\t5\n", "pred.txt:1: 'Name_Calling-Labeling' is not a PTC technique class"),
])
def test_tc_malformed_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_tc(write(tmp_path / "gold.labels", TC_GOLD), write(tmp_path / "pred.txt", text))
