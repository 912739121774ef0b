"""PostgreSQL back end: the same schema and behaviour as SQLite, for a store a team shares.

Search keeps a tsvector per document built by search.py (no text search configuration is involved:
the words arrive folded and lemmatised, lemmas and `=`-marked written forms at the same positions),
so it finds what the SQLite store finds. Writers take one advisory lock per transaction, as SQLite
lets one writer in at a time: concurrent ingests queue for the inserts (their analysis runs before
the lock) and can neither duplicate content (`content_hash` is unique and inserted `ON CONFLICT DO
NOTHING`) nor fork a version chain.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from ..model import Document
from . import search as words
from .base import Store, StoreError

log = logging.getLogger("framewatch.store")

# Any constant shared by every framewatch process: the lock writers of one database queue on.
_WRITE_LOCK = 0x6677_7374  # "fwst"
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")
# What a tsvector can hold: positions 1..16383 (later words share the last one, so a phrase there is
# not found), 256 positions per lexeme, 1 MB of lexemes and positions.
_MAX_POSITION = 16383
_MAX_POSITIONS = 256
_MAX_VECTOR_BYTES = 1_000_000
_WEIGHTS = ("A", "B", "")  # title, author, text (D, the default, is written as nothing)
_FORM = "="  # marks a written form; a bare lexeme is a lemma


class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.location = self.path = redact(url)
        try:
            self._conn = psycopg.connect(url, autocommit=True, row_factory=_rows, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: cannot connect to PostgreSQL ({_first_line(exc)})") from exc
        try:
            self._tables = {r[0] for r in self._conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
            if "schema_info" not in self._tables:
                if not create:
                    raise StoreError(f"{self.location}: no framewatch store in this database (ingest something "
                                     f"first, or check --db)")
                if self._tables:
                    raise StoreError(f"{self.location}: the database holds tables of another application, not a "
                                     f"framewatch store; refusing to add tables to it (use a database or schema "
                                     f"of its own)")
            self._open_schema()
        except BaseException as exc:
            self._conn.close()
            if isinstance(exc, psycopg.Error):
                raise StoreError(f"{self.location}: {_first_line(exc)}") from exc
            raise

    def close(self) -> None:
        self._conn.close()

    # -- dialect ---------------------------------------------------------------------------------
    def _execute(self, sql: str, params: Iterable[Any] = ()) -> psycopg.Cursor[Any]:
        return self._conn.execute(_sql(sql), tuple(params))

    def _executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(_sql(sql), rows)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            yield

    def _has_table(self, name: str) -> bool:
        return name in self._tables

    def _json_text(self, column: str, key: str) -> str:
        # json, not jsonb: jsonb refuses the \u0000 that json.dumps may write for a NUL in a value.
        return f"(CAST({column} AS json) ->> '{key}')"

    def _check(self, doc: Document) -> None:
        # PostgreSQL text cannot hold NUL; SQLite can. Refused with the document named, never altered
        # (lists and attributes are stored as JSON, where NUL is escaped).
        fields = [(name, value) for name, value in vars(doc).items() if isinstance(value, str)]
        fields += [(f"span {span.layer!r} {name}", getattr(span, name)) for span in doc.spans
                   for name in ("layer", "label", "engine", "cue") if isinstance(getattr(span, name), str)]
        for name, value in fields:
            if "\x00" in value:
                where = doc.source_key or doc.external_id or doc.assign_id()
                raise ValueError(f"document {where}: its {name} holds a NUL character, which PostgreSQL cannot "
                                 f"store (an SQLite store can)")

    # -- search ----------------------------------------------------------------------------------
    def _index(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        self._executemany("INSERT INTO search_index(seq, language, vector) VALUES (?, ?, CAST(? AS tsvector))",
                          [(seq, language, _tsvector(fields)) for seq, language, fields in entries])

    def _unindex(self, entries: list[tuple[int, str | None, list[list[tuple[str, str]]]]]) -> None:
        self._executemany("DELETE FROM search_index WHERE seq = ?", [(seq,) for seq, _, _ in entries])

    def _clear_index(self) -> None:
        self._execute("DELETE FROM search_index")

    def _reindex_language(self, doc_id: str, language: str | None) -> None:
        self._execute("UPDATE search_index SET language = ? WHERE seq = (SELECT seq FROM documents WHERE id = ?)",
                      (language, doc_id))

    @contextmanager
    def _searching(self) -> Iterator[None]:
        # The planner prices a sequential scan of the vectors as cheap, not counting that each is read
        # from TOAST and decompressed; through the GIN index only the matching ones are read.
        with self._conn.transaction():
            self._conn.execute("SET LOCAL enable_seqscan = off")
            yield

    def _matching(self, terms: list[words.Term], language: str | None) -> tuple[str, list[Any], str, str]:
        where = "FROM search_index CROSS JOIN (SELECT CAST(? AS tsquery) AS q) tq WHERE vector @@ tq.q"
        params: list[Any] = [_tsquery(terms)]
        if language is not None:
            where += " AND language = ?"
            params.append(language)
        return where, params, "seq", "-ts_rank(vector, tq.q)"

    # -- forgetting ------------------------------------------------------------------------------
    def _erasing(self) -> nullcontext[None]:
        return nullcontext()

    def _purge(self) -> None:
        # Deleted rows stay in the table files until VACUUM reclaims them (see docs/store.md for
        # what a server's WAL archive and backups keep).
        for table in ("documents", "spans", "layer_runs", "search_index", "archives", "comparisons"):
            self._conn.execute(f"VACUUM {table}")


def redact(url: str) -> str:
    """`url` without its password (in the address or as a `password=` parameter)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = urlencode([(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)], safe="/:*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@lru_cache(maxsize=512)
def _sql(text: str) -> str:
    """The store's SQL (`?` placeholders) for psycopg (`%s`, and `%` written `%%`)."""
    return _PLACEHOLDER.sub(lambda m: {"?": "%s", "%": "%%"}.get(m.group(), m.group()), text)


class _Row:
    """A row read by index or by column name, like sqlite3.Row."""

    __slots__ = ("_names", "_values")

    def __init__(self, values: Sequence[Any], names: dict[str, int]) -> None:
        self._values = values
        self._names = names

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._names[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)


def _rows(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], _Row]:
    names: dict[str, int] = {}
    for i, column in enumerate(cursor.description or ()):
        names.setdefault(column.name, i)
    return lambda values: _Row(values, names)


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(fields: list[list[tuple[str, str]]]) -> str:
    """A document's words as a tsvector literal: at each word's position its lemma and its marked
    written form, weighted by field; a gap between fields so that no phrase spans two."""
    positions: dict[str, list[str]] = {}
    position = 1
    for weight, found in zip(_WEIGHTS, fields, strict=True):
        for form, lemma in found:
            at = f"{position if position < _MAX_POSITION else _MAX_POSITION}{weight}"
            for lexeme in (lemma, _FORM + form):
                kept = positions.get(lexeme)
                if kept is None:
                    positions[lexeme] = [at]
                elif len(kept) < _MAX_POSITIONS:
                    kept.append(at)
            position += 1
        position += 1
    parts = []
    size = 0
    for lexeme, at in positions.items():
        length = len(lexeme.encode("utf-8"))
        size += length + length % 2 + 2 + 2 * len(at)  # as PostgreSQL lays a lexeme and its positions out
        if size > _MAX_VECTOR_BYTES:
            log.warning("a document has more distinct words than a PostgreSQL search vector holds; "
                        "%d of %d are searchable", len(parts), len(positions))
            break
        parts.append(f"{_lexeme(lexeme)}:{','.join(at)}")
    return " ".join(parts)


def _tsquery(terms: list[words.Term]) -> str:
    """Every term as a tsquery (the same rules as SQLite's FTS5 expression, see search.py)."""
    parts = []
    for term in terms:
        if term.prefix:
            by_lemma = [*map(_lexeme, term.lemmas[:-1]), _lexeme(term.forms[-1]) + ":*"]
            by_form = [*(_lexeme(_FORM + f) for f in term.forms[:-1]), _lexeme(_FORM + term.forms[-1]) + ":*"]
            parts.append(f"(({' <-> '.join(by_lemma)}) | ({' <-> '.join(by_form)}))")
        else:
            parts.append(f"({' <-> '.join(map(_lexeme, term.lemmas))})")
    return " & ".join(parts)
