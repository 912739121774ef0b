"""Persuasion techniques (the 23 of SemEval-2023 Task 3), found by the `lexical` engine.

Every cue lives in `resources/<lang>/techniques.toml` with the technique it signals, a hand-set
weight (how often a hit really is that technique) and a rationale. A cue is a word list, a regular
expression, or one of a few structural detectors written here because a regular expression cannot
express them (scare quotes, repetition, shouting in capitals). Cues of one technique that fire in
the same sentence reinforce each other (noisy-or); per-technique thresholds from the configuration,
calibrated on the shared training data, decide what is reported.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate, pairwise
from typing import Any

from .. import resources
from ..config import DEFAULTS, Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from ..taxonomies import technique_names
from .cues import Sentences, compile_pattern, cue_weight, numbered_cues, trigger, trim
from .matching import finditer

ENGINE = "lexical"
LAYER = "technique"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_WORD_SPLIT = re.compile(r"(\w+(?:[-'’]\w+)*)")
_STRUCTURAL = ("scare_quotes", "repetition", "capitals")
_EXTENTS = ("match", "phrase", "clause", "sentence")
_NEXT_WORD = re.compile(r"[ \t]([\w'’-]+)")
_PREVIOUS_WORD = re.compile(r"([\w'’-]+)[ \t]$")


def languages() -> tuple[str, ...]:
    """Languages with a technique cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, "techniques"))


@dataclass(frozen=True)
class Cue:
    id: str
    technique: str
    weight: float
    extent: str = "match"
    kind: str = "pattern"
    regex: re.Pattern[str] | None = None
    question: bool = False
    near: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class CueSet:
    language: str
    cues: tuple[Cue, ...]
    stopwords: frozenset[str]
    quotes: tuple[tuple[str, str], ...]
    # Calibrated report thresholds shipped with the cues (`[thresholds]`, written by
    # benchmarks/quality.py --calibrate --write); configuration overrides them.
    thresholds: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    span_cues: tuple[SpanCue, ...] = ()


@dataclass(frozen=True)
class SpanCue:
    """Weak evidence used only to label a span someone else delimited (`[[span_cue]]`): too common
    to report on its own ("could", "because"), telling once a span is known to hold a technique."""

    id: str
    technique: str
    regex: re.Pattern[str]
    score: float
    min_words: int = 0
    max_words: int = 10_000


def parse_cues(data: dict[str, Any], language: str) -> CueSet:
    """Validate and compile one language's cue file; errors name the cue."""
    known = set(technique_names())
    lists = {name: list(words) for name, words in data.get("lists", {}).items()}
    structure = data.get("structure", {})
    cues = []
    for raw, cue_id, where in numbered_cues(data.get("cue", []), f"resources/{language}/techniques.toml"):
        if raw.get("technique") not in known:
            raise ValueError(f"{where}: unknown technique {raw.get('technique')!r}")
        weight = cue_weight(raw, where)
        extent = raw.get("extent", "match")
        if extent not in _EXTENTS:
            raise ValueError(f"{where}: extent must be one of {', '.join(_EXTENTS)}")
        kind = raw.get("kind", "pattern")
        regex = None
        if kind == "pattern":
            regex = trigger(raw, lists, where)
        elif kind not in _STRUCTURAL:
            raise ValueError(f"{where}: unknown kind {kind!r}; known: pattern, {', '.join(_STRUCTURAL)}")
        params = {k: v for k, v in raw.items() if k not in {
            "id", "technique", "weight", "extent", "kind", "words", "pattern", "question", "near", "unless",
            "rationale", "examples"}}
        cues.append(Cue(
            cue_id, raw["technique"], weight, extent, kind, regex, bool(raw.get("question", False)),
            compile_pattern(raw["near"], lists, where) if raw.get("near") else None,
            compile_pattern(raw["unless"], lists, where) if raw.get("unless") else None,
            params,
        ))
    quotes = tuple((pair[0], pair[1]) for pair in structure.get("quotes", [['"', '"']]))
    calibrated = {}
    for name, value in data.get("thresholds", {}).items():
        if name not in known or not 0 <= float(value) <= 1:
            raise ValueError(f"resources/{language}/techniques.toml [thresholds] {name} = {value!r}: "
                             "needs a technique name and a value from 0 to 1")
        calibrated[name] = float(value)
    span_cues = []
    for raw in data.get("span_cue", []):
        where = f"resources/{language}/techniques.toml span_cue {raw.get('id')!r}"
        if raw.get("technique") not in known or not raw.get("rationale") or not raw.get("pattern"):
            raise ValueError(f"{where}: needs a known technique, a pattern and a rationale")
        span_cues.append(SpanCue(raw["id"], raw["technique"], compile_pattern(raw["pattern"], lists, where),
                                 float(raw.get("score", 0.2)), int(raw.get("min_words", 0)),
                                 int(raw.get("max_words", 10_000))))
    return CueSet(language, tuple(cues), frozenset(w.lower() for w in lists.get("stopwords", [])), quotes,
                  calibrated, tuple(span_cues))


