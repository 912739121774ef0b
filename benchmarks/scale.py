"""Throughput of `framewatch analyze` in-process and on a local Dask cluster of 1 and 2 workers.

    .venv/bin/python benchmarks/scale.py [--limit N] [--partition-size K]

Input: the SemEval-2025 Task 10 training documents, English and Russian (../shared/data; 532 files,
1.58 MB), analysed with the default pipeline and written as JSONL, as `framewatch analyze FILES
--json OUT [--workers N]` does. Each setting runs in a fresh process, so each loads its models cold
(that time is counted; the local cluster's own start is reported apart). Reported per setting:
documents/s and MB/s (MB = 10^6 bytes of input files), the speed-up over one worker, the peak RSS
of each worker process and of the client (the process that reads, partitions and writes), the CPU
seconds the workers and the client used (a measure other load on the machine does not distort, as
it does wall time), and whether the output equals the in-process output (run ids aside).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "semeval2025-task10"
SETTINGS = ("in-process", "workers-1", "workers-2")


def training_files(limit: int | None) -> list[Path]:
    files = [p for language in ("EN", "RU")
             for p in sorted((CORPUS / language / "train" / "raw-documents").glob("*.txt"))]
    if not files:
        sys.exit(f"{CORPUS}: no training documents (the shared data sits beside the repository)")
    # Interleave the languages so that a --limit keeps both.
    english = [p for p in files if "/EN/" in str(p)]
    russian = [p for p in files if "/RU/" in str(p)]
    mixed = [p for pair in zip(english, russian, strict=False) for p in pair]
    mixed += english[len(russian):] if len(english) > len(russian) else russian[len(english):]
    return mixed[:limit] if limit else mixed


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not getrusage: ru_maxrss survives fork and exec, so a child
    would report its parent's peak when that was higher."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(setting: str, files: list[Path], out: Path, partition_size: int) -> dict:
    """One setting, in this (fresh) process."""
    from framewatch import scale
    from framewatch.batch import analyze_unstored, ingest_pipeline
    from framewatch.config import load_config
    from framewatch.export import write_jsonl
    from framewatch.ingest import IngestOptions, read_sources

    config = load_config()
    documents = (doc for result in read_sources(files, IngestOptions()) for doc in result.documents)
    pipeline = ingest_pipeline(config, command="analyze")
    result: dict = {"setting": setting, "files": len(files), "mb": sum(f.stat().st_size for f in files) / 1e6}
    if setting == "in-process":
        start = time.perf_counter()
        with open(out, "w", encoding="utf-8") as sink:
            result["documents"] = write_jsonl((analyze_unstored(pipeline, doc) for doc in documents), sink)
        result["seconds"] = time.perf_counter() - start
        result["worker_peak_mb"] = []
    else:
        workers = int(setting.split("-")[1])
        start = time.perf_counter()
        with scale.cluster(workers=workers) as client:
            result["startup_s"] = time.perf_counter() - start
            start = time.perf_counter()
            report = scale.analyze_files(client, documents, pipeline, out, partition_size=partition_size)
            result["seconds"] = time.perf_counter() - start
            result["documents"] = report.written
            result["partitions"] = report.partitions
            peaks = client.run(peak_rss_mb)
            result["worker_peak_mb"] = sorted(peaks.values())
            result["worker_cpu_s"] = sum(client.run(cpu_seconds).values())
    result["client_peak_mb"] = peak_rss_mb()
    result["client_cpu_s"] = cpu_seconds()
    # The output's hash with the run id taken out: two runs never share one.
    result["output_sha256"] = hashlib.sha256(out.read_text(encoding="utf-8").replace(pipeline.run.id, "RUN")
                                             .encode("utf-8")).hexdigest()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="Only the first N files (languages interleaved)")
    parser.add_argument("--partition-size", type=int, default=25)
    parser.add_argument("--settings", nargs="+", choices=SETTINGS, default=list(SETTINGS))
    parser.add_argument("--one", choices=SETTINGS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = training_files(args.limit)
    if args.one:
        print(json.dumps(run_one(args.one, files, args.out, args.partition_size)))
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="framewatch-bench-scale-") as scratch:
        for setting in args.settings:
            out = Path(scratch) / f"{setting}.jsonl"
            load_before = os.getloadavg()[0]
            command = [sys.executable, __file__, "--one", setting, "--out", str(out),
                       "--partition-size", str(args.partition_size)]
            command += ["--limit", str(args.limit)] if args.limit else []
            proc = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
            if proc.returncode:
                sys.exit(f"{setting} failed:\n{proc.stderr[-3000:]}")
            result = json.loads(proc.stdout.splitlines()[-1])
            result["load"] = (load_before, os.getloadavg()[0])
            results.append(result)
            print(f"{setting}: {result['seconds']:.1f} s", file=sys.stderr)

    reference = next((r["output_sha256"] for r in results if r["setting"] == "in-process"), None)
    one_worker = next((r["seconds"] for r in results if r["setting"] == "workers-1"), None)
    print(f"{len(files)} files, {results[0]['mb']:.2f} MB, partition size {args.partition_size}, "
          f"{os.cpu_count()} cores\n")
    print("| setting | documents | seconds | docs/s | MB/s | speed-up vs 1 worker | cluster start s "
          "| peak RSS per worker MB | client peak RSS MB | CPU s workers / client | load avg before/after "
          "| same output as in-process |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|---|")
    for r in results:
        speedup = f"{one_worker / r['seconds']:.2f}" if one_worker and r["setting"] != "in-process" else "-"
        same = "-" if reference is None or r["setting"] == "in-process" else (
            "yes" if r["output_sha256"] == reference else "NO")
        workers = ", ".join(f"{mb:.0f}" for mb in r["worker_peak_mb"]) or "-"
        start = f"{r['startup_s']:.1f}" if "startup_s" in r else "-"
        print(f"| {r['setting']} | {r['documents']} | {r['seconds']:.1f} | {r['documents'] / r['seconds']:.2f} "
              f"| {r['mb'] / r['seconds']:.4f} | {speedup} | {start} | {workers} | {r['client_peak_mb']:.0f} "
              f"| {r.get('worker_cpu_s', 0):.0f} / {r['client_cpu_s']:.0f} "
              f"| {r['load'][0]:.1f} / {r['load'][1]:.1f} | {same} |")


if __name__ == "__main__":
    main()
