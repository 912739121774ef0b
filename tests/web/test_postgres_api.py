"""The server over a PostgreSQL store (a throwaway cluster, tests/conftest.py): the API's happy path,
with one connection per worker thread and with one per request."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from framewatch.config import load_config
from framewatch.web import create_app
from web.live import EXAMPLES, REPO, LiveServer, example_config_file


@pytest.fixture(scope="module")
def pg_store(postgres, tmp_path_factory) -> tuple[str, object]:
    url = postgres.create_database("webapi")
    config = example_config_file(tmp_path_factory.mktemp("pg-config"))
    proc = subprocess.run([sys.executable, "-m", "framewatch", "ingest", "--db", url, "--config", str(config),
                           str(EXAMPLES / "corpus" / "velaria_coverage.jsonl"),
                           str(EXAMPLES / "threads" / "velaria_forum_ru.txt"), "--as-of", "2025-12-01T12:00"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return url, load_config(config)


@pytest.mark.parametrize("connections", ["thread", "request"])
def test_api_over_postgres(pg_store, connections) -> None:
    url, config = pg_store
    live = LiveServer(create_app(url, config, connections=connections)).start()
    try:
        with live.client() as client:
            overview = client.get("/api/overview").json()
            total = overview["summary"]["documents"]
            assert total >= 14 and sum(s["documents"] for s in overview["sources"]) == total
            page = client.get("/api/documents", params={"language": "ru", "limit": 3}).json()
            assert page["total"] > 3 and len(page["items"]) == 3 and {d["language"] for d in page["items"]} == {"ru"}
            doc = client.get(f"/api/documents/{page['items'][0]['id']}").json()
            for span in doc["spans"]:
                if span["layer"] == "mention":
                    assert doc["text"][span["start"]:span["end"]] == span["attrs"]["name"]
            assert client.get("/api/search", params={"q": "espionage"}).json()["total"] >= 1
            russian = client.get("/api/search", params={"q": "Калмора", "lang": "ru"}).json()
            assert russian["total"] >= 1
            assert client.get("/api/actors/country:vl").json()["mentions"] > 0
            assert client.get("/api/techniques", params={"by": "language"}).json()
            posted = client.post("/api/documents", json=[
                {"id": f"pg-{connections}", "outlet": "PG Wire", "language": "en",
                 "text": f"Police in Kalmora detained two more reporters ({connections})."}]).json()
            assert posted["added"] == 1 and not posted["problems"]
            stored = client.get(f"/api/documents/{posted['ids'][0]}").json()
            assert {"sentence", "mention"} <= {s["layer"] for s in stored["spans"]}
            assert client.get("/api/documents").json()["total"] == total + 1
            created = client.post("/api/comparisons", json={"by": "meta.viewpoint"})
            assert created.status_code == 201 and created.json()["stories"] >= 1
            assert client.get(f"/stories/{created.json()['id']}").status_code == 200
            lines = client.get("/export.jsonl", params={"source": "PG Wire"}).text.splitlines()
            exported = [json.loads(line) for line in lines]
            assert f"pg-{connections}" in {r["external_id"] for r in exported}
            assert {r["outlet"] for r in exported} == {"PG Wire"}
            assert client.get("/", headers={"accept": "text/html"}).status_code == 200
    finally:
        live.stop()
