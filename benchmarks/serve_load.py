"""Load test of `framewatch serve` on loopback: throughput, latency percentiles and errors under
concurrent readers while documents are ingested through the API at the same time.

The store holds the bundled examples (analysed, as `make demo` stores them) plus `--documents`
generated ones (variants of the example corpus records, stored without analysis unless
`--analyze-generated`). The real CLI serves it (`framewatch serve`, one uvicorn process); `--clients`
asyncio clients (httpx, keep-alive) request a mix of pages and API endpoints for `--duration`
seconds while one more client posts new documents in batches to POST /api/documents. Afterwards
every document the API reported as ingested must be in the store: nothing lost.

Usage: python benchmarks/serve_load.py [--clients 16] [--duration 30] [--documents 3000]
           [--connections thread|request|both] [--db postgresql://.../EMPTY_DATABASE] [--json OUT]
Exit status 1 when any request failed or an ingested document is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from framewatch.store import open_store

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
MAX_CLIENTS = 64
MAX_DURATION = 600
INGEST_BATCH = 5
QUERIES = ["Velaria", "espionage", "Kalmora police", '"Nord-Vostok Media"', "detain*", "Калмора", "задержаны",
           "русофобия", "Самаре", "market raids"]


def build_store(target: str, documents: int, analyze: bool, work: Path) -> None:
    """The examples as `make demo` stores them, then `documents` generated records."""
    config = work / "framewatch.toml"
    config.write_text(f"[actors]\nregistry = {json.dumps(str(EXAMPLES / 'actors.toml'))}\n", encoding="utf-8")
    _framewatch("demo", "--db", target, "--examples", str(EXAMPLES), "--config", str(config))
    records = [json.loads(line) for name in ("velaria_coverage.jsonl", "velaria_articles.jsonl")
               for line in (EXAMPLES / "corpus" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(7)
    generated = work / "generated.jsonl"
    with generated.open("w", encoding="utf-8") as out:
        for n in range(documents):
            record = dict(rng.choice(records))
            record["id"] = f"gen-{n:06d}"
            record["outlet"] = f"{record.get('outlet') or 'Outlet'} {n % 40}"
            record["published"] = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            record["text"] = f"{record['text']} (Report {n} of the load corpus.)"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    _framewatch("ingest", "--db", target, "--config", str(config), str(generated),
                *([] if analyze else ["--no-analyze"]))


def _framewatch(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"framewatch {args[0]} failed:\n{proc.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(target: str, connections: str, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FRAMEWATCH_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "framewatch", "serve", "--db", target, "--port", str(port),
                             "--connections", connections, "--config", str(config)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            httpx.get(base + "/api/overview", timeout=5)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("serve did not start within 120 s")


def request_mix(ids: list[str], total: int) -> list[tuple[str, str]]:
    """(kind, path) pairs the readers draw from: what an analyst's browser and a script ask for."""
    rng = random.Random(11)
    mix: list[tuple[str, str]] = []
    for _ in range(400):
        doc = rng.choice(ids)
        offset = rng.randrange(0, max(1, total - 50))
        query = rng.choice(QUERIES)
        mix += [
            ("page /", "/"),
            ("page /documents", f"/documents?offset={offset}"),
            ("page /documents/{id}", f"/documents/{doc}"),
            ("page /search", f"/search?q={query}"),
            ("page /actors/{id}", "/actors/country:vl"),
            ("page /techniques", "/techniques?by=language"),
            ("api /api/documents", f"/api/documents?offset={offset}&limit=50&language={rng.choice(['en', 'ru'])}"),
            ("api /api/documents/{id}", f"/api/documents/{doc}"),
            ("api /api/search", f"/api/search?q={query}&offset={rng.choice([0, 20])}"),
            ("api /api/overview", "/api/overview"),
            ("api /api/narratives", "/api/narratives?by=source"),
            ("api /export.jsonl", f"/export.jsonl?source={rng.choice(['Continental Wire', 'Velaria Today'])}"),
        ]
    rng.shuffle(mix)
    return mix


async def reader(client: httpx.AsyncClient, mix: list[tuple[str, str]], start: int, stop_at: float,
                 timings: dict[str, list[float]], failures: list[str]) -> None:
    n = start
    while time.perf_counter() < stop_at:
        kind, path = mix[n % len(mix)]
        n += 1
        began = time.perf_counter()
        try:
            response = await client.get(path)
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
        except httpx.HTTPError as exc:
            failures.append(f"{path}: {type(exc).__name__} {exc}")
        timings[kind].append(time.perf_counter() - began)


