"""A comparison as one self-contained HTML page: each story's sources side by side, with the evidence
highlighted in the documents' own text. No script, style or font comes from the network, and every
piece of document text is escaped (it is untrusted input)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..model import Document

# Also searched by the web app, whose story page shares the comparison tables (`tables.html.j2`).
TEMPLATES = Path(__file__).with_name("templates")
# The layers highlighted; each layer's name is its class (colour), and a claim is also coloured by its stance.
_MARKED = ("event", "role", "technique", "claim")


def segments(text: str, marks: Iterable[tuple[int, int, str, str]]) -> list[tuple[str, list[str], list[str]]]:
    """`text` cut at every mark boundary: (piece, classes, notes) in order; overlapping marks nest
    into one piece carrying all their classes, so no offset is ever lost or shifted."""
    marks = [m for m in marks if 0 <= m[0] < m[1] <= len(text)]
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for start, end in itertools.pairwise(cuts):
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        out.append((text[start:end], sorted({m[2] for m in covering}), [m[3] for m in covering]))
    return out


def _marks(doc: Document) -> list[tuple[int, int, str, str]]:
    marks = []
    for span in doc.spans:
        if span.layer not in _MARKED:
            continue
        if span.layer == "claim":
            marks.append((span.start, span.end, f"claim {span.attrs.get('modality', span.label)}",
                          f"claim ({span.attrs.get('modality', span.label)}), {span.cue}"))
        elif span.layer == "role":
            for start, end in span.attrs.get("evidence", [[span.start, span.end]]):
                marks.append((start, end, "role", f"{span.attrs.get('name')}: {span.label} "
                                                   f"({', '.join(span.attrs.get('fine_roles', []))})"))
        else:
            marks.append((span.start, span.end, span.layer, f"{span.layer}: {span.label} ({span.cue})"))
    return marks


def compare_html(result: Mapping[str, Any], docs: Mapping[str, Document]) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    rendered = {doc_id: segments(doc.text, _marks(doc)) for doc_id, doc in docs.items()}
    return env.get_template("compare.html.j2").render(result=result, docs=docs, rendered=rendered)
