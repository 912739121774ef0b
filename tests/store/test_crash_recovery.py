"""Crash safety of a real ingest: `framewatch ingest` is SIGKILLed halfway through a corpus; the
store must open clean with only whole batches in it, and a second ingest must finish the job with
every document exactly once. SQLite only: what is at stake is the file the killed process was
writing; a PostgreSQL server rolls back a killed client's transaction itself, and the batches and
the resume logic are the same code (test_postgres_store.py runs concurrent ingests)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from framewatch.store import open_store

N_DOCS = 5_000
BATCH_SIZE = 100
POLL_S = 0.002
pytestmark = pytest.mark.slow


def write_txt_corpus(folder: Path) -> dict[int, str]:
    """One short article per file; returns document number -> a token found only in it."""
    folder.mkdir()
    tokens = {}
    for n in range(N_DOCS):
        tokens[n] = f"метка{n}x"
        (folder / f"doc{n:05d}.txt").write_text(
            f"Заметка номер {n}: Москва ответила Баку, {tokens[n]} и ещё немного текста.\n", encoding="utf-8")
    return tokens


def write_jsonl_corpus(folder: Path) -> dict[int, str]:
    """The same corpus as one JSONL file of 5,000 rows with `id`, `title`, `text`: the ingest must
    commit it in batches, not as one transaction."""
    folder.mkdir()
    tokens = {}
    lines = []
    for n in range(N_DOCS):
        tokens[n] = f"метка{n}x"
        lines.append(json.dumps({"id": f"row-{n}", "title": f"Запись {n}",
                                 "text": f"Запись номер {n}: Кремль ответил Баку, {tokens[n]}."},
                                ensure_ascii=False))
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tokens


def ingest_command(corpus: Path, db: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "framewatch", "ingest", str(corpus), "--db", str(db), "--no-analyze",
            "--config", str(config)]


def committed(db: Path) -> int | None:
    """Documents committed so far, read by a connection of our own (None while the store is being created)."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(db, timeout=1)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only=ON")
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # no tables yet, or caught mid-migration
        return None
    finally:
        conn.close()


def kill_midway(cmd: list[str], db: Path, cwd: Path, attempts: int = 3) -> int:
    """Run `cmd` and SIGKILL it once some but not all documents are committed; returns that count.

    The whole ingest takes about a second for ~50 batches and the store is polled every 2 ms, so
    the first attempt hits; should a loaded machine starve the poller past the last batch, the
    attempt is repeated on a fresh store rather than failing."""
    for _ in range(attempts):
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        seen = _kill_once(cmd, db, cwd)
        if seen is not None:
            return seen
    pytest.fail(f"ingest finished {attempts} times before it could be killed midway")


def _kill_once(cmd: list[str], db: Path, cwd: Path) -> int | None:
    log = cwd / "killed-ingest.log"  # a file, not a pipe: a full pipe could stall the ingest
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = committed(db)
            if seen and seen < N_DOCS:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
                assert proc.returncode == -signal.SIGKILL
                return seen
            if seen == N_DOCS or proc.poll() is not None:
                proc.wait(timeout=60)
                assert proc.returncode == 0, log.read_text(errors="replace")[-2000:]
                return None  # too late: everything was committed before the poller looked
            time.sleep(POLL_S)
        pytest.fail("no batch was committed within 60 s")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def fts_is_consistent(conn: sqlite3.Connection) -> None:
    # Raises sqlite3.DatabaseError ("database disk image is malformed") if the index and the
    # documents it is built from disagree.
    conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")


