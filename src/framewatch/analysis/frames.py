"""Frames: the 14 dimensions of the Media Frames Corpus per document, found by the `lexical` engine.

A document is framed as a whole. Every cue in `resources/<lang>/frames.toml` names one frame, a
hand-set weight (how sure one hit makes the frame) and a rationale. A frame's document-level score is
the noisy-or of the weights of the distinct cues that count in the document. Three rules keep a long
document from lighting up every frame:

- a cue counts at most once, however often it fires;
- a weak cue (weight below `weak_weight`, or any cue with its own `min_sentences`) counts only when
  it fires in at least `min_sentences` different sentences: one passing "family" or "budget" is not
  a frame, a text that keeps coming back to it is;
- a frame needs evidence in at least `min_share` of the document's sentences.

Frames reaching `threshold` (per language and frame in `thresholds`) are reported, strongest first,
at most `max_frames`; the sentences where their counted cues fired are their evidence.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import resources, taxonomies
from ..config import DEFAULTS, Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from .cues import Sentences, compile_pattern, cue_weight, firing_sentences, noisy_or, numbered_cues, trigger, trim

ENGINE = "lexical"
LAYER = "frame"
TAXONOMY = "mfc"
_RESOURCE = "frames"
_FIELDS = {"id", "frame", "weight", "words", "pattern", "near", "unless", "min_sentences", "rationale"}



def frame_names() -> tuple[str, ...]:
    return tuple(f.name for f in taxonomies.frames())


# ------------------------------------------------------------------------------------------ cues

@dataclass(frozen=True)
class Cue:
    id: str
    frame: str
    weight: float
    regex: re.Pattern[str]
    near: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    min_sentences: int | None = None  # None: decided by the configuration (weak cues need several)


@dataclass(frozen=True)
class CueSet:
    language: str
    cues: tuple[Cue, ...]


def _cue(raw: Mapping[str, Any], cue_id: str, lists: dict[str, list[str]], where: str) -> Cue:
    frame = raw.get("frame")
    if frame not in frame_names():
        raise ValueError(f"{where}: unknown frame {frame!r}")
    weight = cue_weight(raw, where)
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    min_sentences = raw.get("min_sentences")
    if min_sentences is not None and (not isinstance(min_sentences, int) or min_sentences < 1):
        raise ValueError(f"{where}: min_sentences must be a whole number from 1 up")
    return Cue(cue_id, frame, weight, trigger(raw, lists, where),
               compile_pattern(raw["near"], lists, where) if raw.get("near") else None,
               compile_pattern(raw["unless"], lists, where) if raw.get("unless") else None,
               min_sentences)


def parse_cues(data: Mapping[str, Any], language: str) -> CueSet:
    """Validate and compile one language's cue file; errors name the cue."""
    lists = {name: list(words) for name, words in data.get("lists", {}).items()}
    file = f"resources/{language}/{_RESOURCE}.toml"
    cues = [_cue(raw, cue_id, lists, where) for raw, cue_id, where in numbered_cues(data.get("cue", []), file)]
    return CueSet(language, tuple(cues))


def languages() -> tuple[str, ...]:
    """Languages with a frame cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, _RESOURCE))


@cache
def cue_set(language: str) -> CueSet:
    return parse_cues(resources.load(language, _RESOURCE), language)


def settings(config: Config | None) -> dict[str, Any]:
    """The `frames` configuration section, every key present."""
    return {**DEFAULTS["frames"], **(config.section("frames") if config else {})}


# -------------------------------------------------------------------------------------- scoring

@dataclass
class Finding:
    """One frame with its document-level score and the evidence behind it."""

    frame: str
    score: float
    sentences: dict[int, list[str]]  # sentence index -> ids of the counted cues that fired there


@dataclass
class Result:
    findings: list[Finding]          # reported frames, strongest first
    scores: dict[str, float]         # every frame with a counted cue, reported or not
    sentences: list[tuple[int, int]]

    @property
    def frames(self) -> list[str]:
        return [f.frame for f in self.findings]


def _fired(cues: Iterable[Cue], text: str, sentences: Sentences) -> dict[str, set[int]]:
    """cue id -> the sentences it fired in, its `near`/`unless` conditions checked there. One pass of
    each cue's regex over the whole text."""
    found: dict[str, set[int]] = {}
    for cue in cues:
        fired = firing_sentences(cue.regex, cue.near, cue.unless, sentences)
        if fired:
            found[cue.id] = fired
    return found


