"""Analysis on a Dask cluster (`framewatch analyze --workers N | --scheduler ADDRESS`).

The client reads the inputs (files, or the stale documents of a store), cuts them into partitions
and keeps a bounded number in flight; each worker process builds the pipeline once per job and
analyses whole partitions; the client alone writes results, one partition at a time, so a crash
loses at most the partitions in flight. Every partition runs under the one `AnalysisRun` the
client created. docs/scale.md describes running it on several machines and resuming.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, resources
from .batch import analyze_unstored, reanalyze
from .config import Config
from .export import write_jsonl
from .model import AnalysisRun, Document
from .pipeline import Pipeline, Stage, resolve

if TYPE_CHECKING:
    from distributed import Client

    from .store import Store

log = logging.getLogger(__name__)

DEFAULT_PARTITION_SIZE = 200
_RUN_FILE = "run.json"


class ClusterError(Exception):
    """Dask is not installed, the cluster cannot be reached or started, or its workers cannot run
    this analysis (another framewatch version, stage or resource file)."""


class DocumentFailed(Exception):
    """A stage raised on one document; raised on a worker and re-raised on the client."""


@dataclass
class Partition:
    """Consecutive documents analysed as one task and written as one unit."""

    index: int
    ids: list[str]
    sources: list[str]  # the files or URLs its documents came from, each once, in order
    state: str = "pending"  # then "done", "reused" (finished by an earlier run) or "failed"
    error: str | None = None

    def describe(self) -> str:
        ids = ", ".join(self.ids[:3]) + (f" and {len(self.ids) - 3} more" if len(self.ids) > 3 else "")
        sources = ", ".join(self.sources[:3]) + (f" and {len(self.sources) - 3} more" if len(self.sources) > 3 else "")
        return f"partition {self.index} (documents {ids or 'none'}" + (f"; from {sources}" if sources else "") + ")"


@dataclass
class ClusterReport:
    run: AnalysisRun
    partitions: int = 0
    analysed: int = 0  # documents analysed by this call
    reused: int = 0  # documents an earlier, interrupted run of the same job had finished
    written: int = 0  # documents written to the output (files mode)
    failures: list[Partition] = field(default_factory=list)


OnPartition = Callable[[Partition, ClusterReport], None]


# -- the cluster ---------------------------------------------------------------------------------

@contextmanager
def cluster(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    """A Dask client of the running cluster at `scheduler`, or of a local cluster of `workers`
    processes with one thread each (the analysis holds the GIL: threads would not add speed)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("Dask is not installed: install framewatch with the `scale` extra "
                           "(pip install 'framewatch[scale]')") from exc
    # Dask keeps the last 1,000 messages of each connection for debugging, partitions included (those
    # under 1 MB): memory that would grow with the job. The client and a local scheduler keep none.
    # Local workers are the unit of parallelism: lingua's thread pool (Rust, rayon) gets one thread in
    # each, as Dask already does for BLAS, instead of one per core in every worker.
    with dask.config.set({"distributed.admin.low-level-log-length": 0,
                          "distributed.nanny.pre-spawn-environ.RAYON_NUM_THREADS": 1}):
        if scheduler is not None:
            try:
                client = Client(scheduler)
            except (OSError, ValueError, TypeError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
            with client:
                yield client
            return
        try:
            # Dask's own logs stay quiet (a worker's heartbeat racing the shutdown logs a traceback):
            # what goes wrong in a partition is reported with the partition.
            local = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                 dashboard_address=None, silence_logs=logging.CRITICAL)
        except (OSError, RuntimeError) as exc:
            raise ClusterError(f"cannot start a local Dask cluster of {workers} worker(s): {exc}") from exc
        with local, Client(local) as client:
            yield client


# -- files ---------------------------------------------------------------------------------------

