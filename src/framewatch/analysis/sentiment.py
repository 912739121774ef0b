"""Sentiment toward a target: how a sentence speaks of one actor, by the `logreg` engine.

The model is a multinomial (negative / neutral / positive) logistic regression trained by
`tools/train_sentiment.py` on MIT-licensed corpora (NewsMTSC for English, RuSentNE-2023 for
Russian) and shipped as `resources/<lang>/sentiment.tsv`; its header names the corpus, the
command and the hold-out scores. Features are target-dependent: the words of the sentence
(lowercased; Russian as pymorphy3 lemmas) with the target's own words masked, each by side (left or
right of the target) and distance (1-3, 4-8 or more tokens away), plus an unsided bag of words and
of word pairs (the target itself as `<T>`, so `<T>_won` and `accused_<T>` are pairs too); a word
shortly after a negator (`resources/<lang>/sentiment.toml`) becomes `NEG_word`. The training
script imports `features()` from here, so training and inference cannot extract differently.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from .. import resources
from ..model import Document, Span
from ..pipeline import StageContext, stage
from .morphology import parses
from .sentences import sentence_bounds

ENGINE = "logreg"
LAYER = "sentiment"
LABELS = ("negative", "neutral", "positive")
BIAS = "__bias__"
_RESOURCE = "sentiment"
# Bumped whenever features() changes in code, so that a model trained by older code is refused.
EXTRACTOR = "1"

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[!?,.;:\"«»“”]")
_CYRILLIC = re.compile(r"[а-яё]")
_NEAR, _MIDDLE = 3, 8


# ------------------------------------------------------------------------------------ settings

@dataclass(frozen=True)
class Settings:
    negators: frozenset[str]
    negator_suffixes: tuple[str, ...]
    negation_window: int
    scope_breaks: frozenset[str]
    signature: str  # EXTRACTOR plus a hash of the section: what a model file must have been trained with


def _settings_from(section: Mapping[str, Any], language: str) -> Settings:
    where = f"resources/{language}/{_RESOURCE}.toml [sentiment]"
    try:
        window = int(section["negation_window"])
        negators = frozenset(str(w).lower() for w in section["negators"])
        suffixes = tuple(str(s).lower() for s in section.get("negator_suffixes", ()))
        breaks = frozenset(str(w).lower() for w in section["scope_breaks"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: missing or malformed field: {exc}") from exc
    if window < 1:
        raise ValueError(f"{where}: negation_window must be a whole number from 1 up")
    digest = hashlib.sha256(json.dumps(dict(section), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return Settings(negators, suffixes, window, breaks, f"{EXTRACTOR}+{digest[:12]}")


@cache
def settings(language: str) -> Settings:
    return _settings_from(resources.load(language, _RESOURCE)["sentiment"], language)


# ------------------------------------------------------------------------------------ features

@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    return parses(word)[0].normal_form.replace("ё", "е")


def _normal(token: str, language: str) -> str:
    word = token.lower().replace("’", "'")
    if word.isdigit():
        return "0"
    if language == "ru" and _CYRILLIC.search(word):
        return _lemma(word.replace("ё", "е"))
    return word


def _negated(words: list[str], config: Settings) -> list[bool]:
    """Which words fall in a negation's scope: up to `negation_window` tokens after a negator,
    stopping at a scope break."""
    out, left = [], 0
    for word in words:
        out.append(left > 0 and word not in config.scope_breaks)
        if word in config.scope_breaks:
            left = 0
        elif word in config.negators or (config.negator_suffixes and word.endswith(config.negator_suffixes)):
            left = config.negation_window
        elif left:
            left -= 1
    return out


@lru_cache(maxsize=4096)
def _sentence_words(sentence: str, language: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...],
                                                           tuple[bool, ...]]:
    """(start, end) of each token of `sentence`, its normal form and whether a negation scopes over it:
    the same for every target of the sentence, so worked out once."""
    matches = list(_TOKEN.finditer(sentence))
    words = [_normal(m.group(), language) for m in matches]
    return tuple(m.span() for m in matches), tuple(words), tuple(_negated(words, settings(language)))


def _bucket(distance: int) -> int:
    return 1 if distance <= _NEAR else 2 if distance <= _MIDDLE else 3


def features(text: str, language: str, start: int, end: int, sentence: tuple[int, int]) -> list[str]:
    """The distinct features of the target `text[start:end]` inside `text[sentence[0]:sentence[1]]`.

    The target's own words are masked, wherever they recur in the sentence, so that the model learns
    how sentences speak of someone rather than who tends to be spoken of badly.
    """
    s_start, s_end = sentence
    spans, words, negated = _sentence_words(text[s_start:s_end], language)
    # Offsets relative to the sentence: the target's, rather than every token's, are moved.
    start, end = start - s_start, end - s_start
    own = {w for (a, b), w in zip(spans, words, strict=True) if a < end and b > start and w[:1].isalnum()}
    left: list[str] = []
    right: list[str] = []
    sequence: list[str] = []
    for (a, b), word, neg in zip(spans, words, negated, strict=True):
        if word in own or (a < end and b > start):
            if not sequence or sequence[-1] != "<T>":
                sequence.append("<T>")
            continue
        name = f"NEG_{word}" if neg else word
        sequence.append(name)
        (left if b <= start else right).append(name)
    found = {BIAS}
    found.update(f"B|{x}_{y}" for x, y in pairwise(sequence))
    for side, names in (("L", reversed(left)), ("R", right)):
        for distance, name in enumerate(names, 1):
            found.add(f"{side}{_bucket(distance)}|{name}")
            found.add(f"W|{name}")
    if not left:
        found.add("T|first")
    return sorted(found)


# ------------------------------------------------------------------------------------ the model

@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    extractor: str  # the Settings.signature it was trained with
    header: tuple[str, ...]  # the comment lines: attribution, command, scores


def load_model(path: str | Path) -> Model:
    """A model file: `#` comment lines, then `extractor <signature>`, `labels <l1> <l2> <l3>` and one
    `feature <w1> <w2> <w3>` line per feature, tab-separated. Errors name the file and line."""
    header: list[str] = []
    labels: tuple[str, ...] | None = None
    extractor: str | None = None
    weights: dict[str, tuple[float, ...]] = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\n")

            def fail(message: str, number: int = number) -> ValueError:
                return ValueError(f"{path}:{number}: {message}")

            if line.startswith("#"):
                header.append(line[1:].strip())
                continue
            if not line.strip():
                continue
            fields = line.split("\t")
            if fields[0] == "extractor" and extractor is None and len(fields) == 2:
                extractor = fields[1]
            elif fields[0] == "labels" and labels is None:
                if sorted(fields[1:]) != sorted(LABELS):
                    raise fail(f"labels must be {', '.join(LABELS)} in some order")
                labels = tuple(fields[1:])
            elif labels is None or extractor is None:
                raise fail("expected the `extractor` and `labels` lines before any weights")
            else:
                if len(fields) != len(labels) + 1 or not fields[0]:
                    raise fail(f"expected a feature and {len(labels)} weights, tab-separated")
                if fields[0] in weights:
                    raise fail(f"feature {fields[0]!r} repeated")
                try:
                    values = tuple(float(v) for v in fields[1:])
                except ValueError as exc:
                    raise fail(f"bad weight: {exc}") from exc
                if not all(math.isfinite(v) for v in values):
                    raise fail("weights must be finite numbers")
                weights[fields[0]] = values
    if labels is None or extractor is None or BIAS not in weights:
        raise ValueError(f"{path}: incomplete model: needs `extractor`, `labels` and a {BIAS} line")
    return Model(labels, weights, extractor, tuple(header))


def model_path(language: str) -> Path:
    return Path(str(importlib_resources.files(resources).joinpath(language, f"{_RESOURCE}.tsv")))


@cache
def languages() -> tuple[str, ...]:
    """Languages with both a sentiment model and its feature settings."""
    return tuple(lang for lang in resources.languages()
                 if resources.has(lang, _RESOURCE) and model_path(lang).is_file())


@cache
def model(language: str) -> Model:
    """The shipped model of `language`, once it is known to match today's feature extraction."""
    path = model_path(language)
    loaded = load_model(path)
    if loaded.extractor != settings(language).signature:
        raise ValueError(f"{path}: trained with features {loaded.extractor}, but the code and "
                         f"resources/{language}/{_RESOURCE}.toml now give {settings(language).signature}: "
                         "retrain with tools/train_sentiment.py")
    return loaded


