"""The Propaganda Techniques Corpus (SemEval-2020 Task 11): span identification (`ptc-si`) and technique
classification (`ptc-tc`).

The scorers reproduce the official ones. SI gives partial credit for character overlap: gold spans that
share a character are merged first (and so are predicted spans, which the official scorer would reject
instead). TC is micro-F1 over (article, span, technique), a span annotated with two techniques appearing
twice in both files, so repeated spans match as multisets whatever their order.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ..config import Config
from ..model import Span
from ..taxonomies import ptc_class, ptc_classes
from .common import (
    InputError,
    UsageError,
    files_under,
    find_articles,
    label_files,
    need_folder,
    parse_offset,
    prf,
    read_rows,
    read_text,
    write_lines,
)

log = logging.getLogger(__name__)

LANGUAGE = "en"  # every PTC article is English
BASELINE_CLASS = "Loaded_Language"  # the most frequent PTC class
_LINE = re.compile(r"[^\r\n]+")

Spans = dict[str, list[tuple[int, int]]]


class FileSpan(NamedTuple):
    """A span with the file and line it was read from, for messages."""

    start: int
    end: int
    path: Path
    line: int


class Labelled(NamedTuple):
    article: str
    label: str
    start: int
    end: int


def _offsets(fields: list[str], path: Path, line: int) -> tuple[int, int]:
    start = parse_offset(fields[0], path, line, "start")
    end = parse_offset(fields[1], path, line, "end")
    if end <= start:
        raise InputError(path, line, f"span {start}-{end} is empty or reversed (the end offset is exclusive)")
    return start, end


def read_si(path: Path, what: str) -> dict[str, list[FileSpan]]:
    """Spans by article from a file or a folder of `*.labels`: `ID start end` or `ID technique start end`."""
    spans: dict[str, list[FileSpan]] = defaultdict(list)
    for file in label_files(path, what):
        for line, fields in read_rows(file):
            if len(fields) not in (3, 4):
                raise InputError(file, line, "expected 3 tab-separated columns (ID, start, end) or 4 "
                                             f"(ID, technique, start, end), found {len(fields)}")
            spans[fields[0]].append(FileSpan(*_offsets(fields[-2:], file, line), file, line))
    return dict(spans)


def merge_spans(spans: list[tuple[int, int]], *, touching: bool) -> list[tuple[int, int]]:
    """Overlapping spans joined into one, and also spans that only touch when `touching`."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] if touching else start < merged[-1][1]):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _merge_predicted(predicted: dict[str, list[FileSpan]]) -> Spans:
    """Predicted spans with overlaps merged as gold ones are; the official scorer rejects such a file outright,
    which would make even gold scored against itself fail, so they are merged with a warning instead."""
    overlaps = []
    for spans in predicted.values():
        reach = 0
        for span in sorted(spans):
            if span.start < reach:
                overlaps.append(span)
            reach = max(reach, span.end)
    if overlaps:
        first = min(overlaps, key=lambda span: (str(span.path), span.line))
        log.warning("PRED has %d spans overlapping another span of their article (first: %s:%d); they are merged, "
                    "but the official scorer rejects overlapping spans", len(overlaps), first.path, first.line)
    return {article: merge_spans([(s.start, s.end) for s in spans], touching=False)
            for article, spans in predicted.items()}


def span_scores(gold: Spans, predicted: Spans) -> dict[str, float]:
    """The official SI metric: each pair of a predicted and a gold span in one article earns |s∩t|/|s| towards
    precision and |s∩t|/|t| towards recall, over all predicted and all gold spans."""
    precision_hits = recall_hits = 0.0
    for article, spans in predicted.items():
        for start, end in spans:
            for gold_start, gold_end in gold.get(article, ()):
                overlap = min(end, gold_end) - max(start, gold_start)
                if overlap > 0:
                    precision_hits += overlap / (end - start)
                    recall_hits += overlap / (gold_end - gold_start)
    n_predicted = sum(map(len, predicted.values()))
    n_gold = sum(map(len, gold.values()))
    if not n_predicted and not n_gold:
        return {"precision": 0.0, "recall": 0.0, "f1": 1.0}  # the official scorer's convention
    return prf(precision_hits, n_predicted, recall_hits, n_gold)


def every_line(articles: dict[str, Path]) -> Spans:
    """The every-line baseline: each line with any non-space character is one span."""
    spans: Spans = {}
    for article, path in articles.items():
        spans[article] = [m.span() for m in _LINE.finditer(read_text(path)) if m.group().strip()]
    return spans


def _baseline_articles(gold: Path, articles: Path | None) -> dict[str, Path]:
    if articles is not None:
        found = find_articles(need_folder(articles, "--articles"))
        if not found:
            raise UsageError(f"--articles {articles}: no article*.txt under this folder")
        return found
    gold = gold.resolve()
    places = [gold, gold.parent] if gold.is_dir() else [gold.parent]
    for place in places:
        found = find_articles(place)
        if found:
            return found
    log.warning("the every_line baseline is left out: no article*.txt under %s (name the folder with --articles)",
                " or ".join(map(str, places)))
    return {}


def score_si(gold: Path, pred: Path, articles: Path | None = None) -> dict[str, Any]:
    """Official SemEval-2020 Task 11 SI scores of `pred` against `gold`, with the every-line baseline when the
    article texts are found (under `articles`, or under GOLD or its parent folder)."""
    gold_spans = {article: merge_spans([(s.start, s.end) for s in spans], touching=False)
                  for article, spans in read_si(gold, "GOLD").items()}
    predicted = _merge_predicted(read_si(pred, "PRED"))
    if predicted and gold_spans and not predicted.keys() & gold_spans.keys():
        log.warning("no article of PRED has gold spans in GOLD: are they the same split?")
    result: dict[str, Any] = {
        "task": "ptc-si",
        **span_scores(gold_spans, predicted),
        "spans_gold": sum(map(len, gold_spans.values())),
        "spans_pred": sum(map(len, predicted.values())),
        "baselines": {},
    }
    texts = _baseline_articles(gold, articles)
    if texts:
        result["baselines"]["every_line"] = span_scores(gold_spans, every_line(texts))
    return result


