"""Jobs that join the pipeline's parts: read sources, analyse them, store them in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Config
from .ingest import IngestError, IngestOptions, SourceResult, expand_paths, parse_text, read_sources
from .model import Document, IngestProblem
from .pipeline import Pipeline
from .store import Store

INGEST_STAGE_VERSION = "1"


@dataclass
class IngestSummary:
    sources: int = 0
    added: int = 0
    unchanged: int = 0
    new_versions: int = 0
    problems: list[IngestProblem] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return sorted({p.source for p in self.problems if p.fatal})


def ingest_pipeline(config: Config, analyze: bool = True, command: str = "ingest",
                    stages: list[str] | None = None) -> Pipeline:
    """The pipeline an ingest runs (`stages`, default the configured ones, none unless `analyze`);
    its run record names ingestion as a stage of its own."""
    names = (stages or config.get("pipeline.stages")) if analyze else []
    pipeline = Pipeline(config, names, command=command)
    pipeline.run.stages = {"ingest": INGEST_STAGE_VERSION, **pipeline.run.stages}
    return pipeline


def ingest_into(
    store: Store,
    inputs: Iterable[str],
    options: IngestOptions,
    pipeline: Pipeline,
    *,
    config: Config,
    allow_private: bool = False,
    batch_size: int = 500,
    on_source: Callable[[SourceResult], None] | None = None,
) -> IngestSummary:
    """Ingest files, folders and URLs; each batch of documents is stored in one transaction.

    Content already in the store is neither analysed nor stored again, so re-running an interrupted
    ingest finishes the job without duplicates.
    """
    summary = IngestSummary()
    inputs = list(inputs)
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    paths = list(expand_paths([i for i in inputs if i not in urls], options.include, options.exclude))
    pending: list[Document] = []

    def store_batch(docs: list[Document], archive_sha256: str | None = None) -> None:
        known = store.existing_ids([d.assign_id() for d in docs])
        fresh = [d for d in docs if d.id not in known]
        report = store.add_documents(pipeline.analyze_all(fresh), pipeline.run, archive_sha256=archive_sha256,
                                     layers=pipeline.layers)
        summary.added += report.added
        summary.new_versions += report.new_versions
        summary.unchanged += report.unchanged + len(docs) - len(fresh)

    def take(result: SourceResult) -> None:
        summary.sources += 1
        summary.problems.extend(result.problems)
        if on_source:
            on_source(result)

    for result in read_sources(paths, options):
        take(result)
        pending.extend(result.documents)
        # A big corpus file is committed in batches too: a crash loses at most one batch, and the
        # deterministic ids let the next run pick up where this one stopped.
        while len(pending) >= batch_size:
            store_batch(pending[:batch_size])
            pending = pending[batch_size:]
    if pending:
        store_batch(pending)

    for url in urls:
        try:
            result, sha256 = _fetch(store, url, options, config, allow_private)
        except IngestError as exc:
            result, sha256 = SourceResult(url, problems=[IngestProblem(url, str(exc), exc.line)]), None
        take(result)
        if result.documents:
            store_batch(result.documents, archive_sha256=sha256)
    return summary


def analyze_stored(store: Store, pipeline: Pipeline, *, batch_size: int = 500,
                   ids: Iterable[str] | None = None) -> int:
    """Re-run `pipeline` over the stored documents (latest versions; only `ids` when given), one
    transaction per batch.

    The new run's spans replace, layer by layer, what older runs found; a detected language is
    detected afresh (the configured languages may have changed), a language the input gave is kept.
    """
    count = 0
    batch: list[Document] = []
    for doc in store.iter_documents(batch=batch_size, ids=ids):
        batch.append(reanalyze(pipeline, doc))
        if len(batch) >= batch_size:
            count += store.add_analysis(batch, pipeline.run, pipeline.layers)
            batch = []
    if batch:
        count += store.add_analysis(batch, pipeline.run, pipeline.layers)
    return count


def compare_stored(store: Store, pipeline: Pipeline, config: Config, *, by: str, lists: dict[str, list[str]],
                   on_stale: Callable[[int], None] | None = None) -> tuple[dict[str, Any], list[Document], bool]:
    """Compare the stored documents (those `pipeline` finds stale analysed first; `on_stale` hears how
    many) and keep the comparison: (result, the documents compared, whether the comparison was new).
    LookupError when the store holds no documents."""
    from .compare.diff import compare

    stale = store.stale_documents(pipeline.run, pipeline.layers)
    if stale:
        if on_stale:
            on_stale(len(stale))
        analyze_stored(store, pipeline, batch_size=int(config.get("ingest.batch_size", 500)), ids=stale)
    docs = list(store.iter_documents())
    if not docs:
        raise LookupError("nothing to compare: the store holds no documents")
    result = compare(docs, by=by, lists=lists,
                     settings={**config.section("compare"), "config_hash": pipeline.run.config_hash})
    return result, docs, store.add_comparison(result, pipeline.run.config_hash)


def reanalyze(pipeline: Pipeline, doc: Document) -> Document:
    """Analyse a stored document afresh: the spans of the pipeline's layers are dropped first and a
    detected language is detected again."""
    doc.spans = [s for s in doc.spans if s.layer not in pipeline.layers]
    if doc.meta.get("language_source") == "detected" and "language" in pipeline.run.stages:
        doc.language = None
    return pipeline.analyze(doc)


def analyze_unstored(pipeline: Pipeline, doc: Document) -> Document:
    """Analyse a document read from a file without storing it: every span, those ingestion found
    included, names the run (no ingest run is recorded to name)."""
    pipeline.analyze(doc)
    for span in doc.spans:
        span.run_id = span.run_id or pipeline.run.id
    return doc


def _fetch(store: Store, url: str, options: IngestOptions, config: Config,
           allow_private: bool) -> tuple[SourceResult, str]:
    """Fetch `url`, archive the exact bytes, and parse them; documents point at the archive."""
    from .ingest.encoding import decode_bytes
    from .ingest.fetch import fetch_url

    page = fetch_url(url, timeout=float(config.get("fetch.timeout_s", 20)),
                     max_bytes=int(float(config.get("fetch.max_mb", 10)) * 1024 * 1024),
                     allow_private=allow_private, user_agent=config.get("fetch.user_agent", "framewatch"))
    store.add_archive(sha256=page.sha256, requested_url=page.requested_url, final_url=page.final_url,
                      status=page.status, content_type=page.content_type, fetched_at=page.fetched_at,
                      body=page.body)
    text, _encoding = decode_bytes(page.body, page.final_url)
    fmt = options.fmt
    if fmt == "auto" and page.content_type and "html" in page.content_type:
        fmt = "html"
    result = parse_text(text, source=page.final_url, fmt=fmt, as_of=options.as_of or datetime.now(),
                        url=page.final_url, mapping=options.mapping)
    for doc in result.documents:
        doc.meta.setdefault("fetch", {"requested_url": page.requested_url, "final_url": page.final_url,
                                      "fetched_at": page.fetched_at, "sha256": page.sha256})
    return result, page.sha256