def _threshold(section: Mapping[str, Any], language: str, frame: str) -> float:
    given = section.get("thresholds", {}).get(language, {})
    return float(given.get(frame, section["threshold"]))


def analyze(text: str, language: str, config: Config | None = None) -> Result:
    """Scores, reported frames and their evidence sentences for `text`."""
    section = settings(config)
    sentences = Sentences(text)
    if language not in languages() or not text.strip():
        return Result([], {}, sentences.bounds)
    cues = cue_set(language).cues
    fired = _fired(cues, text, sentences)
    weak, min_sentences = float(section["weak_weight"]), int(section["min_sentences"])
    counted: dict[str, list[Cue]] = defaultdict(list)
    for cue in cues:
        need = cue.min_sentences or (min_sentences if cue.weight < weak else 1)
        if len(fired.get(cue.id, ())) >= need:
            counted[cue.frame].append(cue)
    scores = {frame: noisy_or(c.weight for c in frame_cues) for frame, frame_cues in counted.items()}
    # A frame the document touches once in fifty sentences is not how the document frames its issue.
    min_evidence = max(1, math.ceil(float(section["min_share"]) * len(sentences.bounds)))
    order = {name: i for i, name in enumerate(frame_names())}
    findings = []
    for frame in sorted(scores, key=lambda f: (-scores[f], order[f])):
        if scores[frame] < _threshold(section, language, frame):
            continue
        evidence: dict[int, set[str]] = defaultdict(set)
        for cue in counted[frame]:
            for index in fired[cue.id]:
                evidence[index].add(cue.id)
        if len(evidence) < min_evidence:
            continue
        findings.append(Finding(frame, scores[frame],
                                {i: sorted(ids) for i, ids in sorted(evidence.items())}))
        if len(findings) >= int(section["max_frames"]):
            break
    return Result(findings, scores, sentences.bounds)


def frame_scores(text: str, language: str, config: Config | None = None) -> dict[str, float]:
    """Document-level score of every frame with a counted cue (frames without one are left out)."""
    return analyze(text, language, config).scores


def frames_for_document(text: str, language: str, config: Config | None = None) -> list[str]:
    """The frames of `text` at or above the threshold, strongest first, at most `max_frames`."""
    return analyze(text, language, config).frames


def frame_spans(text: str, language: str, config: Config | None = None) -> list[Span]:
    """One span per evidence sentence per reported frame, on layer `frame`."""
    result = analyze(text, language, config)
    spans = []
    for finding in result.findings:
        for index, ids in finding.sentences.items():
            start, end = trim(text, *result.sentences[index])
            # trim() keeps trailing non-breaking and other exotic spaces; evidence should not.
            while end > start and text[end - 1].isspace():
                end -= 1
            if end <= start:
                continue
            attrs = {"cues": ids, "language": language, "taxonomy": TAXONOMY}
            spans.append(Span(LAYER, finding.frame, start, end, round(finding.score, 3), ENGINE, ids[0], attrs))
    return sorted(spans, key=Span.sort_key)


@stage("frames", version="1", requires=("layer:sentence",), assigns=("layer:frame",), languages=languages())
def find_frames(doc: Document, ctx: StageContext) -> None:
    assert doc.language is not None
    for span in frame_spans(doc.text, doc.language, ctx.config):
        doc.add_span(span)
