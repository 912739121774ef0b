"""SemEval-2023 Task 3 subtask 3 (`semeval2023-t3-st3`): which of the 23 persuasion techniques each paragraph uses.

The scorer follows the official one: micro-F1 (and macro-F1) over the 23-column label matrix with one row
per gold paragraph, scikit-learn style; a paragraph the prediction leaves out predicts no technique.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ..config import Config
from ..taxonomies import technique_names
from .common import InputError, need_file, prf, read_rows, write_lines

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
_TRAILING_DIGITS = re.compile(r"\d+$")

Labels = dict[tuple[str, int], frozenset[str]]


class Paragraph(NamedTuple):
    article: str
    number: int
    text: str
    line: int


def _paragraph_number(value: str, path: Path, line: int) -> int:
    if not (value.isascii() and value.isdigit()):
        raise InputError(path, line, f"paragraph number {value!r} is not a whole number")
    return int(value)


def _next_article(digits: str, known: set[str]) -> str:
    """The article ID at the end of `digits`: the longest tail that starts some line of the file, else all."""
    return next((digits[i:] for i in range(len(digits)) if digits[i:] in known), digits)


def _split_fused(fields: list[str], known: set[str]) -> list[tuple[str, str, str]]:
    """(article, paragraph, text) for each template entry on one line.

    Some published templates lost the line break after an article's last paragraph, so that line reads
    `ID<TAB>no<TAB>text<ID2><TAB>no2<TAB>text2`: a field ending in digits followed by a field of digits
    is such a seam. Any other tab stays in the text."""
    entries = []
    article, number, pieces = fields[0], fields[1], []
    rest = fields[2:]
    i = 0
    while i < len(rest):
        seam = _TRAILING_DIGITS.search(rest[i])
        if seam and i + 1 < len(rest) and rest[i + 1].isascii() and rest[i + 1].isdigit():
            next_article = _next_article(seam.group(), known)
            pieces.append(rest[i][:len(rest[i]) - len(next_article)])
            entries.append((article, number, "\t".join(pieces)))
            article, number, pieces = next_article, rest[i + 1], []
            i += 2
        else:
            pieces.append(rest[i])
            i += 1
    entries.append((article, number, "\t".join(pieces)))
    return entries


def read_template(path: Path) -> list[Paragraph]:
    """The paragraphs of a `*.template` file (`article_id<TAB>paragraph_no<TAB>text`), text possibly missing."""
    rows = read_rows(path)
    known = {fields[0] for _, fields in rows}
    paragraphs: list[Paragraph] = []
    seen: dict[tuple[str, int], int] = {}
    for line, fields in rows:
        if len(fields) < 2:
            raise InputError(path, line, "expected tab-separated article_id, paragraph_no and text, found one column")
        for article, number, text in _split_fused(fields, known):
            paragraph = Paragraph(article, _paragraph_number(number, path, line), text, line)
            key = (paragraph.article, paragraph.number)
            if key in seen:
                raise InputError(path, line, f"paragraph {paragraph.number} of article {paragraph.article} "
                                             f"is already on line {seen[key]}")
            seen[key] = line
            paragraphs.append(paragraph)
    return paragraphs


def read_labels(path: Path, what: str) -> Labels:
    """`article_id<TAB>paragraph_no<TAB>technique,technique` rows (the label field may be empty or missing)."""
    names = technique_names()
    labels: Labels = {}
    lines: dict[tuple[str, int], int] = {}
    for line, fields in read_rows(need_file(path, what)):
        if len(fields) not in (2, 3):
            raise InputError(path, line, "expected 3 tab-separated columns (article_id, paragraph_no, "
                                         f"techniques), found {len(fields)}")
        key = (fields[0], _paragraph_number(fields[1], path, line))
        if key in lines:
            raise InputError(path, line, f"paragraph {key[1]} of article {key[0]} is already on line {lines[key]}")
        found = [name.strip() for name in (fields[2] if len(fields) == 3 else "").split(",") if name.strip()]
        unknown = [name for name in found if name not in names]
        if unknown:
            raise InputError(path, line, f"unknown technique {unknown[0]!r}; the 23 are: {', '.join(names)}")
        labels[key] = frozenset(found)
        lines[key] = line
    return labels


def multilabel_scores(rows: list[tuple[frozenset[str], frozenset[str]]]) -> dict[str, Any]:
    """Micro and macro F1 of (gold, predicted) label sets over the 23 techniques, with per-technique scores.

    A technique neither in gold nor predicted scores 0 and still counts in the macro mean, as in scikit-learn
    with a binariser fitted on all 23."""
    hits: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    for gold_labels, predicted_labels in rows:
        hits.update(gold_labels & predicted_labels)
        gold.update(gold_labels)
        predicted.update(predicted_labels)
    per_label = {name: {**prf(hits[name], predicted[name], hits[name], gold[name]),
                        "gold": gold[name], "pred": predicted[name]} for name in technique_names()}
    micro = prf(hits.total(), predicted.total(), hits.total(), gold.total())
    return {
        "micro_f1": micro["f1"],
        "macro_f1": round(sum(scores["f1"] for scores in per_label.values()) / len(per_label), 6),
        "precision": micro["precision"],
        "recall": micro["recall"],
        "per_label": per_label,
    }


def _majority(gold: Labels) -> str | None:
    counts = Counter(label for labels in gold.values() for label in labels)
    order = {name: i for i, name in enumerate(technique_names())}
    return min(counts, key=lambda name: (-counts[name], order[name])) if counts else None


def score_st3(gold: Path, pred: Path) -> dict[str, Any]:
    """Official subtask-3 scores of `pred` against `gold`, and the baseline that gives every paragraph the
    gold file's most frequent technique."""
    gold_labels = read_labels(gold, "GOLD")
    predicted = read_labels(pred, "PRED")
    missing = [key for key in gold_labels if key not in predicted]
    extra = [key for key in predicted if key not in gold_labels]
    if missing:
        log.warning("%d paragraphs of GOLD are missing from PRED and count as predicting no technique "
                    "(first: article %s paragraph %d)", len(missing), *missing[0])
    if extra:
        log.warning("%d paragraphs of PRED are not in GOLD and are ignored (first: article %s paragraph %d)",
                    len(extra), *extra[0])
    empty: frozenset[str] = frozenset()
    majority = _majority(gold_labels)
    baseline = frozenset([majority]) if majority else empty
    baseline_scores = multilabel_scores([(labels, baseline) for labels in gold_labels.values()])
    del baseline_scores["per_label"]
    return {
        "task": "semeval2023-t3-st3",
        **multilabel_scores([(labels, predicted.get(key, empty)) for key, labels in gold_labels.items()]),
        "paragraphs_gold": len(gold_labels),
        "paragraphs_pred": len(predicted),
        "paragraphs_missing": len(missing),
        "baselines": {"majority": {"label": majority, **baseline_scores}},
    }


