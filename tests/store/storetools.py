"""Helpers of the store suite, which runs against both back ends (the `store_url` fixture of
tests/conftest.py gives an SQLite file, then a fresh PostgreSQL database)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from framewatch.model import AnalysisRun, Document
from framewatch.store import Store
from framewatch.store.base import document_row, span_row
from framewatch.store.schema import DOCUMENT_COLUMNS

# A constraint the database enforces (CHECK, FOREIGN KEY), as each driver reports it.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)

_run_numbers = itertools.count(1)


def make_run(run_id: str | None = None, **stages: str) -> AnalysisRun:
    number = next(_run_numbers)
    return AnalysisRun(
        id=run_id or f"run{number:04d}",
        started_at=f"2025-12-01T12:{number % 60:02d}:00+00:00",
        package_version="0.1.0",
        stages=stages or {"ingest": "1"},
        resource_versions={"ru/actors": "3", "en/actors": "2"},
        config_hash=f"cfg{number:04d}",
        command="ingest",
    )


def make_doc(n: int, **fields: object) -> Document:
    values: dict[str, object] = {
        "text": f"Заметка {n}: Москва ответила Баку. Note {n} in English.",
        "kind": "post",
        "source_key": f"corpus.jsonl:{n}",
        "external_id": f"ext-{n}",
    }
    values.update(fields)
    return Document(**values)  # type: ignore[arg-type]


def scalar(store: Store, sql: str, *params: Any) -> Any:
    """The one value a query returns, read through the store's own connection (either back end)."""
    return store._execute(sql, params).fetchone()[0]


def old_store(path: Path, version: int, docs: list[Document]) -> None:
    """An SQLite store as a framewatch of schema `version` wrote it: the released migrations up to it,
    then `docs` inserted as that version's code did (its triggers kept the old search index)."""
    from framewatch.store.schema import MIGRATIONS, SEARCH_DDL
    from framewatch.store.search import fold

    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("fold", 1, fold, deterministic=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT)")
    for number in range(1, version + 1):
        for statement in MIGRATIONS[number] + SEARCH_DDL["sqlite"].get(number, []):
            conn.execute(statement)
    conn.execute("INSERT INTO schema_info VALUES ('version', ?)", (str(version),))
    run = make_run()
    conn.execute("INSERT INTO runs(id, started_at, package_version, stages, resource_versions, config_hash) "
                 "VALUES (?, ?, '0.1.0', '{}', '{}', 'cfg')", (run.id, run.started_at))
    for doc in docs:
        row = document_row(doc)
        columns = [*DOCUMENT_COLUMNS, "ingest_run_id", "ingested_at"]
        conn.execute(f"INSERT INTO documents({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [row[c] for c in DOCUMENT_COLUMNS] + [run.id, run.started_at])
        for span in doc.spans:
            span.run_id = run.id
            conn.execute('INSERT INTO spans(doc_id, run_id, layer, label, start, "end", confidence, engine, cue, '
                         "attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", span_row(doc.id, run.id, span))
            conn.execute("INSERT OR IGNORE INTO layer_runs VALUES (?, ?, ?)", (doc.id, span.layer, run.id))
    conn.close()
