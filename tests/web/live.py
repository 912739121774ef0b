"""Helpers for the web tests: the example configuration, and a real uvicorn server in a thread.

(A module of its own, not conftest.py: test modules import it, and `conftest` is the root one's name.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from framewatch.config import Config, load_config
from framewatch.web import create_app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def example_config_file(folder: Path) -> Path:
    """examples/framewatch.toml with its registry path made absolute, so that the store and the server
    share one configuration (and one config hash) wherever the tests run from."""
    path = folder / "framewatch.toml"
    path.write_text(f"[actors]\nregistry = {json.dumps(str(EXAMPLES / 'actors.toml'))}\n", encoding="utf-8")
    return path


def build_example_store(db: Path) -> Path:
    """The bundled examples ingested as `make demo` does."""
    proc = subprocess.run([sys.executable, "-m", "framewatch", "demo", "--db", str(db), "--examples", str(EXAMPLES),
                           "--config", str(example_config_file(db.parent))], cwd=REPO, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    return db


def example_config(store: Path) -> Config:
    """The configuration the store at `store` was built with."""
    return load_config(example_config_file(store.parent))


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 at a port the OS picked, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that name it, and without
        # it every keep-alive response waits 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen()
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)


@contextmanager
def serving(store: Path, **options: Any) -> Iterator[LiveServer]:
    live = LiveServer(create_app(str(store), example_config(store), **options)).start()
    try:
        yield live
    finally:
        live.stop()
