"""Links inside text: every URL (with or without a scheme) becomes a `link` span naming its domain."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..model import Document, Span

# A scheme URL may be glued to the preceding word ("interference.https://youtu.be/..."), so it is
# matched anywhere; a bare domain ("toutiao.com/article/1") only at a word boundary and with a path
# or a well-known TLD, so that "e.g." or "Mr.Smith" never become links.
_SCHEME_URL = r"https?://[^\s<>\"'«»()\[\]{}]+"
_TLDS = (
    "com|org|net|info|io|news|gov|edu|int|tv|me|co|eu|su|рф|"
    # country codes of the region and of outlets analysts meet most often
    "ru|ua|by|az|am|ge|tr|kz|kg|uz|tj|tm|md|ro|pl|lt|lv|ee|fi|de|fr|uk|be|nl|it|es|ch|at|cz|sk|hu|"
    "bg|rs|ba|hr|si|gr|cy|il|ir|iq|sy|lb|jo|ae|sa|qa|cn|jp|kr|in|pk|af|us|ca|au"
)
_BARE_URL = (
    r"(?<![\w@.-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    rf"(?:{_TLDS})(?![\w-]|\.\w)"  # the whole host: "mvd.gov.by", never "mvd.gov" of it
    r"(?:/[^\s<>\"'«»()\[\]{}]*)?"
)
URL_PATTERN = re.compile(f"{_SCHEME_URL}|{_BARE_URL}", re.IGNORECASE)
_TRAILING = ".,;:!?…'\"»)"


def domain_of(url: str) -> str:
    target = url if "://" in url else "//" + url
    host = (urlsplit(target).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def find_links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) for each URL in `text`, trailing punctuation excluded."""
    found = []
    for match in URL_PATTERN.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        if not url or not domain_of(url):
            continue
        found.append((match.start(), match.start() + len(url), url))
    return found


def add_link_spans(doc: Document, extra_urls: list[str] | None = None) -> None:
    """Record every URL in the text as a span and in `doc.links` (plus `extra_urls`, e.g. HTML hrefs)."""
    for start, end, url in find_links(doc.text):
        doc.add_span(Span("link", "url", start, end, cue="url-pattern",
                          attrs={"url": url, "domain": domain_of(url)}))
        if url not in doc.links:
            doc.links.append(url)
    for url in extra_urls or []:
        if url not in doc.links:
            doc.links.append(url)