def check_partial_store(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        fts_is_consistent(conn)
        total, hashes, keys = conn.execute(
            "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT source_key) FROM documents").fetchone()
        fts_rows = conn.execute("SELECT count(*) FROM search_index_docsize").fetchone()[0]
    conn.close()
    assert 0 < total < N_DOCS
    assert total == hashes == keys == fts_rows
    # Only whole batches were committed: each ingest batch holds at least BATCH_SIZE documents
    # (sources are added until the batch is full), the killed one none.
    assert total >= BATCH_SIZE
    with open_store(db) as store:  # the store itself opens the killed file without complaint
        assert store.count() == total
    return total


def finish_and_check(cmd: list[str], db: Path, cwd: Path, tokens: dict[int, str], partial: int,
                     external_ids: Callable[[sqlite3.Connection], set[str]]) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = " ".join(done.stderr.split())
    assert f"{N_DOCS - partial} document(s) added" in summary, summary
    assert f"{partial} already stored" in summary, summary

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        fts_is_consistent(conn)
        total, hashes, ids = conn.execute(
            "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT id) FROM documents").fetchone()
        assert total == hashes == ids == N_DOCS
        assert len(external_ids(conn)) == N_DOCS
        assert conn.execute("SELECT count(*) FROM search_index_docsize").fetchone()[0] == N_DOCS
        assert conn.execute("SELECT count(*) FROM documents WHERE previous_id IS NOT NULL").fetchone()[0] == 0
        # Every document names a recorded run: the killed one (it committed batches) and the rerun.
        assert conn.execute("SELECT count(DISTINCT ingest_run_id) FROM documents").fetchone()[0] == 2
        assert conn.execute(
            "SELECT count(*) FROM documents WHERE ingest_run_id NOT IN (SELECT id FROM runs)").fetchone()[0] == 0
    conn.close()

    with open_store(db) as store:
        assert store.count() == N_DOCS
        for n in random.Random(7).sample(sorted(tokens), 25):
            hits = store.search(tokens[n])
            assert len(hits) == 1 and tokens[n] in hits[0].document.text

    # A third run changes nothing.
    again = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "0 document(s) added" in " ".join(again.stderr.split())
    assert committed(db) == N_DOCS


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "framewatch.toml"
    path.write_text(f"[ingest]\nbatch_size = {BATCH_SIZE}\n", encoding="utf-8")
    return path


def test_killed_ingest_of_text_files_recovers_without_duplicates(tmp_path: Path, config: Path) -> None:
    tokens = write_txt_corpus(tmp_path / "corpus")
    db = tmp_path / "store.db"
    cmd = ingest_command(tmp_path / "corpus", db, config)
    kill_midway(cmd, db, tmp_path)
    partial = check_partial_store(db)
    # One document per file, so every committed batch is exactly BATCH_SIZE documents, and the
    # committed rows are a gap-free prefix of the insert order: the open batch left nothing behind.
    assert partial % BATCH_SIZE == 0
    with sqlite3.connect(db) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM documents ORDER BY seq")]
    conn.close()
    assert seqs == list(range(1, partial + 1))

    def source_keys(conn: sqlite3.Connection) -> set[str]:
        keys = {r[0] for r in conn.execute("SELECT source_key FROM documents")}
        assert keys == {str(tmp_path / "corpus" / f"doc{n:05d}.txt") for n in range(N_DOCS)}
        return keys

    finish_and_check(cmd, db, tmp_path, tokens, partial, source_keys)


def test_killed_ingest_of_jsonl_recovers_without_duplicates(tmp_path: Path, config: Path) -> None:
    pytest.importorskip("framewatch.ingest.tabular", reason="JSONL ingestion (ingest/tabular.py) not present")
    tokens = write_jsonl_corpus(tmp_path / "corpus")
    db = tmp_path / "store.db"
    cmd = ingest_command(tmp_path / "corpus", db, config)
    kill_midway(cmd, db, tmp_path)
    partial = check_partial_store(db)

    def external_ids(conn: sqlite3.Connection) -> set[str]:
        found = {r[0] for r in conn.execute("SELECT external_id FROM documents")}
        assert found == {f"row-{n}" for n in range(N_DOCS)}
        return found

    finish_and_check(cmd, db, tmp_path, tokens, partial, external_ids)

