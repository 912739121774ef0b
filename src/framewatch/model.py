"""The vocabulary shared by ingestion, pipeline, store, export and (later) API and report.

A `Document` is one post, quote or article with its text kept exactly as extracted; every finding
about it is a `Span` of standoff annotation: offsets into that text (end exclusive), the engine and
cue that produced it, and the analysis run that recorded it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DOCUMENT_KINDS = ("post", "quote", "article", "comment", "record")


@dataclass
class Span:
    layer: str
    label: str
    start: int
    end: int
    confidence: float | None = None
    engine: str = "ingest"
    cue: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.start, self.end, self.layer, self.label)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class Document:
    """One unit of text an analyst cites: a forum post, a quoted post, an article, a corpus record."""

    text: str
    kind: str = "article"
    title: str | None = None
    author: str | None = None
    published: str | None = None
    language: str | None = None
    url: str | None = None
    path: str | None = None
    outlet: str | None = None
    original_url: str | None = None
    external_id: str | None = None
    thread_id: str | None = None
    reply_to: str | None = None
    quotes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    disclaimers: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    # Where the document was found (file path plus position, URL plus post id, corpus row key).
    # A document seen again under the same key with other content is stored as a new version.
    source_key: str | None = None
    id: str | None = None
    previous_id: str | None = None

    def content_hash(self) -> str:
        """Hash of what the document says and who says it; provenance paths are left out so the
        same content found twice is stored once."""
        payload = json.dumps(
            [self.kind, self.text, self.title, self.author, self.published, self.url,
             self.outlet, self.external_id, sorted(self.quotes)],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def assign_id(self) -> str:
        if self.id is None:
            self.id = "d" + self.content_hash()[:20]
        return self.id

    def add_span(self, span: Span) -> Span:
        if not 0 <= span.start <= span.end <= len(self.text):
            raise ValueError(
                f"span {span.layer}/{span.label} [{span.start}:{span.end}] outside text of length "
                f"{len(self.text)}"
            )
        self.spans.append(span)
        return span

    def sorted_spans(self) -> list[Span]:
        return sorted(self.spans, key=Span.sort_key)

    @property
    def actors(self) -> list[dict[str, Any]]:
        """The actors the document names (set by the `actors` stage)."""
        return self.meta.get("actors", [])

    def to_export(self) -> dict[str, Any]:
        """The stable export contract (docs/format.md)."""
        return {
            "id": self.id,
            "external_id": self.external_id,
            "kind": self.kind,
            "thread_id": self.thread_id,
            "reply_to": self.reply_to,
            "author": self.author,
            "published": self.published,
            "quotes": list(self.quotes),
            "language": self.language,
            "title": self.title,
            "url": self.url,
            "path": self.path,
            "outlet": self.outlet,
            "original_url": self.original_url,
            "links": list(self.links),
            "disclaimers": list(self.disclaimers),
            "previous_id": self.previous_id,
            # The actors stage keeps its per-document list in meta; the contract shows it on its own.
            "actors": self.actors,
            "meta": {k: v for k, v in self.meta.items() if k != "actors"},
            "text": self.text,
            "spans": [_export_span(s) for s in self.sorted_spans()],
        }

    @classmethod
    def from_export(cls, data: dict[str, Any]) -> Document:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "spans"}
        if data.get("actors"):
            fields["meta"] = {**fields.get("meta", {}), "actors": data["actors"]}
        doc = cls(**fields)
        doc.spans = [Span.from_dict(s) for s in data.get("spans", [])]
        return doc


def _export_span(span: Span) -> dict[str, Any]:
    return {
        "layer": span.layer,
        "label": span.label,
        "start": span.start,
        "end": span.end,
        "confidence": span.confidence,
        "engine": span.engine,
        "cue": span.cue,
        "attrs": span.attrs,
        "run_id": span.run_id,
    }


@dataclass
class AnalysisRun:
    """One recorded execution of ingestion or of pipeline stages; every span names its run."""

    id: str
    started_at: str
    package_version: str
    stages: dict[str, str]
    resource_versions: dict[str, str]
    config_hash: str
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestProblem:
    """A file, line or URL that could not be (fully) read; reported, never fatal for the batch."""

    source: str
    message: str
    line: int | None = None
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


def thread_id_for(source: str) -> str:
    """Stable thread id for a thread found at `source` (a URL, a path, or a corpus's own thread id)."""
    return "t" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


# How documents can be grouped for profiles and comparisons. A document's source is its outlet, else
# its author, else the host of its address, else the name of the file it came from; `meta.FIELD`
# groups by a field of its metadata (a corpus column such as `viewpoint`).
PROFILE_GROUPS = ("source", "outlet", "author", "thread", "language", "document")


def group_key(fields: Mapping[str, Any], by: str) -> str:
    """The group of a document (its attributes, or a store row) under grouping `by`."""
    if by == "document":
        return fields["id"]
    if by == "thread":
        return fields["thread_id"] or fields["id"]
    if by == "source":
        return (fields["outlet"] or fields["author"]
                or (urlsplit(fields["url"]).hostname if fields["url"] else None)
                or (Path(fields["path"]).name if fields["path"] else None) or "unknown")
    if by.startswith("meta."):
        meta = fields.get("meta") or {}
        if isinstance(meta, str):
            meta = json.loads(meta)
        value = meta.get(by[5:])
        return "unknown" if value in (None, "") else str(value)
    return fields[by] or "unknown"

