"""Sentence segmentation for English and Russian (razdel, inside each line)."""

from __future__ import annotations

import re
from functools import lru_cache

from razdel import sentenize

from ..model import Document, Span
from ..pipeline import StageContext, stage


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; lines are hard boundaries, as forum posts and headlines rarely
    end with punctuation."""
    return list(_bounds(text))


# razdel only ever splits a line at one of these (sentence ends, quotes, brackets, smileys): a line
# without any is one sentence, and razdel's rules need not run on it (headlines, short posts).
_DELIMITER = sentenize.split.re


@lru_cache(maxsize=8)
def _bounds(text: str) -> tuple[tuple[int, int], ...]:
    # Several stages segment the same document: it is done once.
    bounds = []
    for line in re.finditer(r"[^\n]+", text):
        body = line.group()
        if not _DELIMITER.search(body):
            if body.strip():
                bounds.append((line.start() + len(body) - len(body.lstrip()), line.start() + len(body.rstrip())))
            continue
        for sentence in sentenize(body):
            if sentence.text.strip():
                bounds.append((line.start() + sentence.start, line.start() + sentence.stop))
    return tuple(bounds)


@stage("sentences", version="1", requires=("language",), assigns=("layer:sentence",),
       languages=("en", "ru"))
def segment_sentences(doc: Document, ctx: StageContext) -> None:
    for start, end in sentence_bounds(doc.text):
        doc.add_span(Span("sentence", "sentence", start, end, engine="razdel", cue="razdel.sentenize"))
