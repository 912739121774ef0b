"""Documents posted to the API: read like a JSONL corpus file, analysed with the configured pipeline
and stored, in one transaction per request.

The body is a JSON array of records or JSON Lines, each record in the shape `framewatch ingest`
reads from a JSONL file (`text` required; `id`, `title`, `url`, `outlet`, `published`, `language`,
`author`, `thread_id`, `reply_to`, `kind`; every other field kept in `meta`), analysed by the
server's pipeline (one recorded run while the configuration and curation decisions stay the same).
Known content is
skipped, so posting the same records again changes nothing; a record with an `id` already posted
under the same `source` and new content becomes a new version of it. A record that cannot be
read is reported with its line (JSON Lines) or its position in the array, 1-based, and the rest
are stored.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..ingest import IngestError, parse_text
from ..pipeline import Pipeline
from ..store import AddReport


class BadBody(ValueError):
    """The body as a whole cannot be read (not UTF-8, not JSON, no records)."""


@dataclass
class Intake(AddReport):
    """What one POST stored (as `add_documents` reports it), with the records it could not read."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None


def as_lines(body: bytes) -> tuple[str, str]:
    """The body as JSON Lines text, and what its line numbers count (`line` or `record`)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadBody(f"the body is not UTF-8 (byte {exc.start})") from exc
    if not text.strip():
        raise BadBody("the body is empty: send a JSON array of records or JSON Lines")
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadBody(f"invalid JSON array: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
        if not isinstance(records, list):
            raise BadBody("expected a JSON array of records")
        # One record a line, so the reader's line numbers are positions in the array.
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records), "record"
    return text, "line"


def ingest_body(store: Any, pipeline: Pipeline, body: bytes, *, source: str, analysis_lock: threading.Lock) -> Intake:
    text, unit = as_lines(body)
    try:
        result = parse_text(text, source=source, fmt="jsonl", as_of=datetime.now(), path=source)
    except IngestError as exc:
        raise BadBody(str(exc)) from exc
    intake = Intake(problems=[{unit: p.line, "message": p.message} for p in result.problems])
    docs = result.documents
    for doc in docs:
        # Not a file: the document's version key is the posting source and the record's own id;
        # a record without an id is only ever matched by its content.
        doc.path = None
        doc.source_key = f"{source}#{doc.external_id}" if doc.external_id else None
    if not docs:
        return intake
    known = store.existing_ids([d.id for d in docs])
    fresh = list({d.id: d for d in docs if d.id not in known}.values())
    with analysis_lock:  # stages share loaded models; one analysis at a time
        analysed = list(pipeline.analyze_all(fresh))
    report = store.add_documents(analysed, pipeline.run, layers=pipeline.layers)
    intake.added, intake.new_versions = report.added, report.new_versions
    intake.unchanged = len(docs) - report.added
    intake.ids = [d.id for d in docs]
    intake.run_id = pipeline.run.id if report.added else None
    return intake
