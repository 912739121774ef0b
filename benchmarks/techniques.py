"""Speed of the `techniques` stage alone: characters/s per language.

Corpus: the bundled examples (read with `framewatch.ingest`, so threads split into posts; language
from the `language` stage) plus, when present beside the repository, the PTC training articles
(English) and the SemEval-2023 Task 3 training paragraphs joined per article (Russian). Cue files
load and compile once per process; that first-call cost is reported apart. Each language's documents
go `--repeat` times through the stage function in whole passes (one document repeated would be timed
from the caches the stages keep for the last few texts), and the best pass is kept.

Usage: python benchmarks/techniques.py [--repeat N] [--no-shared]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

from framewatch.analysis import techniques
from framewatch.config import load_config
from framewatch.ingest import IngestOptions, read_sources
from framewatch.model import Document
from framewatch.pipeline import Pipeline, StageContext, new_run, registry

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def corpus(shared: bool) -> list[tuple[str, Document]]:
    docs: list[tuple[str, Document]] = []
    options = IngestOptions(include=("*.txt", "*.md", "*.html", "*.jsonl", "*.csv"), exclude=("README.md",))
    prepare = Pipeline(load_config(None), ["language"])
    for result in read_sources([REPO / "examples"], options):
        docs.extend(("examples", prepare.analyze(doc)) for doc in result.documents)
    if shared:
        for path in sorted((DATA / "ptc-semeval2020-task11/EN/train/train-articles").glob("*.txt")):
            docs.append(("ptc", Document(text=_read(path), language="en")))
        paragraphs: dict[str, list[tuple[int, str]]] = defaultdict(list)
        template = DATA / "semeval2023-task3/RU/train/train-labels-subtask-3.template"
        if template.exists():
            for line in _read(template).splitlines():
                fields = line.split("\t")
                if len(fields) == 3 and fields[1].isdigit():
                    paragraphs[fields[0]].append((int(fields[1]), fields[2]))
        for article in sorted(paragraphs):
            text = "\n".join(p for _, p in sorted(paragraphs[article]))
            docs.append(("semeval2023", Document(text=text, language="ru")))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-shared", action="store_true", help="Only the bundled examples")
    args = parser.parse_args()
    shared = not args.no_shared and DATA.exists()
    config = load_config(None)
    stage = registry()["techniques"]
    ctx = StageContext(config, new_run(config, [stage], "benchmark"))

    started = time.perf_counter()
    for lang in techniques.languages():
        techniques.cue_set(lang)
    load_s = time.perf_counter() - started

    docs = [(source, doc) for source, doc in corpus(shared) if doc.language in techniques.languages()]
    chars: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    hits: dict[str, int] = defaultdict(int)
    for lang in techniques.languages():
        mine = [doc for _, doc in docs if doc.language == lang]
        if not mine:
            continue
        # Whole passes, not one document again and again: the stages keep what they worked out for the
        # last few texts, so a document analysed twice in a row would be timed from those caches.
        best = float("inf")
        for _ in range(args.repeat):
            copies = [copy.copy(doc) for doc in mine]
            began = time.perf_counter()
            for copy_ in copies:
                copy_.spans = []
                stage.func(copy_, ctx)
            best = min(best, time.perf_counter() - began)
        chars[lang] = sum(len(doc.text) for doc in mine)
        seconds[lang] = best
        hits[lang] = sum(len(c.spans) for c in copies)

    print(f"# techniques stage: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}; best of {args.repeat} passes")
    print(f"cue files loaded and compiled ({', '.join(techniques.languages())}): {load_s * 1000:.0f} ms")
    print("| language | documents | characters | seconds | characters/s | spans |")
    print("|---|---|---|---|---|---|")
    for lang in sorted(chars):
        count = sum(1 for _, d in docs if d.language == lang)
        print(f"| {lang} | {count} | {chars[lang]:,} | {seconds[lang]:.2f} | {chars[lang] / seconds[lang]:,.0f} | "
              f"{hits[lang]:,} |")
    sources = sorted({source for source, _ in docs})
    print(f"corpus: {', '.join(sources)}")


if __name__ == "__main__":
    main()
