"""The command line as a user runs it: real processes, a real store file, stdout vs stderr."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import EXAMPLES, export, framewatch


def test_seed_thread_acceptance(seeds, tmp_path):
    files = sorted(str(p) for p in seeds.glob("*.txt"))
    framewatch("ingest", *files, "--db", "fw.db", "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    docs = export(tmp_path)
    assert len(docs) == 3
    repost = next(d for d in docs if d["original_url"])
    assert "toutiao.com/article/7578821539979477523" in repost["original_url"]
    assert repost["disclaimers"] == ["Statement: This article represents the views of the author."]
    assert "Ильхам Алиев" in repost["text"]
    post = next(d for d in docs if d["kind"] == "post")
    assert post["published"] == "2025-11-30T09:20" and not post["text"].startswith("Yesterday")
    [quoted] = [d for d in docs if d["id"] in post["quotes"]]
    assert quoted["author"] == "Tee tiong huat" and quoted["published"] == "2025-11-30T09:10"
    assert "youtu.be" in quoted["text"]
    assert {d["language"] for d in docs} == {"en"}
    for doc in docs:
        assert doc["path"] in files
        keys = [(s["start"], s["end"], s["layer"], s["label"]) for s in doc["spans"]]
        assert keys == sorted(keys)
        for span in doc["spans"]:
            assert span["run_id"] and span["engine"]
            assert 0 <= span["start"] <= span["end"] <= len(doc["text"])
            if span["layer"] == "link":
                assert doc["text"][span["start"]:span["end"]] == span["attrs"]["url"]


def test_ingest_twice_stores_nothing_new(tmp_path):
    framewatch("ingest", str(EXAMPLES), "--db", "fw.db", "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    before = export(tmp_path)
    runs_before = framewatch("runs", "--db", "fw.db", cwd=tmp_path).stdout
    again = framewatch("ingest", str(EXAMPLES), "--db", "fw.db", "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    assert "0 document(s) added" in again.stderr
    assert export(tmp_path) == before
    assert framewatch("runs", "--db", "fw.db", cwd=tmp_path).stdout == runs_before
    kinds = {d["kind"] for d in before}
    assert {"post", "quote", "article"} <= kinds
    assert {"en", "ru"} <= {d["language"] for d in before}


def test_edited_file_becomes_a_new_version(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("Headline\n\nFirst version of the body.\n", encoding="utf-8")
    framewatch("ingest", str(source), "--db", "fw.db", cwd=tmp_path)
    source.write_text("Headline\n\nSecond, corrected version of the body.\n", encoding="utf-8")
    proc = framewatch("ingest", str(source), "--db", "fw.db", cwd=tmp_path)
    assert "1 of them new versions" in proc.stderr
    [latest] = export(tmp_path)
    assert latest["text"] == "Second, corrected version of the body." and latest["previous_id"]
    every = framewatch("export", "--db", "fw.db", "--all-versions", cwd=tmp_path).stdout.splitlines()
    assert len(every) == 2


def test_export_writes_data_only_to_stdout_and_csv_to_a_file(tmp_path):
    framewatch("ingest", str(EXAMPLES / "corpus"), "--db", "fw.db", cwd=tmp_path)
    proc = framewatch("export", "--db", "fw.db", cwd=tmp_path)
    assert all(json.loads(line)["id"] for line in proc.stdout.splitlines())
    assert "exported" in proc.stderr and "exported" not in proc.stdout
    framewatch("export", "--db", "fw.db", "--format", "csv", "-o", "out.csv", cwd=tmp_path)
    import csv

    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == len(proc.stdout.splitlines())
    assert all(json.loads(r["spans"]) is not None for r in rows)


def test_jsonl_corpus_fields_survive_export(tmp_path):
    framewatch("ingest", str(EXAMPLES / "corpus" / "velaria_articles.jsonl"), "--db", "fw.db", cwd=tmp_path)
    docs = export(tmp_path)
    source = [json.loads(line) for line in (EXAMPLES / "corpus" / "velaria_articles.jsonl").open(encoding="utf-8")]
    assert len(docs) == len(source)
    by_external = {d["external_id"]: d for d in docs}
    for record in source:
        doc = by_external[record["id"]]
        assert doc["url"] == record["url"] and doc["text"] == record["text"]
        assert doc["published"] == record["published"]
        assert doc["language"] == record["language"]


def test_search_show_and_analyze(tmp_path):
    framewatch("ingest", str(EXAMPLES), "--db", "fw.db", "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    hits = framewatch("search", "РУСОФОБИЯ", "--db", "fw.db", "--lang", "ru", "--json", cwd=tmp_path)
    found = [json.loads(line) for line in hits.stdout.splitlines()]
    assert found and all(h["language"] == "ru" for h in found)
    shown = framewatch("show", found[0]["id"][:8], "--db", "fw.db", "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["id"] == found[0]["id"]
    stored = len(export(tmp_path))
    # Ingestion analysed everything with these settings: nothing is stale, and nothing is redone.
    current = framewatch("analyze", "--db", "fw.db", "--json", "out.jsonl", cwd=tmp_path)
    assert "analysed 0 stored document(s)" in current.stderr
    assert f"{stored} already had current annotations" in current.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == stored
    runs = framewatch("runs", "--db", "fw.db", cwd=tmp_path).stdout.splitlines()
    assert not any(" analyze " in r for r in runs)
    forced = framewatch("analyze", "--db", "fw.db", "--all", cwd=tmp_path)
    assert f"analysed {stored} stored document(s)" in forced.stderr
    runs = framewatch("runs", "--db", "fw.db", cwd=tmp_path).stdout.splitlines()
    assert any(" analyze " in r for r in runs)
    # Other settings make every document stale again.
    (tmp_path / "framewatch.toml").write_text("[frames]\nthreshold = 0.7\n", encoding="utf-8")
    changed = framewatch("analyze", "--db", "fw.db", "--config", "framewatch.toml", cwd=tmp_path)
    assert f"analysed {stored} stored document(s)" in changed.stderr


def test_analyze_files_without_a_store(seeds, tmp_path):
    proc = framewatch("analyze", *sorted(str(p) for p in seeds.glob("*.txt")), "--json", "-",
                      "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(docs) == 3
    run_ids = {s["run_id"] for d in docs for s in d["spans"]}
    assert len(run_ids) == 1
    assert any(s["layer"] == "sentence" for d in docs for s in d["spans"])
    assert not list(tmp_path.glob("*.db")), "analyze without --db must not create a store"


def test_demo_prints_a_summary(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    proc = framewatch("demo", "--db", "demo.db", cwd=tmp_path)
    assert "documents in" in proc.stdout
    assert "repost:" in proc.stdout and "quote:" in proc.stdout


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message naming the file (and line), the rest of the batch still stored,
# nothing already stored lost, non-zero exit when a file could not be read.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.txt").write_text("Headline\n\nA perfectly ordinary article body.\n", encoding="utf-8")
    (batch / "binary.txt").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (batch / "empty.txt").write_bytes(b"")
    (batch / "broken.html").write_text("<html><body><div><p>Unclosed <b>tags and <a href='x", encoding="utf-8")
    (batch / "truncated.jsonl").write_text(
        '{"id": "a1", "text": "First record text."}\n{"id": "a2", "text": "Second rec', encoding="utf-8")
    (batch / "cp1251.txt").write_bytes("Заголовок\n\nПолиция задержала пятерых активистов в парке.\n".encode("cp1251"))
    (batch / "koi8.txt").write_bytes("Заголовок\n\nЖурналистов обвинили в шпионаже и выслали.\n".encode("koi8_r"))
    (batch / "german.txt").write_text("Schlagzeile\n\nDie Polizei hat fünf Aktivisten in einem Park festgenommen "
                                      "und ihre Wohnungen durchsucht.\n", encoding="utf-8")
    return batch


def test_bad_files_are_named_and_the_rest_is_stored(tmp_path, mixed_batch):
    framewatch("ingest", str(EXAMPLES / "articles"), "--db", "fw.db", cwd=tmp_path)
    stored_before = export(tmp_path)
    proc = framewatch("ingest", str(mixed_batch), str(tmp_path / "missing.txt"), "--db", "fw.db",
                      cwd=tmp_path, check=False)
    assert proc.returncode == 1
    err = proc.stderr
    assert "binary.txt" in err and "PDF" in err
    assert "empty.txt" in err and "empty" in err
    assert "truncated.jsonl:2" in err
    assert "missing.txt" in err
    assert "german.txt" in err and "language de has no resources" in err
    assert proc.stdout == ""
    docs = export(tmp_path)
    texts = {d["text"] for d in docs}
    assert "A perfectly ordinary article body." in texts
    assert "Полиция задержала пятерых активистов в парке." in texts
    assert "Журналистов обвинили в шпионаже и выслали." in texts
    assert "First record text." in texts
    assert "broken.html" in err or any("Unclosed" in t for t in texts), "broken HTML: stored or named"
    german = next(d for d in docs if d["language"] == "de")
    assert any(s["layer"] == "language" for s in german["spans"])
    assert all(d in docs for d in stored_before), "nothing already stored is lost or changed"


def test_huge_file_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    (tmp_path / "ok.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
    proc = framewatch("ingest", str(huge), str(tmp_path / "ok.txt"), "--db", "fw.db", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and "huge.txt" in proc.stderr and "200.0 MB" in proc.stderr
    assert [d["text"] for d in export(tmp_path)] == ["Body."]


def test_a_corrupt_store_is_reported_not_overwritten(tmp_path):
    bogus = tmp_path / "fw.db"
    bogus.write_bytes(b"this is not a database at all" * 100)
    before = bogus.read_bytes()
    proc = framewatch("export", "--db", str(bogus), cwd=tmp_path, check=False)
    assert proc.returncode != 0 and "not a framewatch store" in proc.stderr
    assert bogus.read_bytes() == before


def test_usage_errors_exit_2(tmp_path):
    assert framewatch("ingest", "x", "--format", "pdf", "--db", "fw.db", cwd=tmp_path, check=False).returncode == 2
    assert framewatch("ingest", "x", "--as-of", "yesterday", "--db", "fw.db", cwd=tmp_path,
                      check=False).returncode == 2
    assert framewatch("analyze", cwd=tmp_path, check=False).returncode == 2


def test_store_is_a_plain_sqlite_file(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n", encoding="utf-8")
    framewatch("ingest", str(tmp_path / "a.txt"), "--db", "sqlite:///fw.db", cwd=tmp_path)
    with sqlite3.connect(tmp_path / "fw.db") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_reading_commands_never_create_a_store(tmp_path):
    for args in (["export"], ["search", "x"], ["show", "d1"], ["runs"], ["analyze"]):
        proc = framewatch(*args, "--db", "missing.db", cwd=tmp_path, check=False)
        assert proc.returncode == 2 and "missing.db: no store here" in proc.stderr, args
    assert not (tmp_path / "missing.db").exists()
