"""Store connections for request handlers.

A store connection belongs to the thread that opened it (SQLite refuses to be used from another),
so handlers open the store inside their own body, never in a dependency or a streamed iterator,
which FastAPI may run on other threads. Two ways, measured by benchmarks/serve_load.py:
`thread` keeps one connection per worker thread for the life of the server, `request` opens and
closes one per request.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..store import open_store

MODES = ("thread", "request")


class StoreConnections:
    def __init__(self, target: str, mode: str = "thread") -> None:
        if mode not in MODES:
            raise ValueError(f"connections {mode!r}: choose one of {', '.join(MODES)}")
        self.target = target
        self.mode = mode
        self._local = threading.local()

    @contextmanager
    def __call__(self) -> Iterator[Any]:
        if self.mode == "request":
            store = open_store(self.target, create=False)
            try:
                yield store
            finally:
                store.close()
            return
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = open_store(self.target, create=False)
        try:
            yield store
        except Exception as exc:
            if _from_database(exc):  # a connection that failed mid-statement is not reused
                self._local.store = None
                _close_quietly(store)
            raise


def _from_database(exc: Exception) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.split(".")[0] == "psycopg"


def _close_quietly(store: Any) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may fail too; it is dropped either way
        store.close()
