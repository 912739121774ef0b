"""Train the shipped target-dependent sentiment models (analysis/sentiment.py) in pure Python.

    .venv/bin/python tools/train_sentiment.py              # both languages
    .venv/bin/python tools/train_sentiment.py --lang ru    # one

Reads only the MIT-licensed corpora beside the repository (never the research-use ones):
- en: ../shared/data/newsmtsc/EN/train/train.jsonl (NewsMTSC; polarity 2.0/4.0/6.0 =
  negative/neutral/positive, `to` is exclusive);
- ru: ../shared/data/rusentne-2023/RU/train/train_data.csv (RuSentNE-2023; tab-separated, label
  -1/0/1 = negative/neutral/positive). Its test split has no labels.

15% of the sentences (by a hash of the sentence text, so that no sentence is on both sides) are held
out and never trained on; the reported scores are on them. The regularisation and the number of
epochs are chosen on a second hash-based 15% of the rest, then the model is trained on all of the
rest: the shipped model is exactly the one the scores describe.

The model is multinomial logistic regression over the binary features of `sentiment.features()`,
trained by AdaGrad with L2 and class weights (inverse class frequency, for macro-F1 on skewed
labels). Rows are centred (softmax ignores a constant added to a row) and rounded, and the weakest
dropped to keep the file under MAX_BYTES. Writes src/framewatch/resources/<lang>/sentiment.tsv.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from framewatch.analysis import sentiment

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
HOLDOUT = 15  # percent of sentences
L2_GRID = (0.1, 0.3, 1.0)
MAX_EPOCHS = 8
RATE = 0.03
MIN_COUNT = 2
# Rows are kept strongest first while the file stays under this many bytes (a package-data budget).
MAX_BYTES = 1_400_000
SEED = 13


@dataclass(frozen=True)
class Corpus:
    name: str
    path: str  # relative to DATA
    attribution: tuple[str, ...]


CORPORA = {
    "en": Corpus("NewsMTSC", "newsmtsc/EN/train/train.jsonl", (
        "NewsMTSC (train.jsonl): Felix Hamborg and Karsten Donnay, \"NewsMTSC: (Multi-)Target-dependent",
        "Sentiment Classification in News Articles\", EACL 2021. https://github.com/fhamborg/NewsMTSC",
        "Licence: MIT (Copyright 2020 Felix Hamborg).")),
    "ru": Corpus("RuSentNE-2023", "rusentne-2023/RU/train/train_data.csv", (
        "RuSentNE-2023 (train_data.csv): Anton Golubev, Nicolay Rusnachenko and Natalia Loukachevitch,",
        "\"RuSentNE-2023: Evaluating Entity-Oriented Sentiment Analysis on Russian News Texts\",",
        "Dialogue 2023 (arXiv:2305.17679). https://www.dialog-21.ru/evaluation/2023/rusentne/",
        "Licence: MIT (Copyright (c) 2023 dialogue-evaluation).")),
}
_NEWSMTSC = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
_RUSENTNE = {"-1": "negative", "0": "neutral", "1": "positive"}


@dataclass(frozen=True)
class Example:
    sentence: str
    start: int
    end: int
    label: str


def read(language: str, path: Path) -> Iterator[Example]:
    if language == "en":
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                for target in record["targets"]:
                    yield Example(record["sentence_normalized"], target["from"], target["to"],
                                  _NEWSMTSC[target["polarity"]])
    else:
        with path.open(encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file, delimiter="\t"):
                yield Example(row["sentence"], int(row["entity_pos_start_rel"]), int(row["entity_pos_end_rel"]),
                              _RUSENTNE[row["label"]])


def in_share(sentence: str, salt: str) -> bool:
    """Whether a sentence falls in a HOLDOUT% share, decided by its text alone."""
    digest = hashlib.sha256(f"{salt}\x00{sentence}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLDOUT


# ------------------------------------------------------------------------------------ learning

Vector = tuple[list[str], int]  # feature names, label index


def fit(data: list[Vector], l2: float, epochs: int, weights_of_class: list[float],
        check: list[Vector] | None = None) -> tuple[dict[str, list[float]], list[float]]:
    """AdaGrad over the examples; with `check`, also the macro-F1 on it after every epoch."""
    classes = len(sentiment.LABELS)
    weights: dict[str, list[float]] = {}
    squares: dict[str, list[float]] = {}
    order = list(range(len(data)))
    shuffle = random.Random(SEED)
    curve = []
    for _ in range(epochs):
        shuffle.shuffle(order)
        for i in order:
            names, gold = data[i]
            probs = sentiment.probabilities(weights, names, classes)
            scale = weights_of_class[gold]
            for name in names:
                row = weights.setdefault(name, [0.0] * classes)
                sq = squares.setdefault(name, [0.0] * classes)
                for k in range(classes):
                    # L2 only on the features an example touches: the usual sparse approximation.
                    grad = scale * (probs[k] - (k == gold)) + l2 * row[k]
                    sq[k] += grad * grad
                    row[k] -= RATE * grad / (math.sqrt(sq[k]) + 1e-8)
        if check is not None:
            curve.append(scores(weights, check)["macro_f1"])
    return weights, curve


def scores(weights: dict[str, list[float]], data: list[Vector]) -> dict[str, float]:
    classes = len(sentiment.LABELS)
    confusion = Counter()
    for names, gold in data:
        probs = sentiment.probabilities(weights, names, classes)
        confusion[gold, max(range(classes), key=probs.__getitem__)] += 1
    f1s = []
    for k in range(classes):
        tp = confusion[k, k]
        predicted = sum(confusion[g, k] for g in range(classes))
        actual = sum(confusion[k, p] for p in range(classes))
        f1s.append(2 * tp / (predicted + actual) if predicted + actual else 0.0)
    correct = sum(confusion[k, k] for k in range(classes))
    return {"accuracy": correct / len(data), "macro_f1": sum(f1s) / classes}


def baseline(train: list[Vector], test: list[Vector]) -> dict[str, float]:
    """Always the commonest training label."""
    majority = Counter(g for _, g in train).most_common(1)[0][0]
    correct = sum(g == majority for _, g in test) / len(test)
    return {"accuracy": correct, "macro_f1": 2 * correct / (1 + correct) / len(sentiment.LABELS)}


def row_text(name: str, row: list[float]) -> str:
    return "\t".join((name, *(f"{w:.4f}".rstrip("0").rstrip(".") or "0" for w in row)))


def prune(weights: dict[str, list[float]]) -> dict[str, list[float]]:
    """Rows centred and rounded, then the rows that tell the labels apart most, up to MAX_BYTES."""
    centred = {}
    for name, row in weights.items():
        mean = sum(row) / len(row)
        centred[name] = [round(w - mean, 4) for w in row]
    kept, size = {}, 4096  # room for the header
    for name in sorted(centred, key=lambda n: (n != sentiment.BIAS, -max(map(abs, centred[n])), n)):
        size += len(row_text(name, centred[name]).encode()) + 1
        if name != sentiment.BIAS and (size > MAX_BYTES or max(map(abs, centred[name])) == 0):
            break
        kept[name] = centred[name]
    return kept


# ------------------------------------------------------------------------------------ one language

def vectors(examples: list[Example], language: str, vocabulary: set[str] | None) -> list[Vector]:
    out = []
    for ex in examples:
        names = sentiment.features(ex.sentence, language, ex.start, ex.end, (0, len(ex.sentence)))
        if vocabulary is not None:
            names = [n for n in names if n in vocabulary]
        out.append((names, sentiment.LABELS.index(ex.label)))
    return out


def train_language(language: str, data_root: Path, out_dir: Path, command: str) -> dict[str, object]:
    began = time.perf_counter()
    corpus = CORPORA[language]
    examples = list(read(language, data_root / corpus.path))
    held = [e for e in examples if in_share(e.sentence, "holdout")]
    rest = [e for e in examples if not in_share(e.sentence, "holdout")]
    tune = [e for e in rest if in_share(e.sentence, "tune")]
    fit_part = [e for e in rest if not in_share(e.sentence, "tune")]

    def vocabulary(part: list[Example]) -> set[str]:
        counts = Counter(n for names, _ in vectors(part, language, None) for n in names)
        return {n for n, c in counts.items() if c >= MIN_COUNT}

    def class_weights(part: list[Vector]) -> list[float]:
        counts = Counter(g for _, g in part)
        return [len(part) / (len(sentiment.LABELS) * counts[k]) for k in range(len(sentiment.LABELS))]

    fit_vocab = vocabulary(fit_part)
    fit_data, tune_data = vectors(fit_part, language, fit_vocab), vectors(tune, language, fit_vocab)
    best = (-1.0, 0.0, 0)
    for l2 in L2_GRID:
        _, curve = fit(fit_data, l2, MAX_EPOCHS, class_weights(fit_data), tune_data)
        epoch = max(range(len(curve)), key=curve.__getitem__)
        print(f"{language}: l2={l2:g} tuning macro-F1 by epoch {[round(c, 3) for c in curve]}", file=sys.stderr)
        best = max(best, (curve[epoch], l2, epoch + 1))
    _, l2, epochs = best

    rest_vocab = vocabulary(rest)
    rest_data, held_data = vectors(rest, language, rest_vocab), vectors(held, language, None)
    weights, _ = fit(rest_data, l2, epochs, class_weights(rest_data))
    shipped = prune(weights)
    result = {"language": language, "corpus": corpus.name, "targets": len(examples),
              "train_targets": len(rest), "holdout_targets": len(held),
              "holdout_sentences": len({e.sentence for e in held}), "l2": l2, "epochs": epochs,
              "holdout": scores(weights, held_data), "holdout_pruned": scores(shipped, held_data),
              "baseline": baseline(rest_data, held_data),
              "labels_train": dict(Counter(e.label for e in rest)),
              "labels_holdout": dict(Counter(e.label for e in held)),
              "features": len(shipped), "seconds": round(time.perf_counter() - began, 1)}
    path = out_dir / language / "sentiment.tsv"
    write(path, language, corpus, shipped, result, command)
    result["bytes"] = path.stat().st_size
    return result


def write(path: Path, language: str, corpus: Corpus, weights: dict[str, list[float]],
          result: dict[str, object], command: str) -> None:
    held, base = result["holdout_pruned"], result["baseline"]
    assert isinstance(held, dict) and isinstance(base, dict)
    header = [
        f"framewatch target-dependent sentiment model, language {language}: multinomial logistic regression",
        "(labels negative/neutral/positive; the sentiment of a sentence toward a target mention).",
        f"Trained on {corpus.name}, used under its MIT licence:",
        *corpus.attribution,
        f"Command: {command}",
        f"Date: {datetime.now(UTC).date().isoformat()}",
        f"Training: {result['train_targets']} targets; AdaGrad, rate {RATE}, L2 {result['l2']:g}, "
        f"{result['epochs']} epochs, class-weighted; features seen fewer than {MIN_COUNT} times dropped.",
        f"Hold-out ({result['holdout_targets']} targets, {HOLDOUT}% of sentences by hash, never trained on): "
        f"accuracy {held['accuracy']:.3f}, macro-F1 {held['macro_f1']:.3f}; majority-class baseline "
        f"accuracy {base['accuracy']:.3f}, macro-F1 {base['macro_f1']:.3f}.",
        "Rows: feature, then one weight per label (rows centred; softmax of summed weights).",
    ]
    lines = [f"# {h}" for h in header]
    lines.append(f"extractor\t{sentiment.settings(language).signature}")
    lines.append("\t".join(("labels", *sentiment.LABELS)))
    for name in [sentiment.BIAS, *sorted(n for n in weights if n != sentiment.BIAS)]:
        lines.append(row_text(name, weights[name]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", nargs="+", choices=sorted(CORPORA), default=sorted(CORPORA))
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "framewatch" / "resources",
                        help="resources folder to write <lang>/sentiment.tsv into")
    args = parser.parse_args(argv)
    command = "python tools/train_sentiment.py --lang " + " ".join(args.lang)
    for language in args.lang:
        print(json.dumps(train_language(language, args.data, args.out, command), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
