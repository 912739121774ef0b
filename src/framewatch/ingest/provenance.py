"""Where a text says it came from (`Original: toutiao.com/...`, `Источник: ...`) and what it disclaims."""

from __future__ import annotations

import re
from functools import cache

from .. import resources
from ..model import Document, Span
from .links import domain_of, find_links

_MAX_LINE = 300


@cache
def _origin_pattern() -> re.Pattern[str]:
    labels: list[str] = []
    for data in resources.load_all("thread").values():
        labels.extend(data.get("provenance", {}).get("origin_labels", []))
    alternatives = "|".join(re.escape(label) for label in sorted(set(labels), key=len, reverse=True))
    return re.compile(rf"^\s*(?P<label>{alternatives})\s*[:：]\s*(?P<value>\S.*?)\s*$", re.IGNORECASE)


@cache
def _disclaimer_patterns() -> tuple[re.Pattern[str], ...]:
    patterns: list[re.Pattern[str]] = []
    for data in resources.load_all("thread").values():
        for pattern in data.get("provenance", {}).get("disclaimer_patterns", []):
            patterns.append(re.compile(pattern, re.IGNORECASE))
    return tuple(patterns)


def add_provenance(doc: Document) -> None:
    """Record repost origins and disclaimers as spans and document fields; the text stays as is."""
    for line in re.finditer(r"[^\n]+", doc.text):
        content = line.group()
        if len(content) > _MAX_LINE:
            continue
        origin = _origin_pattern().match(content)
        if origin:
            value_start = line.start() + origin.start("value")
            urls = find_links(origin.group("value"))
            if urls:
                start, end, url = urls[0]
                doc.add_span(Span("origin", "original_url", value_start + start, value_start + end,
                                  cue=f"origin-label:{origin.group('label')}",
                                  attrs={"url": url, "domain": domain_of(url)}))
                doc.original_url = doc.original_url or url
            else:
                doc.add_span(Span("origin", "source_credit", value_start, line.start() + origin.end("value"),
                                  cue=f"origin-label:{origin.group('label')}"))
                doc.meta.setdefault("source_credit", origin.group("value"))
            continue
        for pattern in _disclaimer_patterns():
            if pattern.search(content):
                stripped = content.strip()
                offset = line.start() + content.index(stripped)
                doc.add_span(Span("disclaimer", "disclaimer", offset, offset + len(stripped),
                                  cue=f"disclaimer:{pattern.pattern}"))
                doc.disclaimers.append(stripped)
                break
