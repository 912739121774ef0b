"""What only the PostgreSQL back end has, against a real server (a throwaway cluster): connecting and
refusing, processes writing and reading one store at once, and the command line on a `postgresql://`
store. The behaviour both back ends share is tested in test_store.py, against each."""

from __future__ import annotations

import itertools
import json
import logging
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from storetools import make_doc, make_run, scalar

from conftest import EXAMPLES, framewatch
from framewatch.model import Document, Span
from framewatch.store import StoreError, open_store
from framewatch.store.schema import SCHEMA_VERSION


def test_a_connection_error_names_the_url_without_its_password(postgres) -> None:
    url = f"postgresql://framewatch:s3cret-pw@127.0.0.1:{postgres.port}/no_such_database"
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert "postgresql://framewatch:***@127.0.0.1" in message and "no_such_database" in message
    assert "does not exist" in message and "s3cret-pw" not in message
    with pytest.raises(StoreError, match=r"\?password=\*\*\*") as info:
        open_store("postgres://framewatch@127.0.0.1:1/x?password=s3cret-pw")
    assert "s3cret-pw" not in str(info.value) and "cannot connect" in str(info.value)


def test_a_database_without_a_store_is_not_made_one_unless_asked(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="no framewatch store in this database"):
        open_store(postgres_url, create=False)
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = 'public'").fetchone()[0] == 0
    with open_store(postgres_url) as created:
        assert created.schema_version == SCHEMA_VERSION
    with open_store(postgres_url, create=False) as reopened:
        assert reopened.count() == 0


def test_a_database_of_another_application_is_refused_and_left_untouched(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="tables of another application"):
        open_store(postgres_url)
    with psycopg.connect(postgres_url) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
    assert tables == {"invoices"}


