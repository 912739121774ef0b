"""Story alignment as a benchmark (task `stories`): group a corpus' documents into stories with
`framewatch compare` and score the grouping against event labels made independently.

INPUT is a JSON Lines corpus (`id`, `text`, `language`, `published`, `outlet`, ... as `framewatch
ingest` reads it); PRED is the comparison JSON. GOLD is JSON Lines with `id` and `event` (and
`language`, for the cross-language figure), or a TOML file of `[[document]]` tables with `id` and
`event`. Documents are matched by their corpus `id` (the comparison's `external_ids`).

Metrics: B-cubed precision, recall and F1 over the gold documents (a document in no story is a
story of its own), the same for every document alone (the baseline), and, over the events with
reports in both English and Russian, the share for which one story holds reports in both.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config
from .common import InputError, UsageError, read_text

_CROSS = ("en", "ru")


def _read_gold(path: Path) -> dict[str, tuple[str, str | None]]:
    """corpus id -> (event, language)."""
    text = read_text(path)
    gold: dict[str, tuple[str, str | None]] = {}
    if path.suffix == ".toml":
        try:
            rows = tomllib.loads(text).get("document", [])
        except tomllib.TOMLDecodeError as exc:
            raise InputError(path, None, f"not valid TOML ({exc})") from exc
        numbered = [(None, row) for row in rows]
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    numbered.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(path, number, f"not a JSON object ({exc.msg})") from exc
    for number, row in numbered:
        if not isinstance(row, dict) or "id" not in row or not row.get("event"):
            raise InputError(path, number, "each record needs `id` and `event`")
        gold[str(row["id"])] = (str(row["event"]), row.get("language"))
    if not gold:
        raise InputError(path, None, "no labelled documents")
    return gold


def _read_stories(path: Path) -> dict[str, str]:
    """corpus id -> story id, from a comparison JSON."""
    try:
        result = json.loads(read_text(path))
        return {str(ext if ext is not None else doc): story["id"] for story in result["stories"]
                for doc, ext in zip(story["documents"], story.get("external_ids") or story["documents"], strict=True)}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(path, None, f"not a framewatch comparison ({exc})") from exc


def bcubed(gold: dict[str, str], cluster: dict[str, str]) -> dict[str, float]:
    members: dict[str, list[str]] = defaultdict(list)
    events: dict[str, list[str]] = defaultdict(list)
    for doc, event in gold.items():
        members[cluster[doc]].append(doc)
        events[event].append(doc)
    precision = recall = 0.0
    for doc, event in gold.items():
        same = sum(1 for other in members[cluster[doc]] if gold[other] == event)
        precision += same / len(members[cluster[doc]])
        recall += same / len(events[event])
    p, r = precision / len(gold), recall / len(gold)
    return {"precision": round(p, 6), "recall": round(r, 6), "f1": round(2 * p * r / (p + r), 6) if p + r else 0.0}


def score_stories(gold_path: Path, pred_path: Path) -> dict[str, Any]:
    gold = _read_gold(gold_path)
    stories = _read_stories(pred_path)
    events = {doc: event for doc, (event, _) in gold.items()}
    cluster = {doc: stories.get(doc, f"alone:{doc}") for doc in gold}
    both: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # event -> lang -> stories
    for doc, (event, language) in gold.items():
        if language in _CROSS:
            both[event][language].add(cluster[doc])
    crossing = [e for e, langs in both.items() if all(langs.get(x) for x in _CROSS)]
    held = [e for e in crossing if set.intersection(*(both[e][x] for x in _CROSS))]
    return {
        "task": "stories",
        "documents": len(gold),
        "events": len(set(events.values())),
        "missing": sum(1 for doc in gold if doc not in stories),
        "bcubed": bcubed(events, cluster),
        "en_ru_events": len(crossing),
        "en_ru_events_held_together": round(len(held) / len(crossing), 6) if crossing else None,
        "baselines": {"every_document_alone": bcubed(events, {doc: doc for doc in gold})},
    }


def predict_stories(input_path: Path, output: Path, config: Config,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """Analyse the corpus in memory, compare it and write the comparison JSON; returns its stories."""
    from ..compare.diff import compare
    from ..ingest import IngestOptions, read_sources
    from ..pipeline import Pipeline

    if not input_path.is_file():
        raise UsageError(f"INPUT {input_path}: give a JSON Lines corpus file")
    docs = []
    for result in read_sources([input_path], IngestOptions(fmt="jsonl")):
        for problem in result.problems:
            if problem.fatal:
                raise InputError(Path(problem.source), problem.line, problem.message)
        docs.extend(result.documents)
    pipeline = Pipeline(config)
    analysed = []
    for done, doc in enumerate(docs, 1):
        analysed.append(pipeline.analyze(doc))
        if progress:
            progress(done, len(docs))
    comparison = compare(analysed, settings={**config.section("compare"), "config_hash": pipeline.run.config_hash})
    output.write_text(json.dumps(comparison, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return len(comparison["stories"])
