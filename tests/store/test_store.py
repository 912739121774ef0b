"""The store's behaviour, run against both back ends (an SQLite file and a real PostgreSQL database):
schema, idempotent versioned ingest, one transaction per batch, spans and analysis runs, lemma search,
ids and archives, and the views the web UI lists and pages."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storetools import INTEGRITY_ERRORS, make_doc, make_run, scalar

import framewatch.store.base as store_base
from framewatch.model import Document, Span, group_key
from framewatch.store import SearchHit, Store, StoreError, open_store
from framewatch.store.schema import SCHEMA_VERSION


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


# -- schema, reopening ---------------------------------------------------------------------------


def test_a_new_store_has_the_current_schema(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert scalar(store, "SELECT value FROM schema_info WHERE key = 'version'") == str(SCHEMA_VERSION)
    assert scalar(store, "SELECT count(*) FROM search_index") == 0


def test_reopening_a_store_keeps_its_documents_and_schema(store_url: str) -> None:
    with open_store(store_url) as first:
        ids = first.add_documents([make_doc(1), make_doc(2)], make_run()).ids
    with open_store(store_url, create=False) as again:
        assert again.schema_version == SCHEMA_VERSION
        assert again.count() == 2
        assert {d.id for d in again.iter_documents()} == set(ids)
        assert again.add_documents([make_doc(1)], make_run()).unchanged == 1
        assert [h.document.id for h in again.search("Москва")] == ids


def test_a_store_of_a_newer_schema_refuses_to_open(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(store_url) as opened:
        opened.add_documents([make_doc(1)], make_run())
        with opened._transaction():
            opened._execute("UPDATE schema_info SET value = ? WHERE key = 'version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError) as info:
        open_store(store_url)
    message = str(info.value)
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in message and "upgrade framewatch" in message
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", SCHEMA_VERSION + 1)  # a newer framewatch
    with open_store(store_url) as newer:  # refused, not damaged
        assert scalar(newer, "SELECT count(*) FROM documents") == 1


def test_unsupported_store_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported store URL scheme 'mysql'"):
        open_store("mysql://localhost/framewatch")


# -- idempotency and versions --------------------------------------------------------------------


def test_adding_the_same_documents_twice_stores_them_once(store: Store) -> None:
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


def test_duplicates_inside_one_batch_are_stored_once(store: Store) -> None:
    report = store.add_documents([make_doc(1), make_doc(1), make_doc(2)], make_run())
    assert (report.added, report.unchanged) == (2, 1)
    assert store.count() == 2


def test_same_content_under_another_source_key_is_stored_once(store: Store) -> None:
    original = make_doc(1, source_key="a/thread.txt:1")
    store.add_documents([original], make_run())
    report = store.add_documents([make_doc(1, source_key="b/mirror.txt:7")], make_run())
    assert (report.added, report.unchanged, report.new_versions) == (0, 1, 0)
    assert store.count(latest_only=False) == 1
    stored = store.get(original.assign_id())
    assert stored is not None and stored.source_key == "a/thread.txt:1"


def test_edited_content_under_the_same_source_key_becomes_a_new_version(store: Store) -> None:
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


def test_a_new_version_inside_the_same_batch_points_at_the_earlier_one(store: Store) -> None:
    v1 = make_doc(5, text="Версия один.")
    v2 = make_doc(5, text="Версия два.")
    report = store.add_documents([v1, v2], make_run())
    assert (report.added, report.new_versions) == (2, 1)
    assert v2.previous_id == v1.id
    assert [d.id for d in store.iter_documents()] == [v2.id]


def test_documents_without_source_key_are_never_versions(store: Store) -> None:
    report = store.add_documents([make_doc(1, source_key=None), make_doc(2, source_key=None)], make_run())
    assert (report.added, report.new_versions) == (2, 0)
    assert store.count() == 2


def test_iter_documents_pages_through_everything_in_order(store: Store) -> None:
    docs = [make_doc(n) for n in range(23)]
    store.add_documents(docs, make_run())
    got = list(store.iter_documents(batch=5, with_spans=False))
    assert [d.id for d in got] == [d.id for d in docs]
    wanted = [docs[20].id, docs[3].id, "d-missing"]
    assert [d.id for d in store.iter_documents(ids=wanted, batch=2)] == [docs[3].id, docs[20].id]


# -- one transaction per batch -------------------------------------------------------------------


def _broken_doc(n: int) -> Document:
    doc = make_doc(n, text="Сломанный документ с перевёрнутым отрезком.")
    # Document.add_span would refuse this; appended directly, only the store's CHECK catches it.
    doc.spans.append(Span("actor", "person", 9, 3, engine="lexical"))
    return doc


def test_a_failing_document_rolls_back_its_whole_batch(store: Store) -> None:
    good_run = make_run()
    kept = [make_doc(1), make_doc(2)]
    kept[0].add_span(Span("actor", "city", 12, 18, engine="lexical", cue="Москва"))
    store.add_documents(kept, good_run)

    failed_run = make_run()
    before, after = make_doc(3, text="Уникальное слово перед: абракадабра."), make_doc(4)
    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)check"):
        store.add_documents([before, _broken_doc(99), after], failed_run)

    assert store.count(latest_only=False) == 2
    assert store.get(before.assign_id()) is None
    assert store.get(after.assign_id()) is None
    assert store.search("абракадабра") == []
    assert [r.id for r in store.runs()] == [good_run.id]
    earlier = store.get(kept[0].id)
    assert earlier is not None and [s.label for s in earlier.spans] == ["city"]
    assert scalar(store, "SELECT count(*) FROM spans") == 1
    assert scalar(store, "SELECT count(*) FROM search_index") == 2

    # The store is usable afterwards, and the same documents go in once the bad one is left out.
    report = store.add_documents([before, after], failed_run)
    assert report.added == 2
    assert store.count() == 4
    assert [h.document.id for h in store.search("абракадабра")] == [before.id]


def test_negative_offsets_are_refused_with_the_batch(store: Store) -> None:
    doc = make_doc(1)
    doc.spans.append(Span("actor", "person", -1, 2))
    with pytest.raises(INTEGRITY_ERRORS):
        store.add_documents([make_doc(2), doc], make_run())
    assert store.count() == 0
    assert store.runs() == []


def test_an_error_while_producing_the_batch_stores_nothing_of_it(store: Store) -> None:
    """The pipeline hands the store a generator; a stage that raises midway aborts the batch."""

    def analysed() -> Iterator[Document]:
        yield make_doc(1)
        yield make_doc(2)
        raise RuntimeError("stage crashed")

    with pytest.raises(RuntimeError, match="stage crashed"):
        store.add_documents(analysed(), make_run())
    assert store.count() == 0
    assert store.runs() == []


def test_an_unknown_archive_reference_fails_the_batch(store: Store) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
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
    doc.add_span(Span("empty", "point", 5, 5, confidence=0.1 + 0.2))  # a double, not rounded to 4 bytes
    return doc


def test_documents_and_spans_round_trip_with_every_field(store: Store) -> None:
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
    assert [s.confidence for s in got.spans if s.label == "point"] == [0.1 + 0.2]
    # JSON stays readable for other clients of the database.
    assert "Ильхам Алиев" in scalar(store, "SELECT attrs FROM spans WHERE label = 'person'")


def test_a_newer_analysis_run_replaces_only_the_layers_it_produced(store: Store) -> None:
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


def test_record_run_is_idempotent(store: Store) -> None:
    run = make_run("run-x", ingest="1")
    store.record_run(run)
    store.record_run(run)
    assert store.runs() == [run]


def test_summary_counts(store: Store) -> None:
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
def searchable(store: Store) -> dict[str, str]:
    docs = {
        "ru-name": Document(text="Ильхам Алиев выступил в Баку с заявлением.", language="ru",
                            title="Заявление президента", source_key="1"),
        "ru-lower": Document(text="все обсуждают, что сказал алиев вчера", language="ru", source_key="2"),
        "ru-case": Document(text="Встреча с Алиевым прошла в Москве.", language="ru", source_key="3"),
        "ru-order": Document(text="Алиев, а не Ильхам, был назван первым.", language="ru", source_key="4"),
        "ru-fem": Document(text="Журналистку Алиеву задержали, об Алиевой пишут все.", language="ru",
                           source_key="9"),
        "en": Document(text="Ilham Aliyev met the press in Baku.", language="en", author="Reuters",
                       source_key="5"),
        "yo": Document(text="Ёлка на площади и её огни.", language="ru", source_key="6"),
        "ye": Document(text="Елка без огней.", language="uk", source_key="7"),
        "az": Document(text="Əliyev Bakıda çıxış etdi, Türkiye alqışladı.", language="az", source_key="8"),
        "stress": Document(text="Старый замо́к на двери.", language="ru", source_key="10"),
    }
    store.add_documents(list(docs.values()), make_run())
    return {key: doc.id for key, doc in docs.items() if doc.id}


def hit_ids(hits: list[SearchHit]) -> set[str]:
    return {h.document.id for h in hits if h.document.id}


def ids(searchable: dict[str, str], *keys: str) -> set[str]:
    return {searchable[k] for k in keys}


_ALIEV = ("ru-name", "ru-lower", "ru-case", "ru-order", "ru-fem")


def test_a_russian_word_finds_every_form_of_it(store: Store, searchable: dict[str, str]) -> None:
    """Lemmas, not a stemmer: Алиев, Алиева, Алиеву, Алиевым, Алиевой are one surname."""
    expected = ids(searchable, *_ALIEV)
    for query in ("Алиев", "алиева", "АЛИЕВУ", "Алиевым", "Алиевой"):
        assert hit_ids(store.search(query)) == expected, query
    assert hit_ids(store.search("Москва")) == ids(searchable, "ru-case")  # written "Москве"
    # Words in the Russian alphabet are read as Russian whatever the document's language.
    assert hit_ids(store.search("огонь")) == ids(searchable, "yo", "ye")


def test_search_folds_case_in_cyrillic_and_latin(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("ALIYEV")) == ids(searchable, "en")
    assert hit_ids(store.search("aliyev")) == ids(searchable, "en")
    assert hit_ids(store.search("ИЛЬХАМ")) == ids(searchable, "ru-name", "ru-order")


def test_search_folds_latin_diacritics_and_stress_marks(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("turkiye")) == ids(searchable, "az")
    assert hit_ids(store.search("TÜRKIYE")) == ids(searchable, "az")
    assert hit_ids(store.search("Bakıda")) == ids(searchable, "az")
    assert hit_ids(store.search("замок")) == ids(searchable, "stress")
    [hit] = store.search("замок")
    assert "[замо́к]" in hit.snippet  # the word as written, accent and all


def test_search_folds_yo_to_ye(store: Store, searchable: dict[str, str]) -> None:
    both = ids(searchable, "yo", "ye")
    assert hit_ids(store.search("елка")) == both
    assert hit_ids(store.search("ёлка")) == both
    assert hit_ids(store.search("ЁЛКА")) == both


def test_search_folds_schwa_and_dotless_i(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("eliyev")) == ids(searchable, "az")
    assert hit_ids(store.search("BAKIDA")) == ids(searchable, "az")


def test_search_filters_by_language(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("огней", language="uk")) == ids(searchable, "ye")
    assert hit_ids(store.search("огни", language="RU")) == ids(searchable, "yo")
    assert store.search("Алиев", language="en") == []
    assert hit_ids(store.search("Baku", language="en")) == ids(searchable, "en")
    assert store.search_count("Баку", language="ru") == 1


def test_a_language_detected_later_filters_the_search(store: Store) -> None:
    doc = Document("Кремль ответил Баку.", source_key="later")
    store.add_documents([doc], make_run())
    assert store.search("Кремль", language="ru") == []
    stored = store.get(doc.id)
    assert stored is not None
    stored.language = "ru"
    store.add_analysis([stored], make_run())
    assert hit_ids(store.search("Кремль", language="ru")) == {doc.id}
    assert store.search_count("кремля", language="RU") == 1 and store.search("Кремль", language="en") == []


def test_search_needs_every_term_and_keeps_quoted_phrases(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("Ильхам Алиев")) == ids(searchable, "ru-name", "ru-order")
    assert hit_ids(store.search('"Ильхам Алиев"')) == ids(searchable, "ru-name")
    assert hit_ids(store.search('"ильхама алиева" Баку')) == ids(searchable, "ru-name")  # phrases by lemma too
    assert store.search('"Алиев Ильхам"') == []
    assert store.search("Алиев Москве Баку") == []


def test_no_phrase_spans_two_fields(store: Store) -> None:
    doc = Document(text="Москва ответила.", title="Заявление Баку", author="Иван Петров", source_key="f")
    store.add_documents([doc], make_run())
    assert hit_ids(store.search('"заявление баку"')) == {doc.id}
    assert store.search('"баку иван"') == []
    assert store.search('"петров москва"') == []


def test_prefix_search_works_on_the_start_of_a_word_or_its_lemma(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("Алиев*")) == ids(searchable, *_ALIEV)
    assert hit_ids(store.search("АЛИЕВ*")) == hit_ids(store.search("алиев*"))
    assert hit_ids(store.search("Алиевы*")) == ids(searchable, "ru-case")  # as written: Алиевым
    assert hit_ids(store.search("Москве*")) == ids(searchable, "ru-case")
    assert store.search("лиев*") == []  # no infix matching
    assert hit_ids(store.search("Ali*")) == ids(searchable, "en")
    assert hit_ids(store.search('"Ильхам Али"*')) == set()  # a quoted phrase is never a prefix
    assert hit_ids(store.search("ильхам-али*")) == ids(searchable, "ru-name")  # the last word of a compound


def test_search_covers_title_and_author_and_marks_the_snippet(store: Store, searchable: dict[str, str]) -> None:
    assert hit_ids(store.search("президента")) == ids(searchable, "ru-name")
    assert hit_ids(store.search("reuters")) == ids(searchable, "en")
    [hit] = store.search("Баку", language="ru")
    assert hit.snippet == "Ильхам Алиев выступил в [Баку] с заявлением."
    assert hit.document.text.startswith("Ильхам Алиев")
    assert isinstance(hit.rank, float)
    [fem] = [h for h in store.search("алиев") if h.document.id == searchable["ru-fem"]]
    assert fem.snippet == "Журналистку [Алиеву] задержали, об [Алиевой] пишут все."
    [marked] = store.search("Баку", language="ru", markers=("\x02", "\x03"))
    assert "\x02Баку\x03" in marked.snippet


def test_search_pages_with_offset_and_counts_the_total(store: Store, searchable: dict[str, str]) -> None:
    assert store.search_count("Алиев") == 5
    pages = [store.search("Алиев", limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert {h.document.id for page in pages for h in page} == ids(searchable, *_ALIEV)
    assert pages[0] == store.search("Алиев", limit=2)
    assert store.search_count("нетакогослова") == 0
    assert store.search_count("") == 0


def test_a_long_snippet_is_cut_around_the_match(store: Store) -> None:
    text = " ".join(f"слово{n}" for n in range(40)) + " Алиеву сказали. " + " ".join(f"конец{n}" for n in range(40))
    doc = Document(text=text, source_key="long")
    store.add_documents([doc], make_run())
    [hit] = store.search("алиев")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "[Алиеву]" in hit.snippet and len(hit.snippet) < 150


_HOSTILE = [
    '"', '""', '"""', "AND OR NOT", "AND", "NOT Алиев", "OR", "*", "**", "Алиев**", "(", ")", "()",
    "col:", "text:Алиев", "title:", "{title text}: Алиев", "NEAR(Алиев Баку)", "NEAR", "^Алиев", "-Алиев",
    "+", "Алиев AND", '"Алиев', 'Алиев"', '"Алиев" "', "\x00", "Али\x00ев", "\x00*", "\ud800",
    "Али\udcffев", "'; DROP TABLE documents; --", "\\", "%", "_", " ", "", "\t\n\r", "\u200b", "\ufeff",
    "a" * 10_000, "Алиев " * 2_000, "(" * 5_000, '"' * 10_000, "*" * 10_000, "x:" * 3_000, "'&|!<->:*",
    "a'b", "a\\b", "lemmas : x", "=алиев", "\ue000",
]


