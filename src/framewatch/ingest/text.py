"""Plain-text and Markdown articles: headline, byline and date lines under it, then the body."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from .. import resources
from ..model import Document
from .threads import timestamp_line

_MD_HEADING = re.compile(r"^#{1,2}\s+(?P<title>\S.*?)\s*#*\s*$")
_MAX_TITLE = 200
_MAX_META_LINES = 3


@cache
def _byline_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(pattern)
        for data in resources.load_all("article").values()
        for pattern in data.get("byline_patterns", [])
    )


def _title(line: str, next_line: str | None, markdown: bool) -> str | None:
    heading = _MD_HEADING.match(line)
    if heading and markdown:
        return heading.group("title")
    text = line.strip()
    if 0 < len(text) <= _MAX_TITLE and next_line is not None and not next_line.strip() and text[-1] not in ".,;:":
        return text
    return None


def parse_text_article(text: str, *, source: str, as_of: datetime, markdown: bool = False,
                       path: str | None = None) -> Document:
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    title = author = published = None
    if index < len(lines):
        title = _title(lines[index].rstrip("\r\n"), lines[index + 1] if index + 1 < len(lines) else None, markdown)
        if title:
            index += 1
            # Byline and date lines directly under the headline are metadata, as in an HTML page.
            meta_seen = 0
            probe = index
            while probe < len(lines) and meta_seen < _MAX_META_LINES:
                line = lines[probe].strip()
                if not line:
                    probe += 1
                    continue
                byline = next((m for p in _byline_patterns() if (m := p.match(line))), None)
                stamp = timestamp_line(line, as_of)
                if byline and author is None:
                    author = byline.group("author")
                elif stamp and published is None:
                    published = stamp
                else:
                    break
                meta_seen += 1
                probe += 1
                index = probe
    body = "".join(lines[index:]).strip("\r\n").rstrip()
    return Document(text=body, kind="article", title=title, author=author, published=published,
                    path=path, source_key=source)
