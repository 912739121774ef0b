"""Forum thread pages: engine detection, golden output per engine, quote attribution, broken pages.

Regenerate the golden files (after checking the output by eye) with
`FRAMEWATCH_REGEN_GOLDEN=1 .venv/bin/pytest tests/ingest/test_forums.py`.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from conftest import golden, golden_record
from framewatch.ingest import IngestError
from framewatch.ingest.forums import FORUM_ENGINES, detect_forum_engine, parse_forum_html
from framewatch.ingest.forums.parser import engine_spec
from framewatch.ingest.forums.selectors import ENGINE_SELECTORS
from framewatch.model import Document, thread_id_for

AS_OF = datetime(2025, 12, 1, 12, 0)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
THREADS = {
    "mybb": "forum_mybb_thread.html",
    "phpbb": "forum_phpbb_thread.html",
    "xenforo": "forum_xenforo_thread.html",
    "vbulletin": "forum_vbulletin_thread.html",
    "discourse": "forum_discourse_thread.html",
}
MALFORMED = "malformed_phpbb_truncated.html"
def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _parse(name: str, **kwargs: Any) -> list[Document]:
    return parse_forum_html(_read(name), path=name, as_of=AS_OF, **kwargs)


def _by_external_id(docs: list[Document]) -> dict[str, Document]:
    return {d.external_id: d for d in docs if d.kind == "post" and d.external_id}


def _quotes_of(post: Document, docs: list[Document]) -> list[Document]:
    by_id = {d.id: d for d in docs if d.kind == "quote"}
    return [by_id[qid] for qid in post.quotes]


# --- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "name"), sorted(THREADS.items()))
def test_detects_engine(engine: str, name: str) -> None:
    assert detect_forum_engine(_read(name)) == engine


@pytest.mark.parametrize(
    "html",
    ["", "plain text, not a page", "<html><body><p>Hello</p></body></html>",
     (FIXTURES / "article_en_northern_ledger.html").read_text(encoding="utf-8")],
)
def test_non_forum_pages_are_not_detected(html: str) -> None:
    assert detect_forum_engine(html) is None


def test_generator_tag_alone_is_enough() -> None:
    assert detect_forum_engine('<meta name="Generator" content="XenForo 2.2">') == "xenforo"


def test_selector_table_is_complete_and_valid() -> None:
    empty = LexborHTMLParser("<html><body></body></html>").body
    assert empty is not None
    assert set(FORUM_ENGINES) == {"mybb", "phpbb", "xenforo", "vbulletin", "discourse"}
    for name, data in ENGINE_SELECTORS.items():
        spec = engine_spec(name)
        selectors = [spec.post, spec.body, spec.quote, *spec.markers, *spec.strip, *spec.quote_strip]
        selectors += [pick.css for picks in spec.picks.values() for pick in picks if pick.css]
        selectors += [sel for sel, _ in spec.embeds] + ([spec.quote_body] if spec.quote_body else [])
        for selector in selectors:
            empty.css(selector)  # raises on a selector lexbor cannot parse
        for key in ("author", "published", "post_id", "quote_author"):
            assert data.get(key), f"{name} lacks {key}"


# --- golden output ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*THREADS.values(), MALFORMED])
def test_thread_matches_golden(name: str) -> None:
    exported = [golden_record(doc) for doc in _parse(name)]
    assert exported == golden(FIXTURES / name, exported)


@pytest.mark.parametrize("name", [*THREADS.values(), MALFORMED])
def test_every_link_span_points_at_its_url(name: str) -> None:
    docs = _parse(name)
    assert any(doc.spans for doc in docs)
    for doc in docs:
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.attrs["url"]
        assert all("://" not in link or link.startswith(("http://", "https://")) for link in doc.links)


@pytest.mark.parametrize("name", THREADS.values())
def test_page_shape(name: str) -> None:
    docs = _parse(name)
    posts = [d for d in docs if d.kind == "post"]
    quotes = [d for d in docs if d.kind == "quote"]
    assert len(posts) >= 3 and quotes
    assert len({d.thread_id for d in docs}) == 1 and docs[0].thread_id
    assert len({d.source_key for d in docs}) == len(docs)
    for doc in docs:
        assert doc.title and doc.path == name
        assert doc.url is None or doc.url.startswith("https://")
    for post in posts:
        assert post.url and post.author and post.published and post.external_id and post.text
        assert post.source_key and post.source_key.endswith(f"#post-{post.external_id}")
        assert post.reply_to is None
    engine = posts[0].meta["forum_engine"]
    for quote in quotes:
        assert quote.id and quote.meta["quote_style"] == engine


@pytest.mark.parametrize("name", THREADS.values())
def test_quotes_come_before_the_post_quoting_them(name: str) -> None:
    docs = _parse(name)
    position = {d.id: i for i, d in enumerate(docs) if d.id}
    for i, post in enumerate(docs):
        if post.kind != "post":
            continue
        for n, quote in enumerate(_quotes_of(post, docs), start=1):
            assert position[quote.id] < i
            assert quote.source_key == f"{post.source_key}#quote-{n}"
            assert quote.thread_id == post.thread_id
            assert quote.text not in post.text  # the post keeps its own words only
        assert post.meta.get("quoted_post_ids", []) == [
            q.meta["quoted_post_id"] for q in _quotes_of(post, docs) if q.meta["quoted_post_id"]
        ]


# --- attribution and times per engine -------------------------------------------------------------

QUOTE_CASES = [
    # engine, quoting post, quoted member, quoted post id, start of the quoted text
    ("mybb", "5534", "Liberty_Witness", "5521", "Now this morning two Dorsk Courier people"),
    ("mybb", "5540", "OrderFirst", "5534", "The permit was refused."),
    ("mybb", "5546", "Анна_К", None, "Это месть за съёмку"),
    ("phpbb", "48229", "kestrel_watch", "48213", "Confirmed by two sources"),
    ("phpbb", "48240", "Наблюдатель_Дорск", "48229", "МВД уже выпустило заявление"),
    ("xenforo", "91263", "Liberty_Sq_Witness", "91245", "The ministry story changed twice"),
    ("xenforo", "91301", "Realpolitik_77", "91263", "Whether that makes someone an organiser"),
    ("vbulletin", "771204", "Гражданин_Д", "771190", "Сейчас пишут, что задержали"),
    ("vbulletin", "771233", "Alik_D", "771204", "Акцию не согласовали"),
    ("discourse", "2", "ruslan_t", "1", "Their phones and laptops were seized."),
    ("discourse", "3", "marta.k", "2", "Do you know if they have access to lawyers yet?"),
]


@pytest.mark.parametrize(("engine", "post_id", "author", "quoted_id", "text"), QUOTE_CASES)
def test_quote_attribution(engine: str, post_id: str, author: str, quoted_id: str | None, text: str) -> None:
    docs = _parse(THREADS[engine])
    post = _by_external_id(docs)[post_id]
    quote = _quotes_of(post, docs)[0]
    assert (quote.kind, quote.author, quote.meta["quoted_post_id"]) == ("quote", author, quoted_id)
    assert quote.text.startswith(text)
    assert quote.meta["quote_style"] == engine


def test_nested_quote_is_left_to_the_quoted_post() -> None:
    docs = _parse(THREADS["mybb"])
    (quote,) = _quotes_of(_by_external_id(docs)["5540"], docs)
    assert quote.author == "OrderFirst"
    assert quote.text == "The permit was refused. Everyone who went there knew it was an unauthorised gathering."


def test_anonymous_quotes_and_second_quotes() -> None:
    docs = _parse(THREADS["vbulletin"])
    first, second = _quotes_of(_by_external_id(docs)["771233"], docs)
    assert first.author == "Alik_D"
    assert second.author is None and second.meta["quoted_post_id"] is None
    assert second.text.startswith("The EU is following the detentions closely")
    phpbb = _parse(THREADS["phpbb"])
    cpj = _quotes_of(_by_external_id(phpbb)["48240"], phpbb)[1]
    assert cpj.author == "CPJ" and cpj.meta["quoted_post_id"] is None


@pytest.mark.parametrize(
    ("engine", "post_id", "published"),
    [
        ("mybb", "5521", "2025-11-28T22:14"),  # "11-28-2025, 10:14 PM"
        ("mybb", "5534", "2025-11-30T21:20"),  # "Yesterday, 09:20 PM"
        ("mybb", "5540", "2025-12-01T08:05"),  # "Today, 08:05 AM" (edit note ignored)
        ("mybb", "5546", "2025-12-01T10:00"),  # "2 hours ago"
        ("vbulletin", "771190", "2025-11-28T18:03"),  # "28.11.2025, 18:03"
        ("vbulletin", "771204", "2025-11-30T21:40"),  # "Вчера, 21:40"
        ("vbulletin", "771233", "2025-12-01T09:15"),  # "Сегодня, 09:15"
        ("phpbb", "48240", "2025-11-30T21:40:09+00:00"),  # datetime attribute wins over "Yesterday"
        ("xenforo", "91301", "2025-12-01T11:31:40+0300"),  # kept in the page's own offset
        ("discourse", "1", "2025-11-29T06:31:10Z"),
    ],
)
def test_post_times(engine: str, post_id: str, published: str) -> None:
    assert _by_external_id(_parse(THREADS[engine]))[post_id].published == published


def test_quote_time_from_quote_header() -> None:
    docs = _parse(THREADS["mybb"])
    (quote,) = _quotes_of(_by_external_id(docs)["5534"], docs)
    assert quote.published == "2025-11-28T22:14"


def test_post_text_keeps_paragraphs_and_drops_chrome() -> None:
    post = _by_external_id(_parse(THREADS["xenforo"]))["91263"]
    assert post.text.startswith("Both can be true.")
    assert "\n\nAlso, 143 detained" in post.text
    assert "Click to expand" not in post.text and "Last edited" not in post.text
    phpbb = _by_external_id(_parse(THREADS["phpbb"]))
    assert "PGP on request" not in phpbb["48213"].text  # signature
    assert "Last edited by" not in phpbb["48229"].text


def test_discourse_onebox_becomes_the_url_the_author_wrote() -> None:
    post = _by_external_id(_parse(THREADS["discourse"]))["1"]
    url = "https://dorsk-courier.com/news/2025/11/29/our-colleagues-detained"
    assert f"\n\n{url}\n\n" in post.text
    assert "This morning at around 6am" not in post.text
    assert post.url and post.url.endswith("/1187/1")


def test_thread_id_is_the_same_for_every_page_of_a_thread() -> None:
    docs = _parse(THREADS["xenforo"])  # page 3
    thread = "https://www.geopolitik-forums.net/threads/veloria-journalists-held-after-liberty-square-crackdown.8812/"
    assert docs[0].thread_id == thread_id_for(thread)
    phpbb = _parse(THREADS["phpbb"])  # canonical has &start=15
    assert phpbb[0].thread_id == thread_id_for("https://board.presswatch-forum.org/viewtopic.php?t=4471")


def test_relative_links_are_made_absolute() -> None:
    docs = _parse(THREADS["vbulletin"])  # <base href> plus relative canonical
    post = _by_external_id(docs)["771204"]
    assert post.url == "https://forum.dorsk-gorod.ru/showthread.php?t=20417&p=771204&viewfull=1#post771204"
    assert post.source_key == "https://forum.dorsk-gorod.ru/showthread.php?t=20417&page=12#post-771204"


def test_url_argument_wins_and_path_only_pages_still_parse() -> None:
    url = "https://forum.eastwatchers.net/showthread.php?tid=3317&page=2"
    docs = parse_forum_html(_read(THREADS["mybb"]), url=url, as_of=AS_OF)
    assert docs[0].source_key == f"{url}#post-5521"
    assert docs[0].thread_id == thread_id_for("https://forum.eastwatchers.net/showthread.php?tid=3317")


def test_engine_can_be_forced() -> None:
    docs = parse_forum_html(_read(THREADS["phpbb"]), as_of=AS_OF, engine="phpbb")
    assert docs[0].meta["forum_engine"] == "phpbb"
    with pytest.raises(IngestError, match="no mybb posts found"):
        parse_forum_html(_read(THREADS["phpbb"]), as_of=AS_OF, engine="mybb")
    with pytest.raises(IngestError, match="unknown forum engine"):
        parse_forum_html(_read(THREADS["phpbb"]), as_of=AS_OF, engine="ipb")


# --- broken input ------------------------------------------------------------------------------------


def test_malformed_page_keeps_what_it_can() -> None:
    docs = _parse(MALFORMED)
    posts = _by_external_id(docs)
    assert list(posts) == ["7701", "7702", "7703"]
    assert posts["7702"].published == "2025-11-30T21:05"  # its own "Yesterday", not the next post's time
    assert posts["7702"].text.endswith("Will share with our newsroom")
    assert posts["7703"].text.endswith("Журналистов оставили в коридо")  # truncated mid-word
    (quote,) = _quotes_of(posts["7702"], docs)
    assert quote.author == "redaktor_k" and quote.text == "Оба — прямо из дома."


@pytest.mark.parametrize("html", ["", "  \n\t"])
def test_empty_input_raises(html: str) -> None:
    with pytest.raises(IngestError, match="empty forum page"):
        parse_forum_html(html, as_of=AS_OF)


def test_non_forum_page_raises_clear_error() -> None:
    with pytest.raises(IngestError, match="not a recognised forum page"):
        parse_forum_html(_read("article_en_northern_ledger.html"), as_of=AS_OF)


_SOURCES = [_read(name) for name in THREADS.values()]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(min_value=0, max_value=len(_SOURCES) - 1),
    cut=st.floats(min_value=0, max_value=1),
    at=st.floats(min_value=0, max_value=1),
    garbage=st.text(max_size=120),
)
def test_truncated_or_garbled_threads_fail_only_with_ingest_error(
    which: int, cut: float, at: float, garbage: str
) -> None:
    source = _SOURCES[which]
    end = int(len(source) * cut)
    split = int(end * at)
    html = source[:split] + garbage + source[split:end]
    try:
        docs = parse_forum_html(html, as_of=AS_OF)
    except IngestError:
        return
    for doc in docs:
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.attrs["url"]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_random_text_fails_only_with_ingest_error(text: str) -> None:
    with contextlib.suppress(IngestError):
        parse_forum_html(text, as_of=AS_OF)
