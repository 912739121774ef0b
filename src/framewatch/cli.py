"""The `framewatch` command line.

Data goes to stdout only when it is the command's product (export without -o, show, search);
progress bars, logs and warnings go to stderr. Every command that touches the store takes
`--db PATH|URL` after the verb.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .batch import INGEST_STAGE_VERSION, IngestSummary, analyze_stored, ingest_into, ingest_pipeline
from .config import Config, load_config
from .export import write_csv, write_jsonl
from .ingest import FORMATS, IngestOptions, SourceResult, expand_paths, read_sources
from .model import IngestProblem
from .pipeline import Pipeline
from .store import open_store
from .store.sqlite import SQLiteStore, StoreError

app = typer.Typer(
    name="framewatch",
    help="Turn contested articles and forum threads into citable evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Store file path or sqlite:///PATH URL "
                                                             "(default: store.db from framewatch.toml, "
                                                             "else ./framewatch.db)")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="framewatch.toml to use")]


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        err.print(f"[yellow]warning:[/yellow] {record.getMessage()}", highlight=False)


def _setup_logging(verbose: bool = False) -> None:
    root = logging.getLogger("framewatch")
    root.handlers[:] = [_StderrHandler()]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc


def _open(db: str | None, config: Config, *, create: bool = False) -> SQLiteStore:
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
    pipeline = ingest_pipeline(config, analyze)
    with _open(db, config, create=True) as store, _progress() as progress:
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
    try:
        pipeline = Pipeline(config, stages or None, command="analyze")
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    if inputs and json_out is None:
        json_out = "-"  # analysing files without a store: the documents are the product
    sink = _open_sink(json_out)
    failed = 0
    written = 0
    try:
        if inputs:
            options = _ingest_options(config, fmt, as_of, include, exclude, mapping)
            pipeline.run.stages = {"ingest": INGEST_STAGE_VERSION, **pipeline.run.stages}
            for result in _read_all(inputs, options, "analysing"):
                for problem in result.problems:
                    _report(problem)
                    failed += problem.fatal
                for doc in pipeline.analyze_all(result.documents):
                    for span in doc.spans:
                        span.run_id = span.run_id or pipeline.run.id
                    if sink:
                        written += write_jsonl([doc], sink)
        else:
            with _open(db, config) as store:
                count = analyze_stored(store, pipeline, batch_size=int(config.get("ingest.batch_size", 500)))
                if sink:
                    written = write_jsonl(store.iter_documents(), sink)
            err.print(f"analysed {count} stored document(s) in run {pipeline.run.id}")
    finally:
        if sink and sink is not sys.stdout:
            sink.close()
    if json_out:
        target = "stdout" if json_out == "-" else json_out
        err.print(f"wrote {written} document(s) to {target}", highlight=False)
    if failed:
        raise typer.Exit(1)


def _open_sink(target: str | None):
    if target is None:
        return None
    if target == "-":
        return sys.stdout
    try:
        return open(target, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror}", 2) from exc


def _resolve_id(store: SQLiteStore, doc_id: str) -> str:
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
        out.print(f"  [{span.start}:{span.end}] {span.layer}/{span.label} {doc.text[span.start:span.end]!r} "
                  f"({span.engine}, {span.cue})", highlight=False, markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words (all must match), "quoted phrases", prefix*')],
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only documents in this language")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Full-text search over stored documents (case folded in Latin and Cyrillic)."""
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
    config_path: ConfigOption = None,
) -> None:
    """Write every stored document in the export contract (docs/format.md)."""
    if fmt not in ("jsonl", "csv"):
        raise _fail(f"--format {fmt!r}: choose jsonl or csv", 2)
    config = _config(config_path)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with _open(db, config) as store:
        docs = store.iter_documents(latest_only=not all_versions)
        if output is None:
            count = writer(docs, sys.stdout)
        else:
            tmp = output.with_name(output.name + ".partial")
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                count = writer(docs, handle)
            tmp.replace(output)
    err.print(f"exported {count} document(s)" + (f" to {output}" if output else ""), highlight=False)


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
        summary = run_demo(store, examples, config, out, on_problem=_report)
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


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


def main() -> None:
    app()