@pytest.mark.parametrize("query", _HOSTILE, ids=lambda q: repr(q[:16]) + f"/{len(q)}")
def test_hostile_queries_never_raise(store: Store, searchable: dict[str, str], query: str) -> None:
    hits = store.search(query)
    assert isinstance(hits, list)
    assert store.search(query, language="ru") is not None
    assert store.search_count(query) == len(store.search(query, limit=1000))


def test_operators_are_searched_as_words(store: Store) -> None:
    doc = Document(text="Слова AND и NOT встречаются в тексте, как и NEAR.", source_key="ops")
    store.add_documents([doc], make_run())
    assert hit_ids(store.search("AND NOT")) == {doc.id}
    assert hit_ids(store.search("near")) == {doc.id}
    assert hit_ids(store.search("Али\x00ев слова")) == set()  # NUL separates, never an error
    assert hit_ids(store.search("слова\x00текст*")) == {doc.id}
    assert store.count() == 1  # and nothing was dropped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60) | st.text(alphabet='"*():^-+ {}aАNEARORTDNO\t\x00\'&|!<=', max_size=40))
def test_any_query_returns_a_list(store: Store, query: str) -> None:
    if not store.count():
        store.add_documents([make_doc(n) for n in range(5)], make_run())
    assert isinstance(store.search(query), list)


