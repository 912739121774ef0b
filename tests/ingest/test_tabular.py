"""JSON Lines and CSV corpora: mapping, meta, dates as written, and bad lines that do not sink
the rest of the file."""

from __future__ import annotations

import json

import pytest

from framewatch.ingest import IngestError
from framewatch.ingest.tabular import DEFAULT_MAPPING, read_csv, read_jsonl

RECORDS = [
    {
        "id": "az-0412",
        "text": "Baku says the detained RIA staff were running an unregistered bureau; "
                "see https://apa.az/en/politics/812 for the ministry statement.",
        "title": "Baku defends detentions of Russian journalists",
        "url": "https://apa.az/en/politics/812?utm_source=tg&ref=Main%20Page",
        "outlet": "APA",
        "published": "2025-06-30T18:40:00+04:00",
        "language": "EN",
        "author": "Staff",
        "sentiment_score": -0.4,
        "tags": ["detentions", "media"],
    },
    {
        "id": "ru-1177",
        "text": "МИД России назвал задержание сотрудников агентства в Баку «беспрецедентным».",
        "outlet": "ТАСС",
        "published": "2025-06",
        "language": "ru",
    },
    {
        "id": "ru-1178",
        "text": "Пользователь пишет, что власти Азербайджана давно готовили этот шаг.",
        "published": None,
        "language": "ru-RU",
        "thread_id": "forum-88123",
        "reply_to": "p-5501",
        "author": "Тимур_75",
    },
]


