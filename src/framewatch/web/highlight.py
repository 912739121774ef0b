"""A document's text cut into pieces for highlighting, each piece knowing every span that covers it.

Spans of different layers (and of one layer) overlap freely; cutting the text at every span
boundary gives non-overlapping pieces, and each piece carries the layers and the spans that
cover it, so switching a layer off never hides another layer's highlight or shifts an offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Span
from ..report.html import segments

# Layers in the order their highlights nest (outermost first) and are listed; layers a third-party
# stage adds come after these, in name order.
LAYERS = ("sentence", "language", "claim", "frame", "narrative", "role", "event", "technique", "mention",
          "sentiment", "link", "origin", "disclaimer")
# Layers that cover (nearly) the whole text start switched off, or every character would be marked.
HIDDEN_AT_FIRST = frozenset({"sentence", "language"})
CITED = "cited"


@dataclass
class Piece:
    text: str
    layers: list[str]     # covering layers, in LAYERS order
    spans: list[int]      # indices of the covering spans in the document's span list
    cited: bool = False   # inside the range a link into the document asked to show


def layer_order(layers: Iterable[str]) -> list[str]:
    present = set(layers)
    return [layer for layer in LAYERS if layer in present] + sorted(present - set(LAYERS))


def pieces(text: str, spans: Sequence[Span], cited: tuple[int, int] | None = None) -> list[Piece]:
    marks = [(span.start, span.end, span.layer, str(i)) for i, span in enumerate(spans)]
    if cited is not None:
        marks.append((cited[0], cited[1], CITED, ""))
    order = {layer: n for n, layer in enumerate(layer_order(s.layer for s in spans))}
    out = []
    for piece, classes, notes in segments(text, marks):
        layers = sorted((c for c in classes if c != CITED), key=order.__getitem__)
        out.append(Piece(piece, layers, [int(n) for n in notes if n], CITED in classes))
    return out


def describe(span: Span) -> str:
    """One line saying what a span is and where it came from (a highlight's tooltip)."""
    parts = [f"{span.layer}: {span.label}", span.engine]
    cues = span.attrs.get("cues")
    parts.append("cue " + (", ".join(map(str, cues)) if isinstance(cues, list) and cues else str(span.cue or "-")))
    if span.confidence is not None:
        parts.append(f"confidence {span.confidence:.2f}")
    parts.append(f"run {span.run_id or '-'}")
    return " · ".join(parts)
