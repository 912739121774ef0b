"""`framewatch ingest URL` against a real local HTTP server: archive, provenance, refusals."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import EXAMPLES, export, framewatch

PAGE = (EXAMPLES / "html" / "meridian_post_velaria_detains_reporters.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/article":
            body, kind = PAGE, "text/html; charset=utf-8"
        elif self.path == "/photo":
            body, kind = b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetched_page_is_archived_and_cited(server, tmp_path):
    framewatch("ingest", f"{server}/moved", "--db", "fw.db", "--allow-private", cwd=tmp_path)
    [doc] = export(tmp_path)
    fetch = doc["meta"]["fetch"]
    assert fetch["requested_url"] == f"{server}/moved"
    assert fetch["final_url"] == f"{server}/article"
    assert fetch["sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert doc["kind"] == "article" and doc["title"] and len(doc["text"]) > 1000
    with sqlite3.connect(tmp_path / "fw.db") as conn:
        body, final = conn.execute("SELECT body, final_url FROM archives").fetchone()
    assert body == PAGE and final == f"{server}/article"
    again = framewatch("ingest", f"{server}/article", "--db", "fw.db", "--allow-private", cwd=tmp_path)
    assert "0 document(s) added" in again.stderr


def test_loopback_is_refused_without_allow_private(server, tmp_path):
    proc = framewatch("ingest", f"{server}/article", "--db", "fw.db", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert f"{server}/article" in proc.stderr and "--allow-private" in proc.stderr


def test_bad_urls_are_named_and_the_rest_stored(server, tmp_path):
    (tmp_path / "ok.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
    proc = framewatch("ingest", "ok.txt", f"{server}/photo", f"{server}/missing", f"{server}/article",
                      "--db", "fw.db", "--allow-private", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert f"{server}/photo" in proc.stderr and "content type" in proc.stderr
    assert f"{server}/missing" in proc.stderr and "404" in proc.stderr
    docs = export(tmp_path)
    assert len(docs) == 2
    assert json.dumps(docs)  # both documents are complete export records
