"""The `framewatch` command line.

Data goes to stdout only when it is the command's product (export without -o, show, search);
progress bars, logs and warnings go to stderr. Every command that touches the store takes
`--db PATH|URL` after the verb.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__, privacy
from .batch import IngestSummary, analyze_stored, analyze_unstored, compare_stored, ingest_into, ingest_pipeline
from .bench.cli import bench_app
from .config import Config, load_config
from .export import write_csv, write_jsonl
from .ingest import FORMATS, IngestOptions, SourceResult, expand_paths, read_sources
from .model import PROFILE_GROUPS, IngestProblem
from .pipeline import Pipeline
from .registry import config_with_store_decisions
from .scale import DEFAULT_PARTITION_SIZE
from .store import Store, StoreError, open_store

app = typer.Typer(
    name="framewatch",
    help="Turn contested articles and forum threads into citable evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Store file path, sqlite:///PATH or "
                                                             "postgresql://USER@HOST/DB URL "
                                                             "(default: store.db from framewatch.toml, "
                                                             "else ./framewatch.db)")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="framewatch.toml to use")]
GroupOption = Annotated[str, typer.Option("--by", help="Group by source (outlet, else author, else web host, "
                                                    "else file name), outlet, author, thread, language or document")]


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        err.print(f"[yellow]warning:[/yellow] {record.getMessage()}", highlight=False)


def _setup_logging(verbose: bool = False) -> None:
    root = logging.getLogger("framewatch")
    root.handlers[:] = [_StderrHandler()]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False


def _print_columns(rows: list[tuple[str, ...]], numeric: tuple[int, ...] = ()) -> None:
    """Plain aligned columns, never wrapped or cut, so ids survive a pipe into grep or cut; the last
    column is left ragged."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [row[i].rjust(w) if i in numeric else row[i].ljust(w) for i, w in enumerate(widths)]
        out.print("  ".join([*cells, row[-1]]).rstrip(), highlight=False, markup=False)


def _print_json_lines(items: Iterable[dict[str, Any]]) -> None:
    """One JSON object a line on stdout: the `--json` form of the summary commands."""
    for item in items:
        print(json.dumps(item, ensure_ascii=False))


def _check_grouping(by: str) -> None:

    if by not in PROFILE_GROUPS:
        raise _fail(f"--by {by!r}: choose one of {', '.join(PROFILE_GROUPS)}", 2)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc


def _open(db: str | None, config: Config, *, create: bool = False) -> Store:
    try:
        return open_store(db or config.get("store.db", "framewatch.db"), create=create)
    except (StoreError, ValueError, OSError) as exc:
        raise _fail(str(exc), 2) from exc


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"--as-of {value!r}: expected an ISO date or date-time such as 2025-12-01T12:00", 2) from exc


def _ingest_options(config: Config, fmt: str, as_of: str | None, include: list[str] | None,
                    exclude: list[str] | None, mapping: list[str] | None) -> IngestOptions:
    if fmt not in FORMATS:
        raise _fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}", 2)
    column_map = dict(config.get("ingest.mapping", {}))
    for item in mapping or []:
        field, sep, column = item.partition("=")
        if not sep:
            raise _fail(f"--map {item!r}: expected FIELD=COLUMN, e.g. text=body", 2)
        column_map[field.strip()] = column.strip()
    return IngestOptions(
        fmt=fmt,
        as_of=_as_of(as_of),
        mapping=column_map,
        max_file_bytes=int(float(config.get("ingest.max_file_mb", 100)) * 1024 * 1024),
        include=tuple(include or config.get("ingest.include", ["*"])),
        exclude=tuple(exclude or config.get("ingest.exclude", [])),
    )


