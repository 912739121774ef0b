"""The document view's pieces: overlapping spans of any layers cut the text into pieces that join back
into the exact text, each piece carrying exactly the spans that cover it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framewatch.model import Span
from framewatch.web.highlight import describe, layer_order, pieces

TEXT = "Police in Kalmora detained five activists on Tuesday, the ministry said."


def test_overlapping_layers_nest_over_the_same_characters() -> None:
    spans = [Span("claim", "asserted", 0, 52), Span("technique", "Doubt", 10, 26, 0.7, "lexical", "doubt.x"),
             Span("mention", "PLACE", 10, 17), Span("technique", "Loaded_Language", 18, 40)]
    out = pieces(TEXT, spans)
    assert "".join(p.text for p in out) == TEXT
    kalmora = next(p for p in out if p.text == "Kalmora")
    assert kalmora.layers == ["claim", "technique", "mention"] and sorted(kalmora.spans) == [0, 1, 2]
    both = next(p for p in out if p.text == "detained")
    assert both.layers == ["claim", "technique"] and sorted(both.spans) == [0, 1, 3]
    assert out[-1].text == ", the ministry said." and out[-1].layers == []


def test_a_cited_range_is_marked_without_moving_anything() -> None:
    out = pieces(TEXT, [Span("mention", "PLACE", 10, 17)], cited=(5, 12))
    assert "".join(p.text for p in out) == TEXT
    assert "".join(p.text for p in out if p.cited) == TEXT[5:12]


def test_layer_order_puts_known_layers_first() -> None:
    assert layer_order(["zeta", "mention", "claim", "alpha"]) == ["claim", "mention", "alpha", "zeta"]


def test_describe_names_engine_cue_confidence_and_run() -> None:
    span = Span("technique", "Doubt", 0, 5, 0.853, "lexical", "doubt.a", {"cues": ["doubt.a", "doubt.b"]}, "r1")
    assert describe(span) == "technique: Doubt · lexical · cue doubt.a, doubt.b · confidence 0.85 · run r1"


@given(st.lists(st.tuples(st.sampled_from(["claim", "technique", "mention", "event"]),
                          st.integers(0, len(TEXT)), st.integers(0, len(TEXT))), max_size=12))
def test_pieces_cover_the_text_and_their_spans(raw) -> None:
    spans = [Span(layer, "x", min(a, b), max(a, b)) for layer, a, b in raw]
    out = pieces(TEXT, spans)
    assert "".join(p.text for p in out) == TEXT
    at = 0
    for piece in out:
        start, end = at, at + len(piece.text)
        covering = {i for i, s in enumerate(spans) if s.start <= start and end <= s.end and s.start < s.end}
        assert set(piece.spans) == covering
        assert set(piece.layers) == {spans[i].layer for i in covering}
        at = end