@cache
def cue_set(language: str) -> CueSet:
    return parse_cues(resources.load(language, "techniques"), language)


@dataclass
class _Hit:
    technique: str
    start: int
    end: int
    cue: Cue
    sentence: int


def _pattern_hits(cue: Cue, text: str, sentences: Sentences) -> list[_Hit]:
    assert cue.regex is not None
    return [_Hit(cue.technique, match.start(), match.end(), cue, sentences.index(match.start()))
            for match in finditer(cue.regex, text) if match.end() > match.start()]


def _scare_quote_hits(cue: Cue, text: str, sentences: Sentences,
                      quotes: tuple[tuple[str, str], ...]) -> Iterable[_Hit]:
    max_words = int(cue.params.get("max_words", 3))
    lowercase = bool(cue.params.get("lowercase", True))
    for opening, closing in quotes:
        inner = f"[^{re.escape(opening)}{re.escape(closing)}\\n]{{1,80}}?"
        for match in re.finditer(f"{re.escape(opening)}({inner}){re.escape(closing)}", text):
            quoted = match.group(1).strip()
            words = _WORD.findall(quoted)
            if not words or len(words) > max_words or quoted[-1] in ".!?,;:":
                continue
            if lowercase and not quoted[0].islower():
                continue
            before = text[max(0, match.start() - 3):match.start()]
            if ":" in before:  # `he said: "..."` is a quotation, not a scare quote
                continue
            yield _Hit(cue.technique, match.start(), match.end(), cue, sentences.index(match.start()))


def _capitals_hits(cue: Cue, text: str, sentences: Sentences) -> Iterable[_Hit]:
    min_letters = int(cue.params.get("min_letters", 5))
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < min_letters or not word.isupper() or not word.isalpha():
            continue
        index = sentences.index(match.start())
        s_start, s_end = sentences.bounds[index]
        if text[s_start:s_end].upper() == text[s_start:s_end]:
            continue  # a headline set in capitals shouts nothing in particular
        yield _Hit(cue.technique, match.start(), match.end(), cue, index)


@lru_cache(maxsize=4)
def _tokens(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """The starts, ends, words and lowercase words of a text: every repetition cue reads them. Split
    around the words, summing lengths for the offsets, with no Python step per character."""
    parts = _WORD_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts)))
    words = parts[1::2]
    return offsets[:-1:2], offsets[1::2], words, list(map(str.lower, words))


def _repetition_hits(cue: Cue, text: str, sentences: Sentences, stopwords: frozenset[str],
                     emphatic: list[_Hit]) -> Iterable[_Hit]:
    """Phrases of content words said again and again, and loaded words repeated; each later
    occurrence is the hit (the first one is just saying it)."""
    min_phrase = int(cue.params.get("min_phrase_count", 2))
    min_word = int(cue.params.get("min_word_count", 2))
    max_n = int(cue.params.get("max_words", 4))
    starts, ends, originals, words = _tokens(text)
    occurrences: dict[tuple[str, ...], list[int]] = defaultdict(list)
    # A phrase said `min_phrase` times needs at least as many tokens (one cue only counts words).
    if min_phrase <= len(words):
        content = {w: len(w) > 2 and w not in stopwords and not w.isdigit() for w in set(words)}
        # A phrase said again begins with a pair of words said again: only those places are looked at.
        pairs = list(pairwise(words))
        said = Counter(pairs)
        repeated = [i for i, pair in enumerate(pairs) if said[pair] >= min_phrase and content[pair[0]]] \
            if min_phrase > 1 else [i for i, word in enumerate(words) if content[word]]
        for n in range(2, max_n + 1):
            for i in repeated:
                last = i + n - 1
                if last >= len(words) or not content[words[last]]:
                    continue
                if all(w[:1].isupper() for w in originals[i:last + 1]):
                    continue  # a repeated name ("Supreme Court") is reference, not persuasion
                if "\n" in text[ends[i]:starts[last]]:
                    continue
                occurrences[tuple(words[i:last + 1])].append(i)
    taken: set[int] = set()
    for key in sorted(occurrences, key=len, reverse=True):
        places = occurrences[key]
        if len(places) < min_phrase:
            continue
        n = len(key)
        for i in places[1:]:
            if any(j in taken for j in range(i, i + n)):
                continue
            taken.update(range(i, i + n))
            yield _Hit(cue.technique, starts[i], ends[i + n - 1], cue, sentences.index(starts[i]))
    by_word: dict[str, list[_Hit]] = defaultdict(list)
    for hit in emphatic:
        by_word[text[hit.start:hit.end].lower()].append(hit)
    for hits in by_word.values():
        if len(hits) >= min_word:
            for hit in sorted(hits, key=lambda h: h.start)[1:]:
                yield _Hit(cue.technique, hit.start, hit.end, cue, hit.sentence)


