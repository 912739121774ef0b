"""Forum threads pasted as text: posts split at timestamp lines, quoted posts made documents of their own.

Quote headers are recognised only here, in thread input, never in articles, so that an article line
such as `Putin said:` cannot split an article. Header styles are data (`resources/<lang>/thread.toml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from .. import resources
from ..model import Document, thread_id_for
from .timestamps import looks_like_timestamp, parse_timestamp

# BBCode quotes survive copy-paste from the editor: [quote="Name"], [quote=Name;123],
# Discourse's [quote="name, post:3, topic:42"].
_BBCODE_OPEN = re.compile(
    r'^\s*\[quote(?:=(?:"(?P<q>[^"\]]+)"|(?P<u>[^\]]+)))?\]', re.IGNORECASE
)
_BBCODE_CLOSE = re.compile(r"\[/quote\]", re.IGNORECASE)
_POST_NUMBER = re.compile(r"(?:^|\s)#\d+\s*$")
_NAME_LINE = re.compile(r"^[^\W\d][\w.\- ]{0,38}[\w.]$")
_MAX_AUTHOR_WORDS = 5


@dataclass(frozen=True)
class QuoteHeader:
    style: str
    pattern: re.Pattern[str]
    needs_end_marker: bool
    end_markers: tuple[str, ...]


@cache
def quote_headers() -> tuple[QuoteHeader, ...]:
    headers = []
    for data in resources.load_all("thread").values():
        markers = data.get("quote_end_markers", {})
        for item in data.get("quote_headers", []):
            headers.append(QuoteHeader(
                item["style"], re.compile(item["pattern"]), bool(item.get("needs_end_marker")),
                tuple(markers.get(item["style"], [])),
            ))
    return tuple(headers)


@dataclass
class _Line:
    start: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append(_Line(pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def timestamp_line(line: str, as_of: datetime) -> str | None:
    """The resolved timestamp if `line` is nothing but a timestamp (optionally a `#12` post number)."""
    text = _POST_NUMBER.sub("", line).strip()
    if not text or not any(ch.isdigit() for ch in text) or text[-1] in ".;!?":
        return None
    if len(text.split()) > 7 or not looks_like_timestamp(text):
        return None
    return parse_timestamp(text, as_of)


def _is_author_line(line: str) -> bool:
    text = line.strip()
    return bool(_NAME_LINE.match(text)) and len(text.split()) <= _MAX_AUTHOR_WORDS


def _author_ok(name: str) -> bool:
    name = name.strip()
    return bool(name) and len(name.split()) <= _MAX_AUTHOR_WORDS and not re.search(r"[.!?]$", name)


def looks_like_thread(text: str, as_of: datetime) -> bool:
    """A file opening with a timestamp line, with two or more timestamp lines, or with an
    unambiguous quote header is a pasted thread; anything else is read as an article."""
    lines = [line for line in _lines(text) if line.text.strip()]
    if not lines:
        return False
    if timestamp_line(lines[0].text, as_of):
        return True
    stamps = sum(1 for line in lines[:400] if timestamp_line(line.text, as_of))
    if stamps >= 2:
        return True
    unambiguous = [h for h in quote_headers() if not h.needs_end_marker and h.style in {"mybb", "vbulletin"}]
    return any(
        _BBCODE_OPEN.match(line.text) or any(h.pattern.match(line.text) for h in unambiguous)
        for line in lines[:400]
    )


def _strip_blank_edges(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


@dataclass
class _Quote:
    author: str | None
    when: str | None
    text: str
    style: str
    quoted_post: str | None = None


def _bbcode_author(match: re.Match[str]) -> tuple[str | None, str | None]:
    value = (match.group("q") or match.group("u") or "").strip()
    if not value:
        return None, None
    post = None
    if ";" in value:  # vBulletin: [quote=Name;123]
        value, post = value.split(";", 1)
    elif "," in value:  # Discourse: [quote="name, post:3, topic:42"]
        parts = [p.strip() for p in value.split(",")]
        value = parts[0]
        post = next((p.split(":", 1)[1] for p in parts[1:] if p.startswith("post:")), None)
    return value.strip() or None, post


def _extract_quotes(body: list[str]) -> tuple[list[str], list[_Quote]]:
    """Split a post's lines into its own lines and the quotes it contains."""
    kept: list[str] = []
    quotes: list[_Quote] = []
    i = 0
    while i < len(body):
        line = body[i]
        opened = _BBCODE_OPEN.match(line)
        if opened:
            rest = "\n".join([line[opened.end():], *body[i + 1:]])
            closed = _BBCODE_CLOSE.search(rest)
            if closed:
                author, post = _bbcode_author(opened)
                quotes.append(_Quote(author, None, rest[:closed.start()].strip(), "bbcode", post))
                consumed = rest[:closed.end()].count("\n")
                tail = rest[closed.end():].split("\n", 1)[0]
                if tail.strip():
                    kept.append(tail.strip())
                i += consumed + 1
                continue
        quote, used = _match_header(body, i)
        if quote:
            quotes.append(quote)
            i += used
            continue
        kept.append(line)
        i += 1
    return kept, quotes