def analyze_files(client: Client, documents: Iterable[Document], pipeline: Pipeline, out: str | Path, *,
                  partition_size: int = DEFAULT_PARTITION_SIZE, on_partition: OnPartition | None = None,
                  ) -> ClusterReport:
    """Analyse documents read on the client and write them as JSONL to `out` in input order.

    With a file `out`, finished partitions are kept beside it in `OUT.parts/` until the whole
    output is assembled; a re-run of the same job (same documents, configuration, stages and
    resources) reuses them and continues the same run. `out` "-" streams to stdout instead and
    cannot resume.
    """
    settings = _settings_key(pipeline.run)
    if str(out) == "-":
        with tempfile.TemporaryDirectory(prefix="framewatch-parts-") as scratch:
            report, _ = _analyze_files(client, documents, pipeline, Path(scratch), settings, sys.stdout,
                                       partition_size, on_partition)
            return report
    out = Path(out)
    parts = _sidecar(out)
    pipeline.run = _resumed_run(parts, settings) or pipeline.run
    _write_atomic(parts / _RUN_FILE, json.dumps({"settings": settings, "run": pipeline.run.to_dict()}, indent=1))
    report, names = _analyze_files(client, documents, pipeline, parts, settings, None, partition_size, on_partition)
    if not report.failures:  # the output appears whole or not at all; a partial job stays resumable
        _assemble(parts, names, out)
    return report


