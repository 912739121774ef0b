"""The JSON API (`/api/...`) and the exports. Every list is a page: `offset`, `limit` (bounded) and
the `total` matching; unknown ids are 404; errors are `{"error": message}`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from ..model import PROFILE_GROUPS
from . import queries
from .app import Service, service
from .intake import BadBody, ingest_body
from .queries import DocumentFilter
from .schemas import (
    ActorDetail,
    ActorPage,
    ComparisonCreated,
    ComparisonRequest,
    ComparisonSummary,
    DocumentOut,
    DocumentPage,
    Error,
    IngestResult,
    MentionPage,
    NarrativeGroup,
    Overview,
    RoleEntry,
    SearchPage,
    Source,
    SpanPage,
    TechniqueGroup,
    VolumePoint,
)

Grouping = Literal["source", "outlet", "author", "thread", "language", "document"]
Period = Literal["year", "month", "week", "day"]
Offset = Annotated[int, Query(ge=0, description="Items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500)")]
Layers = Annotated[list[str] | None, Query(description="Only spans of these layers (repeat the parameter)")]
assert set(Grouping.__args__) == set(PROFILE_GROUPS)  # type: ignore[attr-defined]

NOT_FOUND = {404: {"model": Error, "description": "No such id"}}
router = APIRouter(prefix="/api", responses={401: {"model": Error}, 422: {"model": Error}})
exports = APIRouter(tags=["exports"])


def document_filter(
    source: Annotated[str | None, Query(description="Source: outlet, else author, else web host, else file")] = None,
    outlet: str | None = None,
    author: str | None = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code")] = None,
    kind: Annotated[str | None, Query(description="post, quote, article, comment or record")] = None,
    thread: Annotated[str | None, Query(description="Thread id")] = None,
    since: Annotated[str | None, Query(description="Published on or after (ISO date or prefix, e.g. 2025-11)")] = None,
    until: Annotated[str | None, Query(description="Published on or before (ISO date or prefix)")] = None,
) -> DocumentFilter:
    # An empty form field means "any".
    return DocumentFilter(source or None, outlet or None, author or None, (language or "").lower() or None,
                          kind or None, thread or None, since or None, until or None)


Filter = Annotated[DocumentFilter, Depends(document_filter)]


@router.get("/overview", response_model=Overview, tags=["corpus"])
def get_overview(request: Request, period: Period = "month") -> dict[str, Any]:
    """Counts by kind and language, the sources, documents per source and period, and the recorded runs."""
    with service(request).store() as (store, redactor):
        return queries.overview(store, redactor, period)


@router.get("/sources", response_model=list[Source], tags=["corpus"])
def get_sources(request: Request) -> list[dict[str, Any]]:
    with service(request).store() as (store, redactor):
        return redactor.value(store.sources())


@router.get("/volume", response_model=list[VolumePoint], tags=["corpus"])
def get_volume(request: Request, period: Period = "month", by: Grouping = "source") -> list[dict[str, Any]]:
    """Documents per group and period (by published date)."""
    with service(request).store() as (store, redactor):
        return redactor.value(store.volume(period=period, by=by))


@router.get("/documents", response_model=DocumentPage, tags=["documents"])
def list_documents(request: Request, where: Filter, offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
    with service(request).store() as (store, redactor):
        return queries.documents(store, redactor, where, offset, limit)


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=NOT_FOUND, tags=["documents"])
def get_document(request: Request, doc_id: str, layer: Layers = None) -> dict[str, Any]:
    """One document in the export contract, with the spans of every layer (or of `layer` only)."""
    with service(request).store() as (store, redactor):
        doc = queries.document(store, redactor, doc_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return queries.document_record(doc, layer)


@router.get("/documents/{doc_id}/spans", response_model=SpanPage, responses=NOT_FOUND, tags=["documents"])
def get_spans(request: Request, doc_id: str, layer: Layers = None, offset: Offset = 0,
              limit: Limit = 100) -> dict[str, Any]:
    with service(request).store() as (store, redactor):
        doc = queries.document(store, redactor, doc_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    spans = queries.document_record(doc, layer)["spans"]
    return queries.page(spans[offset:offset + limit], len(spans), offset, limit)


@router.post("/documents", response_model=IngestResult, tags=["documents"],
             responses={400: {"model": Error}, 413: {"model": Error}})
async def post_documents(
    request: Request,
    source: Annotated[str, Query(min_length=1, max_length=200, description=(
        "Name of the posting source: a record's `id` is unique within it, and a record posted again "
        "under the same source and id with other content becomes a new version"))] = "api",
) -> dict[str, Any]:
    """Ingest documents: a JSON array of records or JSON Lines, each as `framewatch ingest` reads a
    JSONL record (`text` required). They are analysed with the configured pipeline (one recorded run
    per server while the curation decisions stay the same) and stored; known content is skipped.
    Records that cannot be read are listed in `problems` with their line (or array position) and the
    others are stored."""
    svc = service(request)
    body = await _read_body(request, svc.max_body_bytes)
    try:
        intake = await run_in_threadpool(_ingest, svc, body, source)
    except BadBody as exc:
        raise HTTPException(400, str(exc)) from exc
    return vars(intake)


def _ingest(svc: Service, body: bytes, source: str) -> Any:
    with svc.store() as (store, _):
        return ingest_body(store, svc.ingest_pipeline(store), body, source=source, analysis_lock=svc.analysis_lock)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` bytes (a chunked body has no length to check first)."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body is over the limit of {limit} bytes (serve --max-body-mb)")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/actors", response_model=ActorPage, tags=["actors"])
def list_actors(request: Request, offset: Offset = 0, limit: Limit = 50,
                type: Annotated[str | None, Query(description="PERSON, ORG, GPE, GOVERNMENT, GROUP, MEDIA or PLACE")]
                = None) -> dict[str, Any]:
    """Actors named in the stored documents, most mentioned first (after curation decisions)."""
    with service(request).store() as (store, redactor):
        return queries.actors(store, redactor, type, offset, limit)


@router.get("/actors/{actor_id}", response_model=ActorDetail, responses=NOT_FOUND, tags=["actors"])
def get_actor(request: Request, actor_id: str, by: Grouping = "source", period: Period = "month") -> dict[str, Any]:
    """An actor: names, the roles each group of documents gives it (with a cited sentence per role), and
    roles and mentions per group and period."""
    with service(request).store() as (store, redactor):
        found = queries.actor(store, redactor, actor_id, by, period)
    if found is None:
        raise HTTPException(404, f"no stored mention names an actor {actor_id!r}")
    return found


@router.get("/actors/{actor_id}/mentions", response_model=MentionPage, tags=["actors"])
def get_mentions(request: Request, actor_id: str, offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
    """Every mention that counts as the actor, with the sentence it stands in (document offsets)."""
    with service(request).store() as (store, redactor):
        return queries.actor_mentions(store, redactor, actor_id, offset, limit)


@router.get("/roles", response_model=list[RoleEntry], tags=["profiles"])
def get_roles(request: Request, by: Grouping = "source",
              actor: Annotated[str | None, Query(description="Only this actor id")] = None) -> list[dict[str, Any]]:
    with service(request).store() as (store, redactor):
        return queries.roles(store, redactor, by, actor)


@router.get("/techniques", response_model=list[TechniqueGroup], tags=["profiles"])
def get_techniques(request: Request, by: Grouping = "source") -> list[dict[str, Any]]:
    """Persuasion-technique hits per group, and per 1,000 words."""
    with service(request).store() as (store, redactor):
        return queries.techniques(store, redactor, by)


@router.get("/narratives", response_model=list[NarrativeGroup], tags=["profiles"])
def get_narratives(request: Request, by: Grouping = "source") -> list[dict[str, Any]]:
    """Documents per narrative and subnarrative for each group, with a cited sentence per narrative."""
    with service(request).store() as (store, redactor):
        return queries.narratives(store, redactor, by)


@router.get("/search", response_model=SearchPage, tags=["search"])
def get_search(request: Request, q: Annotated[str, Query(min_length=1, max_length=1000, description=(
                   'Words (all must match), "quoted phrases", prefix*; case folded in Latin and Cyrillic'))],
               lang: Annotated[str | None, Query(description="Only documents in this language")] = None,
               offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    with service(request).store() as (store, redactor):
        return queries.search(store, redactor, q, lang and lang.lower(), offset, limit)


@router.get("/comparisons", response_model=list[ComparisonSummary], tags=["comparisons"])
def list_comparisons(request: Request) -> list[dict[str, Any]]:
    """Stored comparisons (`framewatch compare`, or built here), newest first."""
    with service(request).store() as (store, redactor):
        return queries.comparisons(store, redactor)


@router.get("/comparisons/{comparison_id}", response_model=dict[str, Any], responses=NOT_FOUND,
            tags=["comparisons"])
def get_comparison(request: Request, comparison_id: str) -> dict[str, Any]:
    """The comparison object of docs/format.md (stories side by side, facts, roles, voices, profiles)."""
    with service(request).store() as (store, redactor):
        result = queries.comparison(store, redactor, comparison_id)
    if result is None:
        raise HTTPException(404, f"no comparison with id {comparison_id!r}")
    return result


@router.post("/comparisons", response_model=ComparisonCreated, status_code=201, tags=["comparisons"])
def post_comparison(request: Request, body: ComparisonRequest) -> dict[str, Any]:
    """Compare the stored documents grouped `by` (or in explicit `groups`) and store the comparison;
    documents without current annotations are analysed first."""
    svc = service(request)
    result, created = build(svc, body.by, body.groups or {})
    return {"id": result["id"], "created": created, "stories": len(result["stories"]),
            "url": f"/stories/{result['id']}"}


def build(svc: Service, by: str, groups: dict[str, list[str]]) -> tuple[dict[str, Any], bool]:
    if by not in PROFILE_GROUPS and not (by.startswith("meta.") and len(by) > 5):
        raise HTTPException(422, f"by {by!r}: choose one of {', '.join(PROFILE_GROUPS)} or meta.FIELD")
    with svc.store() as (store, _), svc.analysis_lock:
        try:
            return queries.build_comparison(store, svc.config, by, groups)
        except LookupError as exc:
            raise HTTPException(409, str(exc)) from exc


@exports.get("/export.jsonl", response_class=StreamingResponse,
             responses={200: {"content": {"application/x-ndjson": {}}}})
def export_jsonl(request: Request, where: Filter) -> StreamingResponse:
    """The documents the filters select, one export record a line (docs/format.md)."""
    return _export(service(request), where, "jsonl", "application/x-ndjson")


@exports.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def export_csv(request: Request, where: Filter) -> StreamingResponse:
    """The documents the filters select, one CSV row each (lists, meta and spans as JSON in their cells)."""
    return _export(service(request), where, "csv", "text/csv; charset=utf-8")


def _export(svc: Service, where: DocumentFilter, fmt: str, media_type: str) -> StreamingResponse:
    # Written here, in the thread that holds the store connection, then streamed from the file.
    sink = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        with svc.store() as (store, redactor):
            queries.export(store, redactor, where, fmt, sink)
    except BaseException:
        sink.close()
        raise
    sink.seek(0)
    return StreamingResponse(_chunks(sink), media_type=media_type,
                             headers={"content-disposition": f'attachment; filename="framewatch-export.{fmt}"'})


def _chunks(sink: IO[str]) -> Iterator[bytes]:
    with sink:
        while chunk := sink.read(64 * 1024):
            yield chunk.encode("utf-8")
