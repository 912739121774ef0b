"""Narratives (SemEval-2025 Task 10 subtask 2, and narrative sets users define), found by the `lexical` engine.

A document is classified as a whole. First its domain is decided from two domain lexicons (the
Russia-Ukraine war, climate change) in `resources/<lang>/narratives.toml`; a document about neither
is `Other`. Then only the narratives of that domain compete. Every cue in the same file names one
label (a subnarrative, or a narrative directly), a hand-set weight (how sure a hit makes the label)
and a rationale. A label's document-level score is the noisy-or of the weights of the distinct cues
that fired anywhere in the document; a narrative's score pools the cues of its subnarratives too.
Narratives whose score reaches their threshold are reported (at most a few), each with the
subnarratives that reach theirs, or `<narrative>: Other` when none does; when the document clearly
is about the domain but no cue decides, the domain's most common narratives stand in, at a low
confidence, as an explicitly marked fallback. The sentences where a reported label's cues fired
are its evidence.

User-defined narrative sets (configuration `[[narratives.sets]]`: a name, a description and labels,
each with a description and cues per language, in the cue format of the shipped files) are scored
the same way, without the domain gate.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from typing import Any

from .. import resources, taxonomies
from ..config import DEFAULTS, Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from .cues import (
    Sentences,
    compile_pattern,
    cue_weight,
    firing_sentences,
    noisy_or,
    numbered_cues,
    trigger,
    word_pattern,
)
from .matching import finditer

ENGINE = "lexical"
LAYER = "narrative"
TAXONOMY = "semeval2025-t10"
OTHER = "Other"
_RESOURCE = "narratives"
# `[thresholds]` keys of a cue file that set the language's default for every narrative / subnarrative.
_LEVELS = ("narrative", "subnarrative")



# ------------------------------------------------------------------------------------- taxonomy

@dataclass(frozen=True)
class Narrative:
    name: str
    domain: str
    description: str
    subnarratives: tuple[tuple[str, str], ...]  # (label, description), "<name>: Other" included


@cache
def taxonomy() -> tuple[Narrative, ...]:
    """The SemEval-2025 Task 10 narratives with their subnarratives, in file order."""
    root = importlib_resources.files(taxonomies.__name__)
    data = tomllib.loads(root.joinpath("narratives.toml").read_text(encoding="utf-8"))
    out = []
    for raw in data["narrative"]:
        domain = raw["name"].split(":", 1)[0]
        if domain not in data["domains"]:
            raise ValueError(f"taxonomies/narratives.toml: {raw['name']!r} has no known domain prefix")
        subs = tuple((s["name"], s["description"]) for s in raw.get("subnarrative", []))
        if any(not label.startswith(raw["name"] + ": ") for label, _ in subs):
            raise ValueError(f"taxonomies/narratives.toml: a subnarrative of {raw['name']!r} lacks its prefix")
        out.append(Narrative(raw["name"], domain, raw["description"], subs))
    return tuple(out)


def narrative_names() -> tuple[str, ...]:
    return tuple(n.name for n in taxonomy())


def subnarrative_names() -> tuple[str, ...]:
    return tuple(label for n in taxonomy() for label, _ in n.subnarratives)


def domains() -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.domain for n in taxonomy()))


def _domain_narratives(domain: str) -> tuple[str, ...]:
    return tuple(n.name for n in taxonomy() if n.domain == domain)


def other_subnarrative(narrative: str) -> str:
    return f"{narrative}: {OTHER}"


def default_subnarrative(narrative: str) -> str:
    """The fine label of a narrative reported without a subnarrative: its `<narrative>: Other`, or,
    where the task defines none (CC: Climate change is beneficial), its only subnarrative."""
    subs = next(dict(n.subnarratives) for n in taxonomy() if n.name == narrative)
    other = other_subnarrative(narrative)
    return other if other in subs else next(iter(subs))


# ------------------------------------------------------------------------------------------ cues

@dataclass(frozen=True)
class Cue:
    id: str
    label: str          # a subnarrative, or a narrative directly
    narrative: str
    weight: float
    regex: re.Pattern[str]
    near: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Domain:
    name: str
    regex: re.Pattern[str]
    fallback: tuple[str, ...] = ()  # narratives that stand in when nothing decides


@dataclass(frozen=True)
class NarrativeSet:
    """One taxonomy's compiled cues for one language."""

    name: str
    language: str
    labels: dict[str, str | None]  # label -> its narrative's name (None for a narrative itself)
    cues: tuple[Cue, ...]
    domains: tuple[Domain, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    description: str = ""


def _cue(raw: Mapping[str, Any], cue_id: str, labels: Mapping[str, str | None],
         lists: dict[str, list[str]], where: str) -> Cue:
    """Validate and compile one cue (the fields of a techniques.toml cue, `label` for `technique`)."""
    label = raw.get("label")
    if label not in labels:
        raise ValueError(f"{where}: unknown label {label!r}")
    weight = cue_weight(raw, where)
    unknown = set(raw) - {"id", "label", "weight", "words", "pattern", "near", "unless", "rationale"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    narrative = labels[label] or label
    return Cue(cue_id, label, narrative, weight, trigger(raw, lists, where),
               compile_pattern(raw["near"], lists, where) if raw.get("near") else None,
               compile_pattern(raw["unless"], lists, where) if raw.get("unless") else None)


def parse_cues(data: dict[str, Any], language: str) -> NarrativeSet:
    """Validate and compile one language's shipped cue file; errors name the cue."""
    labels: dict[str, str | None] = {}
    for narrative in taxonomy():
        labels[narrative.name] = None
        for sub, _ in narrative.subnarratives:
            labels[sub] = narrative.name
    lists = {name: list(words) for name, words in data.get("lists", {}).items()}
    file = f"resources/{language}/{_RESOURCE}.toml"
    cues = [_cue(raw, cue_id, labels, lists, where)
            for raw, cue_id, where in numbered_cues(data.get("cue", []), file)]
    found = []
    for name, raw in data.get("domain", {}).items():
        where = f"{file} [domain.{name}]"
        if name not in domains():
            raise ValueError(f"{where}: unknown domain; known: {', '.join(domains())}")
        if not raw.get("words") or not raw.get("rationale"):
            raise ValueError(f"{where}: needs `words` and a rationale")
        fallback = tuple(raw.get("fallback", []))
        if any(f not in labels or not (labels[f] or f).startswith(name + ":") for f in fallback):
            raise ValueError(f"{where}: fallback must name labels of the domain")
        found.append(Domain(name, compile_pattern(word_pattern(raw["words"]), {}, where), fallback))
    calibrated = {}
    for name, value in data.get("thresholds", {}).items():
        if (name not in labels and name not in _LEVELS) or not 0 <= float(value) <= 1:
            raise ValueError(f"{file} [thresholds] {name!r} = {value!r}: needs a label (or {' or '.join(_LEVELS)}) "
                             "and a value from 0 to 1")
        calibrated[name] = float(value)
    return NarrativeSet(TAXONOMY, language, labels, tuple(cues), tuple(found), calibrated)


def languages() -> tuple[str, ...]:
    """Languages with a narrative cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, _RESOURCE))


@cache
def cue_set(language: str) -> NarrativeSet:
    return parse_cues(resources.load(language, _RESOURCE), language)


def parse_user_set(raw: Mapping[str, Any], language: str) -> NarrativeSet:
    """One configured narrative set (`[[narratives.sets]]`) compiled for `language`.

    Labels are flat (each is its own narrative); a cue needs no `label` (it is the label it sits
    under) and gets the id `<set>/<label>/<n>` unless it gives one."""
    name = raw.get("name")
    where = f"narratives.sets {name!r}"
    if not name or name == TAXONOMY:
        raise ValueError(f"{where}: a set needs a name other than {TAXONOMY!r}")
    if not raw.get("labels"):
        raise ValueError(f"{where}: a set needs labels")
    labels: dict[str, str | None] = {}
    cues = []
    for entry in raw["labels"]:
        label = entry.get("name")
        if not label or label in labels or label == OTHER:
            raise ValueError(f"{where}: label names must be given, distinct and not {OTHER!r}")
        if not entry.get("description"):
            raise ValueError(f"{where} label {label!r}: needs a description")
        labels[label] = None
        by_language = entry.get("cues", {})
        unknown_languages = [k for k in by_language if not re.fullmatch(r"[a-z]{2,3}", k)]
        if unknown_languages:
            raise ValueError(f"{where} label {label!r}: cues are keyed by language code, not {unknown_languages}")
        for number, cue in enumerate(by_language.get(language, []), 1):
            cue_id = cue.get("id") or f"{name}/{label}/{number}"
            cues.append(_cue({**cue, "label": label, "id": cue_id}, cue_id, labels, {},
                             f"{where} label {label!r} cue {cue_id!r}"))
    thresholds = {label: float(raw["threshold"]) for label in labels} if "threshold" in raw else {}
    return NarrativeSet(name, language, labels, tuple(cues), (), thresholds, raw.get("description", ""))


@lru_cache(maxsize=64)
def _user_sets(canonical: str, language: str) -> tuple[NarrativeSet, ...]:
    return tuple(parse_user_set(raw, language) for raw in json.loads(canonical))


def settings(config: Config | None) -> dict[str, Any]:
    """The `narratives` configuration section, every key present (a configuration built by hand may
    leave some out)."""
    return {**DEFAULTS["narratives"], **(config.section("narratives") if config else {})}


def user_sets(config: Config | None, language: str) -> tuple[NarrativeSet, ...]:
    """The narrative sets the configuration defines, compiled for `language` (once per process)."""
    raw = settings(config).get("sets") or []
    return _user_sets(json.dumps(raw, sort_keys=True, ensure_ascii=False), language) if raw else ()


# -------------------------------------------------------------------------------------- scoring

@dataclass
class Finding:
    """One reported label with its document-level score and the evidence behind it."""

    narrative: str
    subnarrative: str | None  # None: the narrative itself (its `: Other` subnarrative, for SemEval)
    score: float
    sentences: dict[int, list[str]]  # sentence index -> ids of the cues that fired there
    fallback: bool = False

    @property
    def label(self) -> str:
        return self.subnarrative or self.narrative


@dataclass
class Result:
    taxonomy: str
    domain: str | None
    domain_hits: dict[str, int]
    findings: list[Finding]
    scores: dict[str, float]  # every label with evidence, reported or not
    sentences: list[tuple[int, int]]

    @property
    def narratives(self) -> list[str]:
        return list(dict.fromkeys(f.narrative for f in self.findings))

    @property
    def subnarratives(self) -> list[str]:
        out = []
        for narrative in self.narratives:
            subs = [f.subnarrative for f in self.findings if f.narrative == narrative and f.subnarrative]
            if not subs and self.taxonomy == TAXONOMY:
                subs = [default_subnarrative(narrative)]
            out.extend(subs)
        return out


def _hits(cues: Iterable[Cue], text: str, sentences: Sentences) -> dict[str, dict[int, set[str]]]:
    """label -> sentence index -> ids of the cues of that label that fired there (their
    `near`/`unless` conditions checked against the sentence)."""
    found: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for cue in cues:
        for index in firing_sentences(cue.regex, cue.near, cue.unless, sentences):
            found[cue.label][index].add(cue.id)
    return found


def _threshold(section: dict[str, Any], cues: NarrativeSet, label: str) -> float:
    """Configuration `thresholds.<lang>.<label>`, else the cue file's value for the label, else the cue
    file's default for the label's level, else configuration `threshold` / `sub_threshold`."""
    given = section.get("thresholds", {}).get(cues.language, {})
    if label in given:
        return float(given[label])
    if label in cues.thresholds:
        return cues.thresholds[label]
    level, key = ("narrative", "threshold") if cues.labels.get(label) is None else ("subnarrative", "sub_threshold")
    return cues.thresholds.get(level, float(section[key]))


def _score(cues: NarrativeSet, text: str, sentences: Sentences, section: dict[str, Any],
           candidates: set[str] | None) -> tuple[list[Finding], dict[str, float], dict[str, dict[int, set[str]]]]:
    """Findings above the thresholds among the `candidates` narratives (None: all of the set)."""
    weight = {cue.id: cue.weight for cue in cues.cues}
    active = [c for c in cues.cues if candidates is None or c.narrative in candidates]
    hits = _hits(active, text, sentences)
    fired = {label: {c for ids in by_sentence.values() for c in ids} for label, by_sentence in hits.items()}
    scores = {label: noisy_or(weight[c] for c in ids) for label, ids in fired.items()}
    pooled: dict[str, set[str]] = defaultdict(set)
    for label, ids in fired.items():
        pooled[cues.labels[label] or label] |= ids
    narrative_scores = {name: noisy_or(weight[c] for c in ids) for name, ids in pooled.items()}
    scores.update(narrative_scores)
    chosen = sorted((n for n, s in narrative_scores.items() if s >= _threshold(section, cues, n)),
                    key=lambda n: -narrative_scores[n])[:int(section["max_narratives"])]
    if not chosen and narrative_scores:
        # Several weak cues of different narratives still say the document argues something: the
        # strongest of them is the best guess.
        everything = noisy_or(weight[c] for ids in fired.values() for c in ids)
        if everything >= float(section["evidence_threshold"]):
            chosen = [max(narrative_scores, key=lambda n: narrative_scores[n])]
    findings = []
    for narrative in chosen:
        subs = sorted((label for label, parent in cues.labels.items()
                       if parent == narrative and label in scores
                       and scores[label] >= _threshold(section, cues, label)),
                      key=lambda label: -scores[label])[:int(section["max_subnarratives"])]
        for sub in subs:
            findings.append(Finding(narrative, sub, scores[sub], _evidence(hits[sub])))
        # The narrative's remaining evidence: its own cues and its unreported subnarratives'.
        rest: dict[int, set[str]] = defaultdict(set)
        for label, by_sentence in hits.items():
            if (cues.labels[label] or label) == narrative and label not in subs:
                for index, ids in by_sentence.items():
                    rest[index] |= ids
        if rest or not subs:
            findings.append(Finding(narrative, None, narrative_scores[narrative], _evidence(rest)))
    return findings, scores, hits


def _evidence(by_sentence: Mapping[int, set[str]]) -> dict[int, list[str]]:
    return {index: sorted(ids) for index, ids in sorted(by_sentence.items())}


def _domain(cues: NarrativeSet, text: str, section: dict[str, Any]) -> tuple[str | None, dict[str, int]]:
    counts = {d.name: sum(1 for _ in finditer(d.regex, text)) for d in cues.domains}
    if not counts:
        return None, counts
    best = max(counts, key=lambda name: counts[name])
    runner_up = max((v for k, v in counts.items() if k != best), default=0)
    if counts[best] < int(section["min_domain_hits"]) or counts[best] == runner_up:
        return None, counts
    return best, counts


def analyze(text: str, language: str, config: Config | None = None, *, taxonomy: str = TAXONOMY) -> Result:
    """The narratives of `text` under the SemEval taxonomy or the configured set named `taxonomy`."""
    section = settings(config)
    sentences = Sentences(text)
    if taxonomy == TAXONOMY:
        if language not in languages():
            return Result(taxonomy, None, {}, [], {}, sentences.bounds)
        cues = cue_set(language)
        domain, counts = _domain(cues, text, section)
        if domain is None:
            return Result(taxonomy, None, counts, [], {}, sentences.bounds)
        candidates = set(_domain_narratives(domain))
        findings, scores, _ = _score(cues, text, sentences, section, candidates)
        if (not findings and section["fallback"] and counts[domain] >= int(section["fallback_min_hits"])
                and next(d for d in cues.domains if d.name == domain).fallback):
            findings = _fallback(cues, domain, text, sentences, float(section["fallback_confidence"]))
        return Result(taxonomy, domain, counts, findings, scores, sentences.bounds)
    for user_set in user_sets(config, language):
        if user_set.name == taxonomy:
            findings, scores, _ = _score(user_set, text, sentences, section, None)
            return Result(taxonomy, None, {}, findings, scores, sentences.bounds)
    known = [TAXONOMY, *(s.name for s in user_sets(config, language))]
    raise KeyError(f"unknown narrative taxonomy {taxonomy!r}; known: {', '.join(known)}")


def _fallback(cues: NarrativeSet, domain: str, text: str, sentences: Sentences,
              confidence: float) -> list[Finding]:
    """The domain's stand-in narratives, evidenced by the sentence richest in domain words."""
    spec = next(d for d in cues.domains if d.name == domain)
    per_sentence: dict[int, int] = defaultdict(int)
    for match in finditer(spec.regex, text):
        per_sentence[sentences.index(match.start())] += 1
    best = max(per_sentence, key=lambda i: (per_sentence[i], -i))
    return [Finding(cues.labels[label] or label, label if cues.labels[label] else None, confidence,
                    {best: [f"fallback.{domain}"]}, fallback=True)
            for label in spec.fallback]


def classify_document(text: str, language: str, config: Config | None = None) -> tuple[list[str], list[str]]:
    """SemEval-2025 Task 10 narrative and subnarrative labels of `text`; two empty lists mean `Other`.

    A reported narrative with no reported subnarrative comes with `default_subnarrative(narrative)`,
    its `<narrative>: Other`."""
    result = analyze(text, language, config)
    return result.narratives, result.subnarratives


def narrative_spans(text: str, language: str, config: Config | None = None) -> list[Span]:
    """One span per evidence sentence per reported label, for the SemEval taxonomy and every
    configured set, on layer `narrative`."""
    results = [analyze(text, language, config)]
    results += [analyze(text, language, config, taxonomy=s.name) for s in user_sets(config, language)]
    spans = []
    for result in results:
        for finding in result.findings:
            for index, ids in finding.sentences.items():
                start, end = result.sentences[index]
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if end <= start:
                    continue
                attrs = {"narrative": finding.narrative, "subnarrative": finding.subnarrative,
                         "taxonomy": result.taxonomy, "cues": ids, "language": language}
                if result.domain:
                    attrs["domain"] = result.domain
                if finding.fallback:
                    attrs["fallback"] = True
                spans.append(Span(LAYER, finding.label, start, end, round(finding.score, 3), ENGINE, ids[0], attrs))
    return sorted(spans, key=Span.sort_key)


@stage("narratives", version="1", requires=("layer:sentence",), assigns=("layer:narrative",),
       languages=languages())
def find_narratives(doc: Document, ctx: StageContext) -> None:
    assert doc.language is not None
    for span in narrative_spans(doc.text, doc.language, ctx.config):
        doc.add_span(span)
