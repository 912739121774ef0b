"""Forum thread pages (MyBB, phpBB, XenForo, vBulletin, Discourse) as post and quote Documents.

The engine is recognised from the page itself (generator tag, then characteristic markup), so a
folder of saved pages from different boards can be ingested without telling each one apart.
"""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from ...model import Document
from .. import IngestError
from .parser import engine_spec, parse_thread
from .selectors import DETECTION_ORDER, ENGINE_SELECTORS

FORUM_ENGINES: tuple[str, ...] = tuple(ENGINE_SELECTORS)

__all__ = ["FORUM_ENGINES", "detect_forum_engine", "parse_forum_html"]


def detect_forum_engine(html: str) -> str | None:
    """"mybb", "phpbb", "xenforo", "vbulletin", "discourse", or None for anything else."""
    if not html or not html.strip():
        return None
    return _detect(LexborHTMLParser(html))


def _detect(tree: LexborHTMLParser) -> str | None:
    generators = [
        (meta.attributes.get("content") or "")
        for meta in tree.css("meta[name]")
        if (meta.attributes.get("name") or "").lower() == "generator"
    ]
    for name in DETECTION_ORDER:
        spec = engine_spec(name)
        if any(spec.generator.search(content) for content in generators):
            return name
    for name in DETECTION_ORDER:
        if any(tree.css_first(marker) is not None for marker in engine_spec(name).markers):
            return name
    return None


def parse_forum_html(
    html: str,
    *,
    url: str | None = None,
    path: str | None = None,
    as_of: datetime,
    engine: str | None = None,
) -> list[Document]:
    """Quotes and posts of one saved thread page, each quote listed before the post quoting it.

    `as_of` is when the page was saved: relative times ("Yesterday, 09:20 AM") resolve against it.
    `engine` skips detection. Raises IngestError for a page that is not a (recognised) forum thread.
    """
    if not html or not html.strip():
        raise IngestError("empty forum page")
    tree = LexborHTMLParser(html)
    name = engine or _detect(tree)
    if name is None:
        raise IngestError(
            "not a recognised forum page (no MyBB, phpBB, XenForo, vBulletin or Discourse markup)"
        )
    if name not in ENGINE_SELECTORS:
        raise IngestError(f"unknown forum engine {name!r}; known: {', '.join(FORUM_ENGINES)}")
    return parse_thread(tree, engine_spec(name), url=url, path=path, as_of=as_of)