def _report(problem: IngestProblem) -> None:
    level = "[red]error:[/red]" if problem.fatal else "[yellow]warning:[/yellow]"
    err.print(f"{level} {problem}", highlight=False, markup=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


def _read_all(inputs: list[str], options: IngestOptions, description: str) -> Iterator[SourceResult]:
    paths = list(expand_paths(inputs, options.include, options.exclude))
    with _progress() as progress:
        task = progress.add_task(description, total=len(paths))
        for result in read_sources(paths, options):
            progress.advance(task)
            yield result


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories or http(s) URLs")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Input shape: {', '.join(FORMATS)}")] = "auto",
    as_of: Annotated[str | None, typer.Option(help="Resolve 'Yesterday, 09:20 AM' against this time "
                                                   "(default: each file's modification time)")] = None,
    include: Annotated[list[str] | None, typer.Option(help="Glob of files to take from directories")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Glob of files or folders to skip")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="JSONL/CSV column: FIELD=COLUMN")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private",
                                                help="Allow URLs on private or loopback addresses")] = False,
    analyze: Annotated[bool, typer.Option(help="Run the configured analysis stages while ingesting")] = True,
    config_path: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Read files, folders and URLs into the store (idempotent: known content is skipped)."""
    _setup_logging(verbose)
    config = _config(config_path)
    options = _ingest_options(config, fmt, as_of, include, exclude, mapping)
    with _open(db, config, create=True) as store, _progress() as progress:
        config = config_with_store_decisions(config, store)  # the analyst's merges and splits count
        pipeline = ingest_pipeline(config, analyze)
        task = progress.add_task("ingesting", total=None)

        def on_source(result: SourceResult) -> None:
            progress.advance(task)
            for problem in result.problems:
                _report(problem)

        summary = ingest_into(store, inputs, options, pipeline, config=config, allow_private=allow_private,
                              batch_size=int(config.get("ingest.batch_size", 500)), on_source=on_source)
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


def _print_summary(summary: IngestSummary) -> None:
    err.print(
        f"{summary.sources} source(s): {summary.added} document(s) added "
        f"({summary.new_versions} of them new versions of edited documents), "
        f"{summary.unchanged} already stored"
        + (f"; [red]{len(summary.failed)} failed[/red]" if summary.failed else ""),
        highlight=False,
    )


@app.command()
def analyze(
    inputs: Annotated[list[str] | None, typer.Argument(help="Files or directories (omit with --db)")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write documents with spans as JSONL to "
                                                               "this file ('-': stdout, default for files)")] = None,
    db: DbOption = None,
    stages: Annotated[list[str] | None, typer.Option(
        "--stage", help="Stages to run (default: pipeline.stages of the config)")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Input shape: {', '.join(FORMATS)}")] = "auto",
    as_of: Annotated[str | None, typer.Option(help="Resolve relative timestamps against this time")] = None,
    include: Annotated[list[str] | None, typer.Option(help="Glob of files to take from directories")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Glob of files or folders to skip")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="JSONL/CSV column: FIELD=COLUMN")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Analyse in partitions on a local Dask cluster of N "
                                                            "worker processes (docs/scale.md)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Analyse in partitions on the running Dask cluster at "
                                                       "this address, e.g. tcp://host:8786")] = None,
    partition_size: Annotated[int | None, typer.Option(min=1, help="Documents per partition with --workers or "
                                                                   f"--scheduler (default {DEFAULT_PARTITION_SIZE})")
                              ] = None,
    everything: Annotated[bool, typer.Option("--all", help="With --db: analyse every stored document, not only "
                                                           "those without current annotations")] = False,
    config_path: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the analysis pipeline on files (no store), or with --db on the stored documents."""
    _setup_logging(verbose)
    config = _config(config_path)
    if not inputs and db is None:
        raise _fail("give files to analyse, or --db to analyse the stored documents", 2)
    if inputs and db is not None:
        raise _fail("give either files (analysed without a store) or --db, not both", 2)
    if workers is not None and scheduler is not None:
        raise _fail("give --workers N (a local cluster) or --scheduler ADDRESS (a running one), not both", 2)
    if partition_size is not None and workers is None and scheduler is None:
        raise _fail("--partition-size applies to --workers or --scheduler runs", 2)
    if everything and db is None:
        raise _fail("--all applies to --db (files given are always analysed)", 2)
    try:  # unknown stage names are a usage error, found before any file is read
        pipeline = ingest_pipeline(config, stages=stages, command="analyze") if inputs else None
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    if inputs and json_out is None:
        json_out = "-"  # analysing files without a store: the documents are the product
    if workers is not None or scheduler is not None:
        options = _ingest_options(config, fmt, as_of, include, exclude, mapping) if inputs else None
        _analyze_on_cluster(inputs, options, pipeline, json_out, db, config, stages, workers=workers,
                            scheduler=scheduler, partition_size=partition_size or DEFAULT_PARTITION_SIZE,
                            everything=everything, verbose=verbose)
        return
    sink = _open_sink(json_out)
    failed = 0
    written = 0
    try:
        if inputs:
            options = _ingest_options(config, fmt, as_of, include, exclude, mapping)
            for result in _read_all(inputs, options, "analysing"):
                for problem in result.problems:
                    _report(problem)
                    failed += problem.fatal
                for doc in result.documents:
                    analyze_unstored(pipeline, doc)
                    if sink:
                        written += write_jsonl([doc], sink)
        else:
            with _open(db, config) as store:
                pipeline = _pipeline(config_with_store_decisions(config, store), stages)
                # Only what no run with these settings has analysed: a re-run resumes, as on a cluster.
                ids = None if everything else store.stale_documents(pipeline.run, pipeline.layers)
                count = analyze_stored(store, pipeline, batch_size=int(config.get("ingest.batch_size", 500)), ids=ids)
                current = store.count() - count
                if sink:
                    written = write_jsonl(store.iter_documents(), sink)
            err.print(f"analysed {count} stored document(s) in run {pipeline.run.id}; "
                      f"{current} already had current annotations", highlight=False)
    finally:
        if sink and sink is not sys.stdout:
            sink.close()
    if json_out:
        target = "stdout" if json_out == "-" else json_out
        err.print(f"wrote {written} document(s) to {target}", highlight=False)
    if failed:
        raise typer.Exit(1)


