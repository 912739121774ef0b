"""Search latency on 100,000 documents, SQLite and PostgreSQL: p50/p95/p99 of `store.search` (the 20
best hits with their snippets, as the CLI and the web UI ask) and of `store.search_count`, over a fixed
list of 50 queries mixing English and Russian, frequent and rare words, phrases and prefixes.

The corpus is generated, the same for both back ends: each document is 1-4 paragraphs drawn (seeded)
from one language's pool of paragraphs of the SemEval-2025 Task 10 EN and RU documents
(../shared/data) and the bundled examples, with an outlet or a forum author and a date in 2024-2025.
Documents are stored without analysis, 500 per transaction, as `framewatch ingest --no-analyze`
does. PostgreSQL is a throwaway cluster (framewatch.store.pgcluster, default durable settings).

Usage: python benchmarks/search.py [--docs 100000] [--rounds 5] [--only sqlite|postgresql] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from framewatch.model import AnalysisRun, Document
from framewatch.store import Store, open_store
from framewatch.store.pgcluster import TemporaryCluster

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "semeval2025-task10"
BATCH = 500
QUERIES = [
    # English: frequent, rare, phrases, prefixes
    "Ukraine", "Russia", "NATO", "Putin", "war", "climate", "climate change", '"climate change"', "Zelensky",
    "Biden", "sanctions", "propaganda", "vaccine", "election*", "refugees", '"United States"', "Kalmora",
    "Nord-Vostok", "gramophone", "European Union", "nuclear weapons", "green*", "Macron Scholz", "Gaza",
    "Velaria detained reporters",
    # Russian: inflected forms find their lemmas
    "Россия", "России", "Украина", "Зеленского", "НАТО", "санкции", "Путин", "Запад*", "США Китай",
    '"специальной военной операции"', "мигрантов", "выборы", "русофобия", "Калмора", "Алиев",
    "Евросоюз", "климат", "вакцина", "беженцы", "Байдена", "экономика санкции", "Самара рынок",
    "ядерное оружие", "Велария журналисты", "Крым*",
]


def paragraphs() -> dict[str, list[str]]:
    """The paragraph pools per language (at least 80 characters, each once)."""
    pools: dict[str, set[str]] = {"en": set(), "ru": set()}
    files: list[tuple[str, str]] = []
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is absent: the benchmark needs ../shared/data beside the repository")
    for lang in ("EN", "RU"):
        for path in sorted(SHARED.glob(f"{lang}/*/*documents/*.txt")):
            files.append((lang.lower(), path.read_text(encoding="utf-8", errors="replace")))
    for path in sorted((REPO / "examples").rglob("*")):
        if path.suffix in (".txt", ".md"):
            files.append(("ru" if path.name.startswith("ru_") or "_ru" in path.stem else "en",
                          path.read_text(encoding="utf-8")))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                text = record.get("text") or ""
                files.append(("ru" if re.search("[а-яё]", text) else "en", text))
    for lang, text in files:
        for block in re.split(r"\n\s*\n|\n", text):
            block = " ".join(block.split())
            if len(block) >= 80:
                pools[lang].add(block)
    return {lang: sorted(pool) for lang, pool in pools.items()}


def corpus(n: int, pools: dict[str, list[str]], seed: int = 20251201) -> Iterator[Document]:
    rng = random.Random(seed)
    outlets = {"en": ["Continental Wire", "Meridian Post", "Daily Ledger", "Atlantic Review", "Harbor Times"],
               "ru": ["Вестник Поволжья", "Норд-Восток Медиа", "Развилка", "Держава", "Новая газета"]}
    for i in range(n):
        lang = "en" if rng.random() < 0.6 else "ru"
        body = "\n\n".join(rng.sample(pools[lang], rng.randint(1, 4)))
        forum = rng.random() < 0.3
        yield Document(
            text=body, kind="post" if forum else "article", language=lang,
            title=None if forum else body.split(". ")[0][:120],
            author=f"member_{rng.randint(1, 3000)}" if forum else None,
            outlet=None if forum else rng.choice(outlets[lang]),
            published=f"{rng.choice((2024, 2025))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                      f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            source_key=f"bench:{i}", external_id=f"bench-{i}",
        )


def ingest(store: Store, n: int, pools: dict[str, list[str]]) -> dict[str, float]:
    run = AnalysisRun("bench-search", "2025-12-01T12:00:00+00:00", "bench", {"ingest": "1"}, {}, "bench",
                      "benchmarks/search.py")
    started = time.perf_counter()
    added = chars = 0
    batch: list[Document] = []
    for doc in corpus(n, pools):
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) == BATCH:
            added += store.add_documents(batch, run).added
            batch = []
    if batch:
        added += store.add_documents(batch, run).added
    seconds = time.perf_counter() - started
    return {"documents": added, "seconds": round(seconds, 1), "docs_per_s": round(added / seconds),
            "mb_text": round(chars / 1e6, 1)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(store: Store, rounds: int) -> dict[str, object]:
    for query in QUERIES:  # warm up: caches, the lemma cache, the database's pages
        store.search(query)
        store.search_count(query)
    timings: dict[str, list[float]] = {"search": [], "count": []}
    hits: dict[str, int] = {}
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            store.search(query, limit=20)
            timings["search"].append(time.perf_counter() - started)
            started = time.perf_counter()
            hits[query] = store.search_count(query)
            timings["count"].append(time.perf_counter() - started)
    out: dict[str, object] = {}
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        out[name] = {"n": len(ms), "p50_ms": round(percentile(ms, 0.5), 1), "p95_ms": round(percentile(ms, 0.95), 1),
                     "p99_ms": round(percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1),
                     "mean_ms": round(statistics.fmean(ms), 1)}
    out["hits"] = hits
    return out


def size_of(store: Store, target: str) -> float:
    if target.startswith("postgresql://"):
        return store._execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
    return sum(p.stat().st_size for p in Path(target).parent.glob(Path(target).name + "*")) / 1e6


def bench(target: str, args: argparse.Namespace, pools: dict[str, list[str]]) -> dict[str, object]:
    with open_store(target) as store:
        print(f"  ingesting {args.docs} documents ...", file=sys.stderr, flush=True)
        loaded = ingest(store, args.docs, pools)
        print(f"  {loaded}", file=sys.stderr, flush=True)
    with open_store(target, create=False) as store:  # a fresh connection, as a user's command has
        if target.startswith("postgresql://"):
            store._execute("ANALYZE")
        result = {"ingest": loaded, "store_mb": round(size_of(store, target)), **measure(store, args.rounds)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    pools = paragraphs()
    print(f"paragraph pools: en {len(pools['en'])}, ru {len(pools['ru'])}; {len(QUERIES)} queries x {args.rounds} "
          f"rounds", file=sys.stderr)
    results: dict[str, object] = {"docs": args.docs, "queries": len(QUERIES), "rounds": args.rounds,
                                  "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                             f"Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory(prefix="framewatch-bench-") as folder:
        if args.only in (None, "sqlite"):
            print("sqlite", file=sys.stderr)
            results["sqlite"] = bench(str(Path(folder) / "bench.db"), args, pools)
        if args.only in (None, "postgresql"):
            print("postgresql", file=sys.stderr)
            with TemporaryCluster() as cluster:
                version = cluster.bindir.parent.name
                results["postgresql"] = {"server": f"PostgreSQL {version}",
                                         **bench(cluster.create_database("bench"), args, pools)}
    print("| back end | documents | ingest docs/s | store MB | search p50 / p95 / p99 ms | count p50 / p95 / p99 ms |")
    print("|---|---|---|---|---|---|")
    for name in ("sqlite", "postgresql"):
        if name in results:
            r = results[name]
            s, c = r["search"], r["count"]
            print(f"| {name} | {r['ingest']['documents']:,} | {r['ingest']['docs_per_s']:,} | {r['store_mb']:,} | "
                  f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} | {c['p50_ms']} / {c['p95_ms']} / {c['p99_ms']} |")
    if "sqlite" in results and "postgresql" in results:
        same = results["sqlite"]["hits"] == results["postgresql"]["hits"]
        print(f"\nboth back ends find the same number of documents for every query: {'yes' if same else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