def predict_st3(input_path: Path, output: Path, config: Config,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write `article_id<TAB>paragraph_no<TAB>technique,technique` for every paragraph of the template; returns
    the number of lines.

    Each article is analysed as one text (its paragraphs in order, joined by line breaks) in its detected
    language, so that cues see their context; a paragraph gets the techniques of the spans overlapping it."""
    from ..analysis.language import detect_language
    from ..analysis.techniques import detect_techniques

    paragraphs = read_template(need_file(input_path, "INPUT"))
    by_article: dict[str, list[Paragraph]] = {}
    for paragraph in paragraphs:
        by_article.setdefault(paragraph.article, []).append(paragraph)
    order = technique_names()
    labels: dict[tuple[str, int], str] = {}
    for done, group in enumerate(by_article.values(), 1):
        group.sort(key=lambda paragraph: paragraph.number)
        bounds, offset = [], 0
        for paragraph in group:
            bounds.append((offset, offset + len(paragraph.text)))
            offset += len(paragraph.text) + 1
        text = "\n".join(paragraph.text for paragraph in group)
        spans = detect_techniques(text, detect_language(text, config) or FALLBACK_LANGUAGE, config)
        for paragraph, (start, end) in zip(group, bounds, strict=True):
            found = {span.label for span in spans if span.start < end and span.end > start}
            labels[paragraph.article, paragraph.number] = ",".join(name for name in order if name in found)
        if progress:
            progress(done, len(by_article))
    lines = [f"{p.article}\t{p.number}\t{labels[p.article, p.number]}" for p in paragraphs]
    write_lines(output, lines)
    return len(lines)