def _analyze_on_cluster(inputs: list[str] | None, options: IngestOptions | None, pipeline: Pipeline | None,
                        json_out: str | None, db: str | None, config: Config, stages: list[str] | None, *,
                        workers: int | None, scheduler: str | None, partition_size: int, everything: bool,
                        verbose: bool) -> None:
    """`analyze --workers N | --scheduler ADDRESS`: the same analysis in partitions on Dask workers; an
    interrupted run resumes (docs/scale.md)."""
    from contextlib import ExitStack

    from rich.markup import escape

    from . import scale

    if inputs and json_out != "-" and not os.access(Path(json_out).resolve().parent, os.W_OK):
        raise _fail(f"cannot write {json_out}: its folder does not exist or is not writable", 2)
    read_failures = 0

    def documents() -> Iterator[Any]:
        nonlocal read_failures
        for result in read_sources(inputs, options):
            for problem in result.problems:
                _report(problem)
                read_failures += problem.fatal
            yield from result.documents

    with ExitStack() as stack:
        store = stack.enter_context(_open(db, config)) if not inputs else None
        if store is not None:
            pipeline = _pipeline(config_with_store_decisions(config, store), stages)
        progress = stack.enter_context(_progress())
        task = progress.add_task("analysing partitions", total=None)

        def on_partition(partition: scale.Partition, report: scale.ClusterReport) -> None:
            progress.update(task, advance=1, total=report.partitions if store is not None else None)
            if partition.error:
                err.print(f"[red]error:[/red] {escape(partition.describe())} failed: {escape(partition.error)}",
                          highlight=False)
            elif verbose:
                err.print(f"{partition.describe()}: {partition.state}", highlight=False, markup=False)

        try:
            client = stack.enter_context(scale.cluster(workers=workers, scheduler=scheduler))
            if store is None:
                report = scale.analyze_files(client, documents(), pipeline, json_out, partition_size=partition_size,
                                             on_partition=on_partition)
            else:
                report = scale.analyze_store(client, store, pipeline, partition_size=partition_size,
                                             on_partition=on_partition, everything=everything)
        except scale.ClusterError as exc:
            raise _fail(str(exc)) from exc
        progress.stop()
        where = f"{report.partitions} partition(s) on {len(client.nthreads())} worker(s)"
        if store is not None:
            err.print(f"analysed {report.analysed} stored document(s) in {where}, run {report.run.id}; "
                      f"{report.reused} already had current annotations", highlight=False)
            if json_out:
                sink = _open_sink(json_out)
                written = write_jsonl(store.iter_documents(), sink)
                if sink is not sys.stdout:
                    sink.close()
                err.print(f"wrote {written} document(s) to {'stdout' if json_out == '-' else json_out}",
                          highlight=False)
        else:
            err.print(f"analysed {report.analysed} document(s) in {where}, run {report.run.id}"
                      + (f"; {report.reused} reused from the interrupted run" if report.reused else ""),
                      highlight=False)
            if json_out == "-" or not report.failures:
                err.print(f"wrote {report.written} document(s) to {'stdout' if json_out == '-' else json_out}",
                          highlight=False)
    if report.failures:
        kept = (f"{json_out} is not written; the finished partitions are kept in {json_out}.parts. "
                if store is None and json_out != "-" else "the other partitions are written. ")
        err.print(f"[red]error:[/red] {len(report.failures)} of {report.partitions} partition(s) failed: {kept}"
                  "Fix the cause and re-run the same command: only what is missing is analysed.", highlight=False)
    if report.failures or read_failures:
        raise typer.Exit(1)


def _pipeline(config: Config, stages: list[str] | None) -> Pipeline:
    try:
        return Pipeline(config, stages or None, command="analyze")
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc


def _open_sink(target: str | None):
    if target is None:
        return None
    if target == "-":
        return sys.stdout
    try:
        return open(target, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror}", 2) from exc


def _resolve_id(store: Store, doc_id: str) -> str:
    matches = store.find(doc_id)
    if doc_id in matches:
        return doc_id
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise _fail(f"no document with id {doc_id!r}")
    raise _fail(f"id {doc_id!r} is ambiguous: {', '.join(matches)}")


@app.command()
def show(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id (a unique prefix is enough)")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the export record")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Print one stored document with its provenance and spans."""
    config = _config(config_path)
    with _open(db, config) as store:
        doc = store.get(_resolve_id(store, doc_id))
    assert doc is not None
    if as_json:
        out.print_json(json.dumps(doc.to_export(), ensure_ascii=False))
        return
    table = Table(show_header=False, box=None)
    for name in ("id", "kind", "author", "published", "language", "title", "outlet", "url", "path",
                 "original_url", "thread_id", "external_id", "previous_id"):
        value = getattr(doc, name)
        if value:
            table.add_row(f"[bold]{name}[/bold]", str(value))
    for name in ("quotes", "links", "disclaimers"):
        for value in getattr(doc, name):
            table.add_row(f"[bold]{name}[/bold]", value)
    out.print(table)
    out.print()
    out.print(doc.text, highlight=False, markup=False)
    out.print()
    counts = Counter(s.layer for s in doc.spans)
    out.print("spans: " + ", ".join(f"{layer} {n}" for layer, n in sorted(counts.items())))
    for span in doc.spans:
        if span.layer in ("sentence", "language"):
            continue
        cues = ", ".join(span.attrs.get("cues") or [span.cue or "-"])
        confidence = f", confidence {span.confidence:.2f}" if span.layer == "technique" and span.confidence else ""
        out.print(f"  [{span.start}:{span.end}] {span.layer}/{span.label} {doc.text[span.start:span.end]!r} "
                  f"({span.engine}, {cues}{confidence})", highlight=False, markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words (all must match), "quoted phrases", prefix*')],
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only documents in this language")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Full-text search over stored documents: a Russian word finds every form of it (Алиев: Алиева, Алиеву),
    case, ё/е and Latin accents are folded (docs/store.md)."""
    config = _config(config_path)
    with _open(db, config) as store:
        hits = store.search(query, language=lang, limit=limit)
    for hit in hits:
        doc = hit.document
        if as_json:
            print(json.dumps({"id": doc.id, "kind": doc.kind, "author": doc.author, "published": doc.published,
                              "language": doc.language, "title": doc.title, "snippet": hit.snippet},
                             ensure_ascii=False))
        else:
            who = " · ".join(x for x in (doc.kind, doc.author, doc.published, doc.language, doc.title) if x)
            out.print(f"[bold]{doc.id}[/bold] {who}", highlight=False)
            out.print(f"    {hit.snippet}", highlight=False, markup=False)
    err.print(f"{len(hits)} hit(s)")


