"""The store: documents, spans, analysis runs and archived fetches, behind one interface.

`open_store("path/to.db")` gives the SQLite back end; pipeline, export and CLI only use the
methods of `SQLiteStore`, so a second back end only has to provide the same ones.
"""

from __future__ import annotations

from pathlib import Path

from .base import AddReport
from .sqlite import SQLiteStore

_SQLITE_URL = "sqlite:///"


def open_store(target: str | Path, *, create: bool = True) -> SQLiteStore:
    """Open (migrating as needed) the store at a path or a `sqlite:///path` URL; with `create`
    False, a missing store is an error instead of a new empty one."""
    text = str(target)
    if text.startswith(_SQLITE_URL):
        return SQLiteStore(Path(text[len(_SQLITE_URL):]), create=create)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ValueError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///PATH")
    return SQLiteStore(Path(text), create=create)


__all__ = ["AddReport", "SQLiteStore", "open_store"]