async def ingester(client: httpx.AsyncClient, run: str, stop_at: float, ingested: list[str],
                   timings: dict[str, list[float]], failures: list[str]) -> None:
    n = 0
    while time.perf_counter() < stop_at:
        batch = [{"id": f"{run}-{n + i}", "outlet": f"Load Wire {(n + i) % 3}", "language": "en",
                  "published": "2025-11-30",
                  "text": f"Police in Kalmora detained {n + i} more people on Sunday, the Interior Ministry said. "
                          f"Russia's embassy called the detentions a provocation ({run} {n + i})."}
                 for i in range(INGEST_BATCH)]
        n += INGEST_BATCH
        began = time.perf_counter()
        try:
            response = await client.post("/api/documents", json=batch)
            if response.status_code != 200 or response.json()["problems"]:
                failures.append(f"POST /api/documents: {response.status_code} {response.text[:200]}")
            else:
                ingested.extend(response.json()["ids"])
        except httpx.HTTPError as exc:
            failures.append(f"POST /api/documents: {type(exc).__name__} {exc}")
        timings["POST /api/documents"].append(time.perf_counter() - began)


async def load(base: str, clients: int, duration: float, run: str, ids: list[str], total: int) -> dict[str, Any]:
    mix = request_mix(ids, total)
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    ingested: list[str] = []
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        # Warm-up, not measured: the analysis models load on the first POST.
        await client.post("/api/documents", json=[{"text": "Warm-up in Kalmora.", "id": f"{run}-warm"}])
        for _, path in mix[:12]:
            await client.get(path)
        began = time.perf_counter()
        stop_at = began + duration
        await asyncio.gather(*(reader(client, mix, i * 37, stop_at, timings, failures) for i in range(clients)),
                             ingester(client, run, stop_at, ingested, timings, failures))
        elapsed = time.perf_counter() - began
    return {"elapsed": elapsed, "timings": dict(timings), "failures": failures, "ingested": ingested}


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    timings = result["timings"]
    reads = [t for kind, values in timings.items() if kind != "POST /api/documents" for t in values]
    every = [t for values in timings.values() for t in values]
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    return {
        "requests": len(every),
        "throughput_rps": round(len(every) / result["elapsed"], 1),
        "read_p50_ms": ms(percentile(reads, 0.5)), "read_p95_ms": ms(percentile(reads, 0.95)),
        "read_p99_ms": ms(percentile(reads, 0.99)),
        "all_p50_ms": ms(percentile(every, 0.5)), "all_p95_ms": ms(percentile(every, 0.95)),
        "all_p99_ms": ms(percentile(every, 0.99)),
        "errors": len(result["failures"]),
        "ingested_documents": len(result["ingested"]),
        "by_kind": {kind: {"requests": len(v), "p50_ms": ms(percentile(v, 0.5)), "p99_ms": ms(percentile(v, 0.99))}
                    for kind, v in sorted(timings.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per connection mode")
    parser.add_argument("--documents", type=int, default=3000, help="generated documents besides the examples")
    parser.add_argument("--analyze-generated", action="store_true", help="analyse them too (slow to build)")
    parser.add_argument("--connections", choices=["thread", "request", "both"], default="both")
    parser.add_argument("--db", help="an empty PostgreSQL database URL (default: a temporary SQLite file)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --duration 0..{MAX_DURATION} s")
    modes = ["thread", "request"] if args.connections == "both" else [args.connections]
    with tempfile.TemporaryDirectory(prefix="fw-serve-load-") as tmp:
        work = Path(tmp)
        target = args.db or str(work / "load.db")
        began = time.perf_counter()
        build_store(target, args.documents, args.analyze_generated, work)
        with open_store(target, create=False) as store:
            total = store.count()
            ids = [d.id for d in store.documents_page(limit=total)[0]]
        print(f"store {'PostgreSQL' if args.db else 'SQLite'}: {total} documents, built in "
              f"{time.perf_counter() - began:.0f} s", file=sys.stderr)
        report: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPU(s), Python "
                                             f"{platform.python_version()}",
                                  "backend": "postgresql" if args.db else "sqlite", "documents": total,
                                  "clients": args.clients, "duration_s": args.duration, "modes": {}}
        failed = False
        for mode in modes:
            proc, base = start_server(target, mode, work / "framewatch.toml")
            try:
                result = asyncio.run(load(base, args.clients, args.duration, f"load-{mode}", ids, total))
            finally:
                proc.terminate()
                proc.wait(timeout=60)
            with open_store(target, create=False) as store:
                found = store.existing_ids(result["ingested"])
            summary = summarise(result)
            summary["lost_documents"] = len(set(result["ingested"]) - found)
            report["modes"][mode] = summary
            failed |= bool(summary["errors"] or summary["lost_documents"])
            for failure in result["failures"][:10]:
                print(f"  failed: {failure}", file=sys.stderr)
            print(f"connections={mode}: {summary['throughput_rps']} req/s over {summary['requests']} requests, "
                  f"reads p50 {summary['read_p50_ms']} ms, p95 {summary['read_p95_ms']} ms, "
                  f"p99 {summary['read_p99_ms']} ms; all p99 {summary['all_p99_ms']} ms; "
                  f"errors {summary['errors']}; ingested {summary['ingested_documents']} documents, "
                  f"lost {summary['lost_documents']}", file=sys.stderr)
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
