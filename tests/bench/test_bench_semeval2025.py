"""SemEval-2025 Task 10 subtasks 1 (entity roles) and 2 (narratives): the scorers on hand-worked files, the
readers (the lost-CR offsets among them), the predict adapters with both engines replaced by stubs, the command
line, and, where the shared corpora sit beside the repository, the training data itself."""

from __future__ import annotations

import json
import logging
import statistics
import sys
import types
from pathlib import Path

import pytest

from conftest import framewatch, need_shared
from framewatch.analysis import language
from framewatch.bench import TASKS, InputError, UsageError
from framewatch.bench.common import read_text
from framewatch.bench.semeval2025 import (
    FINE_ROLES,
    MAIN_OF,
    MAIN_ROLES,
    Mention,
    Roles,
    align_text,
    majority_roles,
    predict_st1,
    predict_st2,
    random_narratives,
    random_roles,
    read_mentions,
    read_narratives,
    read_roles,
    read_taxonomy,
    role_scores,
    samples_f1,
    score_st1,
    score_st2,
)
from framewatch.config import load_config

CONFIG = load_config()

ROLES_GOLD = ("d1.txt\tPutin\t0\t4\tAntagonist\tTyrant\r\n"
              "d1.txt\tNATO\t10\t13\tAntagonist\tInstigator\tConspirator\r\n"
              "d1.txt\tKyiv\t20\t23\tInnocent\tVictim\r\n"
              "d2.txt\tGreta\t5\t9\tProtagonist\tVirtuous\r\n"
              "d2.txt\tEU\t15\t16\tAntagonist\tTyrant\r\n")
ROLES_PRED = ("d1.txt\tPutin\t0\t4\tAntagonist\tTyrant\n"
              "d1.txt\tNATO\t10\t13\tAntagonist\tConspirator\tInstigator\n"  # the same set in another order
              "d1.txt\tKyiv\t20\t23\tAntagonist\tVictim\n"  # Victim is an Innocent role
              "d2.txt\tGreta\t5\t9\tProtagonist\tGuardian\tVirtuous\n"  # d2 EU 15-16 is missing
              "d3.txt\tX\t0\t0\tInnocent\tVictim\n")  # not in gold: ignored

PRAISE = "URW: Praise of Russia"
NARRATIVES_GOLD = (f"a.txt\t{PRAISE};{PRAISE}\t{PRAISE}: P1;{PRAISE}: P2\r\n"  # a narrative once per subnarrative
                   "b.txt\tOther\tOther\r\n"
                   "c.txt\tCC: X;CC: Y\tCC: X: Other;CC: Y: Z\r\n"
                   f"d.txt\t{PRAISE}\t{PRAISE}: P1\r\n")
NARRATIVES_PRED = (f"a.txt\t{PRAISE}\t{PRAISE}: P1\n"
                   "b.txt\tOther\tOther\n"
                   "c.txt\tCC: X\tCC: X: Other;CC: Q\n"  # d.txt is missing
                   "e.txt\tOther\tOther\n")  # not in gold: ignored


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


# --- subtask 1: scorer -------------------------------------------------------------------------------------