def predict_si(input_path: Path, output: Path, config: Config,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Write `ID<TAB>start<TAB>end` for the union of the technique spans found in each article; returns the
    number of lines."""
    from ..analysis.techniques import detect_techniques

    articles = find_articles(need_folder(input_path, "INPUT"))
    if not articles:
        raise UsageError(f"INPUT {input_path}: no article*.txt under this folder")
    lines = []
    for done, (article, path) in enumerate(sorted(articles.items()), 1):
        spans = detect_techniques(read_text(path), LANGUAGE, config)
        lines += [f"{article}\t{start}\t{end}"
                  for start, end in merge_spans([(s.start, s.end) for s in spans], touching=True)]
        if progress:
            progress(done, len(articles))
    write_lines(output, lines)
    return len(lines)


def read_tc(path: Path, what: str) -> list[Labelled]:
    """`ID technique start end` rows from a file or a folder of `*.labels`, techniques among the 14 PTC classes."""
    classes = ptc_classes()
    rows = []
    for file in label_files(path, what):
        for line, fields in read_rows(file):
            if len(fields) != 4:
                raise InputError(file, line, "expected 4 tab-separated columns (ID, technique, start, end), "
                                             f"found {len(fields)}")
            if fields[1] not in classes:
                raise InputError(file, line, f"{fields[1]!r} is not a PTC technique class; those are: "
                                             + ", ".join(classes))
            rows.append(Labelled(fields[0], fields[1], *_offsets(fields[2:], file, line)))
    return rows


def _technique_scores(gold: list[Labelled], predicted: list[Labelled]) -> tuple[dict[str, float], Counter[str]]:
    matched = Counter(gold) & Counter(predicted)
    hits = sum(matched.values())
    by_class: Counter[str] = Counter()
    for row, count in matched.items():
        by_class[row.label] += count
    return prf(hits, len(predicted), hits, len(gold)), by_class


def score_tc(gold: Path, pred: Path) -> dict[str, Any]:
    """Micro precision, recall and F1 of `pred` against `gold`, per class too, and the all-Loaded_Language
    baseline."""
    gold_rows = read_tc(gold, "GOLD")
    predicted = read_tc(pred, "PRED")
    if len(predicted) != len(gold_rows):
        log.warning("PRED has %d spans and GOLD %d: the official task expects one prediction per gold span",
                    len(predicted), len(gold_rows))
    scores, hits = _technique_scores(gold_rows, predicted)
    gold_counts = Counter(row.label for row in gold_rows)
    predicted_counts = Counter(row.label for row in predicted)
    baseline, _ = _technique_scores(gold_rows, [row._replace(label=BASELINE_CLASS) for row in gold_rows])
    return {
        "task": "ptc-tc",
        **scores,
        "spans_gold": len(gold_rows),
        "spans_pred": len(predicted),
        "per_class": {
            name: {**prf(hits[name], predicted_counts[name], hits[name], gold_counts[name]),
                   "gold": gold_counts[name], "pred": predicted_counts[name]}
            for name in ptc_classes()
        },
        "baselines": {"all_loaded_language": baseline},
    }


def _template(folder: Path) -> Path:
    templates = files_under(folder, "*.out")
    if len(templates) != 1:
        found = ", ".join(map(str, templates)) if templates else "none"
        raise UsageError(f"INPUT {folder}: expected exactly one *.out span template under this folder, found {found}")
    return templates[0]


def predict_tc(input_path: Path, output: Path, config: Config,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Write `ID<TAB>technique<TAB>start<TAB>end` for each line of the `*.out` template under `input_path`, in
    its order; returns the number of lines."""
    from ..analysis.techniques import classify_span, detect_techniques

    folder = need_folder(input_path, "INPUT")
    template = _template(folder)
    articles = find_articles(folder)
    rows = []
    for line, fields in read_rows(template):
        if len(fields) != 4:
            raise InputError(template, line, "expected 4 tab-separated columns (ID, ?, start, end), "
                                             f"found {len(fields)}")
        if fields[0] not in articles:
            raise InputError(template, line, f"no article{fields[0]}.txt under {folder}")
        rows.append((line, fields[0], *_offsets(fields[2:], template, line)))
    texts: dict[str, str] = {}
    hits: dict[str, list[Span]] = {}
    repeats: Counter[tuple[str, int, int]] = Counter()
    lines = []
    for done, (line, article, start, end) in enumerate(rows, 1):
        if article not in texts:
            texts[article] = read_text(articles[article])
            hits[article] = detect_techniques(texts[article], LANGUAGE, config, min_confidence=0.0)
        text = texts[article]
        if end > len(text):
            raise InputError(template, line, f"span {start}-{end} ends after article {article} "
                                             f"({len(text)} characters)")
        ranking = classify_span(text, start, end, LANGUAGE, config, hits=hits[article])
        classes = list(dict.fromkeys(c for c in (ptc_class(name) for name, _ in ranking) if c))
        # The template repeats a span once per gold technique, and a repeat matches only another class:
        # the n-th copy of a span gets the n-th best class.
        nth = repeats[article, start, end]
        repeats[article, start, end] += 1
        lines.append(f"{article}\t{classes[min(nth, len(classes) - 1)]}\t{start}\t{end}")
        if progress:
            progress(done, len(rows))
    write_lines(output, lines)
    return len(lines)
