"""What every back end shares: the report of an ingest, and rows <-> documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..model import Document, Span
from .schema import DOCUMENT_COLUMNS, JSON_COLUMNS


@dataclass
class AddReport:
    """What one `add_documents` call changed."""

    added: int = 0
    unchanged: int = 0
    new_versions: int = 0
    ids: list[str] = field(default_factory=list)


def document_row(doc: Document) -> dict[str, Any]:
    values = {
        "id": doc.assign_id(),
        "content_hash": doc.content_hash(),
        **{name: getattr(doc, name) for name in DOCUMENT_COLUMNS if name not in ("id", "content_hash")},
    }
    for name in JSON_COLUMNS:
        values[name] = json.dumps(values[name], ensure_ascii=False)
    return values


def row_document(row: dict[str, Any]) -> Document:
    fields = {name: row[name] for name in DOCUMENT_COLUMNS if name != "content_hash"}
    for name in JSON_COLUMNS:
        fields[name] = json.loads(fields[name])
    return Document(**fields)


def span_row(doc_id: str, run_id: str, span: Span) -> tuple[Any, ...]:
    return (doc_id, run_id, span.layer, span.label, span.start, span.end, span.confidence, span.engine,
            span.cue, json.dumps(span.attrs, ensure_ascii=False))


def row_span(row: dict[str, Any]) -> Span:
    return Span(row["layer"], row["label"], row["start"], row["end"], row["confidence"], row["engine"],
                row["cue"], json.loads(row["attrs"]), row["run_id"])
