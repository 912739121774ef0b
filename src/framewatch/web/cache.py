"""Aggregates over the whole store (summaries, profiles, actor tables) kept between requests.

Each is a scan of the corpus; under concurrent readers recomputing them per request costs more
than everything else the server does. They are kept until the store changes: any document added or
removed, run recorded or curation decision taken (both back ends, and writers in other processes,
change one of those counts). Cached values are shared by every request: read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# Store methods whose results depend only on documents, runs and decisions.
AGGREGATES = frozenset({"summary", "sources", "volume", "actor_summary", "technique_profile", "narrative_summary",
                        "role_summary", "actor_timeline", "authors"})


def state_of(store: Any) -> tuple[int, int, int]:
    """What changes whenever an aggregate may: documents (every version), runs, curation decisions."""
    return store.count(latest_only=False), len(store.runs()), len(store.decisions())


class Aggregates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[int, int, int] | None = None
        self._values: dict[Any, Any] = {}

    def get(self, state: tuple[int, int, int], key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if state != self._state:
                self._state, self._values = state, {}
            elif key in self._values:
                return self._values[key]
        value = compute()
        with self._lock:
            if state == self._state:
                self._values[key] = value
        return value


class CachedStore:
    """A store whose aggregate methods answer from `Aggregates`; everything else goes straight through."""

    def __init__(self, store: Any, aggregates: Aggregates) -> None:
        self._store = store
        self._aggregates = aggregates
        self._state: tuple[int, int, int] | None = None

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)
        if name not in AGGREGATES:
            return method

        def cached(*args: Any, **kwargs: Any) -> Any:
            if self._state is None:  # once per request
                self._state = state_of(self._store)
            key = (name, args, tuple(sorted(kwargs.items())))
            return self._aggregates.get(self._state, key, lambda: method(*args, **kwargs))

        return cached
