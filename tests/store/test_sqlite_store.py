"""The SQLite store against a real file: schema and refusals, idempotent versioned ingest, one
transaction per batch, spans and analysis runs, FTS search, ids and archives."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framewatch.model import AnalysisRun, Document, Span
from framewatch.store import SQLiteStore, open_store
from framewatch.store.schema import SCHEMA_VERSION
from framewatch.store.sqlite import SearchHit, StoreError

_run_numbers = itertools.count(1)


def make_run(run_id: str | None = None, **stages: str) -> AnalysisRun:
    number = next(_run_numbers)
    return AnalysisRun(
        id=run_id or f"run{number:04d}",
        started_at=f"2025-12-01T12:{number % 60:02d}:00+00:00",
        package_version="0.1.0",
        stages=stages or {"ingest": "1"},
        resource_versions={"ru/actors": "3", "en/actors": "2"},
        config_hash=f"cfg{number:04d}",
        command="ingest",
    )


def make_doc(n: int, **fields: object) -> Document:
    values: dict[str, object] = {
        "text": f"Заметка {n}: Москва ответила Баку. Note {n} in English.",
        "kind": "post",
        "source_key": f"corpus.jsonl:{n}",
        "external_id": f"ext-{n}",
    }
    values.update(fields)
    return Document(**values)  # type: ignore[arg-type]


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
        assert {"schema_info", "documents", "spans", "runs", "archives", "documents_fts"} <= names
        assert conn.execute("SELECT value FROM schema_info WHERE key='version'").fetchone()[0] == str(
            SCHEMA_VERSION)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_a_store_keeps_its_documents_and_schema(db_path: Path) -> None:
    with open_store(db_path) as first:
        ids = first.add_documents([make_doc(1), make_doc(2)], make_run()).ids
    with open_store(db_path) as again:
        assert again.schema_version == SCHEMA_VERSION
        assert again.count() == 2
        assert {d.id for d in again.iter_documents()} == set(ids)
        assert again.add_documents([make_doc(1)], make_run()).unchanged == 1
    with open_store(f"sqlite:///{db_path}") as by_url:
        assert by_url.count() == 2


def test_unsupported_store_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported store URL scheme 'mysql'"):
        open_store("mysql://localhost/framewatch")


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


# -- idempotency and versions --------------------------------------------------------------------


def test_adding_the_same_documents_twice_stores_them_once(store: SQLiteStore) -> None:
    first_run, second_run = make_run(), make_run()
    first = store.add_documents([make_doc(n) for n in range(3)], first_run)
    assert (first.added, first.unchanged, first.new_versions) == (3, 0, 0)
    assert len(first.ids) == 3
    second = store.add_documents([make_doc(n) for n in range(3)], second_run)
    assert (second.added, second.unchanged, second.new_versions) == (0, 3, 0)
    assert second.ids == []
    assert store.count() == store.count(latest_only=False) == 3
    # A run that stored nothing leaves no trace.
    assert [r.id for r in store.runs()] == [first_run.id]


def test_duplicates_inside_one_batch_are_stored_once(store: SQLiteStore) -> None:
    report = store.add_documents([make_doc(1), make_doc(1), make_doc(2)], make_run())
    assert (report.added, report.unchanged) == (2, 1)
    assert store.count() == 2


def test_same_content_under_another_source_key_is_stored_once(store: SQLiteStore) -> None:
    original = make_doc(1, source_key="a/thread.txt:1")
    store.add_documents([original], make_run())
    report = store.add_documents([make_doc(1, source_key="b/mirror.txt:7")], make_run())
    assert (report.added, report.unchanged, report.new_versions) == (0, 1, 0)
    assert store.count(latest_only=False) == 1
    stored = store.get(original.assign_id())
    assert stored is not None and stored.source_key == "a/thread.txt:1"


def test_edited_content_under_the_same_source_key_becomes_a_new_version(store: SQLiteStore) -> None:
    v1 = make_doc(1, text="Первая редакция: Москва ответила Баку.")
    store.add_documents([v1], make_run())
    v2 = make_doc(1, text="Вторая редакция: Кремль ответил Баку.")
    report = store.add_documents([v2], make_run())
    assert (report.added, report.unchanged, report.new_versions) == (1, 0, 1)
    assert v2.previous_id == v1.id
    stored = store.get(v2.id)
    assert stored is not None and stored.previous_id == v1.id
    old = store.get(v1.id)  # superseded versions stay readable by id
    assert old is not None and old.text == v1.text and old.previous_id is None

    v3 = make_doc(1, text="Третья редакция: Кремль промолчал.")
    assert store.add_documents([v3], make_run()).new_versions == 1
    assert v3.previous_id == v2.id

    assert [d.id for d in store.iter_documents()] == [v3.id]
    assert [d.id for d in store.iter_documents(latest_only=False)] == [v1.id, v2.id, v3.id]
    assert store.count() == 1
    assert store.count(latest_only=False) == 3
    # Search sees only the latest version.
    assert store.search("Москва") == []
    assert [h.document.id for h in store.search("промолчал")] == [v3.id]
    summary = store.summary()
    assert (summary["documents"], summary["versions"]) == (1, 3)


def test_a_new_version_inside_the_same_batch_points_at_the_earlier_one(store: SQLiteStore) -> None:
    v1 = make_doc(5, text="Версия один.")
    v2 = make_doc(5, text="Версия два.")
    report = store.add_documents([v1, v2], make_run())
    assert (report.added, report.new_versions) == (2, 1)
    assert v2.previous_id == v1.id
    assert [d.id for d in store.iter_documents()] == [v2.id]


def test_documents_without_source_key_are_never_versions(store: SQLiteStore) -> None:
    report = store.add_documents([make_doc(1, source_key=None), make_doc(2, source_key=None)], make_run())
    assert (report.added, report.new_versions) == (2, 0)
    assert store.count() == 2


def test_iter_documents_pages_through_everything_in_order(store: SQLiteStore) -> None:
    docs = [make_doc(n) for n in range(23)]
    store.add_documents(docs, make_run())
    got = list(store.iter_documents(batch=5, with_spans=False))
    assert [d.id for d in got] == [d.id for d in docs]


# -- one transaction per batch -------------------------------------------------------------------


def _broken_doc(n: int) -> Document:
    doc = make_doc(n, text="Сломанный документ с перевёрнутым отрезком.")
    # Document.add_span would refuse this; appended directly, only the store's CHECK catches it.
    doc.spans.append(Span("actor", "person", 9, 3, engine="lexical"))
    return doc


def test_a_failing_document_rolls_back_its_whole_batch(store: SQLiteStore, db_path: Path) -> None:
    good_run = make_run()
    kept = [make_doc(1), make_doc(2)]
    kept[0].add_span(Span("actor", "city", 12, 18, engine="lexical", cue="Москва"))
    store.add_documents(kept, good_run)

    failed_run = make_run()
    before, after = make_doc(3, text="Уникальное слово перед: абракадабра."), make_doc(4)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        store.add_documents([before, _broken_doc(99), after], failed_run)

    assert store.count(latest_only=False) == 2
    assert store.get(before.assign_id()) is None
    assert store.get(after.assign_id()) is None
    assert store.search("абракадабра") == []
    assert [r.id for r in store.runs()] == [good_run.id]
    earlier = store.get(kept[0].id)
    assert earlier is not None and [s.label for s in earlier.spans] == ["city"]
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM spans").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM documents_fts_docsize").fetchone()[0] == 2

    # The store is usable afterwards, and the same documents go in once the bad one is left out.
    report = store.add_documents([before, after], failed_run)
    assert report.added == 2
    assert store.count() == 4


def test_negative_offsets_are_refused_with_the_batch(store: SQLiteStore) -> None:
    doc = make_doc(1)
    doc.spans.append(Span("actor", "person", -1, 2))
    with pytest.raises(sqlite3.IntegrityError):
        store.add_documents([make_doc(2), doc], make_run())
    assert store.count() == 0
    assert store.runs() == []


def test_an_error_while_producing_the_batch_stores_nothing_of_it(store: SQLiteStore) -> None:
    """The pipeline hands the store a generator; a stage that raises midway aborts the batch."""

    def analysed() -> Iterator[Document]:
        yield make_doc(1)
        yield make_doc(2)
        raise RuntimeError("stage crashed")

    with pytest.raises(RuntimeError, match="stage crashed"):
        store.add_documents(analysed(), make_run())
    assert store.count() == 0
    assert store.runs() == []


def test_an_unknown_archive_reference_fails_the_batch(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.add_documents([make_doc(1)], make_run(), archive_sha256="0" * 64)
    assert store.count() == 0


# -- spans and analysis runs ---------------------------------------------------------------------


def _rich_doc() -> Document:
    text = "Ильхам Алиев заявил, что Москва ответит. Источник: https://toutiao.com/article/7512"
    doc = Document(
        text=text, kind="post", title="Заявление «Алиева»", author="Тимур", published="2025-11-30T21:40:00",
        language="ru", url="https://forum.example/t/1#p2", path="threads/baku.txt", outlet="Форум",
        original_url="https://toutiao.com/article/7512", external_id="p2", thread_id="t0123456789abcdef",
        reply_to="p1", quotes=["p1"], links=["https://toutiao.com/article/7512"],
        disclaimers=["мнение автора может не совпадать с позицией редакции"],
        meta={"forum": {"engine": "vbulletin", "post_no": 2}, "тег": ["ё", "Й"]},
        source_key="threads/baku.txt:2",
    )
    doc.add_span(Span("actor", "person", 0, 12, confidence=0.875, engine="lexical", cue="Алиев",
                      attrs={"canonical": "Ильхам Алиев", "names": {"en": "Ilham Aliyev"}, "rank": 2,
                             "flags": [True, None, 1.5]}))
    doc.add_span(Span("actor", "city", 25, 31, engine="lexical", cue=None))
    doc.add_span(Span("link", "url", text.index("https"), len(text), confidence=None, engine="ingest",
                      attrs={}))
    doc.add_span(Span("sentence", "sentence", 0, 40, engine="razdel", attrs={"n": 0}))
    doc.add_span(Span("empty", "point", 5, 5, confidence=0.0))
    return doc


def test_documents_and_spans_round_trip_with_every_field(store: SQLiteStore, db_path: Path) -> None:
    doc = _rich_doc()
    run = make_run()
    store.add_documents([doc], run)
    got = store.get(doc.id)
    assert got is not None
    assert all(s.run_id == run.id for s in got.spans)
    assert got.spans == doc.sorted_spans()
    assert got.to_export() == doc.to_export()
    for span in got.spans:
        assert got.text[span.start:span.end] == doc.text[span.start:span.end]
    assert [s.attrs for s in got.spans if s.label == "person"] == [
        {"canonical": "Ильхам Алиев", "names": {"en": "Ilham Aliyev"}, "rank": 2, "flags": [True, None, 1.5]}]
    with raw(db_path) as conn:  # JSON stays readable for other SQLite clients
        attrs = conn.execute("SELECT attrs FROM spans WHERE label='person'").fetchone()[0]
        assert "Ильхам Алиев" in attrs


def test_a_newer_analysis_run_replaces_only_the_layers_it_produced(store: SQLiteStore) -> None:
    doc = _rich_doc()
    ingest_run = make_run("run-ingest", ingest="1")
    store.add_documents([doc], ingest_run)

    analysis_run = make_run("run-analysis", language="2", sentences="1")
    stored = store.get(doc.id)
    assert stored is not None
    stored.spans = [s for s in stored.spans if s.layer != "sentence"]
    stored.add_span(Span("sentence", "sentence", 0, 41, engine="razdel", run_id=analysis_run.id))
    stored.add_span(Span("sentence", "sentence", 42, len(stored.text), engine="razdel", run_id=analysis_run.id))
    stored.add_span(Span("language", "ru", 0, len(stored.text), confidence=0.99, engine="lingua",
                         run_id=analysis_run.id))
    stored.language = "ru"
    stored.meta["language_scores"] = {"ru": 0.99}
    assert store.add_analysis([stored], analysis_run) == 1

    for got in (store.get(doc.id), next(store.iter_documents())):
        assert got is not None
        by_layer: dict[str, set[tuple[int, int, str | None]]] = {}
        for span in got.spans:
            by_layer.setdefault(span.layer, set()).add((span.start, span.end, span.run_id))
        assert by_layer["sentence"] == {(0, 41, "run-analysis"), (42, len(doc.text), "run-analysis")}
        assert by_layer["language"] == {(0, len(doc.text), "run-analysis")}
        assert all(run_id == "run-ingest" for layer in ("actor", "link", "empty")
                   for _, _, run_id in by_layer[layer])
        assert len(by_layer["actor"]) == 2
        assert got.meta["language_scores"] == {"ru": 0.99}
        assert got.language == "ru"

    # A third run producing sentences again wins over the second.
    third = make_run("run-third", sentences="2")
    again = store.get(doc.id)
    assert again is not None
    again.add_span(Span("sentence", "sentence", 0, len(again.text), engine="razdel", run_id=third.id))
    store.add_analysis([again], third)
    latest = store.get(doc.id)
    assert latest is not None
    assert [(s.start, s.end, s.run_id) for s in latest.spans if s.layer == "sentence"] == [
        (0, len(doc.text), "run-third")]
    assert {s.run_id for s in latest.spans if s.layer == "language"} == {"run-analysis"}

    runs = store.runs()
    assert [r.id for r in runs] == ["run-ingest", "run-analysis", "run-third"]
    assert runs == [ingest_run, analysis_run, third]
    assert runs[1].stages == {"language": "2", "sentences": "1"}
    assert runs[1].resource_versions == {"ru/actors": "3", "en/actors": "2"}
    assert runs[1].config_hash == analysis_run.config_hash


def test_record_run_is_idempotent(store: SQLiteStore) -> None:
    run = make_run("run-x", ingest="1")
    store.record_run(run)
    store.record_run(run)
    assert store.runs() == [run]


def test_summary_counts(store: SQLiteStore) -> None:
    store.add_documents([make_doc(1, kind="post", language="ru", thread_id="t1"),
                         make_doc(2, kind="article", language="en"), make_doc(3, kind="post")], make_run())
    summary = store.summary()
    assert summary["documents"] == 3
    assert summary["by_kind"] == {"post": 2, "article": 1}
    assert summary["by_language"] == {"en": 1, "ru": 1, "unknown": 1}
    assert summary["threads"] == 1
    assert summary["runs"] == 1


# -- full-text search ----------------------------------------------------------------------------


@pytest.fixture
def searchable(store: SQLiteStore) -> dict[str, str]:
    docs = {
        "ru-name": Document(text="Ильхам Алиев выступил в Баку с заявлением.", language="ru",
                            title="Заявление президента", source_key="1"),
        "ru-lower": Document(text="все обсуждают, что сказал алиев вчера", language="ru", source_key="2"),
        "ru-case": Document(text="Встреча с Алиевым прошла в Москве.", language="ru", source_key="3"),
        "ru-order": Document(text="Алиев, а не Ильхам, был назван первым.", language="ru", source_key="4"),
        "en": Document(text="Ilham Aliyev met the press in Baku.", language="en", author="Reuters",
                       source_key="5"),
        "yo": Document(text="Ёлка на площади и её огни.", language="ru", source_key="6"),
        "ye": Document(text="Елка без огней.", language="uk", source_key="7"),
        "az": Document(text="Əliyev Bakıda çıxış etdi, Türkiye alqışladı.", language="az", source_key="8"),
    }
    store.add_documents(list(docs.values()), make_run())
    return {key: doc.id for key, doc in docs.items() if doc.id}


def hit_ids(hits: list[SearchHit]) -> set[str]:
    return {h.document.id for h in hits if h.document.id}


def ids(searchable: dict[str, str], *keys: str) -> set[str]:
    return {searchable[k] for k in keys}


def test_search_folds_case_in_cyrillic_and_latin(store: SQLiteStore, searchable: dict[str, str]) -> None:
    expected = ids(searchable, "ru-name", "ru-lower", "ru-order")
    assert hit_ids(store.search("АЛИЕВ")) == expected
    assert hit_ids(store.search("алиев")) == expected
    assert hit_ids(store.search("Алиев")) == expected
    assert hit_ids(store.search("ALIYEV")) == ids(searchable, "en")
    assert hit_ids(store.search("aliyev")) == ids(searchable, "en")


def test_search_folds_latin_diacritics(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("turkiye")) == ids(searchable, "az")
    assert hit_ids(store.search("TÜRKIYE")) == ids(searchable, "az")
    assert hit_ids(store.search("Bakıda")) == ids(searchable, "az")


def test_search_folds_yo_to_ye(store: SQLiteStore, searchable: dict[str, str]) -> None:
    both = ids(searchable, "yo", "ye")
    assert hit_ids(store.search("елка")) == both
    assert hit_ids(store.search("ёлка")) == both
    assert hit_ids(store.search("ЁЛКА")) == both


def test_search_folds_schwa_to_e(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("eliyev")) == ids(searchable, "az")


def test_search_folds_dotless_i(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("BAKIDA")) == ids(searchable, "az")


def test_search_filters_by_language(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("огней", language="uk")) == ids(searchable, "ye")
    assert store.search("огней", language="ru") == []
    assert hit_ids(store.search("огни", language="RU")) == ids(searchable, "yo")
    assert store.search("Алиев", language="en") == []
    assert hit_ids(store.search("Baku", language="en")) == ids(searchable, "en")


def test_search_needs_every_term_and_keeps_quoted_phrases(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("Ильхам Алиев")) == ids(searchable, "ru-name", "ru-order")
    assert hit_ids(store.search('"Ильхам Алиев"')) == ids(searchable, "ru-name")
    assert hit_ids(store.search('"ильхам алиев" Баку')) == ids(searchable, "ru-name")
    assert store.search('"Алиев Ильхам"') == []
    assert store.search("Алиев Москве Баку") == []


def test_prefix_search_works_on_the_start_of_a_token(store: SQLiteStore, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("Алиевым")) == ids(searchable, "ru-case")
    assert hit_ids(store.search("Алиев*")) == ids(searchable, "ru-name", "ru-lower", "ru-order", "ru-case")
    assert hit_ids(store.search("АЛИЕВ*")) == hit_ids(store.search("алиев*"))
    assert store.search("лиев*") == []  # no infix matching
    assert hit_ids(store.search("Ali*")) == ids(searchable, "en")


def test_search_covers_title_and_author_and_marks_the_snippet(store: SQLiteStore,
                                                               searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("президента")) == ids(searchable, "ru-name")
    assert hit_ids(store.search("reuters")) == ids(searchable, "en")
    [hit] = store.search("Баку", language="ru")
    assert "[Баку]" in hit.snippet
    assert hit.document.text.startswith("Ильхам Алиев")
    assert isinstance(hit.rank, float)
    assert len(store.search("Алиев*", limit=2)) == 2


_HOSTILE = [
    '"', '""', '"""', "AND OR NOT", "AND", "NOT Алиев", "OR", "*", "**", "Алиев**", "(", ")", "()",
    "col:", "text:Алиев", "title:", "{title text}: Алиев", "NEAR(Алиев Баку)", "NEAR", "^Алиев", "-Алиев",
    "+", "Алиев AND", '"Алиев', 'Алиев"', '"Алиев" "', "\x00", "Али\x00ев", "\x00*", "\ud800",
    "Али\udcffев", "'; DROP TABLE documents; --", "\\", "%", "_", " ", "", "\t\n\r", "\u200b", "\ufeff",
    "a" * 10_000, "Алиев " * 2_000, "(" * 5_000, '"' * 10_000, "*" * 10_000, "x:" * 3_000,
]