def _keep(hit: _Hit, text: str, sentences: Sentences, memo: dict[tuple[str, int], bool]) -> bool:
    """Whether the hit's sentence meets the cue's conditions (`question`, `near`, `unless`); decided
    once per cue and sentence, so many hits in one long sentence cost one look."""
    key = (hit.cue.id, hit.sentence)
    if key not in memo:
        s_start, s_end = sentences.bounds[hit.sentence]
        sentence = text[s_start:s_end]
        memo[key] = not (
            (hit.cue.question and not sentence.rstrip().rstrip("\"'”»)").endswith("?"))
            or (hit.cue.near is not None and not hit.cue.near.search(sentence))
            or (hit.cue.unless is not None and hit.cue.unless.search(sentence)))
    return memo[key]


def _phrase(hit: _Hit, text: str, sentences: Sentences, stopwords: frozenset[str]) -> tuple[int, int]:
    """The match and the content word right beside it on either side: a loaded word is used in a
    phrase ("brutal regime", "destroy our economy"), and the phrase is what an analyst quotes."""
    s_start, s_end = sentences.bounds[hit.sentence]
    start, end = hit.start, hit.end
    after = _NEXT_WORD.match(text, end, s_end)
    if after and after.group(1).lower() not in stopwords:
        end = after.end()
    before = _PREVIOUS_WORD.search(text, max(s_start, start - 40), start)
    if before and before.group(1).lower() not in stopwords:
        start = before.start()
    return start, end


def _extent(hit: _Hit, text: str, sentences: Sentences, stopwords: frozenset[str]) -> tuple[int, int]:
    if hit.cue.extent == "sentence":
        return trim(text, *sentences.bounds[hit.sentence])
    if hit.cue.extent == "clause":
        return sentences.clause(hit.start, hit.end, hit.sentence)
    if hit.cue.extent == "phrase":
        return _phrase(hit, text, sentences, stopwords)
    return hit.start, hit.end


def thresholds(config: Config | None, language: str) -> dict[str, float]:
    """Per-technique report thresholds for `language`: configuration `techniques.thresholds.<lang>`,
    else the calibrated values shipped with the cues, else `techniques.threshold`."""
    section = (config.data if config else DEFAULTS).get("techniques", {})
    default = float(section.get("threshold", 0.5))
    calibrated = cue_set(language).thresholds if language in languages() else {}
    given = {**calibrated, **section.get("thresholds", {}).get(language, {})}
    return {name: float(given.get(name, default)) for name in technique_names()}


def _all_hits(text: str, language: str) -> list[tuple[_Hit, float]]:
    """Every cue hit with its combined confidence, before thresholds."""
    cues = cue_set(language)
    sentences = Sentences(text)
    hits: list[_Hit] = []
    for cue in cues.cues:
        if cue.kind == "pattern":
            hits.extend(_pattern_hits(cue, text, sentences))
        elif cue.kind == "scare_quotes":
            hits.extend(_scare_quote_hits(cue, text, sentences, cues.quotes))
        elif cue.kind == "capitals":
            hits.extend(_capitals_hits(cue, text, sentences))
    memo: dict[tuple[str, int], bool] = {}
    hits = [h for h in hits if _keep(h, text, sentences, memo)]
    for cue in cues.cues:
        if cue.kind == "repetition":
            of = set(cue.params.get("of", ["Loaded_Language", "Name_Calling-Labeling"]))
            emphatic = [h for h in hits if h.technique in of and h.cue.extent == "match"]
            hits.extend(_repetition_hits(cue, text, sentences, cues.stopwords, emphatic))
    # Distinct cues of one technique in one sentence reinforce each other: a scare quote around an
    # official charge is two pieces of evidence (the quotes, the charge), so overlap does not matter.
    weights: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for hit in hits:
        weights[hit.technique, hit.sentence][hit.cue.id] = hit.cue.weight
    combined = {}
    for key, by_cue in weights.items():
        miss = 1.0
        for weight in by_cue.values():
            miss *= 1 - weight
        combined[key] = 1 - miss
    out = []
    for hit in hits:
        start, end = _extent(hit, text, sentences, cues.stopwords)
        if end > start:
            hit.start, hit.end = start, end
            out.append((hit, combined[hit.technique, hit.sentence]))
    return out


