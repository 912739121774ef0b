"""Fixtures of the web tests: the bundled examples ingested once per session, a copy of that store
per test module, and a real server over it (see live.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from web.live import LiveServer, build_example_store, serving


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_store(tmp_path_factory.mktemp("web-examples") / "examples.db")


@pytest.fixture(scope="module")
def store_path(example_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's own copy of the example store (tests may add documents and comparisons)."""
    copy = tmp_path_factory.mktemp("web-store") / "fw.db"
    shutil.copy(example_store, copy)
    return copy


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[LiveServer]:
    with serving(store_path) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as session:
        yield session
