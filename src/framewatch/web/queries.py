"""What each page and API endpoint shows, computed once for both: plain JSON-like values, already
pseudonymised where the server pseudonymises authors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from ..config import Config
from ..export import write_csv, write_jsonl
from ..model import Document, Span, group_key
from .pseudonyms import Redactor

EXCERPT_CHARS = 240
RECENT_RUNS = 20  # the overview lists the newest runs; summary.runs counts them all


@dataclass
class DocumentFilter:
    """The filters of the document list and the exports (each None or a value to match exactly;
    `since`/`until` bound `published`, both inclusive, as ISO prefixes such as 2025-11)."""

    source: str | None = None
    outlet: str | None = None
    author: str | None = None
    language: str | None = None
    kind: str | None = None
    thread: str | None = None
    since: str | None = None
    until: str | None = None

    def active(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    def for_store(self, redactor: Redactor) -> dict[str, str | None]:
        """The filters as the store reads them: a pseudonym typed as author or source is its member."""
        values = asdict(self)
        values["author"] = redactor.member(self.author)
        values["source"] = redactor.member(self.source)
        return values


def page(items: list[Any], total: int, offset: int, limit: int) -> dict[str, Any]:
    return {"total": total, "offset": offset, "limit": limit, "items": items}


def overview(store: Any, redactor: Redactor, period: str = "month") -> dict[str, Any]:
    return {
        "summary": store.summary(),
        "sources": redactor.value(store.sources()),
        "volume": redactor.value(store.volume(period=period, by="source")),
        "runs": [run.to_dict() for run in store.runs()[::-1][:RECENT_RUNS]],
    }


def summary_record(doc: Document) -> dict[str, Any]:
    """A document in a list: its export fields without text, meta and spans, plus its source and an excerpt."""
    record = doc.to_export()
    text = record.pop("text")
    for name in ("meta", "spans", "actors"):
        record.pop(name)
    record["source"] = group_key(vars(doc), "source")
    record["excerpt"] = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1] + "…"
    return record


def documents(store: Any, redactor: Redactor, where: DocumentFilter, offset: int, limit: int) -> dict[str, Any]:
    docs, total = store.documents_page(offset=offset, limit=limit, **where.for_store(redactor))
    return page([summary_record(redactor.document(doc)) for doc in docs], total, offset, limit)


def document(store: Any, redactor: Redactor, doc_id: str) -> Document | None:
    doc = store.get(doc_id)
    return redactor.document(doc) if doc is not None else None


def document_record(doc: Document, layers: list[str] | None = None) -> dict[str, Any]:
    record = doc.to_export()
    if layers:
        record["spans"] = [s for s in record["spans"] if s["layer"] in layers]
    return record


def iter_filtered(store: Any, redactor: Redactor, where: DocumentFilter, batch: int = 500) -> Iterator[Document]:
    """Every document the filter selects, with its spans, pseudonymised as shown."""
    offset = 0
    while True:
        docs, total = store.documents_page(offset=offset, limit=batch, **where.for_store(redactor))
        if docs:
            yield from map(redactor.document, store.iter_documents(ids=[d.id for d in docs]))
        offset += batch
        if not docs or offset >= total:
            return


def export(store: Any, redactor: Redactor, where: DocumentFilter, fmt: str, sink: TextIO) -> int:
    writer = write_jsonl if fmt == "jsonl" else write_csv
    return writer(iter_filtered(store, redactor, where), sink)


def actors(store: Any, redactor: Redactor, actor_type: str | None, offset: int, limit: int) -> dict[str, Any]:
    items = store.actor_summary()
    if actor_type:
        items = [item for item in items if item["type"] == actor_type.upper()]
    return page(redactor.value(items[offset:offset + limit]), len(items), offset, limit)


def actor(store: Any, redactor: Redactor, shown_id: str, by: str, period: str) -> dict[str, Any] | None:
    """An actor's names, the roles each group gives it and how that changed over time; None if no
    stored mention names it."""
    summary = store.actor_summary()
    actor_id = redactor.actor_id(shown_id, [item["id"] for item in summary])
    entry = next((item for item in summary if item["id"] == actor_id), None)
    if entry is None:
        return None
    roles = store.role_summary(by, actor_id)
    timeline = store.actor_timeline(actor_id, by=by, period=period)
    return redactor.cited({**entry, "by": by, "period": period, "roles": roles, "timeline": timeline}, store)


def actor_mentions(store: Any, redactor: Redactor, shown_id: str, offset: int, limit: int) -> dict[str, Any]:
    """The mentions that count as an actor, each with the sentence it stands in (a citation)."""
    known = [item["id"] for item in store.actor_summary()] if redactor.active else []
    actor_id = redactor.actor_id(shown_id, known)
    mentions = list(store.actor_mentions(actor_id))
    chosen = mentions[offset:offset + limit]
    docs = {doc.id: doc for doc in store.iter_documents(ids=[doc_id for doc_id, _ in chosen])}
    items = []
    for doc_id, span in chosen:
        doc = docs[doc_id]
        sentence = _sentence(doc, span)
        items.append({
            "document": doc_id, "start": sentence[0], "end": sentence[1], "text": doc.text[sentence[0]:sentence[1]],
            "mention": {"document": doc_id, "start": span.start, "end": span.end,
                        "text": doc.text[span.start:span.end]},
            "name": span.attrs.get("name"), "label": span.label, "engine": span.engine, "cue": span.cue,
            "confidence": span.confidence, "run_id": span.run_id,
            "title": doc.title, "published": doc.published, "language": doc.language,
            "source": group_key(vars(doc), "source"),
        })
    return page(redactor.cited(items, store), len(mentions), offset, limit)


def _sentence(doc: Document, span: Span) -> tuple[int, int]:
    for sentence in doc.spans:
        if sentence.layer == "sentence" and sentence.start <= span.start and span.end <= sentence.end:
            return sentence.start, sentence.end
    return span.start, span.end


def techniques(store: Any, redactor: Redactor, by: str) -> list[dict[str, Any]]:
    return redactor.value(store.technique_profile(by))


def narratives(store: Any, redactor: Redactor, by: str) -> list[dict[str, Any]]:
    return redactor.cited(store.narrative_summary(by), store)


def roles(store: Any, redactor: Redactor, by: str, actor_id: str | None) -> list[dict[str, Any]]:
    if actor_id and redactor.active:
        actor_id = redactor.actor_id(actor_id, [item["id"] for item in store.actor_summary()])
    return redactor.cited(store.role_summary(by, actor_id), store)


# Around each matched word of a search snippet; no document text contains them.
MATCH_START, MATCH_END = "\x02", "\x03"


def search(store: Any, redactor: Redactor, query: str, language: str | None, offset: int,
           limit: int) -> dict[str, Any]:
    run = redactor.search_query(query)
    if run is None:
        hits, total = [], 0
    else:
        hits = store.search(run, language=language, limit=limit, offset=offset, markers=(MATCH_START, MATCH_END))
        total = store.search_count(run, language=language)
    items = []
    for hit in hits:
        record = summary_record(redactor.document(hit.document))
        # Markers may split a member's name (`Marko_V`: two words): names are replaced after they go.
        record["snippet"], record["matches"] = redactor.marked(*_unmark(hit.snippet))
        record["rank"] = hit.rank
        items.append(record)
    return {**page(items, total, offset, limit), "query": query, "language": language}


def _unmark(snippet: str) -> tuple[str, list[list[int]]]:
    """The snippet without its match markers, and the [start, end] of each match in it."""
    text: list[str] = []
    matches: list[list[int]] = []
    length = 0
    for n, part in enumerate(snippet.split(MATCH_START)):
        inside, _, after = part.partition(MATCH_END) if n else ("", "", part)
        if inside:
            matches.append([length, length + len(inside)])
        text += [inside, after]
        length += len(inside) + len(after)
    return "".join(text), matches


def snippet_pieces(snippet: str, matches: list[list[int]]) -> list[tuple[str, bool]]:
    """A snippet as (text, is_match) pieces, for highlighting with escaped text."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in matches:
        pieces += [(snippet[last:start], False), (snippet[start:end], True)]
        last = end
    pieces.append((snippet[last:], False))
    return [p for p in pieces if p[0]]


def comparisons(store: Any, redactor: Redactor) -> list[dict[str, Any]]:
    return redactor.value(store.comparisons())


def comparison(store: Any, redactor: Redactor, comparison_id: str) -> dict[str, Any] | None:
    result = store.comparison(comparison_id)
    return redactor.cited(result, store) if result is not None else None


def build_comparison(store: Any, config: Config, by: str, lists: dict[str, list[str]]) -> tuple[dict[str, Any], bool]:
    """Compare the stored documents as `framewatch compare` does (stale documents analysed first) and
    keep the comparison; (result, whether it was new)."""
    from ..batch import compare_stored
    from ..pipeline import Pipeline
    from ..registry import config_with_store_decisions

    pipeline = Pipeline(config_with_store_decisions(config, store), command="serve compare")
    result, _, new = compare_stored(store, pipeline, config, by=by, lists=lists)
    return result, new


def story_documents(store: Any, redactor: Redactor, stories: list[dict[str, Any]]) -> dict[str, Document]:
    """The documents of `stories`, as shown."""
    ids = [doc_id for story in stories for c in story["coverage"] for doc_id in c["documents"]]
    return {doc.id: redactor.document(doc) for doc in store.iter_documents(ids=ids)}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
