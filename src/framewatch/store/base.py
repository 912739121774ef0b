"""What every back end shares: the store's behaviour, written once over portable SQL.

A back end (sqlite.py, postgres.py) provides only what differs between databases: the connection,
placeholders, transactions and locking, extracting a JSON field, and the search index.
"""

from __future__ import annotations

import difflib
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .. import registry
from ..model import PROFILE_GROUPS, AnalysisRun, Document, Span, group_key
from . import search as words
from .schema import DOCUMENT_COLUMNS, JSON_COLUMNS, SCHEMA_INFO, SCHEMA_VERSION, ddl, migration


class StoreError(Exception):
    """The store cannot be opened or is not a framewatch store."""


@dataclass
class AddReport:
    """What one `add_documents` call changed."""

    added: int = 0
    unchanged: int = 0
    new_versions: int = 0
    ids: list[str] = field(default_factory=list)


@dataclass
class SearchHit:
    document: Document
    snippet: str
    rank: float  # lower is better


PERIODS = ("day", "week", "month", "year")
_LATEST = "id NOT IN (SELECT previous_id FROM documents WHERE previous_id IS NOT NULL)"
# Joins each latest document version to the spans of one layer (the first `?`) from the most
# recent run that analysed that layer for it.
_NEWEST_LAYER_JOIN = f"""
    JOIN (SELECT l.doc_id, max(r.seq) AS seq FROM layer_runs l JOIN runs r ON r.id = l.run_id
          WHERE l.layer = ? GROUP BY l.doc_id) newest ON newest.doc_id = s.doc_id
    JOIN runs r ON r.id = s.run_id AND r.seq = newest.seq
    JOIN documents d ON d.id = s.doc_id AND d.{_LATEST}"""
_DOC_GROUP_COLUMNS = "d.id, d.outlet, d.author, d.url, d.path, d.thread_id, d.language, d.published"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHUNK = 500
# Group columns that SQL can count by directly (the others go through model.group_key).
_GROUP_SQL = {
    "source": "source",
    "outlet": "coalesce(nullif(outlet, ''), 'unknown')",
    "author": "coalesce(nullif(author, ''), 'unknown')",
    "language": "coalesce(nullif(language, ''), 'unknown')",
    "thread": "coalesce(nullif(thread_id, ''), id)",
    "document": "id",
}
SETTING_ANALYZER = "search_analyzer"
SETTING_PSEUDONYM_KEY = "pseudonym_key"


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


def period_of(published: str | None, period: str) -> str | None:
    """The `period` (day, week, month, year) an ISO date or date-time falls in, e.g. `2025-03`,
    `2025-W09`; None when undated or not precise enough for it."""
    if not published:
        return None
    if period == "year":
        return published[:4] if published[:4].isdigit() else None
    if period == "month":
        return published[:7] if re.fullmatch(r"\d{4}-\d{2}", published[:7]) else None
    if not _DAY.fullmatch(published[:10]):
        return None
    if period == "day":
        return published[:10]
    try:
        year, week, _ = date.fromisoformat(published[:10]).isocalendar()
    except ValueError:
        return None
    return f"{year}-W{week:02d}"


