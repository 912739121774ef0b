"""What only the SQLite back end has, against a real file: WAL mode, refusing files that are not a
store, upgrading a store written by an older framewatch, and a search index other SQLite clients can
check. The behaviour both back ends share is tested in test_store.py, against each."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from storetools import make_doc, make_run, old_store

from framewatch.model import group_key
from framewatch.store import SQLiteStore, StoreError, open_store
from framewatch.store.schema import SCHEMA_VERSION


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    with open_store(db_path) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    """A connection of its own, to look at the file as any SQLite client would."""
    return sqlite3.connect(path)


def sidecars(path: Path) -> list[Path]:
    return [p for p in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if p.exists()]


# -- schema, reopening, refusals -----------------------------------------------------------------


def test_new_store_has_current_schema_in_wal_mode(store: SQLiteStore, db_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    with raw(db_path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"schema_info", "documents", "spans", "runs", "archives", "search_index"} <= names
        assert "documents_fts" not in names  # the index of schema versions 1-3 is gone
        assert conn.execute("SELECT value FROM schema_info WHERE key='version'").fetchone()[0] == str(
            SCHEMA_VERSION)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_opens_by_path_or_sqlite_url(db_path: Path) -> None:
    with open_store(db_path) as first:
        first.add_documents([make_doc(1), make_doc(2)], make_run())
    with open_store(f"sqlite:///{db_path}", create=False) as by_url:
        assert by_url.count() == 2


def test_store_in_a_missing_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.db"
    with open_store(path) as opened:
        assert opened.count() == 0
    assert path.is_file()


def test_store_of_a_newer_schema_refuses_to_open(db_path: Path) -> None:
    with open_store(db_path) as opened:
        opened.add_documents([make_doc(1)], make_run())
    with raw(db_path) as conn:
        conn.execute("UPDATE schema_info SET value=? WHERE key='version'", (str(SCHEMA_VERSION + 1),))
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as info:
        open_store(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in message
    assert "upgrade framewatch" in message
    assert db_path.read_bytes() == before
    # Refused, not damaged: the file still holds what it held.
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


_NOT_DATABASES = {
    "text": "Это не база данных, а заметка.\nThis is not a database.\n".encode() * 40,
    "random": random.Random(20251201).randbytes(10_000),
    "short-text": b"hello world\n",
    "one-newline": b"\n",  # SQLite alone takes a 1-byte file for an empty database and overwrites it
    "one-nul": b"\x00",
    "zeros": b"\x00" * 8192,
    "sqlite-lookalike": b"SQLite format 2\x00" + b"\x00" * 4000,
}


@pytest.mark.parametrize("kind", sorted(_NOT_DATABASES))
def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.db"
    content = _NOT_DATABASES[kind]
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
    assert sidecars(path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_an_sqlite_database_of_another_application_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    with raw(path) as conn:
        conn.execute("CREATE TABLE places (url TEXT)")
        conn.execute("INSERT INTO places VALUES ('https://example.org/')")
    conn.close()
    content = path.read_bytes()
    with pytest.raises(StoreError, match="not a framewatch store") as info:
        open_store(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
    with raw(path) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == {"places"}


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "touched.db"
    path.touch()
    with open_store(path) as opened:
        assert opened.schema_version == SCHEMA_VERSION


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a directory") as info:
        open_store(folder)
    assert str(folder) in str(info.value)
    assert list(folder.iterdir()) == []




def test_the_search_index_passes_fts5s_integrity_check(store: SQLiteStore, db_path: Path) -> None:
    """The index is contentless: rows leave it by handing back their words, which must be exact."""
    store.add_documents([make_doc(n, author="Ольга") for n in range(30)], make_run())
    store.add_documents([make_doc(n, text=f"Правка {n}.", author="Тимур") for n in range(10)], make_run())
    store.add_analysis([store.get(d) for d in store.find("d")], make_run())  # the language is in no FTS row
    store.forget_author("Тимур")
    with raw(db_path) as conn:
        conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)")
        assert conn.execute("SELECT count(*) FROM search_index_docsize").fetchone()[0] == 30
    assert store.search_count("Москва") == 30 and store.search_count("правка") == 0


# -- upgrading a store an older framewatch wrote ---------------------------------------------------


@pytest.mark.parametrize("version", [1, 3])
def test_an_older_store_is_upgraded_in_place(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    docs = [make_doc(1, text="Встреча с Алиевым прошла в Москве.", outlet="Wire"),
            make_doc(2, text="Ilham Aliyev met the press.", author="Reuters"),
            make_doc(3, text="Текст из файла.", path="/data/day1.txt")]
    old_store(path, version, docs)
    with open_store(path) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert [d.id for d in upgraded.iter_documents()] == [d.assign_id() for d in docs]
        assert [d.text for d in upgraded.iter_documents()] == [d.text for d in docs]
        assert [h.document.id for h in upgraded.search("Алиев")] == [docs[0].id]  # re-indexed, by lemma
        assert [s["source"] for s in upgraded.sources()] == ["Reuters", "Wire", "day1.txt"]
        stored = {r[0]: r[1] for r in upgraded._execute("SELECT id, source FROM documents")}
        assert stored == {d.id: group_key(vars(d), "source") for d in docs}
        assert upgraded.add_documents([make_doc(4)], make_run()).added == 1
    with raw(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "documents_fts" not in names and "documents_fts_insert" not in names
        # The file stays usable by any SQLite client: no trigger calls a function only framewatch has.
        conn.execute("DELETE FROM layer_runs")
