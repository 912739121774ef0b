"""The store's tables, one schema for every back end, with numbered migrations."""

from __future__ import annotations

SCHEMA_VERSION = 3

# Each entry upgrades the schema from version N-1 to N; never edit a released entry, append one.
MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE IF NOT EXISTS runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            started_at TEXT NOT NULL,
            package_version TEXT NOT NULL,
            stages TEXT NOT NULL,
            resource_versions TEXT NOT NULL,
            config_hash TEXT NOT NULL,
            command TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE IF NOT EXISTS archives (
            sha256 TEXT PRIMARY KEY,
            requested_url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            status INTEGER,
            content_type TEXT,
            fetched_at TEXT NOT NULL,
            body BLOB NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS documents (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            content_hash TEXT UNIQUE NOT NULL,
            source_key TEXT,
            previous_id TEXT REFERENCES documents(id),
            kind TEXT NOT NULL,
            external_id TEXT,
            thread_id TEXT,
            reply_to TEXT,
            author TEXT,
            published TEXT,
            language TEXT,
            title TEXT,
            url TEXT,
            path TEXT,
            outlet TEXT,
            original_url TEXT,
            links TEXT NOT NULL,
            disclaimers TEXT NOT NULL,
            quotes TEXT NOT NULL,
            meta TEXT NOT NULL,
            text TEXT NOT NULL,
            archive_sha256 TEXT REFERENCES archives(sha256),
            ingest_run_id TEXT NOT NULL REFERENCES runs(id),
            ingested_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS documents_source_key ON documents(source_key)",
        "CREATE INDEX IF NOT EXISTS documents_thread ON documents(thread_id)",
        "CREATE INDEX IF NOT EXISTS documents_previous ON documents(previous_id)",
        """CREATE TABLE IF NOT EXISTS spans (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            run_id TEXT NOT NULL REFERENCES runs(id),
            layer TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            confidence REAL,
            engine TEXT NOT NULL,
            cue TEXT,
            attrs TEXT NOT NULL,
            CHECK (0 <= start AND start <= "end")
        )""",
        "CREATE INDEX IF NOT EXISTS spans_doc ON spans(doc_id, layer)",
        # Which run last analysed which layer of which document, even where it found nothing:
        # a re-run that finds no sentence in a document hides the sentences an older run found.
        """CREATE TABLE IF NOT EXISTS layer_runs (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            layer TEXT NOT NULL,
            run_id TEXT NOT NULL REFERENCES runs(id),
            PRIMARY KEY (doc_id, layer, run_id)
        )""",
        "CREATE INDEX IF NOT EXISTS spans_run ON spans(run_id)",
    ],
    # Curation of the actor registry (`framewatch actors merge|split`), in the order decided; analysis
    # runs read them through `registry.config_with_store_decisions`. For a split, `into_id` is the new
    # actor and `name` the surface name whose mentions move to it.
    2: [
        """CREATE TABLE IF NOT EXISTS actor_decisions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
            actor_id TEXT NOT NULL,
            into_id TEXT,
            name TEXT,
            decided_at TEXT NOT NULL,
            note TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS actor_decisions_actor ON actor_decisions(actor_id)",
    ],
    # Comparisons (`framewatch compare`), kept so a finding can be traced to the exact comparison that
    # produced it; `id` is a hash of the inputs and settings, so the same comparison is stored once.
    3: [
        """CREATE TABLE IF NOT EXISTS comparisons (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            grouping TEXT NOT NULL,
            config_hash TEXT NOT NULL,
            documents INTEGER NOT NULL,
            stories INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            result TEXT NOT NULL
        )""",
    ],
}

# Columns of `documents` that mirror `Document` fields one to one (JSON-encoded where a list/dict).
DOCUMENT_COLUMNS = (
    "id", "content_hash", "source_key", "previous_id", "kind", "external_id", "thread_id", "reply_to",
    "author", "published", "language", "title", "url", "path", "outlet", "original_url", "links",
    "disclaimers", "quotes", "meta", "text",
)
JSON_COLUMNS = frozenset({"links", "disclaimers", "quotes", "meta"})
