"""SQLite back end: one file, WAL journal, FTS5 search over the words search.py reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import search as words
from .base import AddReport, SearchHit, Store, StoreError
from .search import fold

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Fields follow each other in one index column; this token (a private-use character, which no query
# word can hold) sits between them so that no phrase matches across two fields.
_FIELD_BREAK = "\ue000"

__all__ = ["AddReport", "SQLiteStore", "SearchHit", "StoreError"]


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.location = str(path)
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
            # The triggers of schema versions 1-3 fold text; a store is migrated past them on opening.
            self._conn.create_function("fold", 1, fold, deterministic=True)
            # Before any PRAGMA that writes (journal_mode): another application's database is refused
            # untouched rather than turned into a WAL file with framewatch tables added.
            self._tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
            if self._tables and "schema_info" not in self._tables:
                raise StoreError(f"{path}: an SQLite database of another application, not a framewatch "
                                 f"store; refusing to add tables to it")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=10000")
            self._open_schema()
        except (sqlite3.DatabaseError, StoreError) as exc:
            if conn is not None:
                conn.close()  # a refused file is not left locked or open
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{path}: not a framewatch store ({exc})") from exc

    def close(self) -> None:
        self._conn.close()

    # -- dialect ---------------------------------------------------------------------------------
    def _execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, tuple(params))

    def _executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self._conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises (or the process dies)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _has_table(self, name: str) -> bool:
        return name in self._tables

    def _json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    # -- search ----------------------------------------------------------------------------------
    def _index(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        self._executemany("INSERT INTO search_index(rowid, words, lemmas) VALUES (?, ?, ?)",
                          [(seq, *_columns(fields)) for seq, _, fields in entries])

    def _unindex(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        # A contentless FTS5 row is removed by handing back exactly what was indexed; the store
        # re-indexes whenever the way words are read changes (`_check_index`), so this is exact.
        self._executemany("INSERT INTO search_index(search_index, rowid, words, lemmas) VALUES ('delete', ?, ?, ?)",
                          [(seq, *_columns(fields)) for seq, _, fields in entries])

    def _clear_index(self) -> None:
        self._conn.execute("INSERT INTO search_index(search_index) VALUES ('delete-all')")

    def _matching(self, terms: list[words.Term], language: str | None) -> tuple[str, list[Any], str, str]:
        if language is None:
            return "FROM search_index WHERE search_index MATCH ?", [_fts_query(terms)], "rowid", "bm25(search_index)"
        return ("FROM search_index JOIN documents d ON d.seq = search_index.rowid "
                "WHERE search_index MATCH ? AND d.language = ?", [_fts_query(terms), language],
                "search_index.rowid", "bm25(search_index)")

    # -- forgetting ------------------------------------------------------------------------------
    @contextmanager
    def _erasing(self) -> Iterator[None]:
        # Freed pages and cells are overwritten with zeros, so deleted text does not stay in the file
        # (some builds do so always; where they do not, this connection does while forgetting).
        before = self._conn.execute("PRAGMA secure_delete").fetchone()[0]
        self._conn.execute("PRAGMA secure_delete=ON")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA secure_delete={int(before)}")

    def _purge(self) -> None:
        # FTS5 keeps deleted words in older index segments until they are merged; merge them all.
        with self._transaction():
            self._conn.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
        # The write-ahead log still holds the pages as they were before the deletion.
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _columns(fields: list[list[tuple[str, str]]]) -> tuple[str, str]:
    """The `words` (written forms) and `lemmas` columns of one document's index row."""
    return (f" {_FIELD_BREAK} ".join(" ".join(form for form, _ in found) for found in fields),
            f" {_FIELD_BREAK} ".join(" ".join(lemma for _, lemma in found) for found in fields))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_query(terms: list[words.Term]) -> str:
    """Every term as an FTS5 expression over the two index columns (see search.py for the rules)."""
    parts = []
    for term in terms:
        if term.prefix:
            by_lemma = " ".join([*term.lemmas[:-1], term.forms[-1]])
            parts.append(f"(lemmas : {_quoted(by_lemma)}* OR words : {_quoted(' '.join(term.forms))}*)")
        else:
            parts.append(f"(lemmas : {_quoted(' '.join(term.lemmas))})")
    return " AND ".join(parts)


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