# -- ids, archives -------------------------------------------------------------------------------


def test_find_by_prefix(store: Store) -> None:
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


def test_existing_ids_across_many_chunks(store: Store) -> None:
    docs = [make_doc(n) for n in range(620)]
    store.add_documents(docs, make_run())
    stored = [d.id for d in docs if d.id]
    missing = [f"d{n:020x}" for n in range(700)]
    mixed = [x for pair in zip(missing, stored + [None] * 80, strict=True) for x in pair if x]
    assert store.existing_ids(mixed) == set(stored)
    assert store.existing_ids([]) == set()
    assert store.existing_ids(missing) == set()
    assert store.document_texts(mixed[:40]) == {d.id: d.text for d in docs if d.id in mixed[:40]}


def test_archives_round_trip_the_exact_bytes(store: Store) -> None:
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


def test_the_pseudonym_key_is_random_per_store_and_stable(store_url: str, tmp_path) -> None:
    with open_store(store_url) as first:
        key = first.pseudonym_key()
        assert isinstance(key, bytes) and len(key) == 32
        assert first.pseudonym_key() == key
    with open_store(store_url) as again:
        assert again.pseudonym_key() == key
    with open_store(tmp_path / "other.db") as other:
        assert other.pseudonym_key() != key


# -- the lists and views the web UI pages through ------------------------------------------------


