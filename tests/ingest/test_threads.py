"""Forum threads pasted as text: post splitting, quote attribution, timestamps, the seed thread."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framewatch.ingest import detect_format, parse_text
from framewatch.ingest.threads import split_thread, timestamp_line

AS_OF = datetime(2025, 12, 1, 12, 0)


def parse(text: str, fmt: str = "auto"):
    return parse_text(text, source="thread.txt", fmt=fmt, as_of=AS_OF, path="thread.txt").documents


def test_seed_reply_quotes_an_earlier_member(seeds):
    text = (seeds / "001_b3421202f4057a70.txt").read_text(encoding="utf-8")
    assert detect_format("001.txt", text, AS_OF) == "thread"
    docs = parse(text)
    quote, post = docs
    assert post.kind == "post" and post.published == "2025-11-30T09:20"
    assert not post.text.startswith("Yesterday"), "the timestamp line is structure, not text"
    assert post.quotes == [quote.id]
    assert quote.kind == "quote" and quote.author == "Tee tiong huat"
    assert quote.published == "2025-11-30T09:10"
    assert "https://youtu.be/o9yC_0gCuOM?si=8tVQX7L-fDSoXEzL" in quote.links
    assert "youtu.be" not in post.text, "quoted text belongs to the quoted member, not the poster"
    assert quote.thread_id == post.thread_id


def test_seed_repost_keeps_origin_disclaimer_and_cyrillic_forms(seeds):
    text = (seeds / "000_cb010f43741b8d50.txt").read_text(encoding="utf-8")
    [doc] = parse(text)
    assert doc.original_url == "toutiao.com/article/7578821539979477523/"
    assert doc.disclaimers == ["Statement: This article represents the views of the author."]
    assert "Ильхам Алиев" in doc.text and "Реджеп Эрдоган" in doc.text
    origin = next(s for s in doc.spans if s.layer == "origin")
    assert doc.text[origin.start:origin.end] == doc.original_url


@pytest.mark.parametrize(
    ("header", "author"),
    [
        ("(Yesterday, 09:10 AM)Marta K Wrote: Quoted words here.", "Marta K"),
        ("Marta K wrote: Quoted words here.", "Marta K"),
        ("Марта писал(а): Quoted words here.", "Марта"),
        ("Марта написала: Quoted words here.", "Марта"),
    ],
)
def test_inline_quote_header_styles(header, author):
    text = f"Yesterday, 09:20 AM\n{header}\nMy own reply follows.\n"
    quote, post = parse(text)
    assert (quote.author, quote.text, post.text) == (author, "Quoted words here.", "My own reply follows.")


def test_vbulletin_header_quotes_following_lines_until_blank():
    text = ("Today, 10:00\nQuote: Originally Posted by old_hand\nFirst quoted line.\nSecond quoted line.\n\n"
            "Reply text.\n")
    quote, post = parse(text)
    assert quote.author == "old_hand"
    assert quote.text == "First quoted line.\nSecond quoted line."
    assert post.text == "Reply text."


def test_xenforo_said_needs_its_click_to_expand_marker():
    quoted = "Today, 10:00\nolga_v said:\nThey were never journalists.\nClick to expand...\nThey were.\n"
    quote, post = parse(quoted)
    assert (quote.author, quote.text, post.text) == ("olga_v", "They were never journalists.", "They were.")
    # Without the marker a "Name said:" line is ordinary text, so a reported speech line stays put.
    plain = "Today, 10:00\nThe minister said:\n\"We do not trade in people.\"\n"
    [post] = parse(plain)
    assert post.text == 'The minister said:\n"We do not trade in people."' and post.quotes == []


def test_bbcode_quotes_with_vbulletin_and_discourse_post_ids():
    text = ('Today, 10:00\n[quote=anna;4411]Short quote.[/quote]\nAnswer one.\n'
            'Today, 10:05\n[quote="ivan_p, post:7, topic:93"]\nLonger\nquote.\n[/quote]\nAnswer two.\n')
    q1, p1, q2, p2 = parse(text)
    assert (q1.author, q1.meta["quoted_post_id"], q1.text, p1.text) == ("anna", "4411", "Short quote.", "Answer one.")
    assert (q2.author, q2.meta["quoted_post_id"], q2.text, p2.text) == ("ivan_p", "7", "Longer\nquote.", "Answer two.")


def test_article_lines_never_split_an_article():
    text = "Talks in Ankara\n\nPutin said:\n\"No.\"\nErdogan wrote: nothing.\nMore body text here.\n"
    assert detect_format("a.txt", text, AS_OF) == "article"
    [doc] = parse(text)
    assert doc.kind == "article" and doc.quotes == []
    assert "Putin said:" in doc.text and "Erdogan wrote: nothing." in doc.text


def test_russian_relative_timestamps_and_author_lines():
    text = "Андрей_К\nвчера в 21:40\nПервый пост.\n\nTomas_K\nСегодня, 10:15\nВторой пост.\n"
    first, second = parse(text)
    assert (first.author, first.published, first.text) == ("Андрей_К", "2025-11-30T21:40", "Первый пост.")
    assert (second.author, second.published, second.text) == ("Tomas_K", "2025-12-01T10:15", "Второй пост.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Yesterday, 09:20 AM", "2025-11-30T09:20"),
        ("вчера в 21:40", "2025-11-30T21:40"),
        ("11-28-2025, 10:42 PM", "2025-11-28T22:42"),
        ("28.11.2025, 19:03", "2025-11-28T19:03"),
        ("2025-11-30 09:20:05 #12", "2025-11-30T09:20:05"),
        ("In 2020 we went to Baku.", None),
        ("Putin said:", None),
        ("16 Nov – march in Varga Park, ~40 people, red banners", None),
    ],
)
def test_timestamp_lines(line, expected):
    assert timestamp_line(line, AS_OF) == expected


def test_examples_thread_keeps_reported_speech_inside_its_post():
    from conftest import EXAMPLES

    docs = parse((EXAMPLES / "threads" / "velaria_forum_thread.txt").read_text(encoding="utf-8"))
    posts = [d for d in docs if d.kind == "post"]
    quotes = [d for d in docs if d.kind == "quote"]
    assert len(posts) == 6 and len(quotes) == 2
    assert any("The minister said:" in p.text for p in posts)
    assert {q.author for q in quotes} == {"Marko_V", "Sergei_O"}


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz абвгдежзийклмн", min_size=1, max_size=30).map(str.strip)
_body_line = _words.filter(lambda w: len(w) > 0).map(lambda w: w + ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_body_line, min_size=1, max_size=4), min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=23), min_size=6, max_size=6))
def test_splitter_recovers_every_post(bodies, hours):
    """Any sequence of timestamped posts splits back into exactly those posts, in order."""
    chunks = []
    for body, hour in zip(bodies, hours, strict=False):
        chunks.append(f"Yesterday, {hour:02d}:15\n" + "\n".join(body))
    docs = split_thread("\n".join(chunks) + "\n", source="t.txt", as_of=AS_OF)
    assert [d.text for d in docs] == ["\n".join(b) for b in bodies]
    assert [d.published for d in docs] == [f"2025-11-30T{h:02d}:15" for h in hours[: len(bodies)]]


_names = st.sampled_from(["Tee tiong huat", "olga_v", "Андрей_К", "Marko V"])
_urls = st.sampled_from(["https://youtu.be/abc?si=1", "toutiao.com/article/7/", "https://rt.ru/x"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(_body_line, min_size=1, max_size=3),
                          st.one_of(st.none(), st.tuples(_names, _body_line, _urls))),
                min_size=1, max_size=5))
def test_quotes_are_attributed_and_every_span_slices_its_text(posts):
    """Each quote becomes a document of the quoted member; link spans point at their URL exactly."""
    chunks = []
    for n, (body, quote) in enumerate(posts):
        header = f"(Yesterday, 08:{n:02d} AM){quote[0]} Wrote: {quote[1]} {quote[2]}\n" if quote else ""
        chunks.append(f"Yesterday, 09:{n:02d} AM\n{header}" + "\n".join(body))
    result = parse_text("\n".join(chunks) + "\n", source="t.txt", fmt="thread", as_of=AS_OF, path="t.txt")
    by_id = {d.id: d for d in result.documents}
    thread_posts = [d for d in result.documents if d.kind == "post"]
    assert [p.text for p in thread_posts] == ["\n".join(body) for body, _ in posts]
    for post, (_, quote) in zip(thread_posts, posts, strict=True):
        if quote is None:
            assert post.quotes == []
            continue
        [quoted] = [by_id[q] for q in post.quotes]
        assert quoted.author == quote[0] and quoted.text == f"{quote[1]} {quote[2]}"
        assert quoted.links == [quote[2]]
    for doc in result.documents:
        for span in doc.spans:
            if span.layer == "link":
                assert doc.text[span.start:span.end] == span.attrs["url"]