def _jsonl(records: list[dict]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def test_jsonl_mapping_meta_and_provenance() -> None:
    docs, problems = read_jsonl(_jsonl(RECORDS), path="corpus/az_ru.jsonl")
    assert problems == []
    first, second, third = docs
    assert first.external_id == "az-0412"
    assert first.source_key == "corpus/az_ru.jsonl#az-0412"
    assert first.path == "corpus/az_ru.jsonl"
    assert first.title == "Baku defends detentions of Russian journalists"
    assert first.url == RECORDS[0]["url"]  # verbatim: no normalisation, tracking params kept
    assert first.outlet == "APA" and first.author == "Staff"
    assert first.published == "2025-06-30T18:40:00+04:00"
    assert first.language == "en"
    assert first.kind == "article"
    assert first.meta == {"sentiment_score": -0.4, "tags": ["detentions", "media"]}
    assert first.links == ["https://apa.az/en/politics/812"]
    assert [s.layer for s in first.spans] == ["link"]

    assert second.published == "2025-06"
    assert second.outlet == "ТАСС"
    assert third.published is None
    assert third.language == "ru"
    assert third.kind == "post"
    assert third.thread_id == "forum-88123"  # the corpus's own id, kept as given
    assert third.reply_to == "p-5501"


def test_jsonl_truncated_last_line_reported_others_load() -> None:
    text = _jsonl(RECORDS) + '{"id": "ru-1179", "text": "Эрдоган позвонил Алиеву и обсу'
    docs, problems = read_jsonl(text, path="dump.jsonl")
    assert [d.external_id for d in docs] == ["az-0412", "ru-1177", "ru-1178"]
    assert len(problems) == 1
    assert problems[0].line == 4
    assert problems[0].fatal is False
    assert problems[0].source == "dump.jsonl"
    assert "invalid JSON" in problems[0].message and "truncated" in problems[0].message


def test_jsonl_bad_records_and_blank_lines() -> None:
    text = "\n".join([
        '{"text": "Первая запись без id."}',
        "",
        "   ",
        '["not", "an", "object"]',
        '{"id": 7, "title": "no text here"}',
        '{"id": 8, "text": "   "}',
        '{"text": "Вторая запись без id."}\r',
    ])
    docs, problems = read_jsonl(text, path="p.jsonl")
    assert [d.source_key for d in docs] == ["p.jsonl#line1", "p.jsonl#line7"]
    assert docs[1].text == "Вторая запись без id."
    assert [(p.line, p.fatal) for p in problems] == [(4, False), (5, False), (6, False)]
    assert "array" in problems[0].message
    assert "no text" in problems[1].message
    assert "empty text" in problems[2].message


def test_jsonl_custom_and_dotted_mapping() -> None:
    record = {
        "post_id": 991,
        "body": "Кремль ответил на действия Баку.",
        "created": "30.06.2025 21:40",
        "source": {"name": "Telegram: @rybar", "kind": "channel"},
        "lang": "RUS",
    }
    mapping = {"text": "body", "external_id": "post_id", "published": "created",
               "outlet": "source.name", "language": "lang"}
    docs, problems = read_jsonl(json.dumps(record, ensure_ascii=False), path="tg.jsonl", mapping=mapping)
    assert problems == []
    (doc,) = docs
    assert doc.external_id == "991"
    assert doc.source_key == "tg.jsonl#991"
    assert doc.published == "2025-06-30T21:40"
    assert doc.outlet == "Telegram: @rybar"
    assert doc.language == "ru"
    assert doc.meta == {"source": {"name": "Telegram: @rybar", "kind": "channel"}}


def test_kind_column_and_unreadable_values() -> None:
    text = _jsonl([
        {"text": "Цитата из выступления министра.", "kind": "quote"},
        {"text": "Some record.", "kind": "tweet", "published": "sometime soon-ish", "language": "??"},
    ])
    docs, problems = read_jsonl(text, path="k.jsonl")
    assert [d.kind for d in docs] == ["quote", "article"]
    assert docs[1].published is None and docs[1].meta["published_raw"] == "sometime soon-ish"
    assert docs[1].language is None and docs[1].meta["language_raw"] == "??"
    assert {p.line for p in problems} == {2}
    assert len(problems) == 3


def test_duplicate_ids_are_flagged() -> None:
    text = _jsonl([{"id": "a1", "text": "first"}, {"id": "a1", "text": "second"}])
    docs, problems = read_jsonl(text, path="d.jsonl")
    assert len(docs) == 2
    assert problems[0].line == 2 and "also on line 1" in problems[0].message


def test_csv_semicolons_and_bom() -> None:
    text = (
        "\ufeffid;published;outlet;text;url;views\r\n"
        "ru-1;2025-06-29;РИА Новости;\"Задержаны сотрудники Sputnik Азербайджан; по данным МВД, их восемь\";"
        "https://ria.ru/20250630/baku.html;10 500\r\n"
        'ru-2;null;Коммерсантъ;"Источник: ""всё было согласовано"", говорят в Баку";;\r\n'
    )
    docs, problems = read_csv(text, path="export.csv")
    assert problems == [], problems
    assert [d.external_id for d in docs] == ["ru-1", "ru-2"]
    assert docs[0].text == "Задержаны сотрудники Sputnik Азербайджан; по данным МВД, их восемь"
    assert docs[0].outlet == "РИА Новости" and docs[0].published == "2025-06-29"
    assert docs[0].meta == {"views": "10 500"}
    assert docs[1].text == 'Источник: "всё было согласовано", говорят в Баку'
    assert docs[1].published is None
    assert docs[1].url is None
    assert docs[1].meta == {"views": ""}


def test_csv_quoted_semicolon_rows_and_field_count_problem() -> None:
    text = (
        "id;published;text;views\n"
        'ru-1;2025-06;"Задержаны сотрудники; по данным МВД, их восемь";10500\n'
        "ru-2;2025-06-30;Без кавычек; лишнее поле;7\n"
    )
    docs, problems = read_csv(text, path="e.csv")
    assert [d.external_id for d in docs] == ["ru-1"]
    assert docs[0].text == "Задержаны сотрудники; по данным МВД, их восемь"
    assert docs[0].published == "2025-06"
    assert docs[0].meta == {"views": "10500"}
    assert [(p.line, p.fatal) for p in problems] == [(3, False)]
    assert "5 fields" in problems[0].message


def test_csv_tabs_multiline_cells_and_row_keys() -> None:
    text = (
        "text\tauthor\tthread_id\treply_to\n"
        '"Первый пост\nвторая строка поста"\tTee tiong huat\t88123\t\n'
        "\n"
        "Ответ на пост. Смотрите youtu.be/xyz123\tAnalyst\t88123\t1\n"
    )
    docs, problems = read_csv(text, path="thread.tsv")
    assert problems == []
    assert [d.source_key for d in docs] == ["thread.tsv#row1", "thread.tsv#row2"]
    assert docs[0].text == "Первый пост\nвторая строка поста"
    assert docs[0].kind == "post" and docs[0].thread_id == "88123" and docs[0].reply_to is None
    assert docs[1].reply_to == "1"
    assert docs[1].links == ["youtu.be/xyz123"]


def test_csv_custom_mapping() -> None:
    text = (
        "Headline,Body,Link,Date,Source\n"
        "Raid in Yekaterinburg,Police raided the homes of Azerbaijani families.,"
        "https://example.org/a?id=1&x=y,2025-06-27 23:15,Meduza\n"
    )
    mapping = {"title": "Headline", "text": "Body", "url": "Link", "published": "Date", "outlet": "Source"}
    docs, problems = read_csv(text, path="m.csv", mapping=mapping)
    assert problems == []
    (doc,) = docs
    assert doc.title == "Raid in Yekaterinburg"
    assert doc.url == "https://example.org/a?id=1&x=y"
    assert doc.published == "2025-06-27T23:15"
    assert doc.outlet == "Meduza"
    assert doc.meta == {}


def test_csv_missing_text_column_is_fatal() -> None:
    with pytest.raises(IngestError, match=r"no text column 'text'.*'Headline', 'Body'"):
        read_csv("Headline,Body\nA,B\n", path="x.csv")


def test_mapping_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="unknown document field"):
        read_jsonl('{"text": "x"}', path="x.jsonl", mapping={"txt": "body"})


def test_default_mapping_contract() -> None:
    assert DEFAULT_MAPPING["external_id"] == "id"
    assert set(DEFAULT_MAPPING) == {"text", "title", "url", "outlet", "published", "language",
                                    "author", "thread_id", "reply_to", "external_id"}
