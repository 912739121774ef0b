"""The predict adapters with the technique engine replaced by a stub, so that what each adapter adds
(merging, template order, repeated spans, paragraph offsets, language) is checked exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewatch.analysis import techniques
from framewatch.bench import InputError, UsageError
from framewatch.bench.ptc import predict_si, predict_tc
from framewatch.bench.semeval2023 import predict_st3
from framewatch.config import load_config
from framewatch.model import Span
from framewatch.taxonomies import technique_names

CONFIG = load_config()


def span(label: str, start: int, end: int) -> Span:
    return Span("technique", label, start, end, 0.9, "stub", "stub-cue")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (text, language) the stub engine was asked about; it finds a span on each word "awful"/"ужасный"
    (Loaded_Language) and one on each "doubt"/"сомнение" word extended by 3 characters (Doubt)."""
    seen: list[tuple[str, str]] = []

    def detect(text: str, language: str, config=None, min_confidence=None) -> list[Span]:
        seen.append((text, language))
        found = []
        for word, label, extra in (("awful", "Loaded_Language", 0), ("ужасный", "Loaded_Language", 0),
                                   ("doubt", "Doubt", 3), ("сомнение", "Doubt", 3)):
            start = text.find(word)
            while start >= 0:
                found.append(span(label, start, min(len(text), start + len(word) + extra)))
                start = text.find(word, start + 1)
        return found

    def classify(text: str, start: int, end: int, language: str, config=None, hits=None) -> list[tuple[str, float]]:
        # Obfuscation has no PTC class, so the adapter must pass over it.
        first = ["Obfuscation-Vagueness-Confusion", "Questioning_the_Reputation", "Doubt", "Appeal_to_Values"]
        rest = [name for name in technique_names() if name not in first]
        return [(name, 1.0 - i / 100) for i, name in enumerate(first + rest)]

    monkeypatch.setattr(techniques, "detect_techniques", detect)
    monkeypatch.setattr(techniques, "classify_span", classify)
    return seen


def test_si_unions_and_merges_spans_per_article(tmp_path: Path, calls: list) -> None:
    # "doubt" at 0-8 and "awful" at 5-10 overlap, the "awful" at 10-15 touches them, the one at 18-23 stands apart.
    write(tmp_path / "in" / "a" / "article7.txt", "doubtawfulawful x awful")
    write(tmp_path / "in" / "article10.txt", "calm\n")
    write(tmp_path / "in" / "notes.txt", "awful")  # not an article file
    lines = predict_si(tmp_path / "in", tmp_path / "out" / "pred.txt", CONFIG)
    assert lines == 2
    assert (tmp_path / "out" / "pred.txt").read_text(encoding="utf-8") == "7\t0\t15\n7\t18\t23\n"
    assert {language for _, language in calls} == {"en"}


def test_si_input_without_articles_is_a_usage_error(tmp_path: Path, calls: list) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(UsageError, match="no article"):
        predict_si(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    with pytest.raises(UsageError, match="no such folder"):
        predict_si(tmp_path / "missing", tmp_path / "pred.txt", CONFIG)


def test_tc_keeps_template_order_and_gives_repeats_the_next_class(tmp_path: Path, calls: list) -> None:
    write(tmp_path / "in" / "articles" / "article1.txt", "some awful doubt here")
    write(tmp_path / "in" / "article2.txt", "calm")
    write(tmp_path / "in" / "templates" / "task.out", "2\t?\t0\t4\n1\t?\t5\t10\n1\t?\t5\t10\n1\t?\t0\t4\n")
    assert predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG) == 4
    # Obfuscation-Vagueness-Confusion has no PTC class; Questioning_the_Reputation and Doubt share "Doubt";
    # the second copy of 5-10 gets the next class, Flag-Waving (from Appeal_to_Values).
    assert (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines() == [
        "2\tDoubt\t0\t4", "1\tDoubt\t5\t10", "1\tFlag-Waving\t5\t10", "1\tDoubt\t0\t4"]
    # detect_techniques runs once per article.
    assert sorted(text for text, _ in calls) == ["calm", "some awful doubt here"]


def test_tc_template_problems(tmp_path: Path, calls: list) -> None:
    write(tmp_path / "in" / "article1.txt", "short")
    with pytest.raises(UsageError, match=r"exactly one \*\.out span template .* found none"):
        predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    template = write(tmp_path / "in" / "t.out", "1\t?\t0\t3\n9\t?\t0\t3\n")
    with pytest.raises(InputError, match=r"t\.out:2: no article9\.txt under"):
        predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    write(template, "1\t?\t0\t30\n")
    with pytest.raises(InputError, match=r"t.out:1: span 0-30 ends after article 1 \(5 characters\)"):
        predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    write(template, "1\t?\t0\n")
    with pytest.raises(InputError, match=r"t\.out:1: expected 4 tab-separated columns"):
        predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG)
    write(tmp_path / "in" / "more" / "u.out", "")
    with pytest.raises(UsageError, match=r"found .*u\.out, .*t\.out"):
        predict_tc(tmp_path / "in", tmp_path / "pred.txt", CONFIG)


def test_st3_labels_paragraphs_by_offsets_within_the_joined_article(tmp_path: Path, calls: list) -> None:
    # Article 5's paragraphs come out of order; its paragraph 3 ends with "сомнение", whose stub span runs 3
    # characters on, over the line break into paragraph 4. Article 6 (English) is fused onto line 3.
    template = write(tmp_path / "t.template",
                     "5\t3\tЭто сомнение\r\n"
                     "5\t1\tКакой ужасный день сегодня выдался в городе\r\n"
                     "5\t4\tДалее спокойный текст.6\t1\tawful weather today in the city\n"
                     "6\t2\n")
    assert predict_st3(template, tmp_path / "pred.txt", CONFIG) == 5
    assert (tmp_path / "pred.txt").read_text(encoding="utf-8").splitlines() == [
        "5\t3\tDoubt", "5\t1\tLoaded_Language", "5\t4\tDoubt", "6\t1\tLoaded_Language", "6\t2\t"]
    assert calls == [("Какой ужасный день сегодня выдался в городе\nЭто сомнение\nДалее спокойный текст.", "ru"),
                     ("awful weather today in the city\n", "en")]


def test_st3_article_without_letters_falls_back_to_english(tmp_path: Path, calls: list) -> None:
    predict_st3(write(tmp_path / "t.template", "1\t1\t2022\n"), tmp_path / "pred.txt", CONFIG)
    assert calls == [("2022", "en")]