def probabilities(weights: Mapping[str, tuple[float, ...]], names: list[str], classes: int) -> list[float]:
    """Softmax of the summed weights of `names` (unknown features count for nothing)."""
    scores = [0.0] * classes
    for name in names:
        row = weights.get(name)
        if row is not None:
            for k in range(classes):
                scores[k] += row[k]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


# ------------------------------------------------------------------------------------ the API

@dataclass(frozen=True)
class Sentiment:
    label: str                       # negative | neutral | positive
    probabilities: dict[str, float]  # every label, summing to 1
    score: float                     # P(positive) - P(negative), in [-1, 1]
    features: tuple[str, ...]        # up to 3 features that pushed most toward `label`


def _sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or run of sentences) holding text[start:end]; the whole text if none does."""
    inside = [(a, b) for a, b in sentence_bounds(text) if a < max(end, start + 1) and b > start]
    return (inside[0][0], inside[-1][1]) if inside else (0, len(text))


def target_sentiment(text: str, language: str, start: int, end: int,
                     sentence: tuple[int, int] | None = None) -> Sentiment | None:
    """The sentiment of the sentence toward the target `text[start:end]`; None for a language without
    a model. `sentence` (start, end) saves segmenting `text` again when the caller knows it."""
    if language not in languages():
        return None
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"target {start}:{end} is outside a text of {len(text)} characters")
    if sentence is None:
        sentence = _sentence_of(text, start, end)
    # A target the caller's sentence does not fully hold is judged in the span covering both.
    sentence = (max(0, min(sentence[0], start)), min(len(text), max(sentence[1], end)))
    trained = model(language)
    names = features(text, language, start, end, sentence)
    probs = probabilities(trained.weights, names, len(trained.labels))
    best = max(range(len(probs)), key=probs.__getitem__)
    by_label = dict(zip(trained.labels, probs, strict=True))
    return Sentiment(trained.labels[best], by_label,
                     max(-1.0, min(1.0, by_label["positive"] - by_label["negative"])),
                     _explanation(trained, names, best))


def _explanation(trained: Model, names: list[str], best: int) -> tuple[str, ...]:
    """The features whose weights favour the chosen label over the others' average the most."""
    others = len(trained.labels) - 1
    pushes = []
    for name in names:
        row = trained.weights.get(name)
        if row is None or name == BIAS:
            continue
        push = row[best] - (sum(row) - row[best]) / others
        if push > 0:
            pushes.append((-push, name))
    return tuple(name for _, name in sorted(pushes)[:3])