def detect_techniques(text: str, language: str, config: Config | None = None, *,
                      min_confidence: float | None = None) -> list[Span]:
    """Technique spans in `text` (end exclusive), above the calibrated per-technique thresholds
    (or above `min_confidence` for every technique, when given).

    Hits of one technique over the same characters collapse into one span that lists every cue."""
    if language not in languages():
        return []
    limits = thresholds(config, language)
    if min_confidence is not None:
        limits = dict.fromkeys(limits, min_confidence)
    merged: dict[tuple[str, int, int], Span] = {}
    for hit, confidence in _all_hits(text, language):
        if confidence < limits[hit.technique]:
            continue
        key = (hit.technique, hit.start, hit.end)
        span = merged.get(key)
        if span is None:
            merged[key] = Span(LAYER, hit.technique, hit.start, hit.end, round(confidence, 3), ENGINE, hit.cue.id,
                               {"cues": [hit.cue.id], "language": language})
        elif hit.cue.id not in span.attrs["cues"]:
            span.attrs["cues"].append(hit.cue.id)
    return sorted(merged.values(), key=Span.sort_key)


def classify_span(text: str, start: int, end: int, language: str, config: Config | None = None,
                  hits: list[Span] | None = None) -> list[tuple[str, float]]:
    """The 23 techniques ranked for an already-delimited span, best first.

    Hits overlapping the span vote with their confidence times how much of the span they cover;
    a span whose words occur again elsewhere in the text leans to Repetition; with no evidence the
    span's length decides between word-level and sentence-level techniques (`techniques.classify`).
    `hits` defaults to every cue hit in `text` whatever its confidence: someone already decided that
    the span holds a technique, so weak evidence still tells which one."""
    section = ((config.data if config else DEFAULTS).get("techniques", {})).get("classify", {})
    if hits is None:
        hits = detect_techniques(text, language, config, min_confidence=0.0)
    scores: Counter[str] = Counter()
    length = max(1, end - start)
    exponent = float(section.get("cover_exponent", 0.5))
    for hit in hits:
        overlap = min(end, hit.end) - max(start, hit.start)
        if overlap <= 0:
            continue
        # A one-word hit says little about a two-sentence span; a hit the size of the span says all.
        cover = overlap / max(length, hit.end - hit.start)
        scores[hit.label] = max(scores[hit.label], (hit.confidence or 0.0) * cover ** exponent)
    fragment = " ".join(_WORD.findall(text[start:end])).lower()
    words = fragment.count(" ") + 1 if fragment else 0
    if fragment and words <= int(section.get("repetition_max_words", 4)):
        pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, fragment.split())) + r"(?!\w)"
        places = [m.start() for m in re.finditer(pattern, text, re.IGNORECASE)]
        if len(places) >= 2:
            # Saying it again is the technique; the first saying usually is not.
            key = "repetition_first_score" if places[0] >= start - 1 else "repetition_score"
            scores["Repetition"] = max(scores["Repetition"], float(section.get(key, 0.0)))
    if words and words <= int(section.get("label_max_words", 6)):
        # A short span holding a capitalised word that does not open a sentence is usually a label
        # stuck on someone ("Crooked Hillary", "Kremlin agents"), rather than loaded wording.
        opens_sentence = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?\n"
        names = [m for m in _WORD.finditer(text, start, end) if m.group()[:1].isupper()]
        if names and not (opens_sentence and len(names) == 1 and names[0].start() == start):
            scores["Name_Calling-Labeling"] = max(scores["Name_Calling-Labeling"],
                                                  float(section.get("label_score", 0.0)))
    if language in languages():
        fragment_text = text[start:end]
        for cue in cue_set(language).span_cues:
            if cue.min_words <= words <= cue.max_words and cue.regex.search(fragment_text):
                scores[cue.technique] = max(scores[cue.technique], cue.score)
    for rule in section.get("length_priors", []):
        if words <= int(rule["max_words"]):
            for label, prior in rule["scores"].items():
                scores[label] = max(scores[label], float(prior))
            break
    order = {name: i for i, name in enumerate(technique_names())}
    return sorted(((name, scores.get(name, 0.0)) for name in technique_names()),
                  key=lambda item: (-item[1], order[item[0]]))


@stage("techniques", version="1", requires=("layer:sentence",), assigns=("layer:technique",),
       languages=languages())
def find_techniques(doc: Document, ctx: StageContext) -> None:
    assert doc.language is not None
    for span in detect_techniques(doc.text, doc.language, ctx.config):
        doc.add_span(span)

