"""The HTML pages. Every value shown comes from `queries` (the same as the API's) and is escaped by
the templates; no page loads anything from another server."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..model import PROFILE_GROUPS
from ..report import compare_html
from . import charts, queries
from .api import Filter, Grouping, Limit, Offset, Period, build
from .app import service
from .highlight import HIDDEN_AT_FIRST, describe, layer_order, pieces

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
STORIES_PER_PAGE = 10
ROLE_CLASSES = {"Protagonist": "c1", "Antagonist": "c3", "Innocent": "c0"}


@router.get("/")
def overview(request: Request, period: Period = "month") -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        data = queries.overview(store, redactor, period)
    volume = data["volume"]
    totals = Counter()
    for point in volume:
        totals[point["group"]] += point["documents"]
    css = charts.palette(name for name, _ in totals.most_common())
    chart = charts.stacked_bars(((p["period"], p["group"], p["documents"]) for p in volume if p["period"]), css)
    undated = sum(p["documents"] for p in volume if not p["period"])
    return svc.page("overview.html.j2", request, data=data, chart=chart, undated=undated, period=period)


@router.get("/documents")
def documents(request: Request, where: Filter, offset: Offset = 0, limit: Limit = 50) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        listing = queries.documents(store, redactor, where, offset, limit)
        sources = redactor.value(store.sources())
        summary = store.summary()
    return svc.page("documents.html.j2", request, listing=listing, where=where, filters=where.active(),
                    sources=sources, languages=summary["by_language"], kinds=summary["by_kind"])


@router.get("/documents/{doc_id}")
def document(request: Request, doc_id: str, start: Annotated[int | None, Query(ge=0)] = None,
             end: Annotated[int | None, Query(ge=0)] = None) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        doc = queries.document(store, redactor, doc_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    spans = doc.sorted_spans()
    cited = (start, end) if start is not None and end is not None and start < end <= len(doc.text) else None
    layers = layer_order(s.layer for s in spans)
    counts = Counter(s.layer for s in spans)
    return svc.page("document.html.j2", request, doc=doc, spans=spans, pieces=pieces(doc.text, spans, cited),
                    layers=layers, counts=counts, hidden=HIDDEN_AT_FIRST, describe=describe, cited=cited,
                    meta=queries.dumps(doc.to_export()["meta"]))


@router.get("/actors")
def actors(request: Request, offset: Offset = 0, limit: Limit = 50, type: str | None = None) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        listing = queries.actors(store, redactor, type, offset, limit)
    return svc.page("actors.html.j2", request, listing=listing, type=type)


@router.get("/actors/{actor_id}")
def actor(request: Request, actor_id: str, by: Grouping = "source", period: Period = "month",
          offset: Offset = 0, limit: Limit = 50) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        found = queries.actor(store, redactor, actor_id, by, period)
        if found is None:
            raise HTTPException(404, f"no stored mention names an actor {actor_id!r}")
        mentions = queries.actor_mentions(store, redactor, actor_id, offset, limit)
    timeline: dict[str, list[dict[str, Any]]] = {}
    for point in found["timeline"]:
        timeline.setdefault(point["group"], []).append(point)
    role_charts = {
        group: charts.stacked_bars(((p["period"] or "undated", role, n) for p in points
                                    for role, n in p["main_roles"].items()),
                                   lambda role: ROLE_CLASSES.get(role, "other"), unit="documents")
        for group, points in timeline.items()}
    return svc.page("actor.html.j2", request, actor=found, timeline=timeline, role_charts=role_charts,
                    mentions=mentions, groupings=PROFILE_GROUPS, actor_id=actor_id)


def _most_common_first(groups: list[dict[str, Any]], counts: str) -> list[str]:
    """The labels of the groups' `counts`, the most frequent over all groups first: the profile's columns."""
    totals: Counter[str] = Counter()
    for group in groups:
        totals.update(group[counts])
    return [label for label, _ in totals.most_common()]


@router.get("/techniques")
def techniques(request: Request, by: Grouping = "source") -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        groups = queries.techniques(store, redactor, by)
    labels = _most_common_first(groups, "counts")
    peak = max((v for g in groups for v in g["per_1000_words"].values()), default=0) or 1
    return svc.page("techniques.html.j2", request, groups=groups, labels=labels, peak=peak, by=by,
                    groupings=PROFILE_GROUPS)


@router.get("/narratives")
def narratives(request: Request, by: Grouping = "source") -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        groups = queries.narratives(store, redactor, by)
    labels = _most_common_first(groups, "narratives")
    return svc.page("narratives.html.j2", request, groups=groups, labels=labels, by=by, groupings=PROFILE_GROUPS)


@router.get("/search")
def search(request: Request, q: Annotated[str, Query(max_length=1000)] = "", lang: str | None = None,
           offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    svc = service(request)
    results = None
    with svc.store() as (store, redactor):
        if q.strip():
            results = queries.search(store, redactor, q, lang or None, offset, limit)
        languages = store.summary()["by_language"]
    return svc.page("search.html.j2", request, q=q, lang=lang or "", results=results, languages=languages,
                    snippet_pieces=queries.snippet_pieces)


@router.get("/stories")
def stories(request: Request) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        listing = queries.comparisons(store, redactor)
    return svc.page("stories.html.j2", request, listing=listing, groupings=PROFILE_GROUPS)


@router.post("/stories")
async def new_story(request: Request) -> Response:
    """The comparison form: `by` (a grouping, or `meta` with `field`)."""
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    by = form.get("by", "outlet")
    if by == "meta":
        by = "meta." + form.get("field", "").strip()
    result, _ = await run_in_threadpool(build, service(request), by, {})
    return RedirectResponse(f"/stories/{result['id']}", status_code=303)


@router.get("/stories/{comparison_id}")
def story(request: Request, comparison_id: str, offset: Offset = 0) -> Response:
    svc = service(request)
    with svc.store() as (store, redactor):
        result = queries.comparison(store, redactor, comparison_id)
        if result is None:
            raise HTTPException(404, f"no comparison with id {comparison_id!r}")
        shown = result["stories"][offset:offset + STORIES_PER_PAGE]
        docs = queries.story_documents(store, redactor, shown)
    rendered = {doc_id: pieces(doc.text, doc.sorted_spans()) for doc_id, doc in docs.items()}
    layers = layer_order(s.layer for doc in docs.values() for s in doc.spans)
    return svc.page("story.html.j2", request, result=result, shown=shown, docs=docs, rendered=rendered,
                    layers=layers, hidden=HIDDEN_AT_FIRST | {"mention", "sentiment", "link", "frame", "narrative"},
                    offset=offset, per_page=STORIES_PER_PAGE, describe=describe)


@router.get("/stories/{comparison_id}/report.html")
def story_report(request: Request, comparison_id: str) -> Response:
    """The self-contained HTML report of `framewatch compare --html`, as a download."""
    svc = service(request)
    with svc.store() as (store, redactor):
        result = queries.comparison(store, redactor, comparison_id)
        if result is None:
            raise HTTPException(404, f"no comparison with id {comparison_id!r}")
        docs = queries.story_documents(store, redactor, result["stories"])
    return HTMLResponse(compare_html(result, docs), headers={
        "content-disposition": f'attachment; filename="framewatch-comparison-{comparison_id}.html"'})
