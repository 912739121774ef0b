"""News article pages: golden output, metadata as written, link spans, and failure on unreadable pages.

Regenerate the golden files (after checking the output by eye) with
`FRAMEWATCH_REGEN_GOLDEN=1 .venv/bin/pytest tests/ingest/test_html_article.py`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import golden, golden_record
from framewatch.ingest import IngestError
from framewatch.ingest.html_article import parse_article_html
from framewatch.model import Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
ARTICLES = ["article_en_northern_ledger.html", "article_ru_vecherniy_dorsk.html"]
def _parse(name: str, **kwargs: Any) -> list[Document]:
    return parse_article_html((FIXTURES / name).read_text(encoding="utf-8"), path=name, **kwargs)


@pytest.mark.parametrize("name", ARTICLES)
def test_article_matches_golden(name: str) -> None:
    exported = [golden_record(doc) for doc in _parse(name)]
    assert exported == golden(FIXTURES / name, exported)


@pytest.mark.parametrize("name", ARTICLES)
def test_every_link_span_points_at_its_url(name: str) -> None:
    (doc,) = _parse(name)
    assert doc.spans, "fixtures carry URLs written in the text"
    for span in doc.spans:
        assert doc.text[span.start:span.end] == span.attrs["url"]
        assert span.attrs["url"] in doc.links


def test_english_article_metadata_as_written() -> None:
    (doc,) = _parse("article_en_northern_ledger.html")
    assert doc.kind == "article"
    assert doc.title == "Two journalists detained in Dorsk after Liberty Square arrests"
    assert doc.author == "Hannah Reuel"
    assert doc.published == "2025-11-29T18:42:00+02:00"  # the page's own offset, not shifted to UTC
    assert doc.language == "en"  # <html lang="en-GB">, primary subtag only
    assert doc.outlet == "The Northern Ledger"
    assert doc.url == "https://www.northernledger.com/world/2025/11/29/dorsk-journalists-detained-liberty-square"
    assert doc.source_key == doc.url
    assert doc.path == "article_en_northern_ledger.html"
    assert doc.meta["description"].startswith("Reporter Maksim Oreshkin")
    assert doc.meta["categories"] == ["World"]


def test_english_article_keeps_body_and_drops_page_chrome() -> None:
    (doc,) = _parse("article_en_northern_ledger.html")
    assert doc.text.startswith("Police in Dorsk detained two journalists")
    assert "They are not journalists, they are organisers." in doc.text
    for chrome in ("We use cookies", "Sign up to First Edition", "Most viewed", "All rights reserved",
                   "More on this story", "Subscribe from"):
        assert chrome not in doc.text


def test_article_links_are_absolute_body_hrefs_only() -> None:
    (doc,) = _parse("article_en_northern_ledger.html")
    assert "https://mvd.gov.vl/press/2025/11/29/statement-412" in doc.links
    # A relative href inside the body, resolved against the canonical URL.
    assert "https://www.northernledger.com/world/2025/11/20/dorsk-city-hall-bans-rallies" in doc.links
    assert all(link.startswith("https://") for link in doc.links)
    assert not any("/privacy" in link or "/subscribe" in link or "/tags/" in link for link in doc.links)


def test_russian_article_reads_json_ld_date_and_skips_link_blocks() -> None:
    (doc,) = _parse("article_ru_vecherniy_dorsk.html")
    assert doc.language == "ru"
    assert doc.author == "Ирина Соколова"
    assert doc.published == "2025-11-30T11:05:00+03:00"
    assert doc.outlet == "Вечерний Дорск"
    assert "«Камера в руках не даёт никому иммунитета от закона." in doc.text
    assert "Читайте также" not in doc.text and "Популярное" not in doc.text
    assert "Давно пора навести порядок" not in doc.text  # reader comments are not the article
    # A bare domain written in the text becomes a span too.
    assert "dhrc-dorsk.org/lists/liberty-square-2025" in [s.attrs["url"] for s in doc.spans]


def test_url_argument_wins_over_canonical() -> None:
    url = "https://mirror.example.org/copy/dorsk"
    (doc,) = _parse("article_en_northern_ledger.html", url=url)
    assert doc.url == url
    assert doc.source_key == url


@pytest.mark.parametrize("html", ["", "   \n", "<html><body></body></html>", "<div><p></div>", "\x00\x01"])
def test_pages_without_text_raise_ingest_error(html: str) -> None:
    with pytest.raises(IngestError, match="no article text found"):
        parse_article_html(html)


def test_malformed_page_parses_what_it_can() -> None:
    html = (FIXTURES / "malformed_phpbb_truncated.html").read_text(encoding="utf-8")
    try:
        docs = parse_article_html(html, path="malformed_phpbb_truncated.html")
    except IngestError as error:
        assert str(error) == "no article text found"
        return
    (doc,) = docs
    assert "Орешкин" in doc.text
    for span in doc.spans:
        assert doc.text[span.start:span.end] == span.attrs["url"]


_SOURCE = (FIXTURES / ARTICLES[0]).read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(_SOURCE)),
    start=st.integers(min_value=0, max_value=len(_SOURCE)),
    garbage=st.text(max_size=200),
)
def test_truncated_or_garbled_pages_fail_only_with_ingest_error(cut: int, start: int, garbage: str) -> None:
    html = _SOURCE[: min(start, cut)] + garbage + _SOURCE[min(start, cut): cut]
    try:
        docs = parse_article_html(html)
    except IngestError:
        return
    for doc in docs:
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.attrs["url"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=500))
def test_random_text_fails_only_with_ingest_error(text: str) -> None:
    with contextlib.suppress(IngestError):
        parse_article_html(text)
