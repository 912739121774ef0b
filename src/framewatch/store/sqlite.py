"""SQLite back end: one file, WAL journal, FTS5 search that folds Latin and Cyrillic case."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from .. import registry, resources
from ..model import PROFILE_GROUPS, AnalysisRun, Document, Span, group_key
from .base import AddReport, document_row, row_document, row_span, span_row
from .schema import DOCUMENT_COLUMNS, MIGRATIONS, SCHEMA_VERSION

# FTS5 is SQLite's own; `unicode61` folds case in Latin and Cyrillic and strips Latin diacritics.
# Letters it keeps apart but readers do not (ё/е, ə/e, ı/i) are folded by `fold()`, a function
# built from the `search` language resources and applied to indexed text and to queries alike.
_SEARCH_DDL = [
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
]
_LATEST = "id NOT IN (SELECT previous_id FROM documents WHERE previous_id IS NOT NULL)"
# Joins each latest document version to the spans of one layer (the first `?`) from the most
# recent run that analysed that layer for it.
_NEWEST_LAYER_JOIN = f"""
    JOIN (SELECT l.doc_id, max(r.seq) AS seq FROM layer_runs l JOIN runs r ON r.id = l.run_id
          WHERE l.layer = ? GROUP BY l.doc_id) newest ON newest.doc_id = s.doc_id
    JOIN runs r ON r.id = s.run_id AND r.seq = newest.seq
    JOIN documents d ON d.id = s.doc_id AND d.{_LATEST}"""
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_QUERY_TERM = re.compile(r'"(?P<phrase>[^"]+)"|(?P<word>[^\s"]+)')
_UNSAFE_QUERY_CHARS = re.compile("[\x00\ud800-\udfff]")
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class SearchHit:
    document: Document
    snippet: str
    rank: float


class StoreError(Exception):
    """The store file cannot be opened or is not a framewatch store."""


class SQLiteStore:
    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if path.exists() and path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if not create and str(path) != ":memory:" and not path.exists():
            raise StoreError(f"{path}: no store here (ingest something first, or pass --db)")
        if str(path) != ":memory:":
            _check_header(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        conn: sqlite3.Connection | None = None
        try:
            conn = self._conn = sqlite3.connect(str(path), isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.create_function("fold", 1, fold, deterministic=True)
            # Before any PRAGMA that writes (journal_mode): another application's database is refused
            # untouched rather than turned into a WAL file with framewatch tables added.
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
            if tables and "schema_info" not in tables:
                raise StoreError(f"{path}: an SQLite database of another application, not a framewatch "
                                 f"store; refusing to add tables to it")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except (sqlite3.DatabaseError, StoreError) as exc:
            if conn is not None:
                conn.close()  # a refused file is not left locked or open
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{path}: not a framewatch store ({exc})") from exc

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self._conn.execute("CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT)")
        row = self._conn.execute("SELECT value FROM schema_info WHERE key='version'").fetchone()
        current = int(row["value"]) if row else 0
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {current} is newer than this framewatch "
                             f"({SCHEMA_VERSION}); upgrade framewatch")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self._transaction():
                for statement in MIGRATIONS[version]:
                    self._conn.execute(statement)
                if version == 1:
                    for statement in _SEARCH_DDL:
                        self._conn.execute(statement)
                self._conn.execute(
                    "INSERT INTO schema_info(key, value) VALUES ('version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (str(version),))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("SELECT value FROM schema_info WHERE key='version'").fetchone()[0])

    # -- writing -------------------------------------------------------------------------------
    def record_run(self, run: AnalysisRun) -> None:
        with self._transaction():
            self._insert_run(run)

    def _insert_run(self, run: AnalysisRun) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO runs(id, started_at, package_version, stages, resource_versions, "
            "config_hash, command) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run.id, run.started_at, run.package_version, json.dumps(run.stages),
             json.dumps(run.resource_versions), run.config_hash, run.command),
        )

    def add_documents(self, docs: Iterable[Document], run: AnalysisRun, archive_sha256: str | None = None,
                      layers: Iterable[str] = ()) -> AddReport:
        """Store `docs` in one transaction: all of them or, if anything fails, none.

        `layers` are those the run analysed (beyond those its spans show), see `add_analysis`.

        Content already stored is skipped; new content under an already-seen source key becomes a
        new version pointing at the one it replaces.
        """
        report = AddReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction():
            for doc in docs:
                row = document_row(doc)
                if self._conn.execute("SELECT 1 FROM documents WHERE content_hash=?",
                                      (row["content_hash"],)).fetchone():
                    report.unchanged += 1
                    continue
                if doc.source_key:
                    previous = self._conn.execute(
                        f"SELECT id FROM documents WHERE source_key=? AND {_LATEST} ORDER BY seq DESC LIMIT 1",
                        (doc.source_key,),
                    ).fetchone()
                    if previous:
                        row["previous_id"] = doc.previous_id = previous["id"]
                        report.new_versions += 1
                if not report.added:
                    self._insert_run(run)  # a run that stored nothing leaves no trace
                columns = [*DOCUMENT_COLUMNS, "archive_sha256", "ingest_run_id", "ingested_at"]
                values = [row[name] for name in DOCUMENT_COLUMNS] + [archive_sha256, run.id, now]
                self._conn.execute(
                    f"INSERT INTO documents({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    values,
                )
                self._insert_spans(row["id"], run.id, doc.spans, layers)
                report.added += 1
                report.ids.append(row["id"])
        return report

    def _insert_spans(self, doc_id: str, run_id: str, spans: Iterable[Span], layers: Iterable[str]) -> None:
        rows = []
        claimed = set(layers)
        for span in spans:
            span.run_id = run_id
            rows.append(span_row(doc_id, run_id, span))
            claimed.add(span.layer)
        self._conn.executemany(
            'INSERT INTO spans(doc_id, run_id, layer, label, start, "end", confidence, engine, cue, attrs) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self._conn.executemany("INSERT OR IGNORE INTO layer_runs(doc_id, layer, run_id) VALUES (?, ?, ?)",
                               [(doc_id, layer, run_id) for layer in sorted(claimed)])

    def add_analysis(self, docs: Iterable[Document], run: AnalysisRun, layers: Iterable[str] = ()) -> int:
        """Store the spans `run` added to already-stored documents (and a detected language).

        For each of `layers` (what the run's stages assign) this run becomes the one whose findings
        count, even for a document where it found nothing.
        """
        layers = tuple(layers)
        count = 0
        with self._transaction():
            self._insert_run(run)
            for doc in docs:
                self._insert_spans(doc.id, run.id, [s for s in doc.spans if s.run_id == run.id], layers)
                self._conn.execute(
                    "UPDATE documents SET language=?, meta=? WHERE id=?",
                    (doc.language, json.dumps(doc.meta, ensure_ascii=False), doc.id))
                count += 1
        return count

    def add_archive(self, *, sha256: str, requested_url: str, final_url: str, status: int | None,
                    content_type: str | None, fetched_at: str, body: bytes) -> None:
        with self._transaction():
            self._conn.execute(
                "INSERT OR IGNORE INTO archives(sha256, requested_url, final_url, status, content_type, "
                "fetched_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, requested_url, final_url, status, content_type, fetched_at, body))

    # -- reading -------------------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        row = self._conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = row_document(dict(row))
        doc.spans = self._latest_spans([doc.id])[doc.id]
        return doc

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update(r[0] for r in self._conn.execute(
                f"SELECT id FROM documents WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def find(self, prefix: str) -> list[str]:
        """Ids starting with `prefix`, so users can type a short id as they do with git."""
        return [r["id"] for r in self._conn.execute(
            "SELECT id FROM documents WHERE id >= ? AND id < ? ORDER BY id LIMIT 10",
            (prefix, prefix + "\uffff"))]

    def iter_documents(self, *, latest_only: bool = True, with_spans: bool = True,
                       batch: int = 500, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stored documents in ingest order; only those in `ids` when given."""
        where = f"seq > ? AND {_LATEST}" if latest_only else "seq > ?"
        if ids is not None:
            self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
            self._conn.execute("DELETE FROM wanted")
            self._conn.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((i,) for i in ids))
            where += " AND id IN (SELECT id FROM wanted)"
        last = 0
        while True:
            rows = self._conn.execute(
                f"SELECT * FROM documents WHERE {where} ORDER BY seq LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            docs = [row_document(dict(r)) for r in rows]
            if with_spans:
                spans = self._latest_spans([d.id for d in docs])
                for doc in docs:
                    doc.spans = spans[doc.id]
            yield from docs
            last = rows[-1]["seq"]

    def _latest_spans(self, ids: list[str]) -> dict[str, list[Span]]:
        """Per document and layer, the spans of the most recent run that analysed that layer."""
        out: dict[str, list[Span]] = {doc_id: [] for doc_id in ids}
        if not ids:
            return out
        marks = ", ".join("?" * len(ids))
        rows = self._conn.execute(
            f"""SELECT s.* FROM spans s JOIN (
                    SELECT l.doc_id, l.layer, max(r.seq) AS seq FROM layer_runs l JOIN runs r ON r.id = l.run_id
                    WHERE l.doc_id IN ({marks}) GROUP BY l.doc_id, l.layer
                ) newest ON newest.doc_id = s.doc_id AND newest.layer = s.layer
                JOIN runs r ON r.id = s.run_id AND r.seq = newest.seq""", ids).fetchall()
        for row in rows:
            out[row["doc_id"]].append(row_span(dict(row)))
        for spans in out.values():
            spans.sort(key=Span.sort_key)
        return out

    def stale_documents(self, run: AnalysisRun, layers: Iterable[str]) -> list[str]:
        """Latest documents whose newest analysis of some of `layers` was not made by `run`'s stage
        versions, resources and configuration (or that were never analysed for it)."""
        layers = list(layers)
        current: dict[str, bool] = {}
        for row in self._conn.execute("SELECT id, stages, resource_versions, config_hash FROM runs"):
            stages = json.loads(row["stages"])
            current[row["id"]] = (row["config_hash"] == run.config_hash
                                  and json.loads(row["resource_versions"]) == run.resource_versions
                                  and all(stages.get(name) == version for name, version in run.stages.items()
                                          if name != "ingest"))
        newest: dict[tuple[str, str], str] = {}
        for row in self._conn.execute(
                f"""SELECT l.doc_id, l.layer, l.run_id FROM layer_runs l JOIN runs r ON r.id = l.run_id
                    JOIN documents d ON d.id = l.doc_id AND d.{_LATEST} ORDER BY r.seq"""):
            newest[row["doc_id"], row["layer"]] = row["run_id"]
        stale = []
        for (doc_id,) in self._conn.execute(f"SELECT id FROM documents WHERE {_LATEST} ORDER BY seq"):
            if not all(current.get(newest.get((doc_id, layer), ""), False) for layer in layers):
                stale.append(doc_id)
        return stale

    def add_comparison(self, result: dict[str, Any], config_hash: str) -> bool:
        """Keep a comparison; False when the identical one is already stored."""
        with self._transaction():
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO comparisons(id, grouping, config_hash, documents, stories, created_at, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (result["id"], result["by"], config_hash, sum(len(g["documents"]) for g in result["groups"]),
                 len(result["stories"]), datetime.now(UTC).isoformat(timespec="seconds"),
                 json.dumps(result, ensure_ascii=False, sort_keys=True)))
        return cursor.rowcount == 1

    def comparison(self, comparison_id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT result FROM comparisons WHERE id = ?", (comparison_id,)).fetchone()
        return json.loads(row["result"]) if row else None

    def count(self, *, latest_only: bool = True) -> int:
        where = f"WHERE {_LATEST}" if latest_only else ""
        return self._conn.execute(f"SELECT count(*) FROM documents {where}").fetchone()[0]

    def summary(self) -> dict[str, Any]:
        def grouped(column: str) -> dict[str, int]:
            return {(r[0] or "unknown"): r[1] for r in self._conn.execute(
                f"SELECT {column}, count(*) FROM documents WHERE {_LATEST} GROUP BY 1 ORDER BY 2 DESC, 1")}

        return {
            "documents": self.count(),
            "versions": self.count(latest_only=False),
            "by_kind": grouped("kind"),
            "by_language": grouped("language"),
            "threads": self._conn.execute(
                "SELECT count(DISTINCT thread_id) FROM documents WHERE thread_id IS NOT NULL").fetchone()[0],
            "spans": self._conn.execute("SELECT count(*) FROM spans").fetchone()[0],
            "runs": self._conn.execute("SELECT count(*) FROM runs").fetchone()[0],
            "archives": self._conn.execute("SELECT count(*) FROM archives").fetchone()[0],
        }

    def runs(self) -> list[AnalysisRun]:
        return [AnalysisRun(r["id"], r["started_at"], r["package_version"], json.loads(r["stages"]),
                            json.loads(r["resource_versions"]), r["config_hash"], r["command"])
                for r in self._conn.execute("SELECT * FROM runs ORDER BY seq")]

    def archive(self, sha256: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM archives WHERE sha256=?", (sha256,)).fetchone()
        return dict(row) if row else None

    def search(self, query: str, *, language: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Documents matching every term of `query` (quoted phrases kept, `word*` as prefix)."""
        match = _fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT d.*, snippet(documents_fts, 2, '[', ']', '…', 12) AS snippet, bm25(documents_fts) AS rank "
            "FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
            f"WHERE documents_fts MATCH ? AND d.{_LATEST}"
        )
        params: list[Any] = [match]
        if language:
            sql += " AND d.language = ?"
            params.append(language.lower())
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        return [SearchHit(row_document(dict(r)), r["snippet"], r["rank"])
                for r in self._conn.execute(sql, params)]

    # -- actors --------------------------------------------------------------------------------
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
            cursor = self._conn.execute(
                "INSERT INTO actor_decisions(kind, actor_id, into_id, name, decided_at, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, actor_id, into_id, name if kind == "split" else None, now, note))
        return {**decision, "seq": cursor.lastrowid, "decided_at": now, "note": note}

    def decisions(self) -> list[dict[str, Any]]:
        """Every curation decision in the order taken: the contract keys (`kind`, `actor_id`, and `into`
        for a merge or `name` and `new_id` for a split) plus `seq`, `decided_at` and `note`."""
        out = []
        for row in self._conn.execute("SELECT * FROM actor_decisions ORDER BY seq"):
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
            if len(candidates) <= 500:
                sql += f" AND json_extract(s.attrs, '$.actor_id') IN ({', '.join('?' * len(candidates))})"
                params.extend(sorted(candidates))
        sql += ' ORDER BY d.seq, s.start, s."end", s.label'
        curate = registry.Curator(decisions)
        for row in self._conn.execute(sql, params):
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

    def technique_profile(self, by: str = "source") -> list[dict[str, Any]]:
        """Technique hits per group of the documents the techniques stage analysed: `group`,
        `documents`, `words`, `counts` and `per_1000_words` by technique, the most words first.

        `by` is one of PROFILE_GROUPS; a document's source is its outlet, else its author, else the
        host of its address, else the name of the file it came from."""
        if by not in PROFILE_GROUPS:
            raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(PROFILE_GROUPS)}")
        counts: dict[str, Counter[str]] = {}
        for row in self._conn.execute(
                f"SELECT s.doc_id, s.label FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ?",
                ("technique", "technique")):
            counts.setdefault(row[0], Counter())[row[1]] += 1
        analysed = [r[0] for r in self._conn.execute(
            f"SELECT DISTINCT l.doc_id FROM layer_runs l JOIN documents d ON d.id = l.doc_id AND d.{_LATEST} "
            "WHERE l.layer = 'technique'")]
        groups: dict[str, dict[str, Any]] = {}
        for i in range(0, len(analysed), 500):
            chunk = analysed[i:i + 500]
            for row in self._conn.execute(
                    "SELECT id, text, outlet, author, url, path, thread_id, language FROM documents "
                    f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                key = group_key(dict(row), by)
                group = groups.setdefault(key, {"group": key, "documents": 0, "words": 0, "counts": Counter()})
                group["documents"] += 1
                group["words"] += sum(1 for _ in _WORD.finditer(row["text"]))
                group["counts"].update(counts.get(row["id"], Counter()))
        out = []
        for group in groups.values():
            words = group["words"]
            group["counts"] = dict(sorted(group["counts"].items(), key=lambda kv: (-kv[1], kv[0])))
            group["per_1000_words"] = {
                label: round(1000 * n / words, 2) if words else 0.0 for label, n in group["counts"].items()}
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
        rows = self._conn.execute(
            f"""SELECT s.*, d.id AS document_id, d.text AS document_text, d.outlet, d.author, d.url, d.path,
                       d.thread_id, d.language
                FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ? ORDER BY d.seq, s.start""", ("role", "role"))
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
        sizes = Counter()
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
        for row in self._conn.execute(
                f"SELECT d.id, d.outlet, d.author, d.url, d.path, d.thread_id, d.language FROM documents d "
                f"WHERE d.{_LATEST} AND d.id IN (SELECT doc_id FROM layer_runs WHERE layer = 'narrative')"):
            key = group_key(dict(row), by)
            group = groups.setdefault(key, {"group": key, "documents": 0, "narratives": {}, "subnarratives": {},
                                            "evidence": {}})
            group["documents"] += 1
        seen: set[tuple[str, str, str]] = set()
        rows = self._conn.execute(
            f"""SELECT s.*, d.id AS document_id, d.text AS document_text, d.outlet, d.author, d.url, d.path,
                       d.thread_id, d.language
                FROM spans s {_NEWEST_LAYER_JOIN} WHERE s.layer = ? ORDER BY d.seq, s.start""",
            ("narrative", "narrative"))
        for row in rows:
            span = row_span(dict(row))
            key = group_key({**dict(row), "id": row["document_id"]}, by)
            group = groups[key]
            narrative = span.attrs.get("narrative") or span.label
            for field, label in (("narratives", narrative), ("subnarratives", span.attrs.get("subnarrative"))):
                if label and (row["document_id"], field, label) not in seen:
                    seen.add((row["document_id"], field, label))
                    group[field][label] = group[field].get(label, 0) + 1
            group["evidence"].setdefault(narrative, {
                "document": row["document_id"], "start": span.start, "end": span.end,
                "text": row["document_text"][span.start:span.end]})
        for group in groups.values():
            for field in ("narratives", "subnarratives"):
                group[field] = dict(sorted(group[field].items(), key=lambda kv: (-kv[1], kv[0])))
        return sorted(groups.values(), key=lambda g: (-g["documents"], g["group"]))

    def document_texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The stored text of each of `ids` that exists."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update((r[0], r[1]) for r in self._conn.execute(
                f"SELECT id, text FROM documents WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found


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


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for data in resources.load_all("search").values():
        table.update({ord(k): v for k, v in data.get("fold", {}).items()})
    return table


def fold(text: str | None) -> str | None:
    """Text as the search index sees it: the same length, letters readers treat as one merged."""
    return text.translate(_fold_table()) if text is not None else None


def _fts_query(query: str) -> str:
    """User text as a safe FTS5 expression: each term quoted, a trailing `*` kept as prefix search."""
    terms = []
    # NUL ends an FTS5 string early ("unterminated string") and a lone surrogate (an undecodable
    # byte in argv) cannot be encoded for SQLite: both are separators here, never an error.
    query = fold(_UNSAFE_QUERY_CHARS.sub(" ", query))
    for match in _QUERY_TERM.finditer(query):
        text = match.group("phrase") or match.group("word")
        prefix = text.endswith("*") and match.group("word") is not None
        text = text.rstrip("*").replace('"', '""').strip()
        if text:
            terms.append(f'"{text}"' + ("*" if prefix else ""))
    return " ".join(terms)


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that is not an SQLite database before SQLite may write to it.

    SQLite itself rejects most such files, but takes a 1-byte file for an empty database and
    overwrites it with a new store."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if head and head != _SQLITE_MAGIC:
        raise StoreError(f"{path}: not a framewatch store (not an SQLite database file)")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises (or the process dies)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
