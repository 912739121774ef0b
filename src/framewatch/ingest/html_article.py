"""News articles saved as HTML: the body text as trafilatura extracts it, plus the page's own metadata.

The text is kept exactly as extracted (one line per paragraph), so every span offset points into
what an analyst sees. Metadata is taken as the page writes it: `published` keeps the page's own
time zone, never normalised to a date or shifted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ..model import Document
from . import IngestError
from .links import add_link_spans, domain_of
from .timestamps import parse_published

# Where pages state their publication time, most explicit first (XPath over the parsed page).
# JSON-LD `datePublished` is tried after these; trafilatura's own (date-only) guess comes last.
PUBLISHED_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='article:published_time' or @name='pubdate' or @name='publish-date'"
    " or @name='dc.date.issued' or @name='DC.date.issued']/@content",
    "//time[@itemprop='datePublished']/@datetime",
    "//article//time[contains(concat(' ', @class, ' '), ' published ')]/@datetime",
)
_LANG_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")


def parse_article_html(html: str, *, url: str | None = None, path: str | None = None) -> list[Document]:
    """One `article` Document for a news page; raises IngestError when the page has no body text.

    `url` wins over the page's canonical/og:url; `path` is only provenance (where the file was).
    """
    tree = load_html(html) if html and html.strip() else None
    if tree is None:
        raise IngestError("no article text found")
    language = _html_language(tree)
    written_date = _published_as_written(tree)
    extracted = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, output_format="python", include_comments=False,
    )
    text = extracted.text if extracted is not None else None
    if not text or not text.strip():
        raise IngestError("no article text found")
    # trafilatura keeps more link-dense blocks (and writes markdown links) when asked for links, so
    # the text comes from a plain pass and the hrefs from a second pass over the same parsed tree,
    # keeping only links whose anchor text is part of that plain text.
    linked = trafilatura.bare_extraction(
        tree, url=url or extracted.url, output_format="python", include_comments=False,
        include_links=True,
    )

    page_url = url or extracted.url or None
    meta: dict[str, Any] = {}
    for key in ("description", "categories", "tags", "image"):
        value = getattr(extracted, key, None)
        if value:
            meta[key] = list(value) if isinstance(value, list) else value
    doc = Document(
        text=text,
        kind="article",
        title=extracted.title or None,
        author=extracted.author or None,
        published=written_date or extracted.date or None,
        language=language,
        url=page_url,
        path=path,
        outlet=extracted.sitename or extracted.hostname or (domain_of(page_url) if page_url else None),
        meta=meta,
        source_key=page_url or path,
    )
    hrefs = _body_hrefs(linked.body, page_url, text) if linked is not None else []
    add_link_spans(doc, extra_urls=hrefs)
    return [doc]


def _html_language(tree: HtmlElement) -> str | None:
    """Primary ISO 639-1 subtag of `<html lang>` ("en-GB" -> "en"); None when absent or not 639-1."""
    root = tree.getroottree().getroot()
    match = _LANG_TAG.match((root.get("lang") or root.get("xml:lang") or "").strip())
    return match.group(1).lower() if match else None


def _published_as_written(tree: HtmlElement) -> str | None:
    for xpath in PUBLISHED_XPATHS:
        for value in tree.xpath(xpath):
            published = parse_published(str(value))
            if published:
                return published
    for value in _json_ld_values(tree, "datePublished"):
        if isinstance(value, str) and (published := parse_published(value)):
            return published
    return None


def _json_ld_values(tree: HtmlElement, key: str) -> Iterator[Any]:
    """Every value of `key` anywhere in the page's JSON-LD blocks (broken blocks are skipped)."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if key in item:
                    yield item[key]
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def _body_hrefs(body: etree._Element, base: str | None, text: str) -> list[str]:
    """Absolute http(s) targets of body links whose anchor text is in `text`, in order."""
    flat = " ".join(text.split())
    hrefs: list[str] = []
    for ref in body.iter("ref"):
        target = (ref.get("target") or "").strip()
        anchor = " ".join("".join(ref.itertext()).split())
        if not target or (anchor and anchor not in flat):
            continue
        try:
            href = urljoin(base, target) if base else target
        except ValueError:  # e.g. "http://[broken" is not a URL urllib can join
            continue
        if href.startswith(("http://", "https://")) and href not in hrefs:
            hrefs.append(href)
    return hrefs