def _match_header(body: list[str], i: int) -> tuple[_Quote | None, int]:
    line = body[i]
    for header in quote_headers():
        match = header.pattern.match(line)
        if not match or not _author_ok(match.group("author")):
            continue
        when = match.groupdict().get("when")
        rest = line[match.end():].strip()
        if header.needs_end_marker:
            for j in range(i + 1, len(body)):
                if body[j].strip() in header.end_markers:
                    text = "\n".join(_strip_blank_edges(body[i + 1:j]))
                    return _Quote(match.group("author").strip(), when, text, header.style), j - i + 1
            continue
        if rest:
            return _Quote(match.group("author").strip(), when, rest, header.style), 1
        j = i + 1
        while j < len(body) and body[j].strip():
            j += 1
        if j > i + 1:
            text = "\n".join(body[i + 1:j])
            return _Quote(match.group("author").strip(), when, text, header.style), j - i
    return None, 0


def split_thread(text: str, *, source: str, as_of: datetime, path: str | None = None) -> list[Document]:
    """Posts (and the quotes inside them, as documents of their own) of a thread pasted as text."""
    lines = _lines(text)
    starts: list[tuple[int, str, str | None, int]] = []  # (timestamp line, published, author, first line)
    for index, line in enumerate(lines):
        published = timestamp_line(line.text, as_of)
        if not published:
            continue
        author, first = None, index
        if index >= 1 and _is_author_line(lines[index - 1].text) and (
            index == 1 or not lines[index - 2].text.strip()
        ):
            author, first = lines[index - 1].text.strip(), index - 1
        starts.append((index, published, author, first))

    thread_id = thread_id_for(source)
    documents: list[Document] = []
    segments: list[tuple[int, int, str | None, str | None]] = []  # (body start, body end, published, author)
    first_start = starts[0][3] if starts else len(lines)
    if any(line.text.strip() for line in lines[:first_start]):
        segments.append((0, first_start, None, None))
    for n, (index, published, author, _first) in enumerate(starts):
        end = starts[n + 1][3] if n + 1 < len(starts) else len(lines)
        segments.append((index + 1, end, published, author))

    for number, (begin, end, published, author) in enumerate(segments, start=1):
        kept, quotes = _extract_quotes([line.text for line in lines[begin:end]])
        post_key = f"{source}#post-{number}"
        post = Document(
            text="\n".join(_strip_blank_edges(kept)), kind="post", author=author, published=published,
            thread_id=thread_id, path=path, source_key=post_key,
        )
        for q_number, quote in enumerate(quotes, start=1):
            quote_doc = Document(
                text=quote.text, kind="quote", author=quote.author,
                published=parse_timestamp(quote.when, as_of) if quote.when else None,
                thread_id=thread_id, path=path, source_key=f"{post_key}#quote-{q_number}",
                meta={"quote_style": quote.style},
            )
            if quote.quoted_post:
                quote_doc.meta["quoted_post_id"] = quote.quoted_post
            if quote_doc.text.strip():
                post.quotes.append(quote_doc.assign_id())
                documents.append(quote_doc)
        if post.text.strip() or post.quotes:
            documents.append(post)
    return documents