@pytest.mark.parametrize("query", _HOSTILE, ids=lambda q: repr(q[:16]) + f"/{len(q)}")
def test_hostile_queries_never_raise(store: SQLiteStore, searchable: dict[str, str], query: str) -> None:
    hits = store.search(query)
    assert isinstance(hits, list)
    assert store.search(query, language="ru") is not None


def test_operators_are_searched_as_words(store: SQLiteStore) -> None:
    doc = Document(text="Слова AND и NOT встречаются в тексте, как и NEAR.", source_key="ops")
    store.add_documents([doc], make_run())
    assert hit_ids(store.search("AND NOT")) == {doc.id}
    assert hit_ids(store.search("near")) == {doc.id}
    assert hit_ids(store.search("Али\x00ев слова")) == set()  # NUL separates, never an error
    assert hit_ids(store.search("слова\x00текст*")) == {doc.id}
    assert store.count() == 1  # and nothing was dropped


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with open_store(tmp_path_factory.mktemp("fuzz") / "store.db") as opened:
        opened.add_documents([make_doc(n) for n in range(5)], make_run())
        yield opened


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60) | st.text(alphabet='"*():^-+ {}aАNEARORTDNO\t\x00', max_size=40))
def test_any_query_returns_a_list(fuzz_store: SQLiteStore, query: str) -> None:
    assert isinstance(fuzz_store.search(query), list)