@app.command()
def export(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout)")] = None,
    all_versions: Annotated[bool, typer.Option(help="Include superseded versions of edited documents")] = False,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize-authors", help="Replace members' names (fields and text) with stable pseudonyms")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Write every stored document in the export contract (docs/format.md)."""
    if fmt not in ("jsonl", "csv"):
        raise _fail(f"--format {fmt!r}: choose jsonl or csv", 2)
    config = _config(config_path)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with _open(db, config) as store:
        docs = store.iter_documents(latest_only=not all_versions)
        if pseudonymize:
            docs = map(privacy.for_store(store).document, docs)
        if output is None:
            count = writer(docs, sys.stdout)
        else:
            tmp = output.with_name(output.name + ".partial")
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                count = writer(docs, handle)
            tmp.replace(output)
    err.print(f"exported {count} document(s)" + (f" to {output}" if output else ""), highlight=False)


@app.command()
def forget(
    author: Annotated[str, typer.Option("--author", help="The member's name exactly as stored (case counts)")],
    db: DbOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be deleted")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Delete a forum member's posts (every version, and quoted copies) with all that is derived from them:
    spans, search entries, comparisons that include them, and the archived pages they were read from.
    Prints the counts as JSON."""
    config = _config(config_path)
    with _open(db, config) as store:
        plan = store.forget_author(author, dry_run=True)
        similar = ", ".join(repr(a) for a in plan["similar_authors"])
        if not plan["documents"]:
            raise _fail(f"no document has the author {author!r}" + (
                f"; close spellings stored: {similar} (repeat with the exact name)" if similar else ""))
        err.print(f"would delete {_forget_counts(plan)}", highlight=False)
        if similar:
            err.print(f"[yellow]warning:[/yellow] not deleted, close spellings: {similar} (repeat the command "
                      f"for each that is the same member)", highlight=False)
        if dry_run:
            print(json.dumps(plan, ensure_ascii=False))
            return
        if not yes:
            if not sys.stdin.isatty():
                raise _fail("refusing to delete without --yes when not asked at a terminal (--dry-run to look)", 2)
            if not typer.confirm(f"Delete everything above for {author!r}? This cannot be undone", err=True):
                raise _fail("nothing deleted")
        result = store.forget_author(author)
    err.print(f"deleted {_forget_counts(result)}", highlight=False)
    print(json.dumps(result, ensure_ascii=False))


def _forget_counts(result: dict[str, Any]) -> str:
    text = (f"{result['documents']} document(s) by {result['author']!r}, {result['spans']} span(s), "
            f"{result['comparisons']} stored comparison(s), {result['archives']} archived page(s)")
    if result["archive_pointers_cleared"]:
        text += (f"; {result['archive_pointers_cleared']} other document(s) read from those pages keep their "
                 f"text but no longer point at the page")
    if result["versions_relinked"]:
        text += f"; {result['versions_relinked']} later version(s) by others now point at the version before"
    if result["quoting_documents"]:
        text += f"; {result['quoting_documents']} document(s) quoting them keep only the quoted post's id"
    return text


@app.command()
def runs(db: DbOption = None, config_path: ConfigOption = None) -> None:
    """List the recorded ingestion and analysis runs."""
    config = _config(config_path)
    with _open(db, config) as store:
        for run in store.runs():
            stages = ", ".join(f"{k} {v}" for k, v in run.stages.items())
            out.print(f"{run.id}  {run.started_at}  {run.command or '-'}  framewatch {run.package_version}  "
                      f"config {run.config_hash}  [{stages}]", highlight=False, markup=False)


@app.command()
def techniques(
    db: DbOption = None,
    by: GroupOption = "source",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per group")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Persuasion-technique profile: hits per 1,000 words by technique, per source or other grouping."""
    _check_grouping(by)
    config = _config(config_path)
    with _open(db, config) as store:
        groups = store.technique_profile(by)
    if as_json:
        _print_json_lines(groups)
    elif groups:
        # Long format, one line per group and technique: sorts, greps and pivots without parsing.
        rows = [(by, "docs", "words", "technique", "hits", "per_1000_words")]
        for group in groups:
            for label, hits in group["counts"].items() or [("-", 0)]:
                rows.append((group["group"], str(group["documents"]), str(group["words"]), label, str(hits),
                             f"{group['per_1000_words'].get(label, 0.0):.2f}"))
        _print_columns(rows, numeric=(1, 2, 4, 5))
    err.print(f"{len(groups)} group(s) by {by}" + ("" if groups else
              " (no technique analysis stored: run `framewatch analyze` with the techniques stage)"),
              highlight=False)


@app.command()
def roles(
    db: DbOption = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this actor id (`framewatch actors list`)")] = None,
    by: GroupOption = "source",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per group and actor")] = False,
    config_path: ConfigOption = None,
) -> None:
    """How each source casts each actor: protagonist, antagonist or innocent, with fine roles and evidence."""
    _check_grouping(by)
    config = _config(config_path)
    with _open(db, config) as store:
        entries = store.role_summary(by, actor)
    if as_json:
        _print_json_lines(entries)
    elif entries:
        # One line per group, actor and main role, so it sorts and greps; the evidence is the cited sentence.
        rows = [(by, "actor", "role", "docs", "fine roles", "evidence")]
        for entry in entries:
            for main, count in entry["main_roles"].items():
                cited = entry["evidence"][main]
                rows.append((entry["group"], entry["actor_id"], main, str(count),
                             ", ".join(entry["fine_roles"][main]) or "-",
                             f"{cited['document']} {cited['start']}-{cited['end']}: {cited['text'][:80]!r}"))
        _print_columns(rows, numeric=(3,))
    err.print(f"{len(entries)} actor(s) across groups by {by}" + ("" if entries else
              " (no role analysis stored: run `framewatch analyze` with the roles stage)"), highlight=False)


@app.command()
def narratives(
    db: DbOption = None,
    by: GroupOption = "source",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per group")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Which narratives each source serves: documents per narrative, with a cited sentence for each."""
    _check_grouping(by)
    config = _config(config_path)
    with _open(db, config) as store:
        groups = store.narrative_summary(by)
    if as_json:
        _print_json_lines(groups)
    elif groups:
        rows = [(by, "docs", "narrative", "with it", "evidence")]
        for group in groups:
            for label, count in group["narratives"].items() or [("-", 0)]:
                cited = group["evidence"].get(label)
                rows.append((group["group"], str(group["documents"]), label, str(count),
                             f"{cited['document']} {cited['start']}-{cited['end']}: {cited['text'][:80]!r}"
                             if cited else "-"))
        _print_columns(rows, numeric=(1, 3))
    err.print(f"{len(groups)} group(s) by {by}" + ("" if groups else
              " (no narrative analysis stored: run `framewatch analyze` with the narratives stage)"),
              highlight=False)


def _write_text(target: str, content: str) -> None:
    sink = _open_sink(target)
    sink.write(content)
    if sink is not sys.stdout:
        sink.close()


def _group_lists(values: list[str] | None) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for value in values or []:
        name, sep, ids = value.partition("=")
        if not sep or not name.strip() or not ids.strip():
            raise _fail(f"--group {value!r}: write NAME=ID,ID,... (document ids or corpus ids)", 2)
        lists.setdefault(name.strip(), []).extend(i.strip() for i in ids.split(",") if i.strip())
    return lists


@app.command()
def compare(
    db: DbOption = None,
    by: Annotated[str, typer.Option("--by", help="Group by outlet (default), source, author, thread, language, "
                                                 "document, or a metadata field as meta.FIELD")] = "outlet",
    group: Annotated[list[str] | None, typer.Option(
        "--group", help="An explicit group, NAME=ID,ID,... (repeat; overrides --by)")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the comparison as JSON ('-': stdout)")] = None,
    md_out: Annotated[str | None, typer.Option("--md", help="Write it as Markdown ('-': stdout)")] = None,
    html_out: Annotated[str | None, typer.Option("--html", help="Write a self-contained HTML report")] = None,
    config_path: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Group the stored reports of each story across sources and languages and show, with evidence,
    where the groups agree, contradict each other or stay silent. Stored documents without current
    annotations are analysed first; the comparison is kept in the store."""
    from .report import compare_html, compare_markdown

    _setup_logging(verbose)
    if by not in PROFILE_GROUPS and not by.startswith("meta."):
        raise _fail(f"--by {by!r}: choose one of {', '.join(PROFILE_GROUPS)} or meta.FIELD", 2)
    lists = _group_lists(group)
    config = _config(config_path)
    with _open(db, config) as store:
        pipeline = _pipeline(config_with_store_decisions(config, store), None)
        try:
            result, docs, stored = compare_stored(
                store, pipeline, config, by=by, lists=lists,
                on_stale=lambda n: err.print(f"analysing {n} stored document(s) without current annotations",
                                             highlight=False))
        except LookupError as exc:
            raise _fail(f"{exc} (run `framewatch ingest` first)") from exc
    if html_out:
        _write_text(html_out, compare_html(result, {d.id: d for d in docs}))
    if json_out:
        _write_text(json_out, json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    if md_out or not (json_out or html_out):
        _write_text(md_out or "-", compare_markdown(result))
    contested = sum(1 for story in result["stories"] for fact in story["facts"] if fact["contested"])
    err.print(f"comparison {result['id']} ({'stored' if stored else 'already stored'}): "
              f"{len(result['stories'])} stor{'y' if len(result['stories']) == 1 else 'ies'} over "
              f"{len(docs)} document(s), {contested} contested fact(s)", highlight=False)


@app.command()
def demo(
    db: DbOption = None,
    examples: Annotated[Path, typer.Option(help="Folder of example material")] = Path("examples"),
    config_path: ConfigOption = None,
) -> None:
    """Ingest the bundled example corpus and print what was found."""
    from .demo import run_demo

    _setup_logging()
    config = _config(config_path)
    if not examples.is_dir():
        raise _fail(f"{examples}: example folder not found (run from the repository root or pass --examples)")
    with _open(db or "framewatch-demo.db", config, create=True) as store:
        summary = run_demo(store, examples, config_with_store_decisions(config, store), out, on_problem=_report)
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; beyond loopback only with a token")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="FRAMEWATCH_TOKEN", help="Every request must carry this token (Authorization: Bearer, or log in "
                                        "in the browser); prefer the environment variable to the option")] = None,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize-authors", help="Show and export members' names as stable pseudonyms")] = False,
    connections: Annotated[str, typer.Option(help="Store connections: one per worker thread (thread) or one "
                                                  "per request (request)")] = "thread",
    max_body_mb: Annotated[float, typer.Option(min=0.001, help="Largest request body (POST /api/documents)")] = 20,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request on stderr")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Serve the web UI and the JSON API (OpenAPI schema at /openapi.json) over the store."""
    from .web import server
    from .web.access import is_loopback
    from .web.connections import MODES

    _setup_logging()
    token = token or None
    if token is None and not is_loopback(host):
        raise _fail(f"--host {host}: listening beyond loopback needs a token, so that only those who have it "
                    "get in: set FRAMEWATCH_TOKEN (or --token)", 2)
    if connections not in MODES:
        raise _fail(f"--connections {connections!r}: choose one of {', '.join(MODES)}", 2)
    if token is not None and len(token) < 16:
        err.print("[yellow]warning:[/yellow] the token is shorter than 16 characters; anyone who can reach the "
                  "server can guess a short one", highlight=False)
    config = _config(config_path)
    target = db or config.get("store.db", "framewatch.db")
    with _open(target, config):  # a missing or foreign store fails here, before the server starts
        pass
    err.print(f"serving {server.shown(target)} at http://{'[' + host + ']' if ':' in host else host}:{port}/"
              + (" (token required)" if token else "") + (", authors pseudonymised" if pseudonymize else ""),
              highlight=False)
    server.run(target, config, host=host, port=port, token=token, pseudonymize=pseudonymize,
               connections=connections, max_body_bytes=int(max_body_mb * 1024 * 1024), access_log=access_log)


# -- actors: the curated registry ------------------------------------------------------------------
actors_app = typer.Typer(
    help="Curate the actor registry: list and show actors, merge duplicates, split wrongly joined ones.",
    no_args_is_help=True,
)
app.add_typer(actors_app, name="actors")
_SNIPPET_CHARS = 40


def _actor_registry(config: Config) -> dict:
    from .registry import effective_registry

    try:
        return effective_registry(config.get("actors.registry"))
    except ValueError as exc:
        raise _fail(f"actor registry: {exc}", 2) from exc


def _check_actor(actor_id: str, known: set[str], what: str = "actor") -> None:
    """Exit 1 unless `actor_id` is in the registry or named by a stored mention."""
    if actor_id in known:
        return
    import difflib

    close = difflib.get_close_matches(actor_id, sorted(known), n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see `framewatch actors list --all`)"
    raise _fail(f"unknown {what} {actor_id!r}: not in the actor registry and no stored mention names it{hint}")


def _known_actors(summary: list[dict], actors: dict) -> set[str]:
    known = set(actors)
    for item in summary:
        known.add(item["id"])
        known.update(item["merged"])
    return known


def _actor_source(actor_id: str, actors: dict, fallback: str) -> str:
    actor = actors.get(actor_id)
    if actor is None:
        return fallback
    return "user" if actor.source == "user" else "builtin"


def _snippet(text: str, start: int, end: int) -> str:
    """The mention in [brackets] with up to 40 characters either side, on one line."""
    before = " ".join(text[max(0, start - _SNIPPET_CHARS):start].split())
    after = " ".join(text[end:end + _SNIPPET_CHARS].split())
    if before and text[start - 1:start].isspace():
        before += " "
    if after and text[end:end + 1].isspace():
        after = " " + after
    lead = "…" if start > _SNIPPET_CHARS else ""
    tail = "…" if end + _SNIPPET_CHARS < len(text) else ""
    return f"{lead}{before}[{text[start:end]}]{after}{tail}"


@actors_app.command("list")
def actors_list(
    db: DbOption = None,
    actor_type: Annotated[str | None, typer.Option("--type", help="Only actors of this type (PERSON, ORG, GPE, "
                                                                  "GOVERNMENT, GROUP, MEDIA, PLACE)")] = None,
    source: Annotated[str | None, typer.Option(help="Only builtin, user or discovered actors")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list registry actors no stored mention names")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per actor")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Actors named in the stored documents, with mention and document counts (after merges and splits)."""
    from .registry import ACTOR_TYPES, SOURCES, resolve

    if actor_type is not None and actor_type.upper() not in ACTOR_TYPES:
        raise _fail(f"--type {actor_type!r}: choose one of {', '.join(sorted(ACTOR_TYPES))}", 2)
    if source is not None and source not in SOURCES:
        raise _fail(f"--source {source!r}: choose one of {', '.join(SOURCES)}", 2)
    config = _config(config_path)
    actors = _actor_registry(config)
    with _open(db, config) as store:
        summary = store.actor_summary()
        decisions = store.decisions()
    items = []
    for item in summary:
        actor = actors.get(item["id"])
        items.append({**item, "label": actor.label if actor else item["label"],
                      "source": _actor_source(item["id"], actors, item["source"]), "merged_into": None})
    if show_all:
        seen = {item["id"] for item in items}
        for actor_id in sorted(set(actors) - seen):
            actor = actors[actor_id]
            target = resolve(actor_id, decisions)
            items.append({"id": actor_id, "type": actor.type, "label": actor.label, "mentions": 0, "documents": 0,
                          "names": [], "source": _actor_source(actor_id, actors, "builtin"), "merged": [],
                          "merged_into": target if target != actor_id else None})
    if actor_type is not None:
        items = [item for item in items if item["type"] == actor_type.upper()]
    if source is not None:
        items = [item for item in items if item["source"] == source]
    if as_json:
        _print_json_lines(items)
    elif items:
        rows = [("id", "type", "source", "mentions", "docs", "label", "names")]
        for item in items:
            names = ", ".join(item["names"][:4]) + (", …" if len(item["names"]) > 4 else "")
            if item["merged_into"]:
                names = f"(merged into {item['merged_into']})"
            rows.append((item["id"], item["type"] or "?", item["source"], str(item["mentions"]),
                         str(item["documents"]), item["label"], names))
        _print_columns(rows, numeric=(3, 4))
    mentioned = sum(1 for item in items if item["mentions"])
    err.print(f"{len(items)} actor(s), {mentioned} of them mentioned in stored documents"
              + ("" if summary or show_all else " (no mention spans stored: analyse with the actors stage)"),
              highlight=False)


@actors_app.command("show")
def actors_show(
    actor_id: Annotated[str, typer.Argument(metavar="ID", help="Actor id, e.g. person:ilham-aliyev")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=0, help="Mentions to print (0: all)")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    config_path: ConfigOption = None,
) -> None:
    """One actor: its registry record, names per language, and the stored mentions that count as it."""
    from .registry import actor_source, effective_names, name_languages, resolve, type_of

    config = _config(config_path)
    actors = _actor_registry(config)
    user_file = config.get("actors.registry")
    with _open(db, config) as store:
        summary = store.actor_summary()
        _check_actor(actor_id, _known_actors(summary, actors))
        decisions = store.decisions()
        mentions = list(store.actor_mentions(actor_id))
        texts = store.document_texts(doc_id for doc_id, _ in mentions)
    actor = actors.get(actor_id)
    entry = next((item for item in summary if item["id"] == actor_id), None)
    names: dict[str, list[dict[str, str]]] = {}
    try:
        for lang in name_languages():
            found = [{"name": e.name, "kind": e.kind} for e in effective_names(lang, user_file)
                     if e.actor_id == actor_id]
            if found:
                names[lang] = found
    except ValueError as exc:
        raise _fail(f"actor registry: {exc}", 2) from exc
    target = resolve(actor_id, decisions)
    record = None
    if actor is not None:
        record = {"label": actor.label, "country": actor.country, "affiliation": actor.affiliation,
                  "ownership": actor.ownership, "roles": list(actor.roles), "links": dict(actor.links),
                  "wikidata": actor.wikidata, "file": actor.source}
    shown = mentions if limit == 0 else mentions[:limit]
    result = {
        "id": actor_id,
        "type": actor.type if actor else type_of(actor_id) or (entry or {}).get("type"),
        "label": actor.label if actor else (entry or {}).get("label", actor_id),
        "source": _actor_source(actor_id, actors, (entry or {}).get("source") or actor_source(actor_id)),
        "merged_into": target if target != actor_id else None,
        "record": record,
        "names": names,
        "names_seen": (entry or {}).get("names", []),
        "decisions": [d for d in decisions
                      if actor_id in (d["actor_id"], d.get("into"), d.get("new_id"))],
        "mention_count": len(mentions),
        "documents": len({doc_id for doc_id, _ in mentions}),
        "mentions": [
            {"doc_id": doc_id, "start": span.start, "end": span.end, "label": span.label,
             "name": span.attrs.get("name"), "stored_actor_id": span.attrs.get("actor_id"),
             "source": span.attrs.get("source"),
             "snippet": _snippet(texts.get(doc_id, ""), span.start, span.end)}
            for doc_id, span in shown
        ],
    }
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        out.print(f"{actor_id}  {result['type'] or '?'}  {result['label']}  ({result['source']})",
                  highlight=False, markup=False)
        if result["merged_into"]:
            out.print(f"merged into {result['merged_into']}: its mentions count there", highlight=False,
                      markup=False)
        for key, value in (record or {}).items():
            if value:
                text = ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else (
                    ", ".join(value) if isinstance(value, list) else value)
                out.print(f"  {key}: {text}", highlight=False, markup=False)
        for lang, found in names.items():
            out.print(f"  names ({lang}): " + "; ".join(f"{n['name']} ({n['kind']})" for n in found),
                      highlight=False, markup=False)
        if result["names_seen"]:
            out.print("  names seen: " + "; ".join(result["names_seen"]), highlight=False, markup=False)
        for decision in result["decisions"]:
            what = (f"merge {decision['actor_id']} into {decision['into']}" if decision["kind"] == "merge" else
                    f"split {decision['actor_id']} name {decision['name']!r} into {decision['new_id']}")
            out.print(f"  decision {decision['seq']} ({decision['decided_at']}): {what}"
                      + (f" — {decision['note']}" if decision["note"] else ""), highlight=False, markup=False)
        out.print(f"mentions: {len(mentions)} in {result['documents']} document(s)", highlight=False)
        for mention in result["mentions"]:
            via = "" if mention["stored_actor_id"] == actor_id else f"  (as {mention['stored_actor_id']})"
            out.print(f"  {mention['doc_id']} [{mention['start']}:{mention['end']}] {mention['snippet']}{via}",
                      highlight=False, markup=False)
    if len(shown) < len(mentions):
        err.print(f"showing {len(shown)} of {len(mentions)} mentions (--limit 0 for all)", highlight=False)


@actors_app.command("merge")
def actors_merge(
    actor_id: Annotated[str, typer.Argument(metavar="ID", help="The actor whose mentions move")],
    into_id: Annotated[str, typer.Argument(metavar="INTO_ID", help="The actor they count as from now on")],
    db: DbOption = None,
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision)")] = None,
    config_path: ConfigOption = None,
) -> None:
    """Record that ID is the same actor as INTO_ID: every mention of ID counts as INTO_ID."""
    from .registry import resolve, type_of

    config = _config(config_path)
    actors = _actor_registry(config)
    with _open(db, config) as store:
        known = _known_actors(store.actor_summary(), actors)
        _check_actor(actor_id, known)
        _check_actor(into_id, known, "target actor")
        if type_of(actor_id) != type_of(into_id):
            err.print(f"[yellow]warning:[/yellow] merging a {type_of(actor_id)} into a {type_of(into_id)}",
                      highlight=False)
        moved = sum(1 for _ in store.actor_mentions(actor_id))
        try:
            decision = store.record_decision("merge", actor_id, into_id=into_id, note=note)
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        final = resolve(actor_id, store.decisions())
    err.print(f"merged {actor_id} into {into_id} (decision {decision['seq']}): {moved} stored mention(s) now "
              f"count as {final}", highlight=False)


@actors_app.command("suggest")
def actors_suggest(
    db: DbOption = None,
    apply: Annotated[bool, typer.Option("--apply", help="Record every suggestion as a merge decision")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per suggestion")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Suggest merges: discovered actors whose names match another actor across documents and scripts."""
    from .analysis.actors import suggest_merges

    config = _config(config_path)
    with _open(db, config) as store:
        suggestions = suggest_merges(store.actor_summary(), config.get("actors.registry"))
        for item in suggestions:
            if as_json:
                print(json.dumps(item, ensure_ascii=False))
            else:
                out.print(f"{item['actor_id']} -> {item['into']}  ({item['because']})", highlight=False, markup=False)
            if apply:
                store.record_decision("merge", item["actor_id"], into_id=item["into"],
                                      note=f"suggested by name match: {item['because']}")
    done = "recorded as merge decisions; re-run `framewatch analyze --db` to apply" if apply else \
        "review, then merge one by one or re-run with --apply"
    err.print(f"{len(suggestions)} suggestion(s); {done}" if suggestions else "no suggestions", highlight=False)


@actors_app.command("split")
def actors_split(
    actor_id: Annotated[str, typer.Argument(metavar="ID", help="The actor some mentions were wrongly given")],
    name: Annotated[str, typer.Option("--name", help="Surface name whose mentions move (any case)")],
    into_id: Annotated[str | None, typer.Option("--into", help="The actor they become (default: a new "
                                                                "discovered id made from the name)")] = None,
    db: DbOption = None,
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision)")] = None,
    config_path: ConfigOption = None,
) -> None:
    """Record that mentions of ID named NAME are another actor (INTO_ID, or a new one)."""
    config = _config(config_path)
    actors = _actor_registry(config)
    with _open(db, config) as store:
        _check_actor(actor_id, _known_actors(store.actor_summary(), actors))
        seen: dict[str, int] = {}
        for _, span in store.actor_mentions(actor_id):
            surface = span.attrs.get("name")
            if isinstance(surface, str):
                seen[surface] = seen.get(surface, 0) + 1
        moving = sum(n for surface, n in seen.items() if surface.strip().casefold() == name.strip().casefold())
        if not moving:
            names = ", ".join(repr(n) for n in sorted(seen)) or "none"
            raise _fail(f"no stored mention of {actor_id} is named {name!r} (names seen: {names})")
        try:
            decision = store.record_decision("split", actor_id, into_id=into_id, name=name, note=note)
        except ValueError as exc:
            raise _fail(str(exc)) from exc
    err.print(f"split {moving} mention(s) named {name!r} off {actor_id} into {decision['new_id']} "
              f"(decision {decision['seq']})", highlight=False)


def _version(value: bool) -> None:
    if value:
        print(f"framewatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit")] = False,
) -> None:
    """framewatch: evidence about contested stories from news articles and forum threads."""


app.add_typer(bench_app, name="bench")


def main() -> None:
    app()
