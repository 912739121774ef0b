"""The JSON API's response shapes, as they appear in /openapi.json. Documents and spans are the export
contract of docs/format.md; a comparison is the `framewatch compare --json` object."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Error(BaseModel):
    error: str = Field(description="What went wrong, naming the parameter or record at fault")
    detail: list[dict[str, Any]] | None = None


class SpanOut(BaseModel):
    layer: str
    label: str
    start: int = Field(description="Offset (code points) into the document's text")
    end: int = Field(description="Exclusive end offset")
    confidence: float | None
    engine: str
    cue: str | None
    attrs: dict[str, Any]
    run_id: str | None


class DocumentFields(BaseModel):
    """What every document answer carries: the export contract's fields without text, spans and meta."""

    id: str
    external_id: str | None
    kind: str
    thread_id: str | None
    reply_to: str | None
    author: str | None
    published: str | None
    quotes: list[str]
    language: str | None
    title: str | None
    url: str | None
    path: str | None
    outlet: str | None
    original_url: str | None
    links: list[str]
    disclaimers: list[str]
    previous_id: str | None


class DocumentSummary(DocumentFields):
    source: str = Field(description="outlet, else author, else web host, else file name")
    excerpt: str


class DocumentOut(DocumentFields):
    actors: list[dict[str, Any]]
    meta: dict[str, Any]
    text: str
    spans: list[SpanOut]


class Page(BaseModel):
    total: int = Field(description="How many items match, over all pages")
    offset: int
    limit: int


class DocumentPage(Page):
    items: list[DocumentSummary]


class SpanPage(Page):
    items: list[SpanOut]


class Source(BaseModel):
    source: str
    documents: int
    languages: dict[str, int]
    first: str | None
    last: str | None


class VolumePoint(BaseModel):
    group: str
    period: str | None = Field(description="YYYY, YYYY-MM or YYYY-MM-DD; null for undated documents")
    documents: int


class Run(BaseModel):
    id: str
    started_at: str
    package_version: str
    stages: dict[str, str]
    resource_versions: dict[str, str]
    config_hash: str
    command: str


class Overview(BaseModel):
    summary: dict[str, Any]
    sources: list[Source]
    volume: list[VolumePoint]
    runs: list[Run] = Field(description="The newest 20 recorded runs, newest first (summary.runs counts all)")


class Actor(BaseModel):
    id: str
    type: str | None
    label: str
    mentions: int
    documents: int
    names: list[str]
    source: str
    merged: list[str]


class ActorPage(Page):
    items: list[Actor]


class Citation(BaseModel):
    document: str
    start: int
    end: int
    text: str


class RoleEntry(BaseModel):
    group: str
    actor_id: str
    documents: int
    main_roles: dict[str, int]
    fine_roles: dict[str, dict[str, int]]
    evidence: dict[str, Citation]


class TimelinePoint(BaseModel):
    group: str
    period: str | None
    main_roles: dict[str, int]
    mentions: int


class ActorDetail(Actor):
    by: str
    period: str
    roles: list[RoleEntry]
    timeline: list[TimelinePoint]


class Mention(Citation):
    mention: Citation
    name: str | None
    label: str
    engine: str
    cue: str | None
    confidence: float | None
    run_id: str | None
    title: str | None
    published: str | None
    language: str | None
    source: str


class MentionPage(Page):
    items: list[Mention]


class TechniqueGroup(BaseModel):
    group: str
    documents: int
    words: int
    counts: dict[str, int]
    per_1000_words: dict[str, float]


class NarrativeGroup(BaseModel):
    group: str
    documents: int
    narratives: dict[str, int]
    subnarratives: dict[str, int]
    evidence: dict[str, Citation]


class SearchHit(DocumentSummary):
    snippet: str = Field(description="About 12 words of the text around the matches")
    matches: list[list[int]] = Field(description="[start, end] of each matched word in `snippet`")
    rank: float = Field(description="Lower is better")


class SearchPage(Page):
    query: str
    language: str | None
    items: list[SearchHit]


class ComparisonSummary(BaseModel):
    id: str
    grouping: str
    documents: int
    stories: int
    created_at: str


class ComparisonRequest(BaseModel):
    by: str = Field("outlet", description="outlet, source, author, thread, language, document or meta.FIELD")
    groups: dict[str, list[str]] | None = Field(
        None, description="Explicit groups, name -> document ids or corpus ids (overrides by)")


class ComparisonCreated(BaseModel):
    id: str
    created: bool = Field(description="False when the identical comparison was already stored")
    stories: int
    url: str


class Problem(BaseModel):
    line: int | None = Field(None, description="JSON Lines body: the line, 1-based")
    record: int | None = Field(None, description="JSON array body: the record's position, 1-based")
    message: str


class IngestResult(BaseModel):
    added: int = Field(description="Documents stored by this request (new versions included)")
    unchanged: int = Field(description="Records whose content was already stored")
    new_versions: int
    ids: list[str] = Field(description="The id of every record read, in body order")
    problems: list[Problem]
    run_id: str | None = Field(description="The analysis run that produced the new documents' spans "
                                           "(null when nothing was added)")
