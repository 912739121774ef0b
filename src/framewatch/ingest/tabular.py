"""Corpora as records: JSON Lines and CSV/TSV exports from scrapers, spreadsheets and datasets.

Each record becomes one `Document`. A *mapping* says which input column fills which document field
(``DEFAULT_MAPPING`` unless the caller overrides some fields); every other input field is kept,
verbatim, in ``meta`` so that nothing a researcher exported is lost. A record that cannot be used
(invalid JSON, not an object, no text) is reported as a non-fatal `IngestProblem` with its line
number and the rest of the file still loads: one truncated line must not cost a 50 000-row corpus.

Thread ids and reply targets: a corpus's own ``thread_id`` and ``reply_to`` values are external
ids, meaningful only inside that corpus, and are kept exactly as given (not hashed with
`model.thread_id_for`), so that an analyst can match them against the source dataset. Within one
corpus they are consistent; across corpora they are qualified by the document's ``source_key``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..model import DOCUMENT_KINDS, Document, IngestProblem
from . import IngestError
from .links import add_link_spans
from .timestamps import parse_published

# document field -> input column (a dotted path reaches into nested JSON objects)
DEFAULT_MAPPING: dict[str, str] = {
    "text": "text",
    "title": "title",
    "url": "url",
    "outlet": "outlet",
    "published": "published",
    "language": "language",
    "author": "author",
    "thread_id": "thread_id",
    "reply_to": "reply_to",
    "external_id": "id",
}
# `kind` is not in the default mapping but is read from a "kind" column when there is one
# (or from the column named by mapping["kind"]).
KIND_COLUMN = "kind"

_NULLS = frozenset({"", "null", "none", "nan", "n/a", "na", "-", "—"})
_CSV_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024

# Common ways corpora spell a language that are not ISO 639-1 codes.
_LANGUAGE_ALIASES = {
    "rus": "ru", "russian": "ru", "русский": "ru", "eng": "en", "english": "en",
    "ukr": "uk", "ukrainian": "uk", "українська": "uk", "aze": "az", "azerbaijani": "az",
    "azərbaycan": "az", "tur": "tr", "turkish": "tr", "türkçe": "tr", "kaz": "kk", "kazakh": "kk",
    "deu": "de", "ger": "de", "german": "de", "fra": "fr", "fre": "fr", "french": "fr",
    "spa": "es", "spanish": "es", "zho": "zh", "chi": "zh", "chinese": "zh", "arm": "hy",
    "hye": "hy", "armenian": "hy", "geo": "ka", "kat": "ka", "georgian": "ka", "bel": "be",
    "belarusian": "be", "pol": "pl", "polish": "pl", "ara": "ar", "arabic": "ar",
}


def read_jsonl(
    text: str, *, path: str, mapping: Mapping[str, str | None] | None = None
) -> tuple[list[Document], list[IngestProblem]]:
    """Read a JSON Lines corpus (one JSON object per line).

    Blank lines are skipped; an invalid or truncated line, a line that is not an object and a
    record without text are reported with their 1-based line number and skipped. ``source_key``
    is ``{path}#{id}`` for records with an id, else ``{path}#line{n}``.
    """
    fields = _resolve_mapping(mapping)
    docs: list[Document] = []
    problems: list[IngestProblem] = []
    seen_ids: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            hint = "" if line.rstrip().endswith("}") else " (line looks truncated)"
            problems.append(IngestProblem(
                source=path, line=number, fatal=False,
                message=f"invalid JSON{hint}: {exc.msg} at column {exc.colno}",
            ))
            continue
        if not isinstance(record, dict):
            problems.append(IngestProblem(
                source=path, line=number, fatal=False,
                message=f"expected a JSON object, found {_json_type(record)}",
            ))
            continue
        doc = _record_to_document(record, fields, path=path, position=f"line{number}", line=number,
                                  problems=problems, seen_ids=seen_ids)
        if doc is not None:
            docs.append(doc)
    return docs, problems


def read_csv(
    text: str, *, path: str, mapping: Mapping[str, str | None] | None = None
) -> tuple[list[Document], list[IngestProblem]]:
    """Read a CSV/TSV corpus with a header row.

    The delimiter (comma, semicolon, tab or pipe) is sniffed from the start of the file, and
    checked against the header: the one whose header contains the text column wins, so a
    semicolon export from a Russian-locale Excel is read as such. Empty cells of mapped fields
    count as missing; unmapped cells go to ``meta`` verbatim. ``source_key`` is ``{path}#{id}``
    or ``{path}#row{n}`` (n counts data rows from 1); problems carry the physical line number.
    Raises `IngestError` when no delimiter yields a header with the text column.
    """
    fields = _resolve_mapping(mapping)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise IngestError("empty CSV file")
    _raise_csv_field_limit()
    delimiter, header = _choose_delimiter(text, fields["text"] or "text")
    docs: list[Document] = []
    problems: list[IngestProblem] = []
    seen_ids: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_number = 0
    start_line = 0  # physical line where the next record starts; 0 until the header is read
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(IngestProblem(
                source=path, line=reader.line_num, fatal=False,
                message=f"CSV parse error: {exc}; the rest of the file was skipped",
            ))
            break
        if not start_line:  # the header, already read by _choose_delimiter
            start_line = reader.line_num + 1
            continue
        line, start_line = start_line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        row_number += 1
        if len(row) != len(header):
            problems.append(IngestProblem(
                source=path, line=line, fatal=False,
                message=f"row has {len(row)} fields but the header has {len(header)}; skipped",
            ))
            continue
        record = {name: value for name, value in zip(header, row, strict=True)}
        doc = _record_to_document(record, fields, path=path, position=f"row{row_number}", line=line,
                                  problems=problems, seen_ids=seen_ids)
        if doc is not None:
            docs.append(doc)
    return docs, problems


def _resolve_mapping(mapping: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """The caller's mapping over the defaults; a field mapped to None or "" is not read."""
    fields: dict[str, str | None] = {**DEFAULT_MAPPING, "kind": KIND_COLUMN}
    for field, column in (mapping or {}).items():
        if field not in fields:
            raise ValueError(f"unknown document field in mapping: {field!r} "
                             f"(known: {', '.join(sorted(fields))})")
        fields[field] = column or None
    if not fields["text"]:
        raise ValueError("the mapping must name a column for 'text'")
    return fields