def _sidecar(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _settings_key(run: AnalysisRun) -> str:
    """What must match for a finished partition to be reused: everything that shapes the result."""
    settings = {"framewatch": run.package_version, "stages": run.stages, "resources": run.resource_versions,
                "config": run.config_hash}
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _resumed_run(parts: Path, settings: str) -> AnalysisRun | None:
    """The run an interrupted job of the same settings left in `parts`; otherwise what it left is removed."""
    parts.mkdir(parents=True, exist_ok=True)
    try:
        previous = json.loads((parts / _RUN_FILE).read_text(encoding="utf-8"))
        if previous["settings"] == settings:
            return AnalysisRun(**previous["run"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for path in _part_files(parts):
        path.unlink()
    return None


def _part_files(parts: Path) -> list[Path]:
    return sorted(p for p in parts.iterdir() if p.name[:6].isdigit() and p.name.endswith((".jsonl", ".tmp")))


def _part_name(index: int, docs: list[Document], settings: str) -> str:
    """Partition index plus a hash of what goes in (each document as read, provenance included)
    and of the settings: a part file is reused only for exactly the same input and job."""
    digest = hashlib.sha256(settings.encode("utf-8"))
    for doc in docs:
        digest.update(json.dumps(doc.to_export(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return f"{index:06d}-{digest.hexdigest()[:16]}.jsonl"


def _analyze_files(client: Client, documents: Iterable[Document], pipeline: Pipeline, parts: Path, settings: str,
                   stream: Any, partition_size: int, on_partition: OnPartition | None,
                   ) -> tuple[ClusterReport, list[str]]:
    """The report, and the part file names in input order."""
    report = ClusterReport(pipeline.run)
    names: list[str] = []
    settled: set[int] = set()  # written or failed: what streaming to stdout may move past
    streamed = 0

    def flush() -> None:
        """Stream the finished partitions at the front, in input order (stdout only)."""
        nonlocal streamed
        while stream is not None and streamed in settled:
            path = parts / names[streamed]
            if path.exists():
                with open(path, encoding="utf-8") as part:
                    shutil.copyfileobj(part, stream)
                stream.flush()
                path.unlink()
            streamed += 1

    def settle(partition: Partition, jsonl: str | None) -> None:
        if jsonl is not None:
            _write_atomic(parts / names[partition.index], jsonl)
        if partition.state != "failed":
            report.written += len(partition.ids)
        settled.add(partition.index)
        flush()

    def work() -> Iterator[tuple[Partition, list[Document]]]:
        for index, docs in enumerate(_chunks(documents, partition_size)):
            partition = Partition(index, [d.assign_id() for d in docs], _sources(docs))
            names.append(_part_name(index, docs, settings))
            report.partitions += 1
            if (parts / names[index]).exists():
                partition.state = "reused"
                report.reused += len(docs)
                settle(partition, None)
                if on_partition:
                    on_partition(partition, report)
                continue
            yield partition, docs

    _run_partitions(client, work(), pipeline, stored=False, finish=settle, report=report,
                    on_partition=on_partition)
    return report, names


def _assemble(parts: Path, names: list[str], out: Path) -> None:
    """Concatenate this job's part files into `out` (atomically), then remove the sidecar folder with
    whatever an earlier attempt left there (other partition sizes, other inputs)."""
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as target:
        for name in names:
            with open(parts / name, encoding="utf-8") as part:
                shutil.copyfileobj(part, target)
        target.flush()
        os.fsync(target.fileno())
    os.replace(tmp, out)
    for path in _part_files(parts):
        path.unlink()
    (parts / _RUN_FILE).unlink(missing_ok=True)
    with suppress(OSError):  # something else was put there: the folder is left alone
        parts.rmdir()


# -- the store -----------------------------------------------------------------------------------

def analyze_store(client: Client, store: Store, pipeline: Pipeline, *,
                  partition_size: int = DEFAULT_PARTITION_SIZE, on_partition: OnPartition | None = None,
                  everything: bool = False) -> ClusterReport:
    """Analyse the stored documents whose annotations are not current for `pipeline` (every stored
    document with `everything`) and store each finished partition in one transaction.

    Documents an interrupted run with the same settings finished are current, so a re-run only
    does what is left, under a run of its own.
    """
    stale = ([doc.id for doc in store.iter_documents(with_spans=False)] if everything
             else store.stale_documents(pipeline.run, pipeline.layers))
    report = ClusterReport(pipeline.run, partitions=-(-len(stale) // partition_size),
                           reused=store.count() - len(stale))

    def work() -> Iterator[tuple[Partition, list[Document]]]:
        for index in range(report.partitions):
            ids = stale[index * partition_size:(index + 1) * partition_size]
            docs = list(store.iter_documents(ids=ids))
            yield Partition(index, [d.assign_id() for d in docs], _sources(docs)), docs

    def finish(partition: Partition, docs: list[Document] | None) -> None:
        if docs is not None:
            store.add_analysis(docs, pipeline.run, pipeline.layers)

    _run_partitions(client, work(), pipeline, stored=True, finish=finish, report=report, on_partition=on_partition)
    return report


# -- the client's loop ---------------------------------------------------------------------------

def _run_partitions(client: Client, work: Iterator[tuple[Partition, list[Document]]], pipeline: Pipeline, *,
                    stored: bool, finish: Callable[[Partition, Any], None], report: ClusterReport,
                    on_partition: OnPartition | None) -> None:
    """Submit partitions, at most two per worker thread in flight, and hand each result to `finish`
    as it comes back (in any order). A failed partition is reported and the others go on."""
    from distributed import as_completed

    stage_names = tuple(s.name for s in pipeline.stages)
    _check_workers(client, pipeline.run, stage_names)
    if not client.nthreads():
        log.warning("the cluster has no workers yet: partitions wait until some join")
    token = uuid.uuid4().hex[:8]
    running = as_completed()
    submitted: dict[str, Partition] = {}

    def collect(future: Any) -> None:
        partition = submitted.pop(future.key)
        try:
            result, warnings = future.result()
        except Exception as exc:  # a stage raised, or the worker died: this partition only
            partition.state, partition.error = "failed", f"{type(exc).__name__}: {exc}"
            report.failures.append(partition)
            finish(partition, None)
        else:
            for message in warnings:
                log.warning(message)
            partition.state = "done"
            report.analysed += len(partition.ids)
            finish(partition, result)
        finally:
            future.release()
        if on_partition:
            on_partition(partition, report)

    for partition, docs in work:
        while running.count() >= max(2, 2 * sum(client.nthreads().values())):
            collect(next(running))
        future = client.submit(_analyze_partition, docs, pipeline.config, stage_names, pipeline.run, stored,
                               key=f"framewatch-{pipeline.run.id}-{token}-{partition.index}", pure=False)
        submitted[future.key] = partition
        running.add(future)
    for future in running:
        collect(future)


def _check_workers(client: Client, run: AnalysisRun, stage_names: tuple[str, ...]) -> None:
    """Refuse a cluster whose workers would analyse differently from the client (each task checks
    again, for workers that join later)."""
    try:
        identities = client.run(_worker_identity, stage_names)
    except Exception as exc:
        raise ClusterError(f"the cluster's workers cannot run this analysis ({type(exc).__name__}: {exc}); "
                           "install the same framewatch version and plugins on every worker") from exc
    for address, identity in sorted(identities.items()):
        differences = _differences(_run_identity(run, stage_names), identity)
        if differences:
            raise ClusterError(f"worker {address} would analyse differently from the client: "
                               + "; ".join(differences))


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sources(docs: list[Document]) -> list[str]:
    return list(dict.fromkeys(str(_source(d)) for d in docs if _source(d)))


def _source(doc: Document) -> str | None:
    return doc.path or doc.url or doc.source_key


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as target:
        target.write(text)
        target.flush()
        os.fsync(target.fileno())
    os.replace(tmp, path)


# -- on the workers ------------------------------------------------------------------------------

_PIPELINES: dict[tuple[str, str, tuple[str, ...]], Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()
_PIPELINES_KEPT = 4  # a worker serving jobs in turn keeps a few; models are cached per process anyway


def _analyze_partition(docs: list[Document], config: Config, stage_names: tuple[str, ...], run: AnalysisRun,
                       stored: bool) -> tuple[list[Document] | str, list[str]]:
    """The task: analyse one partition; stored documents come back as documents (the client writes
    them to the store), read ones as their JSONL lines. Warnings travel back to the client."""
    pipeline = _worker_pipeline(config, stage_names, run)
    with _warnings_collected() as warnings:
        for doc in docs:
            try:
                if stored:
                    reanalyze(pipeline, doc)
                else:
                    analyze_unstored(pipeline, doc)
            except Exception as exc:
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                where = doc.source_key or _source(doc) or "no source"  # the key names the post or row too
                raise DocumentFailed(f"document {doc.id} ({where}): {type(exc).__name__}: "
                                     f"{exc} (at {Path(frame.filename).name}:{frame.lineno})") from exc
    if stored:
        return docs, warnings
    lines = io.StringIO()
    write_jsonl(docs, lines)
    return lines.getvalue(), warnings


def _worker_pipeline(config: Config, stage_names: tuple[str, ...], run: AnalysisRun) -> Pipeline:
    """The job's pipeline in this process, built once: its stages stamp the client's run."""
    key = (run.id, config.hash(), stage_names)
    with _PIPELINES_LOCK:
        pipeline = _PIPELINES.get(key)
        if pipeline is None:
            pipeline = Pipeline(config, stage_names, command=run.command)
            differences = _differences(_run_identity(run, stage_names),
                                       _identity(pipeline.stages, pipeline.run.resource_versions))
            if differences:
                raise ClusterError(f"worker on {socket.gethostname()} (pid {os.getpid()}) would analyse differently "
                                   f"from the client: " + "; ".join(differences))
            pipeline.run = run
            while len(_PIPELINES) >= _PIPELINES_KEPT:
                del _PIPELINES[next(iter(_PIPELINES))]
            _PIPELINES[key] = pipeline
    return pipeline


def _worker_identity(stage_names: tuple[str, ...]) -> dict[str, Any]:
    return _identity(resolve(stage_names), resources.versions())


def _identity(stages: Iterable[Stage], resource_versions: dict[str, str]) -> dict[str, Any]:
    return {"framewatch": __version__, "stages": {s.name: s.version for s in stages}, "resources": resource_versions}


def _run_identity(run: AnalysisRun, stage_names: tuple[str, ...]) -> dict[str, Any]:
    return {"framewatch": run.package_version, "stages": {name: run.stages.get(name) for name in stage_names},
            "resources": run.resource_versions}


def _differences(client: dict[str, Any], worker: dict[str, Any]) -> list[str]:
    found = []
    if client["framewatch"] != worker["framewatch"]:
        found.append(f"framewatch {worker['framewatch']} (client: {client['framewatch']})")
    for name in sorted(set(client["stages"]) | set(worker["stages"])):
        if client["stages"].get(name) != worker["stages"].get(name):
            found.append(f"stage {name} version {worker['stages'].get(name) or 'missing'} "
                         f"(client: {client['stages'].get(name) or 'missing'})")
    changed = sorted(k for k in set(client["resources"]) | set(worker["resources"])
                     if client["resources"].get(k) != worker["resources"].get(k))
    if changed:
        found.append("resource files differ: " + ", ".join(changed[:5]) + (" …" if len(changed) > 5 else ""))
    return found


class _Collector(logging.Handler):
    """Keeps the warnings this thread logs (a worker may run other tasks in other threads)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _warnings_collected() -> Iterator[list[str]]:
    logger = logging.getLogger("framewatch")
    collector = _Collector()
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
