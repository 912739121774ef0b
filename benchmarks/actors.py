"""Speed of the `mentions` and `actors` stages: characters/s with and without the statistical models.

Corpus: the bundled examples (read with `framewatch.ingest`, so threads split into posts) plus, when
present, the SemEval-2025 Task 10 training raw documents (EN and RU, read with newline='', their
language given). The `language` and `sentences` stages run first and are not timed; then the
`mentions` and `actors` stage functions are timed on copies of the analysed documents.

"With and without the statistical models": English documents run the gazetteer and the
capitalised-words rules only with `--spacy-model none` (the default), and add spaCy's NER with
`--spacy-model auto`; Russian documents always add natasha's NER and morphology. Each language is
reported separately, plus natasha alone on the Russian documents. Model and resource loading
(first-call latency of the gazetteer, registry, pymorphy3, natasha and the actors' surname index) is
timed separately, as the first call of each stage on a
one-sentence text, in a fresh process, before any document.

Usage: python benchmarks/actors.py [--data PATH] [--no-semeval] [--repeat N] [--spacy-model none|auto|NAME]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from framewatch.analysis import mentions as mentions_stage
from framewatch.config import Config, load_config
from framewatch.ingest import IngestOptions, read_sources
from framewatch.model import Document
from framewatch.pipeline import Pipeline, Stage, StageContext, new_run, registry

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "semeval2025-task10"


def time_loads(stages: dict[str, Stage], ctx: StageContext) -> list[tuple[str, float]]:
    """First-call latency of what the two stages load once per process, in order: each step is the
    first call of a stage on a one-sentence text (the text itself takes milliseconds)."""
    english = Document(text="Ilham Aliyev met Vladimir Putin and Abdullo Ibragimli; the Kremlin said so.",
                       language="en")
    russian = Document(text="Ильхам Алиев встретился с Владимиром Путиным, сообщил Кремль.", language="ru")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("`mentions`, first English text: registry, gazetteer of every language, cue lists",
         lambda: stages["mentions"].func(english, ctx)),
        ("`actors`, first English text: surname index of every registry name (an unknown name to match)",
         lambda: stages["actors"].func(english, ctx)),
    ]
    natasha_first = hasattr(mentions_stage, "_natasha")
    if natasha_first:
        steps.append(("natasha models: embeddings, NER and morphology taggers", mentions_stage._natasha))
    russian_label = "pymorphy3, Russian cues" + (" (natasha loaded above)" if natasha_first else ", natasha")
    steps += [
        (f"`mentions`, first Russian text: {russian_label}", lambda: stages["mentions"].func(russian, ctx)),
        ("`actors`, first Russian text", lambda: stages["actors"].func(russian, ctx)),
    ]
    loads = []
    for label, load in steps:
        started = time.perf_counter()
        load()
        loads.append((label, time.perf_counter() - started))
    return loads


def corpus(data: Path, semeval: bool) -> list[tuple[str, Document]]:
    """(source, document) pairs: the examples, then the SemEval training documents when present."""
    docs: list[tuple[str, Document]] = []
    options = IngestOptions(include=("*.txt", "*.md", "*.html", "*.jsonl", "*.csv"), exclude=("README.md",))
    for result in read_sources([REPO / "examples"], options):
        docs.extend(("examples", doc) for doc in result.documents)
    if semeval:
        for lang in ("en", "ru"):
            for path in sorted((data / lang.upper() / "train" / "raw-documents").glob("*.txt")):
                with path.open(encoding="utf-8", newline="") as handle:
                    docs.append(("semeval", Document(text=handle.read(), language=lang, path=str(path))))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the semeval2025-task10 folder")
    parser.add_argument("--no-semeval", action="store_true", help="the bundled examples only")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (the first is reported cold)")
    parser.add_argument("--spacy-model", default="none",
                        help='English spaCy pipeline for the mentions stage: "none" (default), "auto" or a name')
    args = parser.parse_args()
    semeval = not args.no_semeval and (args.data / "EN" / "train" / "raw-documents").is_dir()
    if not args.no_semeval and not semeval:
        print(f"(SemEval data not found under {args.data}: examples only)", file=sys.stderr)

    base = load_config()
    config = Config({**base.data, "mentions": {"spacy_model": args.spacy_model}})
    stages = registry()
    ctx = StageContext(config, new_run(config, [stages["mentions"], stages["actors"]], "benchmarks/actors.py"))
    loads = time_loads(stages, ctx)
    prepare = Pipeline(config, ["language", "sentences"], command="benchmarks/actors.py")
    docs = [(source, prepare.analyze(doc)) for source, doc in corpus(args.data, semeval)]

    groups: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for source, doc in docs:
        groups[(source, doc.language or "unknown")].append(doc)
    if len({source for source, _ in groups}) > 1:
        for source, lang in list(groups):
            groups[("all", lang)].extend(groups[(source, lang)])
    order = sorted(groups, key=lambda k: (k[0] == "all", k[0], k[1] != "en", k[1]))

    # passes[group] = list of (mentions seconds, actors seconds, mention count, CPU seconds) per pass
    passes: dict[tuple[str, str], list[tuple[float, float, int, float]]] = defaultdict(list)
    for _ in range(max(1, args.repeat)):
        for key in order:
            if key[0] == "all":
                continue
            copies = [copy.deepcopy(doc) for doc in groups[key]]
            t_mentions = t_actors = 0.0
            count = 0
            cpu = time.process_time()
            for doc in copies:
                started = time.perf_counter()
                stages["mentions"].func(doc, ctx)
                middle = time.perf_counter()
                stages["actors"].func(doc, ctx)
                t_mentions += middle - started
                t_actors += time.perf_counter() - middle
                count += sum(1 for s in doc.spans if s.layer == "mention")
            passes[key].append((t_mentions, t_actors, count, time.process_time() - cpu))
    for key in order:
        if key[0] == "all":
            parts = [passes[k] for k in order if k[0] != "all" and k[1] == key[1]]
            passes[key] = [tuple(map(sum, zip(*runs, strict=True))) for runs in zip(*parts, strict=True)]

    natasha_mentions = getattr(mentions_stage, "_natasha_mentions", None)
    ru_docs = [doc for (source, lang), members in groups.items() if source != "all" and lang == "ru"
               for doc in members]
    natasha_passes = []
    for _ in range(2 if natasha_mentions and ru_docs else 0):
        started = time.perf_counter()
        for doc in ru_docs:
            natasha_mentions(doc)
        natasha_passes.append(time.perf_counter() - started)

    print(f"Command: `.venv/bin/python benchmarks/actors.py{' --no-semeval' if args.no_semeval else ''} "
          f"--repeat {args.repeat}` ({platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
          f"Python {platform.python_version()})")
    print()
    print("Loading (first call in a fresh process, before any document):")
    print()
    print("| resource | seconds |")
    print("|---|---:|")
    for label, seconds in loads:
        print(f"| {label} | {seconds:.2f} |")
    print(f"| total | {sum(s for _, s in loads):.2f} |")
    print()
    print("Throughput of `mentions` + `actors` (language and sentences already run, not timed). "
          "Cold: the first pass; warm: the best of the later passes (per-word lemma caches filled); "
          "CPU: characters per process CPU second in the best later pass; CPU time counts every thread, and "
          "natasha's numpy work uses more than one core, so for Russian it is below the wall-clock figure.")
    print()
    print("| corpus | language | statistical model | docs | characters | mentions/1k chars | mentions s "
          "| actors s | chars/s cold | chars/s warm | chars/CPU-s warm |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in order:
        source, lang = key
        chars = sum(len(d.text) for d in groups[key])
        first = passes[key][0]
        later = passes[key][1:] or passes[key]
        best = min(later, key=lambda p: p[0] + p[1])
        english = mentions_stage._spacy(args.spacy_model)
        english_model = f"spaCy {english.meta['name']} {english.meta['version']}" if english else \
            "none (gazetteer + capitalised words)"
        model = "natasha NER + morphology" if lang == "ru" else english_model
        print(f"| {source} | {lang} | {model} | {len(groups[key])} | {chars:,} | {1000 * first[2] / chars:.1f} "
              f"| {first[0]:.2f} | {first[1]:.2f} | {chars / (first[0] + first[1]):,.0f} "
              f"| {chars / (best[0] + best[1]):,.0f} | {chars / best[3]:,.0f} |")
    if natasha_passes:
        natasha_seconds = min(natasha_passes)
        chars = sum(len(d.text) for d in ru_docs)
        ru_keys = [k for k in groups if k[0] != "all" and k[1] == "ru"]
        runs = len(passes[ru_keys[0]])
        ru_mentions = min(sum(passes[k][i][0] for k in ru_keys) for i in range(1 if runs > 1 else 0, runs))
        print()
        print(f"natasha alone on the {len(ru_docs)} Russian documents (best of 2 passes): {natasha_seconds:.2f} s, "
              f"{chars / natasha_seconds:,.0f} chars/s, {natasha_seconds / ru_mentions:.0%} of the warm "
              "`mentions` time on them.")


if __name__ == "__main__":
    main()