# ------------------------------------------------------------------------------------ the stage

@stage("sentiment", version="1", requires=("layer:mention", "mention.actor_id"), assigns=("layer:sentiment",),
       languages=languages())
def find_sentiment(doc: Document, ctx: StageContext) -> None:
    """One `sentiment` span per actor mention, over the mention, with the sentence it was judged in."""
    assert doc.language is not None
    mentions = sorted((s for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")),
                      key=Span.sort_key)
    if not mentions:
        return
    bounds = (sorted((s.start, s.end) for s in doc.spans if s.layer == "sentence")
              or sentence_bounds(doc.text) or [(0, len(doc.text))])
    starts = [a for a, _ in bounds]
    for mention in mentions:
        sentence = bounds[max(0, bisect_right(starts, mention.start) - 1)]
        found = target_sentiment(doc.text, doc.language, mention.start, mention.end, sentence)
        if found is None:
            return
        judged = (min(sentence[0], mention.start), max(sentence[1], mention.end))
        attrs = {"actor_id": mention.attrs["actor_id"], "score": round(found.score, 3),
                 "probabilities": {k: round(v, 3) for k, v in found.probabilities.items()},
                 "features": list(found.features), "sentence": list(judged),
                 "model": f"{doc.language}/{_RESOURCE}.tsv", "language": doc.language}
        doc.add_span(Span(LAYER, found.label, mention.start, mention.end,
                          round(found.probabilities[found.label], 3), ENGINE, f"{_RESOURCE}:{doc.language}", attrs))
