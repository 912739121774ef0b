"""Speed and hold-out quality of the shipped sentiment models (analysis/sentiment.py).

For each language, takes the hold-out targets of tools/train_sentiment.py (the same hash-based 15%
of sentences, never trained on), and reports:
- the shipped model's accuracy and macro-F1 on them, which should equal its file header;
- targets/s through `target_sentiment()`: cold (first pass: model load, Russian lemma cache empty),
  warm (second pass), and with `sentence=None` (each call segments its text, as a caller without
  sentence spans pays).

Usage: .venv/bin/python benchmarks/sentiment.py [--lang en ru]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from framewatch.analysis import sentiment

REPO = Path(__file__).resolve().parents[1]
# The hold-out split and the corpus readers live in the training script; importing them keeps the
# benchmark on exactly the targets the model never saw.
sys.path.insert(0, str(REPO / "tools"))
import train_sentiment  # noqa: E402


def timed(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    call()
    return count / (time.perf_counter() - start)


def measure(lang: str) -> str:
    """One table row for `lang`."""
    corpus = train_sentiment.CORPORA[lang]
    held = [e for e in train_sentiment.read(lang, train_sentiment.DATA / corpus.path)
            if train_sentiment.in_share(e.sentence, "holdout")]
    found: list[sentiment.Sentiment | None] = []

    def given() -> None:
        found[:] = [sentiment.target_sentiment(e.sentence, lang, e.start, e.end, (0, len(e.sentence)))
                    for e in held]

    def segmenting() -> None:
        for e in held:
            sentiment.target_sentiment(e.sentence, lang, e.start, e.end)

    cold, warm, unsegmented = timed(given, len(held)), timed(given, len(held)), timed(segmenting, len(held))
    gold = [sentiment.LABELS.index(e.label) for e in held]
    predicted = [sentiment.LABELS.index(f.label) for f in found if f is not None]
    f1s = []
    for k in range(len(sentiment.LABELS)):
        tp = sum(g == p == k for g, p in zip(gold, predicted, strict=True))
        total = gold.count(k) + predicted.count(k)
        f1s.append(2 * tp / total if total else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(held)
    return (f"| {lang} | {len(held)} | {accuracy:.3f} | {sum(f1s) / len(f1s):.3f} | {cold:,.0f} | {warm:,.0f} "
            f"| {unsegmented:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", choices=sorted(train_sentiment.CORPORA),
                        default=sorted(train_sentiment.CORPORA))
    args = parser.parse_args()
    print("| language | hold-out targets | accuracy | macro-F1 | cold targets/s | warm targets/s "
          "| sentence=None targets/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lang in args.lang:
        print(measure(lang))


if __name__ == "__main__":
    main()
