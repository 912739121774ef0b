"""Cross-lingual name matching: precision, recall and F1 of `same_name` on the name-pair set.

Scores every pair of `tests/fixtures/name_pairs.tsv` once with `name_similarity`, then reports the
merge precision (share of merged pairs that are the same actor), recall (share of same-actor pairs
merged) and F1 at a range of thresholds, marks the threshold `same_name` uses, lists the pairs it
gets wrong, and times the scoring (pairs/s, cold caches and warm).

Usage: python benchmarks/name_matching.py [--pairs FILE] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from framewatch.analysis import names

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "name_pairs.tsv"
THRESHOLDS = [0.80, 0.85, 0.88, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def metrics(scored: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of merging the pairs that score at least `threshold`."""
    tp = sum(1 for s, same in scored if s >= threshold and same)
    fp = sum(1 for s, same in scored if s >= threshold and not same)
    fn = sum(1 for s, same in scored if s < threshold and same)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--misses", action="store_true", help="also list the pairs same_name gets wrong")
    args = parser.parse_args()
    pairs = read_pairs(args.pairs)

    def score_all() -> list[float]:
        return [names.name_similarity(p["a"], p["b"], p["lang_a"], p["lang_b"]) for p in pairs]

    start = time.perf_counter()
    scores = score_all()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    score_all()
    warm = time.perf_counter() - start
    scored = [(s, p["same"] == "1") for s, p in zip(scores, pairs, strict=True)]

    positives = sum(same for _, same in scored)
    print(f"{len(pairs)} pairs ({positives} same actor, {len(pairs) - positives} different) from {args.pairs.name}")
    print()
    print("| threshold | precision | recall | F1 |")
    print("|---:|---:|---:|---:|")
    for threshold in sorted({*THRESHOLDS, names.SAME_NAME_THRESHOLD}):
        precision, recall, f1 = metrics(scored, threshold)
        mark = " **(same_name)**" if threshold == names.SAME_NAME_THRESHOLD else ""
        print(f"| {threshold:.2f}{mark} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    print()
    print(f"chosen threshold: {names.SAME_NAME_THRESHOLD}")
    print(f"speed: {len(pairs) / cold:,.0f} pairs/s with cold caches, {len(pairs) / warm:,.0f} pairs/s warm")
    if args.misses:
        print()
        for s, p in sorted(zip(scores, pairs, strict=True), key=lambda x: x[0]):
            merged = s >= names.SAME_NAME_THRESHOLD
            if merged != (p["same"] == "1"):
                kind = "false merge" if merged else "missed"
                print(f"{kind:11} {s:.3f}  {p['a']} ({p['lang_a']}) ~ {p['b']} ({p['lang_b']})  [{p['note']}]")


if __name__ == "__main__":
    main()