@pytest.fixture
def corpus(store: Store) -> dict[str, Document]:
    docs = {
        "wire-ru": Document("Кремль ответил Баку.", kind="article", outlet="Wire", language="ru",
                            published="2025-03-02T10:00:00+03:00", source_key="w1"),
        "wire-en": Document("Moscow answered Baku.", kind="article", outlet="Wire", language="en",
                            published="2025-03-09", source_key="w2"),
        "wire-old": Document("An older note.", kind="article", outlet="Wire", language="en",
                             published="2024-12-31T23:59", source_key="w3"),
        "post": Document("Пост на форуме.", kind="post", author="Тимур", language="ru", thread_id="t1",
                         published="2025-03-09T08:00", source_key="p1"),
        "quote": Document("Цитата.", kind="quote", author="Олег", language="ru", thread_id="t1",
                          published="2025-03", source_key="p1#q"),
        "undated": Document("No date here.", kind="article", url="https://news.example/a", language="en",
                            source_key="u1"),
        "file": Document("Текст из файла.", path="/data/notes/day1.txt", source_key="f1"),
    }
    store.add_documents(list(docs.values()), make_run())
    return docs


def test_the_source_column_is_the_grouping_rule_of_the_model(store: Store, corpus: dict[str, Document]) -> None:
    stored = {r[0]: r[1] for r in store._execute("SELECT id, source FROM documents")}
    for doc in corpus.values():
        assert stored[doc.id] == group_key({**vars(doc)}, "source")
    assert stored[corpus["undated"].id] == "news.example"
    assert stored[corpus["file"].id] == "day1.txt"