# -- ids, archives -------------------------------------------------------------------------------


def test_find_by_prefix(store: SQLiteStore) -> None:
    docs = [make_doc(n) for n in range(15)]
    store.add_documents(docs, make_run())
    target = docs[0].id
    assert target is not None
    assert store.find(target) == [target]
    assert target in store.find(target[:5])
    assert all(found.startswith(target[:5]) for found in store.find(target[:5]))
    assert store.find("zzz") == []
    assert store.find("d" + "f" * 25) == []
    everything = store.find("d")
    assert len(everything) == 10
    assert everything == sorted(everything)


def test_existing_ids_across_many_chunks(store: SQLiteStore) -> None:
    docs = [make_doc(n) for n in range(620)]
    store.add_documents(docs, make_run())
    stored = [d.id for d in docs if d.id]
    missing = [f"d{n:020x}" for n in range(700)]
    mixed = [x for pair in zip(missing, stored + [None] * 80, strict=True) for x in pair if x]
    assert store.existing_ids(mixed) == set(stored)
    assert store.existing_ids([]) == set()
    assert store.existing_ids(missing) == set()


def test_archives_round_trip_the_exact_bytes(store: SQLiteStore) -> None:
    body = bytes(range(256)) * 3 + "Привет, Баку".encode("cp1251") + b"\x00\xff\xfe" + os.urandom(1000)
    sha = hashlib.sha256(body).hexdigest()
    fields = dict(requested_url="http://example.org/a", final_url="https://example.org/a?x=1", status=200,
                  content_type="text/html; charset=windows-1251", fetched_at="2025-12-01T12:00:00+00:00")
    store.add_archive(sha256=sha, body=body, **fields)  # type: ignore[arg-type]
    store.add_archive(sha256=sha, body=body, **fields)  # type: ignore[arg-type]
    archived = store.archive(sha)
    assert archived is not None
    assert isinstance(archived["body"], bytes)
    assert archived["body"] == body
    assert {k: archived[k] for k in fields} == fields
    assert store.archive("0" * 64) is None
    assert store.summary()["archives"] == 1

    empty_sha = hashlib.sha256(b"").hexdigest()
    store.add_archive(sha256=empty_sha, requested_url="u", final_url="u", status=None, content_type=None,
                      fetched_at="2025-12-01", body=b"")
    empty = store.archive(empty_sha)
    assert empty is not None and empty["body"] == b"" and empty["status"] is None

    doc = make_doc(1)
    store.add_documents([doc], make_run(), archive_sha256=sha)
    assert store.get(doc.id or "") is not None