def _record_to_document(
    record: dict[str, Any],
    fields: dict[str, str | None],
    *,
    path: str,
    position: str,
    line: int,
    problems: list[IngestProblem],
    seen_ids: dict[str, int],
) -> Document | None:
    """One record as a Document, or None (with a problem) when it has no usable text.
    Empty strings count as missing for every field but the text."""
    def problem(message: str) -> None:
        problems.append(IngestProblem(source=path, line=line, message=message, fatal=False))

    values: dict[str, Any] = {}
    used: set[str] = set()
    for field, column in fields.items():
        if column is None:
            continue
        found, value = _lookup(record, column)
        if not found:
            continue
        if column in record:
            used.add(column)
        if value is None or (value == "" and field != "text"):
            continue
        values[field] = value

    text = values.get("text")
    if not isinstance(text, str):
        if text is None:
            problem(f"record has no text (column {fields['text']!r})")
        else:
            problem(f"text (column {fields['text']!r}) is {_json_type(text)}, not a string")
        return None
    if not text.strip():
        problem(f"record has empty text (column {fields['text']!r})")
        return None

    meta = {key: value for key, value in record.items() if key not in used}
    doc = Document(text=text, path=path)
    for field in ("title", "url", "outlet", "author", "thread_id", "reply_to", "external_id"):
        if field in values:
            setattr(doc, field, _as_string(values[field]))

    if "published" in values and not _is_null(values["published"]):
        doc.published = _published(values["published"])
        if doc.published is None:
            problem(f"unreadable published value {values['published']!r}; kept in meta")
            meta.setdefault("published_raw", values["published"])
    if "language" in values and not _is_null(values["language"]):
        doc.language = _language(_as_string(values["language"]))
        if doc.language is None:
            problem(f"unrecognised language {values['language']!r}; kept in meta")
            meta.setdefault("language_raw", values["language"])

    doc.kind = "post" if doc.thread_id or doc.reply_to else "article"
    if "kind" in values:
        kind = _as_string(values["kind"]).strip().lower()
        if kind in DOCUMENT_KINDS:
            doc.kind = kind
        else:
            problem(f"unknown kind {values['kind']!r} (known: {', '.join(DOCUMENT_KINDS)}); "
                    f"read as {doc.kind!r}")

    doc.meta = meta
    if doc.external_id:
        doc.source_key = f"{path}#{doc.external_id}"
        if doc.external_id in seen_ids:
            problem(f"id {doc.external_id!r} also on line {seen_ids[doc.external_id]}; "
                    "the later record will be stored as a new version")
        else:
            seen_ids[doc.external_id] = line
    else:
        doc.source_key = f"{path}#{position}"
    add_link_spans(doc)
    return doc


def _lookup(record: dict[str, Any], column: str) -> tuple[bool, Any]:
    """(found, value) for a column name, or for a dotted path into nested objects
    ("source.name"); a literal key containing dots wins over the path."""
    if column in record:
        return True, record[column]
    if "." not in column:
        return False, None
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _is_null(value: Any) -> bool:
    """Spreadsheet spellings of "no value" (for dates and languages, where they are no data)."""
    return isinstance(value, str) and value.strip().lower() in _NULLS


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _published(value: Any) -> str | None:
    """ISO values kept as written (timestamp, date or month); other strings parsed by
    `parse_published`; a number is read as a Unix time (milliseconds above 10^11) in UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    return parse_published(value)


def _language(value: str) -> str | None:
    """Lower-cased ISO 639-1: "RU" -> "ru", "en-US"/"en_GB" -> "en", "rus"/"Russian" -> "ru"."""
    code = value.strip().lower().replace("_", "-")
    if not code:
        return None
    if code in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[code]
    primary = code.split("-")[0]
    if len(primary) == 2 and primary.isascii() and primary.isalpha():
        return primary
    return _LANGUAGE_ALIASES.get(primary)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _choose_delimiter(text: str, text_column: str) -> tuple[str, list[str]]:
    """Sniff the delimiter, then prefer whichever delimiter gives a header with the text column."""
    sample = text[:_SNIFF_CHARS]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    headers = {}
    for delimiter in dict.fromkeys([sniffed, *_CSV_DELIMITERS]):
        try:
            first = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        header = _unique([name.strip() for name in first])
        headers[delimiter] = header
        if text_column in header:
            return delimiter, header
    found = headers.get(sniffed) or []
    raise IngestError(
        f"no text column {text_column!r} in the CSV header; columns found: "
        f"{', '.join(repr(c) for c in found) or '(none)'} (delimiter {sniffed!r}); "
        "name the text column in the mapping"
    )


def _unique(names: list[str]) -> list[str]:
    """Header names made unique ("note", "note_2") so that no repeated column is lost."""
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in out:
            n += 1
            candidate = f"{name}_{n}"
        out.append(candidate)
    return out


def _raise_csv_field_limit() -> None:
    """Articles are longer than the csv module's default 128 KiB field limit."""
    limit = min(sys.maxsize, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
