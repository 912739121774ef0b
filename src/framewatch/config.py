"""Configuration: built-in defaults, overridden by `framewatch.toml` (or the file named by --config).

The config hash is recorded with every analysis run, so a finding can be traced to the settings
that produced it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "store": {"db": "framewatch.db"},
    "languages": {
        # Restricting the detector to the languages a project meets keeps it accurate and small.
        "detect": ["en", "ru", "uk", "az", "tr", "kk", "de", "fr"],
        # Segments shorter than this many letters take the document's language.
        "min_segment_letters": 12,
    },
    "ingest": {
        "max_file_mb": 100,
        "batch_size": 500,
        "include": ["*.txt", "*.md", "*.markdown", "*.html", "*.htm", "*.jsonl", "*.ndjson", "*.csv"],
        "exclude": [".*", "*~"],
        "mapping": {},
    },
    "fetch": {"timeout_s": 20.0, "max_mb": 10, "user_agent": "framewatch/0.1 (+research)"},
    "pipeline": {"stages": ["language", "sentences", "mentions", "actors", "sentiment", "techniques", "roles",
                            "narratives", "frames", "claims", "events"]},
    # spacy_model: the English spaCy pipeline for names no gazetteer knows: "auto" (the best one
    # installed, if any), a package name, or "none" (capitalised-word rules only). russian_model:
    # "natasha" (its NER for Russian names no gazetteer knows) or "none".
    "mentions": {"spacy_model": "auto", "russian_model": "natasha"},
    # registry: a user actor registry file (TOML, the built-in format; see framewatch.registry), merged
    # over the built-in actors; leave it out for none (TOML has no null). decisions: merge/split
    # decisions applied to mentions, besides those `framewatch actors merge|split` records in the store.
    "actors": {"registry": None, "decisions": []},
    # Frames (Media Frames Corpus dimensions): a frame is reported from `threshold` up; weak cues must recur.
    "frames": {
        "threshold": 0.5,        # a frame is reported from this document score up
        "thresholds": {},        # per language and frame: {"en": {"Economic": 0.6}}
        "max_frames": 3,         # strongest first
        "weak_weight": 0.35,     # cues lighter than this are weak ...
        "min_sentences": 2,      # ... and count only when they fire in this many different sentences
        "min_share": 0.05,       # a frame's evidence must cover this share of the document's sentences
    },
    # `framewatch compare`: story alignment (compare/align.py) and fact matching (compare/diff.py).
    "compare": {
        "align": {
            "threshold": 0.12,       # groups merge while their mean pair similarity reaches this
            "window_days": 10,       # dated reports further apart than this are never one story
            "max_key_docs": 400,     # a key more documents share than this pairs nobody (blocking)
            # How much a shared key of each kind counts, before its rarity: an actor id is an exact
            # match, a name skeleton a likely one, a bare number or event type weak on its own.
            "weights": {"actor": 1.0, "place": 1.2, "event": 0.3, "event_place": 1.2, "date": 1.0,
                        "num": 0.8, "name": 0.7},
            "words_share": 0.5,      # same-language pairs: the share of content-word similarity,
            "key_floor": 0.1,        # ...counted in full only from this key similarity up
        },
        "fact_overlap": 0.34,        # two claims state one fact from this weighted term overlap up
        "min_anchors": 2,            # shared actors/numbers/dates a fact needs to match across languages
    },
    # Events: trigger cues lighter than this weight are dropped.
    "events": {"threshold": 0.3},
    # Claims: a confidence floor, and whether the writer's own unattributed statements are kept.
    "claims": {"min_confidence": 0.0, "author_claims": True},
    # Narratives (SemEval-2025 Task 10 and user sets): what a document must score to be reported.
    "narratives": {
        "threshold": 0.45,           # a narrative is reported from this score up
        "sub_threshold": 0.4,        # a subnarrative of a reported narrative, from this score up
        "thresholds": {},            # per language and label: {"en": {"URW: ...": 0.6}}
        "max_narratives": 3,
        "max_subnarratives": 2,      # per reported narrative
        "min_domain_hits": 2,        # domain-lexicon hits a document needs to be about that domain
        "evidence_threshold": 0.6,   # no narrative passes, but all cues together reach this: report the best one
        "fallback": True,            # a clearly in-domain document with no decisive cue gets its domain's
                                     # `fallback` labels from the cue file (where it lists any)
        "fallback_min_hits": 8,      # domain-lexicon hits needed for that fallback
        "fallback_confidence": 0.2,
        "sets": [],
    },
    # A technique is reported where its cues' combined confidence reaches its threshold; the
    # per-technique values are calibrated on the shared training data (benchmarks/quality.py).
    # classify: how `framewatch bench` labels spans someone else delimited (PTC task TC).
    "techniques": {
        "threshold": 0.5,
        "thresholds": {},
        "classify": {
            "cover_exponent": 0.5,
            "repetition_max_words": 4,
            "repetition_score": 0.6,
            "repetition_first_score": 0.1,
            "label_max_words": 6,
            "label_score": 0.31,
            "length_priors": [
                {"max_words": 3, "scores": {"Loaded_Language": 0.3}},
                {"max_words": 8, "scores": {"Loaded_Language": 0.2}},
                {"max_words": 10000, "scores": {"Doubt": 0.2}},
            ],
        },
    },
}

CONFIG_FILE = "framewatch.toml"


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]
    source: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def hash(self) -> str:
        canonical = json.dumps(self.data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str | Path | None = None) -> Config:
    """Defaults merged with `path`, or with ./framewatch.toml when it exists."""
    candidate = Path(path) if path else Path(CONFIG_FILE)
    if not candidate.is_file():
        if path:
            raise FileNotFoundError(f"config file not found: {path}")
        return Config(copy.deepcopy(DEFAULTS))
    try:
        user = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{candidate}: invalid TOML: {exc}") from exc
    return Config(_merge(DEFAULTS, user), source=str(candidate))
