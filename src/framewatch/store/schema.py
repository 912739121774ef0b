"""The store's tables, one schema for every back end, with numbered migrations.

The statements are written once, in SQLite's dialect; `ddl()` translates them for PostgreSQL. Only
the search index differs in kind between back ends (an FTS5 table, a tsvector column): its statements
are in `SEARCH_DDL`, per back end and version.
"""

from __future__ import annotations

import re

SCHEMA_VERSION = 4

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
    # The source of a document (model.group_key(..., "source"): outlet, else author, else web host, else
    # file name) as a column, so lists filter and group by it in SQL; filled for stored documents by
    # `Store._fill_sources`. Authors and dates are indexed for `forget_author` and date-ordered lists.
    4: [
        "ALTER TABLE documents ADD COLUMN source TEXT",
        "CREATE INDEX IF NOT EXISTS documents_source ON documents(source)",
        "CREATE INDEX IF NOT EXISTS documents_author ON documents(author)",
        "CREATE INDEX IF NOT EXISTS documents_published ON documents(published)",
    ],
}

# The search index per back end and version, beside MIGRATIONS[version]. Version 4 replaced SQLite's
# first index (FTS5 over the text as written, kept up by triggers) with one over folded written forms
# and lemmas, which the store fills from Python (`search.py` reads the words) for both back ends.
SEARCH_DDL: dict[str, dict[int, list[str]]] = {
    "sqlite": {
        1: [
            """CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
                title, author, text, content='documents', content_rowid='seq',
                tokenize='unicode61 remove_diacritics 2')""",
            """CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN
                INSERT INTO documents_fts(rowid, title, author, text)
                VALUES (new.seq, fold(new.title), fold(new.author), fold(new.text));
            END""",
            """CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN
                INSERT INTO documents_fts(documents_fts, rowid, title, author, text)
                VALUES ('delete', old.seq, fold(old.title), fold(old.author), fold(old.text));
            END""",
        ],
        4: [
            "DROP TRIGGER IF EXISTS documents_fts_insert",
            "DROP TRIGGER IF EXISTS documents_fts_delete",
            "DROP TABLE IF EXISTS documents_fts",
            # Contentless: the words are already folded and split by search.py, so unicode61 only
            # splits at the spaces; a row is removed by giving back the words it was indexed with.
            # One row per latest document version (rowid = documents.seq).
            """CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
                words, lemmas, content='', tokenize='unicode61 remove_diacritics 0')""",
        ],
    },
    "postgresql": {
        4: [
            # One row per latest document version; `language` repeats the document's, so that a search
            # filtered by language reads this table alone.
            """CREATE TABLE IF NOT EXISTS search_index (
                seq BIGINT PRIMARY KEY REFERENCES documents(seq),
                language TEXT COLLATE "C",
                vector TSVECTOR NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS search_index_vector ON search_index USING gin (vector)",
        ],
    },
}

_POSTGRES_TYPES = [
    # SQLite's rowid alias; an identity column is PostgreSQL's.
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    # SQLite's REAL is 8 bytes; PostgreSQL's is 4.
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    # Byte order, as SQLite compares text: ids compare as written, sorting does not depend on the locale.
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
]


def ddl(statement: str, dialect: str) -> str:
    """`statement` (SQLite's dialect) for `dialect`."""
    if dialect == "postgresql":
        for pattern, replacement in _POSTGRES_TYPES:
            statement = pattern.sub(replacement, statement)
    return statement


def migration(version: int, dialect: str) -> list[str]:
    """The statements that take a store of `dialect` from version-1 to `version`."""
    return [ddl(s, dialect) for s in MIGRATIONS[version]] + SEARCH_DDL[dialect].get(version, [])


SCHEMA_INFO = "CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT)"

# Columns of `documents` that mirror `Document` fields one to one (JSON-encoded where a list/dict).
DOCUMENT_COLUMNS = (
    "id", "content_hash", "source_key", "previous_id", "kind", "external_id", "thread_id", "reply_to",
    "author", "published", "language", "title", "url", "path", "outlet", "original_url", "links",
    "disclaimers", "quotes", "meta", "text",
)
JSON_COLUMNS = frozenset({"links", "disclaimers", "quotes", "meta"})