def test_documents_page_orders_newest_first_undated_last(store: Store, corpus: dict[str, Document]) -> None:
    page, total = store.documents_page()
    assert total == 7
    assert [d.id for d in page] == [corpus[k].id for k in (
        "post", "wire-en", "wire-ru", "quote", "wire-old", "undated", "file")]
    assert all(d.spans == [] for d in page)
    first, total = store.documents_page(limit=3)
    second, _ = store.documents_page(offset=3, limit=3)
    rest, _ = store.documents_page(offset=6, limit=3)
    assert [d.id for d in first + second + rest] == [d.id for d in page] and total == 7
    assert store.documents_page(offset=50) == ([], 7)
    with pytest.raises(ValueError, match="negative"):
        store.documents_page(offset=-1)


@pytest.mark.parametrize(("filters", "keys"), [
    ({"source": "Wire"}, ["wire-en", "wire-ru", "wire-old"]),
    ({"source": "Тимур"}, ["post"]),
    ({"source": "news.example"}, ["undated"]),
    ({"outlet": "Wire", "language": "EN"}, ["wire-en", "wire-old"]),
    ({"author": "Олег"}, ["quote"]),
    ({"kind": "post"}, ["post"]),
    ({"thread": "t1"}, ["post", "quote"]),
    ({"since": "2025-03-05"}, ["post", "wire-en"]),
    ({"since": "2025-03"}, ["post", "wire-en", "wire-ru", "quote"]),
    # The whole day, whatever the time; a date known to the month only is not after it.
    ({"until": "2025-03-02"}, ["wire-ru", "quote", "wire-old"]),
    ({"until": "2025-03"}, ["post", "wire-en", "wire-ru", "quote", "wire-old"]),
    ({"since": "2025", "until": "2025-03-08"}, ["wire-ru", "quote"]),
    ({"source": "nobody"}, []),
])
def test_documents_page_filters(store: Store, corpus: dict[str, Document], filters: dict, keys: list[str]) -> None:
    page, total = store.documents_page(**filters)
    assert [d.id for d in page] == [corpus[k].id for k in keys]
    assert total == len(keys)


