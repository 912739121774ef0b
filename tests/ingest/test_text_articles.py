"""Plain-text and Markdown articles: headline, byline, date, body kept exactly."""

from __future__ import annotations

from datetime import datetime

from conftest import EXAMPLES
from framewatch.ingest import parse_text

AS_OF = datetime(2025, 12, 1, 12, 0)


def parse_one(text: str, name: str = "a.txt"):
    [doc] = parse_text(text, source=name, fmt="auto", as_of=AS_OF, path=name).documents
    return doc


def test_headline_byline_and_date_become_metadata():
    doc = parse_one("Velaria detains reporters\n\nBy Helen Strand, Continental Wire\nNovember 27, 2025\n\n"
                    "KALMORA - Body starts here.\nSecond paragraph.\n")
    assert doc.title == "Velaria detains reporters"
    assert doc.author == "Helen Strand"
    assert doc.published == "2025-11-27"
    assert doc.text == "KALMORA - Body starts here.\nSecond paragraph."


def test_russian_byline_and_markdown_heading():
    doc = parse_one("# Две смерти в Самаре\n\nАвтор: Мария Лебедева\n30 ноября 2025\n\n**Лид.** Текст.\n", "a.md")
    assert (doc.title, doc.author, doc.published) == ("Две смерти в Самаре", "Мария Лебедева", "2025-11-30")
    assert doc.text == "**Лид.** Текст."


def test_text_without_headline_is_all_body():
    text = "A first sentence that is a paragraph, not a headline.\nAnd more.\n"
    doc = parse_one(text)
    assert doc.title is None and doc.text == text.rstrip()


def test_crlf_text_keeps_its_line_ends_in_the_body():
    doc = parse_one("Headline\r\n\r\nLine one.\r\nLine two.\r\n")
    assert doc.title == "Headline" and doc.text == "Line one.\r\nLine two."


def test_every_example_article_has_title_and_body():
    for path in sorted((EXAMPLES / "articles").iterdir()):
        doc = parse_one(path.read_text(encoding="utf-8"), path.name)
        assert doc.title and len(doc.text) > 500, path.name