def _check_choice(name: str, value: str, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")


class Store:
    """The store interface. Subclasses connect and then call `_open_schema()`."""

    dialect = ""
    location = ""  # the file or the URL (without a password), for messages

    # -- what a back end provides ----------------------------------------------------------------
    def _execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[None]:
        """One write transaction, serialised with every other writer of the store."""
        raise NotImplementedError

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    def _json_text(self, column: str, key: str) -> str:
        """SQL for the text value of `key` in the JSON object stored in `column`."""
        raise NotImplementedError

    def _index(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        """Add (document seq, language, words of its fields) to the search index, which holds the latest
        version of every document and nothing else."""
        raise NotImplementedError

    def _unindex(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        raise NotImplementedError

    def _clear_index(self) -> None:
        raise NotImplementedError

    def _reindex_language(self, doc_id: str, language: str | None) -> None:
        """A document's language changed (an analysis detected it)."""

    def _matching(self, terms: list[words.Term], language: str | None) -> tuple[str, list[Any], str, str]:
        """(`FROM ... WHERE ...` over the index rows matching every term and of `language` when given,
        its parameters, the SQL of the matching document's seq, the SQL of a rank where lower is better)."""
        raise NotImplementedError

    def _searching(self) -> AbstractContextManager[None]:
        """Around the queries of a search (a back end may steer its planner there)."""
        return nullcontext()

    def _check(self, doc: Document) -> None:
        """Refuse, before anything is written, a document this back end cannot store exactly."""

    def _erasing(self) -> AbstractContextManager[None]:
        """Around `forget_author`'s transaction: deleted content must not stay readable in the files."""
        raise NotImplementedError

    def _purge(self) -> None:
        """After `forget_author` committed (still within `_erasing`): drop what the database keeps of the
        deleted rows."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------------
    def _open_schema(self) -> None:
        """Migrate to the current schema and make sure the search index reads words as this version
        does; on a current store this costs two small reads."""
        if not self._has_table("schema_info"):
            with self._transaction():
                self._execute(ddl(SCHEMA_INFO, self.dialect))
        current = self._version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.location}: schema version {current} is newer than this framewatch "
                             f"({SCHEMA_VERSION}); upgrade framewatch")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self._transaction():
                if self._version() >= version:  # another process migrated meanwhile
                    continue
                for statement in migration(version, self.dialect):
                    self._execute(statement)
                if version == 4:
                    self._fill_sources()
                self._set("version", str(version))
        self._check_index()

    def _version(self) -> int:
        value = self._setting("version")
        return int(value) if value else 0

    @property
    def schema_version(self) -> int:
        return self._version()

    def _setting(self, key: str) -> str | None:
        row = self._execute("SELECT value FROM schema_info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self._execute("INSERT INTO schema_info(key, value) VALUES (?, ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def _fill_sources(self) -> None:
        """Migration 4: the source of every stored document (the same rule as at insertion)."""
        rows = self._execute("SELECT id, outlet, author, url, path FROM documents").fetchall()
        self._executemany("UPDATE documents SET source = ? WHERE id = ?",
                          [(group_key(dict(row), "source"), row["id"]) for row in rows])

    def _check_index(self) -> None:
        """Rebuild the search index when it was built by another way of reading words (an older
        framewatch, another pymorphy3 dictionary): queries are read the current way."""
        current = words.analyzer_id()
        if self._setting(SETTING_ANALYZER) == current:
            return
        with self._transaction():
            if self._setting(SETTING_ANALYZER) == current:
                return
            self._clear_index()
            last = 0
            while True:
                rows = self._execute(f"SELECT seq, language, title, author, text FROM documents WHERE seq > ? "
                                     f"AND {_LATEST} ORDER BY seq LIMIT ?", (last, _CHUNK)).fetchall()
                if not rows:
                    break
                self._index([_entry(row) for row in rows])
                last = rows[-1]["seq"]
            self._set(SETTING_ANALYZER, current)

    # -- writing ---------------------------------------------------------------------------------
    def record_run(self, run: AnalysisRun) -> None:
        with self._transaction():
            self._insert_run(run)

    def _insert_run(self, run: AnalysisRun) -> None:
        self._execute(
            "INSERT INTO runs(id, started_at, package_version, stages, resource_versions, config_hash, command) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (run.id, run.started_at, run.package_version, json.dumps(run.stages),
             json.dumps(run.resource_versions), run.config_hash, run.command),
        )

    def add_documents(self, docs: Iterable[Document], run: AnalysisRun, archive_sha256: str | None = None,
                      layers: Iterable[str] = ()) -> AddReport:
        """Store `docs` in one transaction: all of them or, if anything fails, none.

        `layers` are those the run analysed (beyond those its spans show), see `add_analysis`.

        Content already stored is skipped; new content under an already-seen source key becomes a
        new version pointing at the one it replaces. `docs` (often a generator that analyses them)
        is consumed before the write lock is taken, so other writers wait only for the inserts.
        """
        docs = list(docs)
        for doc in docs:
            self._check(doc)
        layers = tuple(layers)
        report = AddReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        columns = [*DOCUMENT_COLUMNS, "source", "archive_sha256", "ingest_run_id", "ingested_at"]
        insert = (f"INSERT INTO documents({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                  "ON CONFLICT DO NOTHING RETURNING seq")
        with self._transaction():
            indexed: dict[str, tuple[int, str | None, list[list[tuple[str, str]]]]] = {}  # id -> index entry
            for doc in docs:
                row = document_row(doc)
                if self._execute("SELECT 1 FROM documents WHERE content_hash = ?", (row["content_hash"],)).fetchone():
                    report.unchanged += 1
                    continue
                previous = None
                if doc.source_key:
                    found = self._execute(
                        f"SELECT id FROM documents WHERE source_key = ? AND {_LATEST} ORDER BY seq DESC LIMIT 1",
                        (doc.source_key,)).fetchone()
                    previous = found["id"] if found else None
                if not report.added:
                    self._insert_run(run)  # a run that stored nothing leaves no trace
                row["previous_id"] = previous
                values = [row[name] for name in DOCUMENT_COLUMNS]
                values += [group_key(row, "source"), archive_sha256, run.id, now]
                inserted = self._execute(insert, values).fetchall()
                if not inserted:  # stored by another writer since the check: the same content, once
                    report.unchanged += 1
                    continue
                if previous:
                    doc.previous_id = previous
                    report.new_versions += 1
                    # The version it replaces leaves the index (it may be of this very batch).
                    if indexed.pop(previous, None) is None:
                        self._unindex([_entry(self._execute(
                            "SELECT seq, language, title, author, text FROM documents WHERE id = ?",
                            (previous,)).fetchone())])
                self._insert_spans(row["id"], run.id, doc.spans, layers)
                indexed[row["id"]] = (inserted[0][0], doc.language, words.fields(doc.title, doc.author, doc.text))
                report.added += 1
                report.ids.append(row["id"])
            self._index(list(indexed.values()))
        return report

    def _insert_spans(self, doc_id: str, run_id: str, spans: Iterable[Span], layers: Iterable[str]) -> None:
        rows = []
        claimed = set(layers)
        for span in spans:
            span.run_id = run_id
            rows.append(span_row(doc_id, run_id, span))
            claimed.add(span.layer)
        self._executemany(
            'INSERT INTO spans(doc_id, run_id, layer, label, start, "end", confidence, engine, cue, attrs) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self._executemany("INSERT INTO layer_runs(doc_id, layer, run_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                          [(doc_id, layer, run_id) for layer in sorted(claimed)])

    def add_analysis(self, docs: Iterable[Document], run: AnalysisRun, layers: Iterable[str] = ()) -> int:
        """Store the spans `run` added to already-stored documents (and a detected language).

        For each of `layers` (what the run's stages assign) this run becomes the one whose findings
        count, even for a document where it found nothing.
        """
        docs = list(docs)
        layers = tuple(layers)
        count = 0
        with self._transaction():
            self._insert_run(run)
            for doc in docs:
                self._insert_spans(doc.id, run.id, [s for s in doc.spans if s.run_id == run.id], layers)
                self._execute("UPDATE documents SET language = ?, meta = ? WHERE id = ?",
                              (doc.language, json.dumps(doc.meta, ensure_ascii=False), doc.id))
                self._reindex_language(doc.id, doc.language)
                count += 1
        return count

    def add_archive(self, *, sha256: str, requested_url: str, final_url: str, status: int | None,
                    content_type: str | None, fetched_at: str, body: bytes) -> None:
        with self._transaction():
            self._execute(
                "INSERT INTO archives(sha256, requested_url, final_url, status, content_type, fetched_at, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (sha256, requested_url, final_url, status, content_type, fetched_at, body))

    def add_comparison(self, result: dict[str, Any], config_hash: str) -> bool:
        """Keep a comparison; False when the identical one is already stored."""
        with self._transaction():
            inserted = self._execute(
                "INSERT INTO comparisons(id, grouping, config_hash, documents, stories, created_at, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (result["id"], result["by"], config_hash, sum(len(g["documents"]) for g in result["groups"]),
                 len(result["stories"]), datetime.now(UTC).isoformat(timespec="seconds"),
                 json.dumps(result, ensure_ascii=False, sort_keys=True))).fetchall()
        return bool(inserted)

    def pseudonym_key(self) -> bytes:
        """This store's secret for pseudonyms (privacy.py): 32 random bytes made on first use, the same
        ever after, so a member keeps one pseudonym across exports and pages of this store only."""
        stored = self._setting(SETTING_PSEUDONYM_KEY)
        if stored is None:
            with self._transaction():
                self._execute("INSERT INTO schema_info(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                              (SETTING_PSEUDONYM_KEY, secrets.token_hex(32)))
            stored = self._setting(SETTING_PSEUDONYM_KEY)
        return bytes.fromhex(stored)

    # -- reading documents -----------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        row = self._execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = row_document(dict(row))
        doc.spans = self._latest_spans([doc.id])[doc.id]
        return doc

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(ids):
            found.update(r[0] for r in self._execute(
                f"SELECT id FROM documents WHERE id IN ({_marks(chunk)})", chunk))
        return found

    def find(self, prefix: str) -> list[str]:
        """Ids starting with `prefix`, so users can type a short id as they do with git."""
        return [r["id"] for r in self._execute(
            "SELECT id FROM documents WHERE id >= ? AND id < ? ORDER BY id LIMIT 10", (prefix, prefix + "\uffff"))]

    def iter_documents(self, *, latest_only: bool = True, with_spans: bool = True,
                       batch: int = 500, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stored documents in ingest order; only those in `ids` when given."""
        where = f"seq > ? AND {_LATEST}" if latest_only else "seq > ?"
        if ids is not None:
            self._execute(ddl("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)", self.dialect))
            self._execute("DELETE FROM wanted")
            self._executemany("INSERT INTO wanted VALUES (?) ON CONFLICT DO NOTHING", ((i,) for i in ids))
            where += " AND id IN (SELECT id FROM wanted)"
        last = 0
        while True:
            rows = self._execute(f"SELECT * FROM documents WHERE {where} ORDER BY seq LIMIT ?",
                                 (last, batch)).fetchall()
            if not rows:
                return
            docs = [row_document(dict(r)) for r in rows]
            if with_spans:
                spans = self._latest_spans([d.id for d in docs])
                for doc in docs:
                    doc.spans = spans[doc.id]
            yield from docs
            last = rows[-1]["seq"]

    def documents_page(self, *, offset: int = 0, limit: int = 50, source: str | None = None,
                       outlet: str | None = None, author: str | None = None, language: str | None = None,
                       kind: str | None = None, thread: str | None = None, since: str | None = None,
                       until: str | None = None) -> tuple[list[Document], int]:
        """One page of the latest document versions matching every filter given, without spans, and how
        many match in all. Newest published first; undated documents last; ties in ingest order.

        `source` is a document's source as `model.group_key` gives it; `since`/`until` are ISO dates or
        date-times (or prefixes such as `2025-11`) compared with `published` as text, both inclusive:
        `until="2025-11"` keeps all of November."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        where = [_LATEST]
        params: list[Any] = []
        for column, value in (("source", source), ("outlet", outlet), ("author", author), ("kind", kind),
                              ("thread_id", thread), ("language", language.lower() if language else None)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since:
            where.append("published >= ?")
            params.append(since)
        if until:
            where.append("substr(published, 1, ?) <= ?")
            params += [len(until), until]
        clause = " AND ".join(where)
        total = self._execute(f"SELECT count(*) FROM documents WHERE {clause}", params).fetchone()[0]
        rows = self._execute(
            f"SELECT * FROM documents WHERE {clause} ORDER BY (published IS NULL), published DESC, seq "
            "LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return [row_document(dict(r)) for r in rows], total

    def authors(self) -> list[str]:
        """Every author named by a stored document (any version), sorted."""
        return [r[0] for r in self._execute("SELECT DISTINCT author FROM documents WHERE author IS NOT NULL "
                                            "ORDER BY author")]

    def _latest_spans(self, ids: list[str]) -> dict[str, list[Span]]:
        """Per document and layer, the spans of the most recent run that analysed that layer."""
        out: dict[str, list[Span]] = {doc_id: [] for doc_id in ids}
        for chunk in _chunks(ids):
            rows = self._execute(
                f"""SELECT s.* FROM spans s JOIN (
                        SELECT l.doc_id, l.layer, max(r.seq) AS seq FROM layer_runs l JOIN runs r ON r.id = l.run_id
                        WHERE l.doc_id IN ({_marks(chunk)}) GROUP BY l.doc_id, l.layer
                    ) newest ON newest.doc_id = s.doc_id AND newest.layer = s.layer
                    JOIN runs r ON r.id = s.run_id AND r.seq = newest.seq""", chunk).fetchall()
            for row in rows:
                out[row["doc_id"]].append(row_span(dict(row)))
        for spans in out.values():
            spans.sort(key=Span.sort_key)
        return out

    def document_texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The stored text of each of `ids` that exists."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            found.update((r[0], r[1]) for r in self._execute(
                f"SELECT id, text FROM documents WHERE id IN ({_marks(chunk)})", chunk))
        return found

    def stale_documents(self, run: AnalysisRun, layers: Iterable[str]) -> list[str]:
        """Latest documents whose newest analysis of some of `layers` was not made by `run`'s stage
        versions, resources and configuration (or that were never analysed for it)."""
        layers = list(layers)
        current: dict[str, bool] = {}
        for row in self._execute("SELECT id, stages, resource_versions, config_hash FROM runs"):
            stages = json.loads(row["stages"])
            current[row["id"]] = (row["config_hash"] == run.config_hash
                                  and json.loads(row["resource_versions"]) == run.resource_versions
                                  and all(stages.get(name) == version for name, version in run.stages.items()
                                          if name != "ingest"))
        newest: dict[tuple[str, str], str] = {}
        for row in self._execute(
                f"""SELECT l.doc_id, l.layer, l.run_id FROM layer_runs l JOIN runs r ON r.id = l.run_id
                    JOIN documents d ON d.id = l.doc_id AND d.{_LATEST} ORDER BY r.seq"""):
            newest[row["doc_id"], row["layer"]] = row["run_id"]
        stale = []
        for (doc_id,) in self._execute(f"SELECT id FROM documents WHERE {_LATEST} ORDER BY seq"):
            if not all(current.get(newest.get((doc_id, layer), ""), False) for layer in layers):
                stale.append(doc_id)
        return stale

    def comparison(self, comparison_id: str) -> dict[str, Any] | None:
        row = self._execute("SELECT result FROM comparisons WHERE id = ?", (comparison_id,)).fetchone()
        return json.loads(row["result"]) if row else None

    def comparisons(self) -> list[dict[str, Any]]:
        """The stored comparisons, newest first: `id`, `grouping`, `documents`, `stories`, `created_at`."""
        return [dict(r) for r in self._execute(
            "SELECT id, grouping, documents, stories, created_at FROM comparisons ORDER BY seq DESC")]

    def count(self, *, latest_only: bool = True) -> int:
        where = f"WHERE {_LATEST}" if latest_only else ""
        return self._execute(f"SELECT count(*) FROM documents {where}").fetchone()[0]

    def summary(self) -> dict[str, Any]:
        def grouped(column: str) -> dict[str, int]:
            return {(r[0] or "unknown"): r[1] for r in self._execute(
                f"SELECT {column}, count(*) FROM documents WHERE {_LATEST} GROUP BY 1 ORDER BY 2 DESC, 1")}

        return {
            "documents": self.count(),
            "versions": self.count(latest_only=False),
            "by_kind": grouped("kind"),
            "by_language": grouped("language"),
            "threads": self._execute(
                "SELECT count(DISTINCT thread_id) FROM documents WHERE thread_id IS NOT NULL").fetchone()[0],
            "spans": self._execute("SELECT count(*) FROM spans").fetchone()[0],
            "runs": self._execute("SELECT count(*) FROM runs").fetchone()[0],
            "archives": self._execute("SELECT count(*) FROM archives").fetchone()[0],
        }

    def sources(self) -> list[dict[str, Any]]:
        """Per source of the latest documents: `source`, `documents`, `languages` ({language: documents},
        `unknown` for undetected), `first` and `last` publication date (None when none is dated).
        Largest first."""
        out: dict[str, dict[str, Any]] = {}
        for row in self._execute(
                f"SELECT source, language, count(*), min(published), max(published) FROM documents "
                f"WHERE {_LATEST} GROUP BY source, language"):
            entry = out.setdefault(row[0], {"source": row[0], "documents": 0, "languages": {}, "first": None,
                                            "last": None})
            entry["documents"] += row[2]
            entry["languages"][row[1] or "unknown"] = row[2]
            if row[3] is not None and (entry["first"] is None or row[3] < entry["first"]):
                entry["first"] = row[3]
            if row[4] is not None and (entry["last"] is None or row[4] > entry["last"]):
                entry["last"] = row[4]
        for entry in out.values():
            entry["languages"] = dict(sorted(entry["languages"].items(), key=lambda kv: (-kv[1], kv[0])))
        return sorted(out.values(), key=lambda e: (-e["documents"], e["source"]))

    def volume(self, *, period: str = "month", by: str = "source") -> list[dict[str, Any]]:
        """Latest documents per publication `period` (day, week as `2025-W09`, month as `2025-03`,
        year) and group (`by`, one of PROFILE_GROUPS): `group`, `period`, `documents`. Undated documents
        (or dated less precisely than `period`) count under period None. Groups in order of size,
        periods in time order, None last."""
        _check_choice("period", period, PERIODS)
        _check_choice("grouping", by, PROFILE_GROUPS)
        counts: Counter[tuple[str, str | None]] = Counter()
        for row in self._execute(
                f"SELECT {_GROUP_SQL[by]}, substr(published, 1, 10), count(*) FROM documents WHERE {_LATEST} "
                "GROUP BY 1, 2"):
            counts[row[0], period_of(row[1], period)] += row[2]
        sizes: Counter[str] = Counter()
        for (group, _), n in counts.items():
            sizes[group] += n
        return [{"group": group, "period": when, "documents": n} for (group, when), n in sorted(
            counts.items(), key=lambda kv: (-sizes[kv[0][0]], kv[0][0], kv[0][1] is None, kv[0][1] or ""))]

    def runs(self) -> list[AnalysisRun]:
        return [AnalysisRun(r["id"], r["started_at"], r["package_version"], json.loads(r["stages"]),
                            json.loads(r["resource_versions"]), r["config_hash"], r["command"])
                for r in self._execute("SELECT * FROM runs ORDER BY seq")]

    def archive(self, sha256: str) -> dict[str, Any] | None:
        row = self._execute("SELECT * FROM archives WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    # -- search ----------------------------------------------------------------------------------
    def search(self, query: str, *, language: str | None = None, limit: int = 20, offset: int = 0,
               markers: tuple[str, str] = ("[", "]")) -> list[SearchHit]:
        """Latest documents matching every term of `query`, best first: words match any form with the
        same lemma, "quoted phrases" consecutive words, `word*` words beginning so (search.py). The
        snippet marks the matched words of the text with `markers`."""
        terms = words.parse_query(query)
        if not terms or limit <= 0:
            return []
        source, params, seq, rank = self._matching(terms, language.lower() if language else None)
        # Ranked on narrow rows (every match is ranked; only the page's documents are read whole).
        with self._searching():
            ranked = self._execute(f"SELECT {seq} AS seq, {rank} AS rank {source} ORDER BY rank, seq LIMIT ? OFFSET ?",
                                   [*params, limit, max(offset, 0)]).fetchall()
        rows = {r["seq"]: r for r in self._execute(
            f"SELECT * FROM documents WHERE seq IN ({_marks(ranked)})", [r[0] for r in ranked])} if ranked else {}
        return [SearchHit(row_document(dict(rows[seq])), words.snippet(rows[seq]["text"], terms, markers), float(rank))
                for seq, rank in ranked]

    def search_count(self, query: str, *, language: str | None = None) -> int:
        """How many latest documents `search` would find in all."""
        terms = words.parse_query(query)
        if not terms:
            return 0
        source, params, _, _ = self._matching(terms, language.lower() if language else None)
        with self._searching():
            return self._execute(f"SELECT count(*) {source}", params).fetchone()[0]

    # -- forgetting a member ---------------------------------------------------------------------
    def forget_author(self, name: str, *, dry_run: bool = False) -> dict[str, Any]:
        """Delete every document (all versions) whose author is exactly `name`, with all that is derived
        from or holds their words: spans, analysis records, search entries, stored comparisons that
        include one of them, and archived pages they were read from (other documents read from such a
        page keep their text but lose the pointer to it). Versions of other authors that pointed at a
        deleted one point at the nearest version kept, or none. Returns the counts, and
        `similar_authors`: spellings that are close but were not deleted. With `dry_run`, only counts."""
        if dry_run:
            return self._forget(name, delete=False)
        with self._erasing():
            with self._transaction():  # read under the write lock: a concurrent ingest adds nothing unseen
                result = self._forget(name, delete=True)
            if result["documents"]:
                self._purge()
        return result

    def _forget(self, name: str, *, delete: bool) -> dict[str, Any]:
        docs = [dict(r) for r in self._execute(
            f"SELECT seq, id, language, title, author, text, archive_sha256, previous_id, {_LATEST} AS latest "
            "FROM documents WHERE author = ?", (name,))]
        ids = [d["id"] for d in docs]
        gone = set(ids)
        archives = sorted({d["archive_sha256"] for d in docs if d["archive_sha256"]})
        comparisons = [r["id"] for r in self._execute("SELECT id, result FROM comparisons")
                       if any(doc_id in r["result"] for doc_id in ids)]
        shared = [r["id"] for chunk in _chunks(archives) for r in self._execute(
            f"SELECT id FROM documents WHERE archive_sha256 IN ({_marks(chunk)})", chunk) if r["id"] not in gone]
        relink = self._relinks(gone)
        result = {
            "author": name, "documents": len(ids),
            "spans": self._count_in("spans", "doc_id", ids),
            "layer_runs": self._count_in("layer_runs", "doc_id", ids),
            "comparisons": len(comparisons), "archives": len(archives), "archive_pointers_cleared": len(shared),
            "versions_relinked": len(relink),
            # Other documents that quote a deleted post keep its id in their `quotes` (ids are not words).
            "quoting_documents": sum(1 for r in self._execute("SELECT id, quotes FROM documents WHERE quotes <> '[]'")
                                     if r["id"] not in gone and gone & set(json.loads(r["quotes"]))),
            "similar_authors": self._similar_authors(name),
        }
        if not delete or not ids:
            return result
        self._executemany("UPDATE documents SET previous_id = ? WHERE id = ?",
                          [(target, doc_id) for doc_id, target in relink.items()])
        for chunk in _chunks(shared):
            self._execute(f"UPDATE documents SET archive_sha256 = NULL WHERE id IN ({_marks(chunk)})", chunk)
        self._unindex([_entry(d) for d in docs if d["latest"]])
        for chunk in _chunks(ids):
            for table in ("spans", "layer_runs"):
                self._execute(f"DELETE FROM {table} WHERE doc_id IN ({_marks(chunk)})", chunk)
            # Versions among the deleted may point at each other: unlink first, whatever the order.
            self._execute(f"UPDATE documents SET previous_id = NULL WHERE id IN ({_marks(chunk)})", chunk)
        for chunk in _chunks(ids):
            self._execute(f"DELETE FROM documents WHERE id IN ({_marks(chunk)})", chunk)
        # A version kept whose later version is gone may be the latest now, and so searchable.
        earlier = sorted({d["previous_id"] for d in docs if d["previous_id"]} - gone)
        for chunk in _chunks(earlier):
            self._index([_entry(r) for r in self._execute(
                f"SELECT seq, language, title, author, text FROM documents WHERE id IN ({_marks(chunk)}) "
                f"AND {_LATEST}", chunk).fetchall()])
        for chunk in _chunks(archives):
            self._execute(f"DELETE FROM archives WHERE sha256 IN ({_marks(chunk)})", chunk)
        for chunk in _chunks(comparisons):
            self._execute(f"DELETE FROM comparisons WHERE id IN ({_marks(chunk)})", chunk)
        return result

    def _count_in(self, table: str, column: str, values: list[str]) -> int:
        return sum(self._execute(f"SELECT count(*) FROM {table} WHERE {column} IN ({_marks(chunk)})",
                                 chunk).fetchone()[0] for chunk in _chunks(values))

    def _similar_authors(self, name: str) -> list[str]:
        """Authors whose name differs from `name` only in case or spaces, or is a close spelling."""
        others = [a for a in self.authors() if a != name]
        folded = " ".join(name.split()).casefold()
        same = [a for a in others if " ".join(a.split()).casefold() == folded]
        close = difflib.get_close_matches(name, others, n=5, cutoff=0.8)
        return list(dict.fromkeys(same + close))

    def _relinks(self, gone: set[str]) -> dict[str, str | None]:
        """Kept documents whose previous version is deleted -> the nearest earlier version kept (or None)."""
        previous = {r[0]: r[1] for r in self._execute(
            "SELECT id, previous_id FROM documents WHERE previous_id IS NOT NULL")}
        out: dict[str, str | None] = {}
        for doc_id, before in previous.items():
            if doc_id in gone or before not in gone:
                continue
            while before in gone:
                before = previous.get(before)
            out[doc_id] = before
        return out

    # -- actors ----------------------------------------------------------------------------------
    def record_decision(self, kind: str, actor_id: str, *, into_id: str | None = None, name: str | None = None,
                        note: str | None = None) -> dict[str, Any]:
        """Store a curation decision and return it as `decisions()` lists it.

        merge: every mention of `actor_id` counts as `into_id`. split: mentions of `actor_id` whose
        surface text is `name` (any case) become `into_id`, by default `<prefix>:~<slug of name>`.
        ValueError (nothing stored) for a malformed id, a merge into itself, an actor already merged,
        a name already split off, or decisions that would send mentions round a cycle."""
        if kind not in ("merge", "split"):
            raise ValueError(f"unknown decision kind {kind!r}: merge or split")
        for label, value in (("actor", actor_id), ("target actor", into_id)):
            if value is not None and not registry.is_actor_id(value):
                raise ValueError(f"{label} id {value!r} is malformed (expected prefix:slug, e.g. person:jane-doe)")
        if kind == "merge":
            if not into_id:
                raise ValueError("a merge needs the actor to merge into")
            if into_id == actor_id:
                raise ValueError(f"cannot merge {actor_id} into itself")
        else:
            name = (name or "").strip()
            if not name:
                raise ValueError("a split needs the surface name whose mentions move (--name)")
            if into_id is None:
                slug = registry.slugify(name)
                if not slug:
                    raise ValueError(f"cannot make an id from the name {name!r}; give the new id (--into)")
                into_id = f"{actor_id.partition(':')[0]}:~{slug}"
            if into_id == actor_id:
                raise ValueError(f"cannot split {actor_id} into itself; give another new id (--into)")
        decision = {"kind": kind, "actor_id": actor_id,
                    **({"into": into_id} if kind == "merge" else {"name": name, "new_id": into_id})}
        with self._transaction():
            existing = self.decisions()
            for old in existing:
                if kind == "merge" and old["kind"] == "merge" and old["actor_id"] == actor_id:
                    raise ValueError(f"{actor_id} is already merged into {old['into']}")
                if (kind == "split" and old["kind"] == "split" and old["actor_id"] == actor_id
                        and old["name"].casefold() == name.casefold()):
                    raise ValueError(f"mentions of {actor_id} named {old['name']!r} already go to {old['new_id']}")
            if kind == "merge":
                merges, _ = registry._tables([d for d in existing if d["kind"] == "merge"])
                chain = registry._trace(into_id, None, merges, {})[0]
                if actor_id in chain:
                    path = " -> ".join([*chain[:chain.index(actor_id) + 1], into_id])
                    raise ValueError(f"cannot merge {actor_id} into {into_id}: {into_id} is already merged into "
                                     f"{actor_id}, which would make a cycle ({path})")
            try:
                registry.check_decisions([*existing, decision])
            except ValueError as exc:
                raise ValueError(f"refusing to {kind} {actor_id} into {into_id}: {exc}") from exc
            now = datetime.now(UTC).isoformat(timespec="seconds")
            seq = self._execute(
                "INSERT INTO actor_decisions(kind, actor_id, into_id, name, decided_at, note) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
                (kind, actor_id, into_id, name if kind == "split" else None, now, note)).fetchall()[0][0]
        return {**decision, "seq": seq, "decided_at": now, "note": note}

    def decisions(self) -> list[dict[str, Any]]:
        """Every curation decision in the order taken: the contract keys (`kind`, `actor_id`, and `into`
        for a merge or `name` and `new_id` for a split) plus `seq`, `decided_at` and `note`."""
        out = []
        for row in self._execute("SELECT * FROM actor_decisions ORDER BY seq"):
            item: dict[str, Any] = {"kind": row["kind"], "actor_id": row["actor_id"]}
            if row["kind"] == "merge":
                item["into"] = row["into_id"]
            else:
                item.update(name=row["name"], new_id=row["into_id"])
            item.update(seq=row["seq"], decided_at=row["decided_at"], note=row["note"])
            out.append(item)
        return out

    def actor_mentions(self, actor_id: str | None = None, *, curated: bool = True) -> Iterator[tuple[str, Span]]:
        """(document id, span) for the mention spans of the latest run that analysed mentions of each
        latest document version, in document then offset order. With `actor_id`, only the mentions that
        count as that actor once the stored decisions are applied (`curated=False`: whose stored
        `attrs.actor_id` is `actor_id`). Spans come as stored (their `attrs.actor_id` unchanged)."""
        decisions = self.decisions() if curated and actor_id is not None else []
        sql = f"SELECT s.* FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ?"
        params: list[Any] = ["mention", "mention"]
        if actor_id is not None:
            candidates = _sources_of(actor_id, decisions)
            if len(candidates) <= _CHUNK:
                sql += f" AND {self._json_text('s.attrs', 'actor_id')} IN ({_marks(candidates)})"
                params.extend(sorted(candidates))
        sql += ' ORDER BY d.seq, s.start, s."end", s.label'
        curate = registry.Curator(decisions)
        for row in self._execute(sql, params).fetchall():
            span = row_span(dict(row))
            if actor_id is not None:
                raw = span.attrs.get("actor_id")
                if not isinstance(raw, str) or curate(raw, span.attrs.get("name")) != actor_id:
                    continue
            yield row["doc_id"], span

    def actor_summary(self) -> list[dict[str, Any]]:
        """One entry per actor the stored mentions name, after the stored decisions: `id`, `type`,
        `label` (built-in label, else the commonest name), `mentions`, `documents`, `names` (commonest
        first), `source` (builtin, user or discovered) and `merged` (stored ids counted under it).
        Most mentioned first."""
        curate = registry.Curator(self.decisions())
        stats: dict[str, dict[str, Any]] = {}
        for doc_id, span in self.actor_mentions():
            raw = span.attrs.get("actor_id")
            if not isinstance(raw, str) or not raw:
                continue
            name = span.attrs.get("name")
            final = curate(raw, name)
            entry = stats.setdefault(final, {"mentions": 0, "docs": set(), "names": Counter(),
                                             "labels": Counter(), "sources": Counter(), "raw": set()})
            entry["mentions"] += 1
            entry["docs"].add(doc_id)
            if isinstance(name, str) and name:
                entry["names"][name] += 1
            entry["raw"].add(raw)
            if raw == final:
                entry["labels"][span.label] += 1
                if span.attrs.get("source") in registry.SOURCES:
                    entry["sources"][span.attrs["source"]] += 1
        builtin = registry.load_registry()
        out = []
        for actor_id, entry in stats.items():
            names = [n for n, _ in sorted(entry["names"].items(), key=lambda kv: (-kv[1], kv[0]))]
            actor = builtin.get(actor_id)
            labels = entry["labels"].most_common(1)
            sources = entry["sources"].most_common(1)
            out.append({
                "id": actor_id,
                "type": registry.type_of(actor_id) or (labels[0][0] if labels else None),
                "label": actor.label if actor else (names[0] if names else actor_id),
                "mentions": entry["mentions"],
                "documents": len(entry["docs"]),
                "names": names,
                "source": sources[0][0] if sources else registry.actor_source(actor_id, builtin),
                "merged": sorted(entry["raw"] - {actor_id}),
            })
        out.sort(key=lambda item: (-item["mentions"], item["id"]))
        return out

    def actor_timeline(self, actor_id: str, *, by: str = "source", period: str = "month") -> list[dict[str, Any]]:
        """How an actor (after the stored merge and split decisions) is cast and named per group of
        documents and publication period: `group`, `period` (as in `volume`, None when undated),
        `main_roles` ({role: documents}, commonest first) and `mentions`. Groups with the most mentions
        first, periods in time order."""
        _check_choice("period", period, PERIODS)
        _check_choice("grouping", by, PROFILE_GROUPS)
        entries: dict[tuple[str, str | None], dict[str, Any]] = {}

        def entry(fields: dict[str, Any]) -> dict[str, Any]:
            key = (group_key(fields, by), period_of(fields["published"], period))
            return entries.setdefault(key, {"group": key[0], "period": key[1], "main_roles": {}, "mentions": 0})

        curate = registry.Curator(self.decisions())
        for row in self._execute(
                f"SELECT s.label, s.attrs, {_DOC_GROUP_COLUMNS} FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ?",
                ("role", "role")).fetchall():
            attrs = json.loads(row["attrs"])
            raw = attrs.get("actor_id")
            if isinstance(raw, str) and raw and curate(raw, attrs.get("name")) == actor_id:
                entry(dict(row))["main_roles"].setdefault(row["label"], set()).add(row["id"])
        mentions = Counter(doc_id for doc_id, _ in self.actor_mentions(actor_id))
        for chunk in _chunks(list(mentions)):
            for row in self._execute(f"SELECT {_DOC_GROUP_COLUMNS} FROM documents d WHERE d.id IN ({_marks(chunk)})",
                                     chunk):
                entry(dict(row))["mentions"] += mentions[row["id"]]
        totals: Counter[str] = Counter()
        for item in entries.values():
            item["main_roles"] = dict(sorted(((role, len(docs)) for role, docs in item["main_roles"].items()),
                                             key=lambda kv: (-kv[1], kv[0])))
            totals[item["group"]] += item["mentions"] + sum(item["main_roles"].values())
        return sorted(entries.values(), key=lambda e: (-totals[e["group"]], e["group"], e["period"] is None,
                                                        e["period"] or ""))

    def technique_profile(self, by: str = "source") -> list[dict[str, Any]]:
        """Technique hits per group of the documents the techniques stage analysed: `group`,
        `documents`, `words`, `counts` and `per_1000_words` by technique, the most words first.

        `by` is one of PROFILE_GROUPS; a document's source is its outlet, else its author, else the
        host of its address, else the name of the file it came from."""
        if by not in PROFILE_GROUPS:
            raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(PROFILE_GROUPS)}")
        counts: dict[str, Counter[str]] = {}
        for row in self._execute(f"SELECT s.doc_id, s.label FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ?",
                                 ("technique", "technique")).fetchall():
            counts.setdefault(row[0], Counter())[row[1]] += 1
        analysed = [r[0] for r in self._execute(
            f"SELECT DISTINCT l.doc_id FROM layer_runs l JOIN documents d ON d.id = l.doc_id AND d.{_LATEST} "
            "WHERE l.layer = 'technique'")]
        groups: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(analysed):
            for row in self._execute(
                    "SELECT id, text, outlet, author, url, path, thread_id, language FROM documents "
                    f"WHERE id IN ({_marks(chunk)})", chunk):
                key = group_key(dict(row), by)
                group = groups.setdefault(key, {"group": key, "documents": 0, "words": 0, "counts": Counter()})
                group["documents"] += 1
                group["words"] += sum(1 for _ in _WORD.finditer(row["text"]))
                group["counts"].update(counts.get(row["id"], Counter()))
        out = []
        for group in groups.values():
            n_words = group["words"]
            group["counts"] = dict(sorted(group["counts"].items(), key=lambda kv: (-kv[1], kv[0])))
            group["per_1000_words"] = {
                label: round(1000 * n / n_words, 2) if n_words else 0.0 for label, n in group["counts"].items()}
            out.append(group)
        return sorted(out, key=lambda g: (-g["words"], g["group"]))

    def role_summary(self, by: str = "source", actor_id: str | None = None) -> list[dict[str, Any]]:
        """How each group of documents casts each actor, from the role spans of the latest run that analysed
        roles: `group`, `actor_id` (after the stored merge/split decisions), `documents`, `main_roles`
        (documents per main role, commonest first), `fine_roles` (per main role, documents per fine role)
        and `evidence` (per main role, one cited sentence: document id, start, end, text). With `actor_id`,
        only that actor. Groups as in `technique_profile`; largest groups first."""
        if by not in PROFILE_GROUPS:
            raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(PROFILE_GROUPS)}")
        curate = registry.Curator(self.decisions())
        rows = self._execute(
            f"""SELECT s.*, d.id AS document_id, d.text AS document_text, d.outlet, d.author, d.url, d.path,
                       d.thread_id, d.language
                FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ? ORDER BY d.seq, s.start""",
            ("role", "role")).fetchall()
        entries: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            span = row_span(dict(row))
            raw = span.attrs.get("actor_id")
            if not isinstance(raw, str) or not raw:
                continue
            final = curate(raw, span.attrs.get("name"))
            if actor_id is not None and final != actor_id:
                continue
            key = (group_key({**dict(row), "id": row["document_id"]}, by), final)
            entry = entries.setdefault(key, {"group": key[0], "actor_id": final, "documents": set(),
                                             "main_roles": Counter(), "fine_roles": {}, "evidence": {}})
            entry["documents"].add(row["document_id"])
            entry["main_roles"][span.label] += 1
            entry["fine_roles"].setdefault(span.label, Counter()).update(span.attrs.get("fine_roles") or [])
            entry["evidence"].setdefault(span.label, {
                "document": row["document_id"], "start": span.start, "end": span.end,
                "text": row["document_text"][span.start:span.end]})
        out = []
        for entry in entries.values():
            entry["documents"] = len(entry["documents"])
            entry["main_roles"] = dict(entry["main_roles"].most_common())
            entry["fine_roles"] = {main: dict(entry["fine_roles"][main].most_common()) for main in entry["main_roles"]}
            out.append(entry)
        sizes: Counter[str] = Counter()
        for entry in out:
            sizes[entry["group"]] += entry["documents"]
        return sorted(out, key=lambda e: (-sizes[e["group"]], e["group"], -e["documents"], e["actor_id"]))

    def narrative_summary(self, by: str = "source") -> list[dict[str, Any]]:
        """Which narratives each group of documents serves, from the narrative spans of the latest run that
        analysed narratives: `group`, `documents` (analysed for narratives), `narratives` (documents per
        narrative, commonest first), `subnarratives` (the same per subnarrative) and `evidence` (per
        narrative, one cited sentence: document id, start, end, text). Groups as in `technique_profile`;
        largest groups first."""
        if by not in PROFILE_GROUPS:
            raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(PROFILE_GROUPS)}")
        groups: dict[str, dict[str, Any]] = {}
        for row in self._execute(
                f"SELECT d.id, d.outlet, d.author, d.url, d.path, d.thread_id, d.language FROM documents d "
                f"WHERE d.{_LATEST} AND d.id IN (SELECT doc_id FROM layer_runs WHERE layer = 'narrative')"):
            key = group_key(dict(row), by)
            group = groups.setdefault(key, {"group": key, "documents": 0, "narratives": {}, "subnarratives": {},
                                            "evidence": {}})
            group["documents"] += 1
        seen: set[tuple[str, str, str]] = set()
        rows = self._execute(
            f"""SELECT s.*, d.id AS document_id, d.text AS document_text, d.outlet, d.author, d.url, d.path,
                       d.thread_id, d.language
                FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ? ORDER BY d.seq, s.start""",
            ("narrative", "narrative")).fetchall()
        for row in rows:
            span = row_span(dict(row))
            key = group_key({**dict(row), "id": row["document_id"]}, by)
            group = groups[key]
            narrative = span.attrs.get("narrative") or span.label
            for name, label in (("narratives", narrative), ("subnarratives", span.attrs.get("subnarrative"))):
                if label and (row["document_id"], name, label) not in seen:
                    seen.add((row["document_id"], name, label))
                    group[name][label] = group[name].get(label, 0) + 1
            group["evidence"].setdefault(narrative, {
                "document": row["document_id"], "start": span.start, "end": span.end,
                "text": row["document_text"][span.start:span.end]})
        for group in groups.values():
            for name in ("narratives", "subnarratives"):
                group[name] = dict(sorted(group[name].items(), key=lambda kv: (-kv[1], kv[0])))
        return sorted(groups.values(), key=lambda g: (-g["documents"], g["group"]))


def _entry(row: Any) -> tuple[int, str | None, list[list[tuple[str, str]]]]:
    """The search index entry of a documents row (seq, language, title, author, text)."""
    return row["seq"], row["language"], words.fields(row["title"], row["author"], row["text"])


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def _sources_of(actor_id: str, decisions: list[dict[str, Any]]) -> set[str]:
    """Every id whose mentions some decision may send to `actor_id` (itself included)."""
    back: dict[str, set[str]] = {}
    for item in decisions:
        target = item.get("into") if item["kind"] == "merge" else item.get("new_id")
        back.setdefault(target, set()).add(item["actor_id"])
    found = {actor_id}
    todo = [actor_id]
    while todo:
        for source in back.get(todo.pop(), ()):
            if source not in found:
                found.add(source)
                todo.append(source)
    return found
