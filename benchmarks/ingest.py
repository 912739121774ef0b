"""Ingestion throughput: documents/s and MB/s for pasted threads, article HTML and forum HTML.

Each corpus is built from the bundled examples and test fixtures, every copy made unique (so the
store's deduplication cannot short-cut the work), then ingested twice over:
  parse  - read, decode, parse, find links/origins (no store, no analysis)
  store  - the same plus storing into a fresh SQLite file (`framewatch ingest --no-analyze`)
  full   - the same plus the default analysis stages (language, sentences)

Usage: python benchmarks/ingest.py [--copies N] [--only text|article-html|forum-html]
"""

from __future__ import annotations

import argparse
import platform
import re
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from framewatch.batch import ingest_into, ingest_pipeline
from framewatch.config import load_config
from framewatch.ingest import IngestOptions, read_sources
from framewatch.model import Document
from framewatch.store import open_store

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2025, 12, 1, 12, 0)
SOURCES = {
    "text": sorted((REPO / "examples" / "threads").glob("*.txt")),
    "article-html": sorted((REPO / "examples" / "html").glob("*.html"))
    + sorted((REPO / "tests" / "fixtures" / "html").glob("article_*.html")),
    "forum-html": sorted((REPO / "tests" / "fixtures" / "html").glob("forum_*.html")),
}


def build_corpus(kind: str, copies: int, target: Path) -> tuple[int, int]:
    """`copies` unique variants of each source file; returns (files, bytes)."""
    target.mkdir(parents=True)
    files = size = 0
    for source in SOURCES[kind]:
        original = source.read_text(encoding="utf-8")
        for n in range(copies):
            # A distinct number in the text makes every copy new content for the store.
            marker = f"Copy {n} of {source.stem}."
            if source.suffix == ".html":
                text = re.sub(r"(</p>|<br\s*/?>)", rf" {marker}\1", original)
            else:
                text = re.sub(r"([.!?])\n", rf"\1 {marker}\n", original)
            path = target / f"{n:05d}-{source.name}"
            path.write_text(text, encoding="utf-8")
            files += 1
            size += path.stat().st_size
    return files, size


def measure(kind: str, copies: int, workdir: Path) -> list[dict[str, float | str]]:
    corpus = workdir / kind
    files, size = build_corpus(kind, copies, corpus)
    options = IngestOptions(as_of=AS_OF, include=("*",))
    config = load_config(None)
    rows = []

    start = time.perf_counter()
    docs = sum(len(r.documents) for r in read_sources([corpus], options))
    rows.append(_row(kind, "parse", files, size, docs, time.perf_counter() - start))

    for mode, analyze in (("store", False), ("full", True)):
        db = workdir / f"{kind}-{mode}.db"
        with open_store(db) as store:
            start = time.perf_counter()
            summary = ingest_into(store, [str(corpus)], options, ingest_pipeline(config, analyze), config=config)
            elapsed = time.perf_counter() - start
        rows.append(_row(kind, mode, files, size, summary.added, elapsed))
    return rows


def _row(kind: str, mode: str, files: int, size: int, docs: int, seconds: float) -> dict[str, float | str]:
    return {"corpus": kind, "mode": mode, "files": files, "MB": size / 1e6, "documents": docs,
            "seconds": seconds, "docs/s": docs / seconds, "MB/s": size / 1e6 / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200, help="unique copies of each source file")
    parser.add_argument("--only", choices=sorted(SOURCES), action="append")
    args = parser.parse_args()
    # Language models load once per process; time that apart from the per-document cost.
    start = time.perf_counter()
    ingest_pipeline(load_config(None)).analyze(Document(text="Warm-up. Разминка перед замером."))
    warmup = time.perf_counter() - start
    workdir = Path(tempfile.mkdtemp(prefix="framewatch-bench-"))
    try:
        rows = [row for kind in (args.only or list(SOURCES)) for row in measure(kind, args.copies, workdir)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# python {platform.python_version()} on {platform.machine()}, {sys.platform}; "
          f"copies={args.copies}; model warm-up {warmup:.2f} s; peak RSS {peak_mb:.0f} MB")
    print("| corpus | mode | files | MB | documents | seconds | docs/s | MB/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['corpus']} | {r['mode']} | {r['files']} | {r['MB']:.2f} | {r['documents']} | "
              f"{r['seconds']:.2f} | {r['docs/s']:.0f} | {r['MB/s']:.2f} |")


if __name__ == "__main__":
    main()