def test_documents_page_shows_only_the_latest_version(store: Store) -> None:
    v1 = make_doc(1, text="Первая редакция.", outlet="Wire")
    v2 = make_doc(1, text="Вторая редакция.", outlet="Wire")
    store.add_documents([v1], make_run())
    store.add_documents([v2], make_run())
    assert [d.id for d in store.documents_page(source="Wire")[0]] == [v2.id]


def test_sources_count_languages_and_dates(store: Store, corpus: dict[str, Document]) -> None:
    sources = store.sources()
    assert sources[0] == {"source": "Wire", "documents": 3, "languages": {"en": 2, "ru": 1},
                          "first": "2024-12-31T23:59", "last": "2025-03-09"}
    by_name = {s["source"]: s for s in sources}
    assert by_name["day1.txt"] == {"source": "day1.txt", "documents": 1, "languages": {"unknown": 1},
                                   "first": None, "last": None}
    assert [s["documents"] for s in sources] == sorted((s["documents"] for s in sources), reverse=True)
    assert sum(s["documents"] for s in sources) == 7


def test_volume_per_period_and_group(store: Store, corpus: dict[str, Document]) -> None:
    monthly = store.volume()
    assert monthly[:3] == [{"group": "Wire", "period": "2024-12", "documents": 1},
                           {"group": "Wire", "period": "2025-03", "documents": 2},
                           {"group": "day1.txt", "period": None, "documents": 1}]
    assert sum(v["documents"] for v in monthly) == 7
    by_language = {(v["group"], v["period"]): v["documents"] for v in store.volume(period="year", by="language")}
    assert by_language == {("ru", "2025"): 3, ("en", "2024"): 1, ("en", "2025"): 1, ("en", None): 1,
                           ("unknown", None): 1}
    weekly = {(v["group"], v["period"]): v["documents"] for v in store.volume(period="week", by="thread")}
    # 2025-03-09 is a Sunday (ISO week 10); the quote is dated to the month only.
    assert weekly[("t1", "2025-W10")] == 1 and weekly[("t1", None)] == 1
    daily = store.volume(period="day", by="outlet")
    assert {"group": "Wire", "period": "2025-03-02", "documents": 1} in daily
    with pytest.raises(ValueError, match="period"):
        store.volume(period="fortnight")
    with pytest.raises(ValueError, match="grouping"):
        store.volume(by="colour")


