"""SemEval-2023 Task 3 subtask 3: the scorer on hand-worked files, and the template and label readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewatch.bench import InputError, UsageError
from framewatch.bench.semeval2023 import Paragraph, read_template, score_st3

GOLD = ("a\t1\tLoaded_Language,Doubt\r\n"
        "a\t2\t\r\n"
        "a\t3\tSlogans\r\n"
        "b\t1\tDoubt\r\n")
PRED = ("a\t1\tDoubt\n"
        "a\t2\tRepetition\n"
        "b\t1\tDoubt,Loaded_Language\n"  # paragraph a 3 is missing: it predicts nothing
        "c\t1\tDoubt\n")  # not in gold: ignored


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_micro_and_macro_f1_with_a_missing_paragraph(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = score_st3(write(tmp_path / "gold.txt", GOLD), write(tmp_path / "pred.txt", PRED))
    # hits: Doubt in a1 and b1; false: Repetition in a2, Loaded_Language in b1; missed: Loaded_Language in a1,
    # Slogans in a3. P = R = F1 = 2/4. Only Doubt has F1 > 0 (1.0), and the macro mean runs over all 23.
    assert (result["micro_f1"], result["precision"], result["recall"]) == (0.5, 0.5, 0.5)
    assert result["macro_f1"] == round(1 / 23, 6)
    assert result["per_label"]["Doubt"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "gold": 2, "pred": 2}
    assert result["per_label"]["Slogans"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 1, "pred": 0}
    assert (result["paragraphs_gold"], result["paragraphs_pred"], result["paragraphs_missing"]) == (4, 4, 1)
    assert "1 paragraphs of GOLD are missing from PRED" in caplog.text
    assert "1 paragraphs of PRED are not in GOLD" in caplog.text
    # Doubt is the most frequent gold label: right in a1 and b1, wrong in a2 and a3, Loaded_Language and
    # Slogans missed: P = R = 2/4.
    majority = result["baselines"]["majority"]
    assert (majority["label"], majority["micro_f1"], majority["precision"], majority["recall"]) == \
        ("Doubt", 0.5, 0.5, 0.5)


def test_gold_against_itself(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.txt", GOLD)
    result = score_st3(gold, gold)
    assert (result["micro_f1"], result["precision"], result["recall"]) == (1.0, 1.0, 1.0)
    # Three of the 23 techniques occur; the other 20 score 0 in the macro mean, as in scikit-learn.
    assert result["macro_f1"] == round(3 / 23, 6)


@pytest.mark.parametrize(("text", "message"), [
    ("a\t1\tDoubt\na\t2\tDoubt,Lying\n", "pred.txt:2: unknown technique 'Lying'"),
    ("a\t1\tDoubt\n\na\t1\t\n", "pred.txt:3: paragraph 1 of article a is already on line 1"),
    ("a\tone\tDoubt\n", "pred.txt:1: paragraph number 'one' is not a whole number"),
    ("a\t1\tDoubt\textra\n", "pred.txt:1: expected 3 tab-separated columns"),
])
def test_malformed_labels_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_st3(write(tmp_path / "gold.txt", GOLD), write(tmp_path / "pred.txt", text))


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    pred = tmp_path / "pred.txt"
    pred.write_bytes(b"a\t1\tDoubt\na\t2\t\xff\n")
    with pytest.raises(InputError, match=r"pred\.txt:2: not valid UTF-8"):
        score_st3(write(tmp_path / "gold.txt", GOLD), pred)


def test_missing_or_folder_paths_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"GOLD .*gold\.txt: no such file"):
        score_st3(tmp_path / "gold.txt", tmp_path / "pred.txt")
    with pytest.raises(UsageError, match=r"PRED .*: is a folder, expected a file"):
        score_st3(write(tmp_path / "gold.txt", GOLD), tmp_path)


def test_template_lines_fused_by_a_lost_line_break_are_split(tmp_path: Path) -> None:
    # Article 24 paragraph 3 lost its line break, so article 2411's title runs on after its text; the
    # paragraph of article 7 has no text at all; CRLF and LF lines mix.
    template = write(tmp_path / "t.template", "24\t1\tЗаголовок\r\n"
                                              "24\t3\tВ 2022 году.2411\t1\tНовый заголовок\r\n"
                                              "2411\t3\tТекст\tс табуляцией\n"
                                              "7\t1\n")
    assert read_template(template) == [
        Paragraph("24", 1, "Заголовок", 1),
        Paragraph("24", 3, "В 2022 году.", 2),
        Paragraph("2411", 1, "Новый заголовок", 2),
        Paragraph("2411", 3, "Текст\tс табуляцией", 3),
        Paragraph("7", 1, "", 4),
    ]


def test_a_fused_article_id_is_told_from_digits_ending_the_text(tmp_path: Path) -> None:
    # The text ends in "2022" and article 2411 begins right after it: the tail that is a known article ID wins.
    template = write(tmp_path / "t.template", "24\t1\tВ 20222411\t1\tЗаголовок\n2411\t2\tТекст\n")
    assert [(p.article, p.number, p.text) for p in read_template(template)][:2] == [("24", 1, "В 2022"),
                                                                                   ("2411", 1, "Заголовок")]


def test_template_errors_name_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"t\.template:2: expected tab-separated article_id"):
        read_template(write(tmp_path / "t.template", "24\t1\tx\n24\n"))
    with pytest.raises(InputError, match=r"t\.template:2: paragraph 1 of article 24 is already on line 1"):
        read_template(write(tmp_path / "t.template", "24\t1\tx\n24\t1\ty\n"))
