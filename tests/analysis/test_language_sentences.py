"""Language per document and per segment; sentences for English and Russian."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from razdel import sentenize

from framewatch.analysis.sentences import sentence_bounds
from framewatch.config import load_config
from framewatch.model import Document
from framewatch.pipeline import Pipeline

PIPELINE = Pipeline(load_config())


def analyse(text: str, language: str | None = None) -> Document:
    return PIPELINE.analyze(Document(text=text, language=language))


def test_english_document_with_russian_name_forms(seeds):
    text = (seeds / "000_cb010f43741b8d50.txt").read_text(encoding="utf-8")
    doc = analyse(text)
    assert doc.language == "en"
    russian = {doc.text[s.start:s.end] for s in doc.spans if s.layer == "language" and s.label == "ru"}
    assert {"Ильхам Алиев", "Реджеп Эрдоган"} <= russian


def test_russian_ukrainian_and_kazakh_are_told_apart():
    ru = analyse("Власти Веларии задержали четырёх сотрудников российского агентства по обвинению в шпионаже.")
    uk = analyse("Влада Веларії затримала чотирьох співробітників російського агентства за звинуваченням у шпигунстві.")
    kk = analyse("Велария билігі ресейлік агенттіктің төрт қызметкерін тыңшылық жасады деген айыппен ұстады.")
    assert (ru.language, uk.language, kk.language) == ("ru", "uk", "kk")


def test_given_language_is_kept():
    doc = analyse("Short text.", language="en")
    assert doc.language == "en" and "language_source" not in doc.meta


def test_sentences_in_english_and_russian():
    en = analyse("Mr. Smith met Dr. Jones at 5 p.m. on Monday. The U.S. President spoke.\nNo full stop here")
    assert [en.text[s.start:s.end] for s in en.spans if s.layer == "sentence"] == [
        "Mr. Smith met Dr. Jones at 5 p.m. on Monday.", "The U.S. President spoke.", "No full stop here"]
    ru = analyse("Путин В.В. приехал в 2025 г. в Баку. Т.е. визит состоялся! Что дальше?")
    assert [ru.text[s.start:s.end] for s in ru.spans if s.layer == "sentence"] == [
        "Путин В.В. приехал в 2025 г. в Баку.", "Т.е. визит состоялся!", "Что дальше?"]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_every_span_slices_inside_the_text(text):
    doc = analyse(text)
    for span in doc.spans:
        assert 0 <= span.start <= span.end <= len(doc.text)
        assert doc.text[span.start:span.end].strip()


def _razdel_per_line(text: str) -> list[tuple[int, int]]:
    bounds = []
    for line in re.finditer(r"[^\n]+", text):
        bounds.extend((line.start() + s.start, line.start() + s.stop) for s in sentenize(line.group())
                      if s.text.strip())
    return bounds


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003\nab.AЯя!?;:\"«»()-…1", max_size=60))
def test_sentences_are_razdels_inside_each_line(text):
    """Lines without a delimiter skip razdel; the sentences are still exactly razdel's."""
    assert sentence_bounds(text) == _razdel_per_line(text)
