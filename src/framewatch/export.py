"""The export contract (docs/format.md): one JSON object per document, or one CSV row per document."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from .model import Document

CSV_COLUMNS = (
    "id", "external_id", "kind", "thread_id", "reply_to", "author", "published", "language", "title",
    "url", "path", "outlet", "original_url", "previous_id", "quotes", "links", "disclaimers", "meta",
    "text", "spans",
)


def write_jsonl(docs: Iterable[Document], out: IO[str]) -> int:
    count = 0
    for doc in docs:
        out.write(json.dumps(doc.to_export(), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(docs: Iterable[Document], out: IO[str]) -> int:
    """Lists, mappings and spans become JSON inside their cell, so the file round-trips."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for doc in docs:
        row = doc.to_export()
        for name in ("quotes", "links", "disclaimers", "meta", "spans"):
            row[name] = json.dumps(row[name], ensure_ascii=False)
        writer.writerow(row)
        count += 1
    return count
