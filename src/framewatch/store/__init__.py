"""The store: documents, spans, analysis runs and archived fetches, behind one interface.

`open_store("path/to.db")` (or `sqlite:///path/to.db`) gives the SQLite back end,
`open_store("postgresql://user@host/db")` the PostgreSQL one; both are a `Store` (base.py) with the
same methods and behaviour, which is all that pipeline, export, CLI and web use.
"""

from __future__ import annotations

from pathlib import Path

from .base import AddReport, SearchHit, Store, StoreError
from .sqlite import SQLiteStore

_SQLITE_URL = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(target: str | Path, *, create: bool = True) -> Store:
    """Open (migrating as needed) the store at a path, a `sqlite:///path` URL or a `postgresql://` URL;
    with `create` False, a missing store is an error instead of a new empty one."""
    text = str(target)
    if text.startswith(_SQLITE_URL):
        return SQLiteStore(Path(text[len(_SQLITE_URL):]), create=create)
    if text.startswith(POSTGRES_SCHEMES):
        try:
            from .postgres import PostgresStore
        except ImportError as exc:
            raise StoreError("a PostgreSQL store needs psycopg: pip install 'framewatch[pg]'") from exc
        return PostgresStore(text, create=create)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ValueError(f"unsupported store URL scheme {scheme!r}: use a file path, sqlite:///PATH or "
                         f"postgresql://USER@HOST/DATABASE")
    return SQLiteStore(Path(text), create=create)


__all__ = ["AddReport", "SQLiteStore", "SearchHit", "Store", "StoreError", "open_store"]