def test_st1_scores_by_mention_key(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = score_st1(write(tmp_path / "gold.txt", ROLES_GOLD), write(tmp_path / "pred.txt", ROLES_PRED))
    # Exact: Putin, and NATO (fine roles compare as sets). Kyiv has the right fine role under the wrong main
    # role, Greta one fine role too many, EU is missing: EMR 2/5. Main roles right: Putin, NATO, Greta.
    # Fine roles: 5 hits (1 + 2 + 1 + 1) of 6 predicted and 6 gold.
    assert (result["emr"], result["main_role_accuracy"]) == (0.4, 0.6)
    assert (result["micro_precision"], result["micro_recall"], result["micro_f1"]) == (0.833333,) * 3
    assert (result["mentions_gold"], result["mentions_pred"], result["mentions_missing"]) == (5, 5, 1)
    assert "1 mentions of GOLD are missing from PRED and count as wrong (first: " in caplog.text
    assert "gold.txt:5)" in caplog.text
    assert "1 mentions of PRED are not in GOLD" in caplog.text
    assert "1 mentions of PRED have a fine role of another main role (first: " in caplog.text
    # Majority: Antagonist (3 of 5), and Tyrant its most frequent fine role (2 of 4): exact for Putin and EU;
    # 2 hits of 5 predicted and 6 gold fine roles.
    majority = result["baselines"]["majority"]
    assert majority == {"main_role": "Antagonist", "fine_role": "Tyrant", "emr": 0.4, "main_role_accuracy": 0.6,
                        "micro_precision": 0.4, "micro_recall": 0.333333, "micro_f1": 0.363636}
    gold = read_roles(tmp_path / "gold.txt", "GOLD")
    assert result["baselines"]["random"] == {"seed": 2025, **role_scores(gold, random_roles(gold))}


def test_st1_gold_against_itself(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.txt", ROLES_GOLD)
    result = score_st1(gold, gold)
    assert [result[name] for name in ("emr", "main_role_accuracy", "micro_precision", "micro_recall",
                                      "micro_f1")] == [1.0] * 5


def test_st1_zero_denominators_score_one_as_officially() -> None:
    # A prediction without fine roles: precision has no denominator (1, as with zero_division=1), recall is 0.
    gold_roles = {("d", 0, 1): Roles("Innocent", frozenset({"Victim"}), 1)}
    scores = role_scores(gold_roles, {("d", 0, 1): ("Innocent", frozenset())})
    assert scores == {"emr": 0.0, "main_role_accuracy": 1.0, "micro_precision": 1.0, "micro_recall": 0.0,
                      "micro_f1": 0.0}


def test_random_roles_are_seeded_and_consistent() -> None:
    keys = [(f"d{i}.txt", i, i + 3) for i in range(200)]
    drawn = random_roles(reversed(keys))
    assert drawn == random_roles(keys)  # the order the keys come in does not matter
    assert random_roles(keys, seed=1) != drawn
    assert {main for main, _ in drawn.values()} == set(MAIN_ROLES)
    assert all(len(fine) == 1 and MAIN_OF[next(iter(fine))] == main for main, fine in drawn.values())


def test_majority_ties_go_to_taxonomy_order(tmp_path: Path) -> None:
    gold = read_roles(write(tmp_path / "gold.txt", "d\tA\t0\t0\tInnocent\tVictim\n"
                                                   "d\tB\t2\t2\tProtagonist\tVirtuous\n"
                                                   "d\tC\t4\t4\tProtagonist\tGuardian\tVirtuous\n"
                                                   "d\tD\t6\t6\tInnocent\tExploited\n"), "GOLD")
    # Protagonist and Innocent tie at 2 mentions: Protagonist comes first; Virtuous is its most frequent role.
    assert majority_roles(gold) == ("Protagonist", "Virtuous")
    assert majority_roles({}) is None


def test_st1_reads_headers_quotes_and_rows_without_fine_roles(tmp_path: Path) -> None:
    roles = read_roles(write(tmp_path / "pred.txt",
                             "article_id\tentity_mention\tstart_offset\tend_offset\tmain_role\tfine_grained_roles\n"
                             'd\tDeanna "Violet" Coco\t3\t22\tProtagonist\n'
                             "d\tBBC\t30\t32\tAntagonist\t Deceiver \tCorrupt\t\n"), "PRED")
    assert {key: (r.main, r.fine) for key, r in roles.items()} == {
        ("d", 3, 22): ("Protagonist", frozenset()),
        ("d", 30, 32): ("Antagonist", frozenset({"Deceiver", "Corrupt"}))}


@pytest.mark.parametrize(("text", "message"), [
    ("d\tPutin\t0\t4\tAntagonist\tTyrant\nd\tNATO\t10\n", "pred.txt:2: expected tab-separated file, mention, start"),
    ("d\tPutin\tzero\t4\tAntagonist\tTyrant\n", "pred.txt:1: start offset 'zero' is not a whole number"),
    ("d\tPutin\t4\t0\tAntagonist\tTyrant\n", r"pred.txt:1: span 4-0 is reversed \(the end offset is inclusive\)"),
    ("d\tPutin\t0\t4\tVillain\tTyrant\n", "pred.txt:1: unknown main role 'Villain'; those are: Protagonist, "),
    ("d\tPutin\t0\t4\tAntagonist\tTyrant\tDictator\n", "pred.txt:1: unknown fine role 'Dictator'"),
    ("d\tPutin\t0\t4\tAntagonist\tTyrant\n\nd\tPutin\t0\t4\tAntagonist\tSpy\n",
     "pred.txt:3: mention 0-4 of d is already on line 1"),
])
def test_st1_malformed_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_st1(write(tmp_path / "gold.txt", ROLES_GOLD), write(tmp_path / "pred.txt", text))


def test_st1_missing_paths_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"GOLD .*gold\.txt: no such file"):
        score_st1(tmp_path / "gold.txt", tmp_path / "pred.txt")
    with pytest.raises(UsageError, match=r"PRED .*: is a folder, expected a file"):
        score_st1(write(tmp_path / "gold.txt", ROLES_GOLD), tmp_path)


# --- subtask 2: scorer -------------------------------------------------------------------------------------


def test_st2_samples_f1_per_document(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = score_st2(write(tmp_path / "gold.txt", NARRATIVES_GOLD), write(tmp_path / "pred.txt", NARRATIVES_PRED))
    # Coarse F1 per document: a 1, b 1 (Other is a label like any other), c 2/3, d 0 (missing).
    # Fine: a 2/3, b 1, c 1/2 (one hit of 2 gold and 2 predicted), d 0.
    coarse, fine = [1, 1, 2 / 3, 0], [2 / 3, 1, 1 / 2, 0]
    assert result["f1_coarse"] == round(statistics.fmean(coarse), 6) == 0.666667
    assert result["f1_coarse_std"] == round(statistics.pstdev(coarse), 6)
    assert result["f1_fine"] == round(13 / 24, 6)
    assert result["f1_fine_std"] == round(statistics.pstdev(fine), 6)
    assert (result["documents_gold"], result["documents_pred"], result["documents_missing"]) == (4, 4, 1)
    assert "1 documents of GOLD are missing from PRED and score 0" in caplog.text
    assert "1 documents of PRED are not in GOLD and are ignored" in caplog.text
    baselines = result["baselines"]
    # Only b is Other.
    assert baselines["all_other"] == {"f1_coarse": 0.25, "f1_coarse_std": round(statistics.pstdev([0, 1, 0, 0]), 6),
                                      "f1_fine": 0.25, "f1_fine_std": round(statistics.pstdev([0, 1, 0, 0]), 6)}
    # Praise of Russia is in 2 documents (counted once in a), its P1 in 2: coarse a 1, d 1; fine a 2/3, d 1.
    majority = baselines["majority"]
    assert (majority["narrative"], majority["subnarrative"]) == (PRAISE, f"{PRAISE}: P1")
    assert (majority["f1_coarse"], majority["f1_fine"]) == (0.5, round(5 / 12, 6))
    assert baselines["random"]["taxonomy"] == "GOLD"
    assert 0 <= baselines["random"]["f1_fine"] <= baselines["random"]["f1_coarse"] <= 1


def test_st2_gold_against_itself_and_an_empty_label_field(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.txt", NARRATIVES_GOLD)
    result = score_st2(gold, gold)
    assert (result["f1_coarse"], result["f1_coarse_std"], result["f1_fine"], result["f1_fine_std"]) == (1, 0, 1, 0)
    # An empty field is no label at all, not Other.
    pred = write(tmp_path / "pred.txt", "a.txt\t\t\nb.txt\t\t\nc.txt\t\t\nd.txt\t\t\n")
    assert score_st2(gold, pred)["f1_coarse"] == 0.0
    # Neither gold nor predicted labels: 0, as the official zero_division=0 gives.
    assert samples_f1([(frozenset(), frozenset())]) == {"f1": 0.0, "std": 0.0}


def test_st2_random_baseline_draws_a_narrative_and_one_of_its_subnarratives(tmp_path: Path) -> None:
    folder = tmp_path / "taxonomy"
    # As published: no line break after the last narrative; a narrative without subnarratives stays out.
    write(folder / "subtask2_narratives.txt", "CC: X\nOther\nCC: Empty\nURW: Y")
    write(folder / "subtask2_subnarratives.txt", "CC: X: Other\nCC: X: A\nOther\nURW: Y: B\n")
    taxonomy = read_taxonomy(folder)
    assert taxonomy == {"CC: X": ("CC: X: A", "CC: X: Other"), "Other": ("Other",), "URW: Y": ("URW: Y: B",)}
    drawn = random_narratives([f"{i}.txt" for i in range(100)], taxonomy)
    assert drawn == random_narratives([f"{i}.txt" for i in reversed(range(100))], taxonomy)
    assert {next(iter(coarse)) for coarse, _ in drawn.values()} == set(taxonomy)
    assert all(next(iter(fine)) in taxonomy[next(iter(coarse))] for coarse, fine in drawn.values())
    gold = write(tmp_path / "gold.txt", NARRATIVES_GOLD)
    assert score_st2(gold, gold, taxonomy=folder)["baselines"]["random"]["taxonomy"] == str(folder)
    with pytest.raises(UsageError, match=r"--taxonomy .*subtask2_narratives\.txt: no such file"):
        read_taxonomy(tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ("a.txt\tOther\n", "pred.txt:1: expected 3 tab-separated columns"),
    ("a.txt\tOther\tOther\texplanation\n", "pred.txt:1: expected 3 tab-separated columns"),
    ("a.txt\tOther\tOther\r\n\r\na.txt\tOther\tOther\r\n", "pred.txt:3: document a.txt is already on line 1"),
])
def test_st2_malformed_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_st2(write(tmp_path / "gold.txt", NARRATIVES_GOLD), write(tmp_path / "pred.txt", text))


def test_st2_reader_collapses_repeats(tmp_path: Path) -> None:
    labels = read_narratives(write(tmp_path / "g.txt", f"a.txt\t{PRAISE};{PRAISE}\t{PRAISE}: P1; {PRAISE}: P2\n"),
                             "GOLD")
    assert labels["a.txt"].coarse == {PRAISE}
    assert labels["a.txt"].fine == {f"{PRAISE}: P1", f"{PRAISE}: P2"}


# --- readers: offsets in documents that lost their CRs -----------------------------------------------------


def mentions_of(rows: list[tuple[str, int, int]]) -> list[Mention]:
    return [Mention("d.txt", text, start, end, str(start), str(end), i) for i, (text, start, end) in
            enumerate(rows, 1)]


def test_lost_crs_are_restored_only_where_the_offsets_need_them() -> None:
    # Offsets counted in "\ufeffAb\r\nPutin" (the byte-order mark counts too), text published with LF only.
    text, converted = align_text("\ufeffAb\nPutin", mentions_of([("Putin", 5, 9)]))
    assert (text, converted) == ("\ufeffAb\r\nPutin", True)
    # Offsets that match as given keep the text, CRLF or LF.
    assert align_text("X\r\nNATO\n", mentions_of([("NATO", 3, 6)])) == ("X\r\nNATO\n", False)
    assert align_text("Ab\nPutin", mentions_of([("Putin", 3, 7)])) == ("Ab\nPutin", False)
    # A span off by one is kept, and the text is not converted when that matches no more mentions.
    assert align_text("Hi, Russia\n", mentions_of([("Russia", 5, 10)])) == ("Hi, Russia\n", False)
    # Conversion is all or nothing per file: it wins when it matches more mentions than the text as given.
    rows = [("Ab", 0, 1), ("Cd", 4, 5), ("Ef", 8, 9)]
    assert align_text("Ab\nCd\nEf", mentions_of(rows)) == ("Ab\r\nCd\r\nEf", True)


def test_read_mentions_takes_the_first_four_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "subtask-1-annotations.txt", "d.txt\tPutin\t0\t4\tAntagonist\tTyrant\r\n"
                                                         "d.txt\tPutin\t0\t4\tAntagonist\tTyrant\r\n"
                                                         "e.txt\tМосква\t07\t12\r\n")
    assert read_mentions(path) == [Mention("d.txt", "Putin", 0, 4, "0", "4", 1),
                                   Mention("d.txt", "Putin", 0, 4, "0", "4", 2),
                                   Mention("e.txt", "Москва", 7, 12, "07", "12", 3)]
    with pytest.raises(InputError, match=r"mentions\.txt:2: expected at least 4 tab-separated columns"):
        read_mentions(write(tmp_path / "mentions.txt", "d.txt\tPutin\t0\t4\nd.txt\tPutin\t0\n"))


# --- predict adapters with stub engines --------------------------------------------------------------------


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Stand-ins for the roles and narratives engines (modules of their own in sys.modules, so the adapters'
    lazy imports find them whether or not the real ones exist) and for language detection (Russian for any
    Cyrillic, None for a text without letters, else English). Every call is recorded."""
    calls: dict[str, list] = {"roles": [], "narratives": [], "language": []}

    def roles_for_mentions(text: str, lang: str, mentions: list[tuple[int, int]], config) -> list:
        calls["roles"].append((text, lang, mentions))
        return [("Antagonist", ["Tyrant", "Deceiver", "Tyrant"]) if text[start:end] == "Putin" else
                ("Innocent", ["Victim"]) for start, end in mentions]

    def classify_document(text: str, lang: str, config) -> tuple[list[str], list[str]]:
        calls["narratives"].append((text, lang))
        if "Russia" in text or "России" in text:
            return [PRAISE, PRAISE], [f"{PRAISE}: P1", f"{PRAISE}: P2"]
        return [], []

    def detect_language(text: str, config) -> str | None:
        calls["language"].append(text)
        if not any(ch.isalpha() for ch in text):
            return None
        return "ru" if any("\u0400" <= ch <= "\u04ff" for ch in text) else "en"

    for name, function in (("roles", roles_for_mentions), ("narratives", classify_document)):
        module = types.ModuleType(f"framewatch.analysis.{name}")
        setattr(module, function.__name__, function)
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(language, "detect_language", detect_language)
    return calls


def test_st1_predicts_every_mention_with_its_offsets_as_given(tmp_path: Path, engines: dict,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    folder = tmp_path / "in"
    write(folder / "subtask-1-documents" / "lf.txt", "Путин и Ab\nPutin")  # offsets count a lost CR
    write(folder / "subtask-1-documents" / "crlf.txt", "X\r\nPutin\r\n")
    write(folder / "subtask-1-documents" / "off.txt", "Hello Kyiv\n")  # a span one character late
    write(folder / "subtask-1-entity-mentions.txt", "lf.txt\tPutin\t12\t16\r\n"
                                                    "crlf.txt\tPutin\t3\t7\r\n"
                                                    "off.txt\tKyiv\t7\t10\r\n"
                                                    "lf.txt\tПутин\t0\t4\r\n")
    assert predict_st1(folder, tmp_path / "pred.txt", CONFIG) == 4
    assert (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines() == [
        "lf.txt\tPutin\t12\t16\tAntagonist\tTyrant\tDeceiver",
        "crlf.txt\tPutin\t3\t7\tAntagonist\tTyrant\tDeceiver",
        "off.txt\tKyiv\t7\t10\tInnocent\tVictim",
        "lf.txt\tПутин\t0\t4\tInnocent\tVictim"]
    # One call per document, in the order of their first mention, with end-exclusive offsets; the last span of
    # off.txt runs one past the text and is cut at its end.
    assert engines["roles"] == [("Путин и Ab\r\nPutin", "ru", [(12, 17), (0, 5)]),
                                ("X\r\nPutin\r\n", "en", [(3, 8)]),
                                ("Hello Kyiv\n", "en", [(7, 11)])]
    assert "1 documents had lost their CRs" in caplog.text
    assert "1 mentions do not match their document's text at their offsets (first: " in caplog.text


def test_st1_reads_annotations_and_raw_documents(tmp_path: Path, engines: dict) -> None:
    # A training folder: only the first four columns of the annotations are read; a text without letters
    # falls back to English.
    write(tmp_path / "in" / "raw-documents" / "d.txt", "Putin 2024")
    write(tmp_path / "in" / "raw-documents" / "n.txt", "2024")
    write(tmp_path / "in" / "subtask-1-annotations.txt", "d.txt\tPutin\t0\t4\tInnocent\tVictim\n"
                                                         "n.txt\t2024\t0\t3\tInnocent\tVictim\n")
    assert predict_st1(tmp_path / "in", tmp_path / "pred.txt", CONFIG) == 2
    assert (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines() == [
        "d.txt\tPutin\t0\t4\tAntagonist\tTyrant\tDeceiver", "n.txt\t2024\t0\t3\tInnocent\tVictim"]
    assert [lang for _, lang, _ in engines["roles"]] == ["en", "en"]
    # Its own prediction scores against the annotations it came from.
    result = score_st1(tmp_path / "in" / "subtask-1-annotations.txt", tmp_path / "pred.txt")
    assert (result["emr"], result["main_role_accuracy"]) == (0.5, 0.5)


def test_st1_input_problems(tmp_path: Path, engines: dict) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with pytest.raises(UsageError, match="no subtask-1-documents or raw-documents folder in this folder"):
        predict_st1(folder, tmp_path / "pred.txt", CONFIG)
    write(folder / "raw-documents" / "d.txt", "Putin")
    with pytest.raises(UsageError, match=r"no subtask-1-entity-mentions\.txt or subtask-1-annotations\.txt file"):
        predict_st1(folder, tmp_path / "pred.txt", CONFIG)
    mentions = write(folder / "subtask-1-entity-mentions.txt", "d.txt\tPutin\t0\t4\ne.txt\tPutin\t0\t4\n")
    with pytest.raises(InputError, match=r"entity-mentions\.txt:2: no document e\.txt in .*raw-documents"):
        predict_st1(folder, tmp_path / "pred.txt", CONFIG)
    write(mentions, "d.txt\tPutin\t0\t4\nd.txt\tPutin\t9\t12\n")
    with pytest.raises(InputError, match=r"entity-mentions\.txt:2: mention 9-12 starts after the end of d\.txt"):
        predict_st1(folder, tmp_path / "pred.txt", CONFIG)
    with pytest.raises(UsageError, match=r"INPUT .*: is a file, expected a folder"):
        predict_st1(mentions, tmp_path / "pred.txt", CONFIG)
    assert not (tmp_path / "pred.txt").exists()


def test_st2_predicts_every_document_sorted_by_name(tmp_path: Path, engines: dict) -> None:
    folder = tmp_path / "in" / "subtask-2-documents"
    write(folder / "b.txt", "Армия России наступает.\n")
    write(folder / "a.txt", "Nothing to see.\r\n")
    write(folder / "c.txt", "1 2 3")
    write(folder / "notes.md", "Russia")  # not a document
    write(tmp_path / "in" / "raw-documents" / "z.txt", "ignored: subtask-2-documents comes first")
    assert predict_st2(tmp_path / "in", tmp_path / "pred.txt", CONFIG) == 3
    assert (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines() == [
        "a.txt\tOther\tOther", f"b.txt\t{PRAISE}\t{PRAISE}: P1;{PRAISE}: P2", "c.txt\tOther\tOther"]
    assert engines["narratives"] == [("Nothing to see.\r\n", "en"), ("Армия России наступает.\n", "ru"),
                                     ("1 2 3", "en")]
    gold = write(tmp_path / "gold.txt", f"a.txt\tOther\tOther\r\nb.txt\t{PRAISE}\t{PRAISE}: P1\r\n"
                                        "c.txt\tCC: X\tCC: X: Other\r\n")
    assert score_st2(gold, tmp_path / "pred.txt")["f1_coarse"] == round(2 / 3, 6)


def test_st2_input_problems(tmp_path: Path, engines: dict) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(UsageError, match="no subtask-2-documents or raw-documents folder"):
        predict_st2(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    (tmp_path / "in" / "raw-documents").mkdir()
    with pytest.raises(UsageError, match=r"no \*\.txt documents"):
        predict_st2(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    write(tmp_path / "in" / "raw-documents" / "a.txt", "one")
    write(tmp_path / "in" / "raw-documents" / "more" / "a.txt", "two")
    with pytest.raises(InputError, match=r"document a\.txt is also at"):
        predict_st2(tmp_path / "in", tmp_path / "pred.txt", CONFIG)


# --- command line ------------------------------------------------------------------------------------------


def test_tasks_are_registered() -> None:
    assert TASKS["semeval2025-t10-st1"].predict is predict_st1
    assert TASKS["semeval2025-t10-st2"].score is score_st2
    assert TASKS["semeval2025-t10-st2"].score_options == {"taxonomy"}


def test_cli_scores_both_subtasks(tmp_path: Path) -> None:
    write(tmp_path / "st1" / "gold.txt", ROLES_GOLD)
    write(tmp_path / "st1" / "pred.txt", ROLES_PRED)
    proc = framewatch("bench", "score", "semeval2025-t10-st1", "st1/gold.txt", "st1/pred.txt", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert (result["task"], result["emr"], result["main_role_accuracy"]) == ("semeval2025-t10-st1", 0.4, 0.6)
    assert "1 mentions of GOLD are missing from PRED" in proc.stderr
    write(tmp_path / "st2" / "gold.txt", NARRATIVES_GOLD)
    proc = framewatch("bench", "score", "semeval2025-t10-st2", "st2/gold.txt", "st2/gold.txt", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert (result["task"], result["f1_coarse"], result["f1_fine"]) == ("semeval2025-t10-st2", 1.0, 1.0)
    assert set(result["baselines"]) == {"all_other", "majority", "random"}
    write(tmp_path / "taxonomy" / "subtask2_narratives.txt", "CC: X\nURW: Y")
    write(tmp_path / "taxonomy" / "subtask2_subnarratives.txt", "CC: X: A\nURW: Y: B\n")
    proc = framewatch("bench", "score", "semeval2025-t10-st2", "st2/gold.txt", "st2/gold.txt", "--taxonomy",
                      "taxonomy", cwd=tmp_path)
    assert json.loads(proc.stdout)["baselines"]["random"]["taxonomy"] == "taxonomy"
    proc = framewatch("bench", "score", "semeval2025-t10-st1", "st1/gold.txt", "st1/gold.txt", "--taxonomy",
                      "taxonomy", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "--taxonomy does not apply" in " ".join(proc.stderr.split())


def test_cli_errors(tmp_path: Path) -> None:
    write(tmp_path / "gold.txt", ROLES_GOLD)
    write(tmp_path / "pred.txt", "d1.txt\tPutin\t0\t4\tAntagonist\tDictator\n")
    proc = framewatch("bench", "score", "semeval2025-t10-st1", "gold.txt", "pred.txt", cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "pred.txt:1: unknown fine role 'Dictator'" in proc.stderr
    proc = framewatch("bench", "score", "semeval2025-t10-st1", "gold.txt", "gold.txt", "--articles", ".",
                      cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "--articles does not apply to task semeval2025-t10-st1" in " ".join(proc.stderr.split())


# --- the shared training corpora (beside the repository, never copied into it) -----------------------------


@pytest.fixture
def t10() -> Path:
    return need_shared("data/semeval2025-task10")


def _gold_mentions(train: Path) -> dict[str, list[Mention]]:
    by_file: dict[str, list[Mention]] = {}
    for mention in read_mentions(train / "subtask-1-annotations.txt"):
        by_file.setdefault(mention.file, []).append(mention)
    return by_file


def test_shared_ru_offsets_match_after_restoring_lost_crs(t10: Path) -> None:
    converted = 0
    for name, mentions in _gold_mentions(t10 / "RU" / "train").items():
        text, was_converted = align_text(read_text(t10 / "RU" / "train" / "raw-documents" / name), mentions)
        converted += was_converted
        assert [m.text for m in mentions] == [text[m.start:m.end + 1] for m in mentions], name
    assert converted == 109  # of the 133 documents, as the organisers' copies lost their CRs


def test_shared_en_offsets_match_but_for_a_few_spans(t10: Path) -> None:
    off: dict[str, int] = {}
    for name, mentions in _gold_mentions(t10 / "EN" / "train").items():
        text, converted = align_text(read_text(t10 / "EN" / "train" / "raw-documents" / name), mentions)
        assert not converted, name
        wrong = sum(text[m.start:m.end + 1] != m.text for m in mentions)
        if wrong:
            off[name] = wrong
    # Measured: 11 mentions in 3 documents sit one or two characters late; their offsets are kept as given.
    assert off == {"EN_UA_002668.txt": 2, "EN_UA_024050.txt": 5, "EN_UA_001032.txt": 4}


@pytest.mark.parametrize(("lang", "majority", "emr", "main_accuracy"), [
    ("EN", ("Antagonist", "Conspirator"), 0.0962, 0.6953),
    ("RU", ("Antagonist", "Foreign Adversary"), 0.1390, 0.5123),
])
def test_shared_st1_gold_against_itself_and_baselines(t10: Path, tmp_path: Path, lang: str, majority: tuple,
                                                      emr: float, main_accuracy: float) -> None:
    gold = t10 / lang / "train" / "subtask-1-annotations.txt"
    result = json.loads(framewatch("bench", "score", "semeval2025-t10-st1", str(gold), str(gold),
                                   cwd=tmp_path).stdout)
    assert [result[name] for name in ("emr", "main_role_accuracy", "micro_f1")] == [1.0, 1.0, 1.0]
    baseline = result["baselines"]["majority"]
    assert (baseline["main_role"], baseline["fine_role"]) == majority
    assert baseline["emr"] == pytest.approx(emr, abs=0.001)
    assert baseline["main_role_accuracy"] == pytest.approx(main_accuracy, abs=0.001)
    # Random: a third of the main roles, and a fine role right about once in 25.
    assert 0.25 < result["baselines"]["random"]["main_role_accuracy"] < 0.42
    assert result["baselines"]["random"]["emr"] < 0.08


@pytest.mark.parametrize(("lang", "all_other", "majority"), [
    # 169 of the 399 EN documents are Other (so Other is also the majority label); no RU training document is.
    ("EN", 0.4236, ("Other", "Other", 0.4236, 0.4236)),
    ("RU", 0.0, ("URW: Discrediting Ukraine", "URW: Praise of Russia: Praise of Russian military might", 0.3950,
                 0.1727)),
])
def test_shared_st2_gold_against_itself_and_baselines(t10: Path, lang: str, all_other: float,
                                                      majority: tuple) -> None:
    gold = t10 / lang / "train" / "subtask-2-annotations.txt"
    result = score_st2(gold, gold, taxonomy=t10 / "taxonomy")
    assert (result["f1_coarse"], result["f1_fine"]) == (1.0, 1.0)
    assert result["documents_gold"] == {"EN": 399, "RU": 133}[lang]
    other = result["baselines"]["all_other"]
    assert other["f1_coarse"] == other["f1_fine"] == pytest.approx(all_other, abs=1e-3)
    baselines = result["baselines"]
    found = baselines["majority"]
    assert (found["narrative"], found["subnarrative"]) == majority[:2]
    assert (found["f1_coarse"], found["f1_fine"]) == pytest.approx(majority[2:], abs=1e-3)
    assert baselines["random"]["f1_coarse"] < 0.15


def test_shared_taxonomy_and_gold_labels(t10: Path) -> None:
    taxonomy = read_taxonomy(t10 / "taxonomy")
    assert len(taxonomy) == 22 and taxonomy["Other"] == ("Other",)  # 11 CC, 11 URW, Other
    assert sum(map(len, taxonomy.values())) == 91
    known = {name for names in taxonomy.values() for name in names}
    unknown = {label for labels in read_narratives(t10 / "EN" / "train" / "subtask-2-annotations.txt", "GOLD").values()
               for label in labels.fine} - known
    # Three EN training subnarratives are missing from the published class list.
    assert unknown == {"CC: Climate change is beneficial: Temperature increase is beneficial",
                       "CC: Downplaying climate change: Sea levels are not rising",
                       "CC: Green policies are geopolitical instruments: Climate-related international relations "
                       "are abusive/exploitative"}
    assert {role for lang in ("EN", "RU") for roles in read_roles(t10 / lang / "train" / "subtask-1-annotations.txt",
                                                                 "GOLD").values() for role in roles.fine} \
        <= set(FINE_ROLES)


def test_shared_predict_on_the_test_inputs_keeps_every_mention(t10: Path, tmp_path: Path, engines: dict) -> None:
    # The held-out inputs keep their CRLF documents and their offsets all match as given.
    for lang, count in (("EN", 235), ("RU", 214)):
        pred = tmp_path / f"{lang}.txt"
        assert predict_st1(t10 / lang / "test", pred, CONFIG) == count
        given = [line.split("\t") for line in read_text(t10 / lang / "test" / "subtask-1-entity-mentions.txt")
                 .replace("\r\n", "\n").splitlines()]
        assert [line.split("\t")[:4] for line in pred.read_text(encoding="utf-8").splitlines()] == given
    assert all(text[start:end] for text, _, spans in engines["roles"] for start, end in spans)
    assert predict_st2(t10 / "RU" / "test", tmp_path / "st2.txt", CONFIG) == 60