def test_text_postgresql_cannot_hold_is_refused_naming_the_document(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        bad = make_doc(2, text="До\x00после")
        with pytest.raises(ValueError, match=r"document corpus.jsonl:2: its text holds a NUL character"):
            store.add_documents([make_doc(1), bad], make_run())
        label = make_doc(3)
        label.spans.append(Span("actor", "pers\x00on", 0, 3))
        with pytest.raises(ValueError, match="span 'actor' label"):
            store.add_documents([label], make_run())
        assert store.count() == 0
        assert store.add_documents([make_doc(1)], make_run()).added == 1


def test_processes_opening_a_new_store_at_once_migrate_it_once(postgres_url: str) -> None:
    code = ("import sys; from framewatch.store import open_store\n"
            "with open_store(sys.argv[1]) as s: print(s.schema_version)")
    procs = [subprocess.Popen([sys.executable, "-c", code, postgres_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    assert [o[0].strip() for o in outputs] == [str(SCHEMA_VERSION)] * 4
    with open_store(postgres_url) as store:
        assert scalar(store, "SELECT value FROM schema_info WHERE key = 'version'") == str(SCHEMA_VERSION)


def _corpus(path: Path, numbers: range) -> None:
    rows = [json.dumps({"id": f"row-{n}", "title": f"Запись {n}", "text": f"Запись номер {n}: Кремль ответил "
                        f"Баку, метка{n}x."}, ensure_ascii=False) for n in numbers]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_two_ingests_and_a_reader_at_once_lose_and_duplicate_nothing(postgres_url: str, tmp_path: Path) -> None:
    """Two processes ingest overlapping corpora into one store in small batches while this one reads:
    every document is stored exactly once, readers never fail, and what they see only grows."""
    _corpus(tmp_path / "a.jsonl", range(0, 600))
    _corpus(tmp_path / "b.jsonl", range(300, 900))  # rows 300-599 are the same content in both
    (tmp_path / "framewatch.toml").write_text("[ingest]\nbatch_size = 40\n", encoding="utf-8")
    with open_store(postgres_url):
        pass  # created before the race: what races here is ingest, not migration (tested above)

    seen: list[tuple[int, int]] = []
    problems: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            with open_store(postgres_url, create=False) as reader:
                while not done.is_set():
                    seen.append((reader.count(), reader.search_count("кремль")))
                    reader.documents_page(limit=20)
        except BaseException as exc:  # reported below
            problems.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    procs = [subprocess.Popen([sys.executable, "-m", "framewatch", "ingest", name, "--db", postgres_url,
                               "--no-analyze", "--config", "framewatch.toml"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("a.jsonl", "b.jsonl")]
    outputs = [p.communicate(timeout=300) for p in procs]
    done.set()
    reader.join(timeout=60)
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert problems == []
    added = [int(o[1].split(" document(s) added")[0].split()[-1]) for o in outputs]
    assert sum(added) == 900, outputs

    with open_store(postgres_url) as store:
        assert store.count() == 900
        assert scalar(store, "SELECT count(DISTINCT content_hash) FROM documents") == 900
        assert scalar(store, "SELECT count(*) FROM search_index") == 900
        assert store.search_count("кремль") == 900
        for n in (0, 299, 300, 599, 600, 899):
            [hit] = store.search(f"метка{n}x")
            assert hit.document.external_id == f"row-{n}"
    assert len(seen) > 1
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(seen))
    # Counted after the documents, the search hits are never fewer: no document is seen unindexed.
    assert all(count <= hits for count, hits in seen)


def test_the_command_line_on_a_postgresql_store(postgres_url: str, tmp_path: Path) -> None:
    db = ["--db", postgres_url]
    framewatch("ingest", str(EXAMPLES / "threads"), str(EXAMPLES / "articles"), *db, "--as-of", "2025-12-01T12:00",
               cwd=tmp_path)
    framewatch("analyze", *db, cwd=tmp_path)
    hits = [json.loads(line) for line in framewatch("search", "Россию", *db, "--lang", "ru", "--json",
                                                    cwd=tmp_path).stdout.splitlines()]
    assert hits and all(h["language"] == "ru" for h in hits)
    assert any("[России]" in h["snippet"] for h in hits)  # another form of the word, marked as written
    shown = json.loads(framewatch("show", hits[0]["id"][:8], *db, "--json", cwd=tmp_path).stdout)
    assert shown["id"] == hits[0]["id"] and shown["spans"]
    exported = [json.loads(line) for line in framewatch("export", *db, cwd=tmp_path).stdout.splitlines()]
    authors = sorted({d["author"] for d in exported if d["author"]})
    assert authors and len(exported) > 10
    comparison = framewatch("compare", *db, "--json", "-", cwd=tmp_path)
    assert json.loads(comparison.stdout)["stories"]
    member = next(a for a in authors if sum(d["author"] == a for d in exported) >= 1)
    gone = json.loads(framewatch("forget", *db, "--author", member, "--yes", cwd=tmp_path).stdout)
    assert gone["documents"] == sum(d["author"] == member for d in exported)
    assert gone["comparisons"] == 1
    left = [json.loads(line) for line in framewatch("export", *db, cwd=tmp_path).stdout.splitlines()]
    assert member not in {d["author"] for d in left}
    assert len(left) == len(exported) - gone["documents"]
    with open_store(postgres_url) as store:
        assert store.comparisons() == []
        assert store.count() == len(left)


def test_a_search_vector_holds_a_long_document(postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    words = [f"слово{n}" for n in range(2_000)]
    text = " ".join(words * 20) + " последнее Алиеву"  # 40,000 words: past a tsvector's last position
    vocabulary = " ".join(f"w{n:06d}x{'y' * 20}" for n in range(60_000))  # more distinct words than it holds
    with open_store(postgres_url) as store:
        store.add_documents([Document(text, source_key="long")], make_run())
        assert store.search_count("последнее") == 1 and store.search_count("алиев") == 1
        assert store.search_count('"слово0 слово1"') == 1
        [hit] = store.search("Алиеву")
        assert hit.snippet.endswith("последнее [Алиеву]")
        with caplog.at_level(logging.WARNING, logger="framewatch.store"):
            store.add_documents([Document(vocabulary, source_key="huge")], make_run())
        assert "more distinct words than a PostgreSQL search vector holds" in caplog.text
        assert store.search_count("w000001x" + "y" * 20) == 1  # stored, and searchable as far as it goes
        assert store.get(store.find("d")[0]) is not None and store.count() == 2