def test_comparisons_are_listed_newest_first_without_their_body(store: Store) -> None:
    ids_ = store.add_documents([make_doc(1), make_doc(2)], make_run()).ids
    for n in (1, 2):
        store.add_comparison({"id": f"c{n}", "by": "outlet", "groups": [{"documents": ids_[:n]}],
                              "stories": [{}] * n}, "hash")
    listed = store.comparisons()
    assert [c["id"] for c in listed] == ["c2", "c1"]
    assert set(listed[0]) == {"id", "grouping", "documents", "stories", "created_at"}
    assert (listed[0]["documents"], listed[0]["stories"], listed[0]["grouping"]) == (2, 2, "outlet")


# -- property: whatever goes in comes out ---------------------------------------------------------

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґәөүұқғһ"
# PostgreSQL text cannot hold NUL (the store refuses it, see test_postgres_store.py); everything else goes.
_CHARS = st.characters(codec="utf-8", exclude_characters="\x00")
_TEXT = st.text(alphabet=_CHARS | st.sampled_from(_CYRILLIC + " \n\r\t«»—.,"), max_size=300)
_ATTRS = st.dictionaries(st.text(max_size=8), st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.sampled_from(_CYRILLIC) | st.characters(codec="utf-8"), max_size=12)), max_size=4)
_examples = itertools.count()


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(_TEXT)
    doc = Document(text=text, kind=draw(st.sampled_from(["post", "quote", "article", "comment", "record"])),
                   title=draw(st.none() | _TEXT), source_key=draw(st.none() | st.text(_CHARS, max_size=20)),
                   external_id=f"example-{next(_examples)}")  # one new document per example
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        doc.add_span(Span(
            layer=draw(st.sampled_from(["actor", "technique", "sentence", "слой"])),
            label=draw(st.text(_CHARS, min_size=1, max_size=10)),
            start=start, end=end,
            confidence=draw(st.none() | st.floats(0, 1)),
            engine=draw(st.sampled_from(["lexical", "llm", "ingest"])),
            cue=draw(st.none() | st.text(_CHARS, max_size=10)),
            attrs=draw(_ATTRS),
        ))
    return doc


def _full_key(span: Span) -> tuple[object, ...]:
    return (span.sort_key(), repr(span))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_stored_documents_come_back_identical(store: Store, doc: Document) -> None:
    run = make_run()
    original_text = doc.text
    expected_cuts = [original_text[s.start:s.end] for s in doc.spans]
    report = store.add_documents([doc], run)
    assert report.added == 1
    got = store.get(report.ids[0])
    assert got is not None
    assert got.text == original_text
    assert got.title == doc.title
    assert sorted(got.spans, key=_full_key) == sorted(doc.spans, key=_full_key)
    assert all(s.run_id == run.id for s in got.spans)
    assert sorted(got.text[s.start:s.end] for s in got.spans) == sorted(expected_cuts)
    for word in list(_words(original_text))[:3]:  # and it is found by its words
        assert got.id in {h.document.id for h in store.search(f'"{word}"', limit=1000)}


def _words(text: str) -> Iterator[str]:
    from framewatch.store.search import words

    for word in words(text):
        yield text[word.start:word.end]
