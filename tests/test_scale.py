"""Analysis on a real Dask cluster (worker processes, not threads): the same annotations as in-process,
partitions written as they finish, resumed runs that neither redo nor duplicate finished work."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import export, framewatch, need_shared
from framewatch import pipeline as pipeline_module
from framewatch import scale
from framewatch.batch import analyze_unstored, ingest_into, ingest_pipeline
from framewatch.config import load_config
from framewatch.ingest import IngestOptions, read_sources
from framewatch.model import Span
from framewatch.pipeline import Pipeline, Stage
from framewatch.store import open_store

CORPUS = "data/semeval2025-task10"


@pytest.fixture(scope="module")
def client():
    """One local cluster of two worker processes for the module (CI has two cores)."""
    with scale.cluster(workers=2) as dask_client:
        yield dask_client


def training_files(every_en: int, every_ru: int) -> list[Path]:
    """A deterministic sample of the SemEval-2025 Task 10 training documents: every n-th file by name."""
    root = need_shared(CORPUS)
    english = sorted((root / "EN" / "train" / "raw-documents").glob("*.txt"))
    russian = sorted((root / "RU" / "train" / "raw-documents").glob("*.txt"))
    return english[::every_en] + russian[::every_ru]


def comparable(record: dict) -> dict:
    """An export record without its run id (two runs never share one)."""
    return {**record, "spans": [{k: v for k, v in s.items() if k != "run_id"} for s in record["spans"]]}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_cluster_run_matches_in_process_on_training_corpora(client, tmp_path):
    # Every 8th English and every 4th Russian training document by name (50 + 34, about 0.25 MB): the
    # full set takes about 100 s in-process on two cores; benchmarks/scale.py compares all 532.
    files = training_files(8, 4)
    config = load_config()
    in_process = ingest_pipeline(config, command="analyze")
    expected = [analyze_unstored(in_process, doc).to_export()
                for result in read_sources(files, IngestOptions()) for doc in result.documents]

    documents = (doc for result in read_sources(files, IngestOptions()) for doc in result.documents)
    done: list[int] = []
    report = scale.analyze_files(client, documents, ingest_pipeline(config, command="analyze"),
                                 tmp_path / "out.jsonl", partition_size=12,
                                 on_partition=lambda partition, _: done.append(partition.index))
    got = read_jsonl(tmp_path / "out.jsonl")

    assert len(files) == 84 and report.partitions == 7 and sorted(done) == list(range(7)) and not report.failures
    assert {d["language"] for d in got} == {"en", "ru"}
    assert [d["path"] for d in got] == [str(f) for f in files], "written in input order"
    assert sum(len(d["spans"]) for d in got) > 10_000
    assert {s["run_id"] for d in got for s in d["spans"]} == {report.run.id}, "one run for every worker"
    for mine, theirs in zip(got, expected, strict=True):
        assert comparable(mine) == comparable(theirs), mine["path"]
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_workers_refuse_a_run_of_other_stage_versions(client, tmp_path):
    pipeline = Pipeline(load_config(), ["sentences"])
    pipeline.run.stages["sentences"] = "0"  # as if the client ran another framewatch release
    with pytest.raises(scale.ClusterError, match=r"stage sentences version 1 \(client: 0\)"):
        scale.analyze_files(client, [], pipeline, tmp_path / "out.jsonl")


# A third-party stage that cannot handle one document, registered in the client and on the workers.
def _explode(doc, ctx) -> None:
    if "EXPLODE" in doc.text:
        raise RuntimeError("cannot handle this document")
    doc.add_span(Span("boom", "ok", 0, 0, engine="plugin"))


EXPLODING = Stage("explode", "1", _explode, requires=("layer:sentence",), assigns=("layer:boom",))


def _register(stage: Stage | None) -> None:
    pipeline_module.registry()  # the built-ins first: an empty registry is what triggers loading them
    if stage is None:
        pipeline_module._REGISTRY.pop("explode", None)
    else:
        pipeline_module._REGISTRY[stage.name] = stage


@pytest.fixture
def exploding_stage(client, monkeypatch):
    pipeline_module.registry()
    monkeypatch.setitem(pipeline_module._REGISTRY, "explode", EXPLODING)
    client.run(_register, EXPLODING)
    yield
    client.run(_register, None)


def test_a_failing_partition_is_named_and_the_others_are_stored(client, exploding_stage, store_url, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    texts = [f"Report number {i}. Police detained {i} activists in the capital." for i in range(8)]
    texts[5] += " EXPLODE"
    corpus.write_text("".join(json.dumps({"id": f"n{i}", "text": t, "language": "en"}) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    config = load_config()
    with open_store(store_url) as store:  # SQLite, then PostgreSQL: only the client talks to the store
        ingest_into(store, [str(corpus)], IngestOptions(), ingest_pipeline(config, analyze=False), config=config)
        first = Pipeline(config, ["explode"], command="analyze")
        report = scale.analyze_store(client, store, first, partition_size=2)

        assert report.partitions == 4 and report.analysed == 6
        [failed] = report.failures
        assert failed.index == 2 and failed.state == "failed"
        assert "RuntimeError: cannot handle this document" in failed.error
        bad = next(d for d in store.iter_documents() if d.external_id == "n5")
        assert f"document {bad.id} ({corpus}#n5)" in failed.error, failed.error
        assert bad.id in failed.describe() and str(corpus) in failed.describe()
        stale = store.stale_documents(first.run, first.layers)
        assert stale == failed.ids, "every other partition was stored"
        assert {s.layer for s in store.get(stale[0]).spans} & {"sentence", "boom"} == set()

        # A re-run only attempts what is missing: the failing partition, alone, fails again.
        again = Pipeline(config, ["explode"], command="analyze")
        second = scale.analyze_store(client, store, again, partition_size=2)
        assert (second.partitions, second.analysed, second.reused, len(second.failures)) == (1, 0, 6, 1)


def _fixed(doc, ctx) -> None:
    doc.add_span(Span("boom", "ok", 0, 0, engine="plugin"))


def test_a_failing_partition_keeps_the_json_output_resumable(client, exploding_stage, monkeypatch, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    texts = [f"Сообщение {i}. Полиция задержала {i} активистов в столице." for i in range(8)]
    texts[5] += " EXPLODE"
    corpus.write_text("".join(json.dumps({"id": f"n{i}", "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    out, parts = tmp_path / "out.jsonl", tmp_path / "out.jsonl.parts"

    def run(size: int) -> scale.ClusterReport:
        documents = (d for result in read_sources([corpus], IngestOptions()) for d in result.documents)
        return scale.analyze_files(client, documents, Pipeline(load_config(), ["explode"]), out, partition_size=size)

    first = run(2)
    assert [f.index for f in first.failures] == [2] and f"({corpus}#n5)" in first.failures[0].error
    assert not out.exists(), "no output with a partition missing"
    assert len(list(parts.glob("*.jsonl"))) == 3, "the finished partitions are kept"

    # The plugin fixed (same name and version) and the workers restarted to load it: the re-run, with
    # other partitions, has each document once.
    fixed = Stage("explode", "1", _fixed, requires=("layer:sentence",), assigns=("layer:boom",))
    monkeypatch.setitem(pipeline_module._REGISTRY, "explode", fixed)
    client.restart()
    client.run(_register, fixed)
    second = run(4)
    assert (second.partitions, second.analysed, second.reused, second.failures) == (2, 8, 0, [])
    records = read_jsonl(out)
    assert [r["external_id"] for r in records] == [f"n{i}" for i in range(8)]
    assert all(r["language"] == "ru" and any(s["layer"] == "boom" for s in r["spans"]) for r in records)
    assert not parts.exists()


def _sample_corpus(folder: Path, count: int) -> Path:
    """The first `count` / 2 English and Russian training documents, copied into `folder`."""
    root = need_shared(CORPUS)
    folder.mkdir()
    for language in ("EN", "RU"):
        for source in sorted((root / language / "train" / "raw-documents").glob("*.txt"))[:count // 2]:
            (folder / source.name).write_bytes(source.read_bytes())
    return folder


def _kill_after(args: list[str], cwd: Path, finished: int) -> list[str]:
    """Run the CLI with -v and kill its whole process group (client and local workers) as soon as
    `finished` partitions are reported done; the stderr lines read so far."""
    proc = subprocess.Popen([sys.executable, "-m", "framewatch", *args, "-v"], cwd=cwd, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, start_new_session=True)
    watchdog = threading.Timer(240, os.killpg, (proc.pid, signal.SIGKILL))
    watchdog.start()
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if sum(ln.rstrip().endswith(": done") for ln in lines) >= finished:
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        watchdog.cancel()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "".join(lines)
    return lines


def test_db_run_killed_mid_way_resumes_without_redoing_or_duplicating(tmp_path):
    corpus = _sample_corpus(tmp_path / "corpus", 60)
    framewatch("ingest", str(corpus), "--db", "fw.db", "--no-analyze", cwd=tmp_path)
    args = ["analyze", "--db", "fw.db", "--workers", "2", "--partition-size", "2", "--stage", "techniques"]
    _kill_after(args, tmp_path, finished=2)

    config = load_config()
    with open_store(tmp_path / "fw.db") as store:
        probe = Pipeline(config, ["techniques"])
        finished = 60 - len(store.stale_documents(probe.run, probe.layers))
    assert 4 <= finished < 60 and finished % 2 == 0, "killed mid-way, partitions stored whole"

    rerun = framewatch(*args, cwd=tmp_path)
    assert f"analysed {60 - finished} stored document(s)" in rerun.stderr
    assert f"; {finished} already had current annotations" in rerun.stderr

    with sqlite3.connect(tmp_path / "fw.db") as db:
        layers = ("language", "sentence", "technique")
        marks = ", ".join("?" * len(layers))
        analysed = db.execute(f"SELECT doc_id, layer, count(*) FROM layer_runs WHERE layer IN ({marks}) "
                              "GROUP BY doc_id, layer", layers).fetchall()
        assert len(analysed) == 60 * 3 and {n for _, _, n in analysed} == {1}, "each document analysed once"
        mixed = db.execute(f"SELECT doc_id, layer FROM spans WHERE layer IN ({marks}) GROUP BY doc_id, layer "
                           "HAVING count(DISTINCT run_id) > 1", layers).fetchall()
        assert mixed == []
        runs = [r for (r,) in db.execute("SELECT DISTINCT run_id FROM layer_runs WHERE layer = 'technique'")]
        assert len(runs) == 2

    # And what the two runs stored together is what one in-process run finds.
    stored = {d["id"]: d for d in export(tmp_path)}
    reference = Pipeline(config, ["techniques"])
    for result in read_sources([corpus], IngestOptions()):
        for doc in result.documents:
            analyze_unstored(reference, doc)
            assert _layers(stored[doc.id]["spans"], layers) == _layers(doc.to_export()["spans"], layers)


def _layers(spans: list[dict], layers: tuple[str, ...]) -> list[dict]:
    return [{k: v for k, v in s.items() if k != "run_id"} for s in spans if s["layer"] in layers]


def test_json_run_killed_mid_way_resumes_from_its_part_files(client, tmp_path):
    corpus = _sample_corpus(tmp_path / "corpus", 60)
    address = client.scheduler.address
    args = ["analyze", str(corpus), "--json", "out.jsonl", "--scheduler", address, "--partition-size", "2",
            "--stage", "techniques"]
    _kill_after(args, tmp_path, finished=3)  # the client dies; the cluster lives on

    parts = tmp_path / "out.jsonl.parts"
    kept = sorted(p.name for p in parts.glob("*.jsonl"))
    interrupted_run = json.loads((parts / "run.json").read_text(encoding="utf-8"))["run"]["id"]
    assert not (tmp_path / "out.jsonl").exists()
    assert 3 <= len(kept) < 30 and not list(parts.glob("*.tmp"))

    rerun = framewatch(*args, cwd=tmp_path)
    assert f"analysed {60 - 2 * len(kept)} document(s)" in rerun.stderr
    assert f"; {2 * len(kept)} reused from the interrupted run" in rerun.stderr
    assert not parts.exists()
    resumed = read_jsonl(tmp_path / "out.jsonl")
    assert {s["run_id"] for d in resumed for s in d["spans"]} == {interrupted_run}, "the same run, continued"

    framewatch("analyze", str(corpus), "--json", "whole.jsonl", "--scheduler", address, "--stage", "techniques",
               cwd=tmp_path)
    assert [comparable(d) for d in resumed] == [comparable(d) for d in read_jsonl(tmp_path / "whole.jsonl")]


def test_cli_files_on_two_local_workers_match_in_process(tmp_path):
    # The acceptance test above runs the whole default pipeline on the workers; stages with cheaper
    # models are enough to check the command itself.
    corpus = _sample_corpus(tmp_path / "corpus", 8)
    framewatch("analyze", str(corpus), "--json", "local.jsonl", "--stage", "techniques", cwd=tmp_path)
    proc = framewatch("analyze", str(corpus), "--workers", "2", "--partition-size", "3", "--stage", "techniques",
                      cwd=tmp_path)
    assert "in 3 partition(s) on 2 worker(s)" in proc.stderr
    on_cluster = [json.loads(line) for line in proc.stdout.splitlines()]  # '-' by default: stdout
    assert [comparable(d) for d in on_cluster] == [comparable(d) for d in read_jsonl(tmp_path / "local.jsonl")]
    assert {d["language"] for d in on_cluster} == {"en", "ru"}
    assert sum(s["layer"] == "technique" for d in on_cluster for s in d["spans"]) > 0


def test_cli_db_on_two_local_workers_matches_in_process(tmp_path):
    corpus = _sample_corpus(tmp_path / "corpus", 8)
    for name in ("local.db", "cluster.db"):
        framewatch("ingest", str(corpus), "--db", name, "--no-analyze", cwd=tmp_path)
    framewatch("analyze", "--db", "local.db", "--stage", "techniques", cwd=tmp_path)
    proc = framewatch("analyze", "--db", "cluster.db", "--workers", "2", "--partition-size", "3",
                      "--stage", "techniques", cwd=tmp_path)
    assert "analysed 8 stored document(s) in 3 partition(s) on 2 worker(s)" in proc.stderr
    cluster, local = export(tmp_path, "cluster.db"), export(tmp_path, "local.db")
    assert [comparable(d) for d in cluster] == [comparable(d) for d in local]
    assert sum(s["layer"] == "technique" for d in cluster for s in d["spans"]) > 0
    again = framewatch("analyze", "--db", "cluster.db", "--workers", "1", "--stage", "techniques", "--all",
                       cwd=tmp_path)
    assert "analysed 8 stored document(s) in 1 partition(s)" in again.stderr
    assert "0 already had current annotations" in again.stderr


def test_cli_refuses_workers_with_scheduler_and_partition_size_alone(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Police detained five activists.\n", encoding="utf-8")
    both = framewatch("analyze", str(note), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786",
                      cwd=tmp_path, check=False)
    assert both.returncode == 2 and "not both" in both.stderr
    alone = framewatch("analyze", str(note), "--partition-size", "5", cwd=tmp_path, check=False)
    assert alone.returncode == 2 and "--partition-size applies to --workers or --scheduler" in alone.stderr


def test_cli_unreachable_scheduler_is_a_message_not_a_traceback(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Police detained five activists.\n", encoding="utf-8")
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.run([sys.executable, "-m", "framewatch", "analyze", str(note), "--scheduler",
                           f"tcp://127.0.0.1:{port}"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert proc.returncode == 1
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_cli_without_dask_names_the_scale_extra(tmp_path):
    blocker = tmp_path / "blocker" / "distributed"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named distributed')\n", encoding="utf-8")
    note = tmp_path / "note.txt"
    note.write_text("Police detained five activists.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    proc = subprocess.run([sys.executable, "-m", "framewatch", "analyze", str(note), "--workers", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1
    assert "Dask is not installed" in proc.stderr and "`scale` extra" in proc.stderr
    assert "Traceback" not in proc.stderr
    plain = subprocess.run([sys.executable, "-m", "framewatch", "analyze", str(note), "--stage", "sentences"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert plain.returncode == 0 and json.loads(plain.stdout)["spans"], "only the cluster needs Dask"