# -- property: whatever goes in comes out ---------------------------------------------------------

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґәөүұқғһ"
_TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(_CYRILLIC + " \n\r\t«»—.,"),
                max_size=300)
_ATTRS = st.dictionaries(st.text(max_size=8), st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.sampled_from(_CYRILLIC) | st.characters(codec="utf-8"), max_size=12)), max_size=4)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(_TEXT)
    doc = Document(text=text, kind=draw(st.sampled_from(["post", "quote", "article", "comment", "record"])),
                   title=draw(st.none() | _TEXT), source_key=draw(st.none() | st.text(max_size=20)))
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        doc.add_span(Span(
            layer=draw(st.sampled_from(["actor", "technique", "sentence", "слой"])),
            label=draw(st.text(min_size=1, max_size=10)),
            start=start, end=end,
            confidence=draw(st.none() | st.floats(0, 1)),
            engine=draw(st.sampled_from(["lexical", "llm", "ingest"])),
            cue=draw(st.none() | st.text(max_size=10)),
            attrs=draw(_ATTRS),
        ))
    return doc


def _full_key(span: Span) -> tuple[object, ...]:
    return (span.sort_key(), repr(span))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_stored_documents_come_back_identical(tmp_path_factory: pytest.TempPathFactory, doc: Document) -> None:
    run = make_run()
    original_text = doc.text
    expected_cuts = [original_text[s.start:s.end] for s in doc.spans]
    with open_store(tmp_path_factory.mktemp("prop") / "store.db") as fresh:
        report = fresh.add_documents([doc], run)
        assert report.added == 1
        got = fresh.get(report.ids[0])
    assert got is not None
    assert got.text == original_text
    assert got.title == doc.title
    assert sorted(got.spans, key=_full_key) == sorted(doc.spans, key=_full_key)
    assert all(s.run_id == run.id for s in got.spans)
    assert sorted(got.text[s.start:s.end] for s in got.spans) == sorted(expected_cuts)
