"""Sentence segmentation for English and Russian (razdel, inside each line)."""

from __future__ import annotations

import re

from razdel import sentenize

from ..model import Document, Span
from ..pipeline import StageContext, stage


@stage("sentences", version="1", requires=("language",), assigns=("layer:sentence",),
       languages=("en", "ru"))
def segment_sentences(doc: Document, ctx: StageContext) -> None:
    # Lines are hard boundaries: forum posts and headlines rarely end with punctuation.
    for line in re.finditer(r"[^\n]+", doc.text):
        for sentence in sentenize(line.group()):
            if sentence.text.strip():
                doc.add_span(Span("sentence", "sentence", line.start() + sentence.start,
                                  line.start() + sentence.stop, engine="razdel", cue="razdel.sentenize"))
