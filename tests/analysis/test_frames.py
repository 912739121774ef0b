"""The frames stage: taxonomy and cue files as data, document framing on written examples, the rules
that keep long documents from lighting up every frame, and the stage inside the pipeline."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framewatch import resources, taxonomies
from framewatch.analysis import frames
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document
from framewatch.pipeline import Pipeline

EXAMPLES = Path(__file__).parent / "frame_examples"
LANGUAGES = ("en", "ru")
NONE = "None"
MFC = ("Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
       "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation", "Crime_and_punishment",
       "Security_and_defense", "Health_and_safety", "Quality_of_life", "Cultural_identity", "Public_opinion",
       "Political", "External_regulation_and_reputation")


def _examples(lang: str) -> list[dict]:
    return tomllib.loads((EXAMPLES / f"{lang}.toml").read_text(encoding="utf-8"))["example"]


def _config(**frame_settings) -> Config:
    return Config({**DEFAULTS, "frames": {**DEFAULTS["frames"], **frame_settings}})


# ------------------------------------------------------------------------------------- taxonomy

def test_taxonomy_has_the_fourteen_mfc_dimensions_exactly_in_codebook_order():
    assert frames.frame_names() == MFC
    assert all(len(f.description) > 30 for f in taxonomies.frames())


# ------------------------------------------------------------------------------------------ cues

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_cue_has_a_rationale_a_known_frame_and_every_frame_has_several_cues(lang):
    assert lang in frames.languages()
    cues = frames.cue_set(lang).cues
    assert all(cue.frame in MFC and 0 < cue.weight <= 1 for cue in cues)
    raw = resources.load(lang, "frames")
    assert all(len(c["rationale"]) > 20 for c in raw["cue"])
    for frame in MFC:
        assert len([c for c in cues if c.frame == frame]) >= 3, frame


def _cue(**fields) -> dict:
    return {"id": "my.cue", "frame": "Economic", "weight": 0.5, "words": ["x"], "rationale": "r" * 30, **fields}


def _without(name: str, **fields) -> dict:
    return {**{k: v for k, v in _cue().items() if k != name}, **fields}


@pytest.mark.parametrize("cue,message", [
    (_cue(frame="Economy"), "unknown frame"),
    (_without("frame"), "unknown frame"),
    (_without("rationale"), "rationale"),
    (_cue(weight=1.5), "weight"),
    (_cue(weight=0), "weight"),
    (_cue(pattern="("), "exactly one"),
    (_without("words", pattern="("), "bad pattern"),
    (_without("words", pattern="{nolist}"), "unknown list"),
    (_cue(near="("), "bad pattern"),
    (_cue(label="Economic"), "unknown field"),
    (_cue(min_sentences=0), "min_sentences"),
])
def test_bad_cues_are_refused_naming_the_cue(cue, message):
    with pytest.raises(ValueError, match=message) as caught:
        frames.parse_cues({"cue": [cue]}, "en")
    assert "my.cue" in str(caught.value)


def test_missing_and_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="missing or repeated id"):
        frames.parse_cues({"cue": [_without("id")]}, "en")
    with pytest.raises(ValueError, match="missing or repeated id"):
        frames.parse_cues({"cue": [_cue(), _cue()]}, "en")


# ------------------------------------------------------------------------------------- examples

@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_cover_every_frame_and_three_neutral_paragraphs(lang):
    examples = _examples(lang)
    assert {e["frame"] for e in examples} == {*MFC, NONE}
    assert len([e for e in examples if e["frame"] == NONE]) >= 3
    assert all(set(e.get("allow", [])) <= set(MFC) for e in examples)


def _example_id(value) -> str:
    return value if isinstance(value, str) else f"{value['frame']}-{value['text'][:20]}"


@pytest.mark.parametrize("lang,example", [(lang, e) for lang in LANGUAGES for e in _examples(lang)],
                         ids=_example_id)
def test_example(lang, example):
    found = frames.frames_for_document(example["text"], lang)
    scores = frames.frame_scores(example["text"], lang)
    if example["frame"] == NONE:
        assert set(found) <= set(example.get("allow", [])), scores
    else:
        assert example["frame"] in found, scores
    assert len(found) <= DEFAULTS["frames"]["max_frames"]
    assert found == sorted(found, key=lambda f: -scores[f])


# ------------------------------------------------------------------------------------- behaviour

ECONOMY = "The tariffs will hurt the economy. Small firms fear for their profits."


def test_a_weak_cue_counts_only_when_it_recurs_and_only_once():
    once = "The library opened a new reading room. The budget was discussed briefly."
    assert "Economic" not in frames.frame_scores(once, "en")
    twice = "The budget is too tight. Nobody knows how the budget will be balanced."
    assert frames.frame_scores(twice, "en")["Economic"] == 0.3  # econ.money, counted once
    # Repeating the same cue many times adds nothing beyond its one weight.
    many = " ".join(["The budget is tight."] * 12)
    assert frames.frame_scores(many, "en")["Economic"] == 0.3
    assert frames.frame_scores(twice, "en", _config(min_sentences=3)).get("Economic") is None


def test_a_long_document_does_not_light_up_a_frame_it_touches_once():
    assert frames.frames_for_document(ECONOMY, "en") == ["Economic"]
    filler = " ".join(f"Item {i} on the agenda was the colour of the new benches." for i in range(60))
    assert frames.frames_for_document(ECONOMY + " " + filler, "en") == []
    # ... but one that keeps returning to it does.
    text = " ".join([ECONOMY, filler[:2000], "Economists warn of a recession.", filler[2000:],
                     "Unemployment and inflation are rising."])
    assert frames.frames_for_document(text, "en") == ["Economic"]


def test_threshold_max_frames_and_per_language_thresholds_come_from_config():
    text = ("Police arrested the gang leader. The economy and jobs will suffer, and investors are nervous. "
            "Doctors at the hospital treated the injured patients.")
    found = frames.frames_for_document(text, "en")
    assert set(found) == {"Crime_and_punishment", "Economic", "Health_and_safety"}
    assert len(frames.frames_for_document(text, "en", _config(max_frames=1))) == 1
    assert frames.frames_for_document(text, "en", _config(threshold=0.99)) == []
    strict = _config(thresholds={"en": {"Economic": 0.99}})
    assert "Economic" not in frames.frames_for_document(text, "en", strict)
    assert "Economic" in frames.frames_for_document(text, "en", _config(thresholds={"ru": {"Economic": 0.99}}))


def test_unknown_language_and_empty_text_have_no_frames():
    assert frames.frames_for_document(ECONOMY, "kk") == []
    assert frames.frame_scores("", "en") == {}
    assert frames.frame_spans("   \n ", "en") == []


# ----------------------------------------------------------------------------------------- stage

def test_stage_adds_one_evidence_span_per_sentence_and_frame():
    pipeline = Pipeline(Config(DEFAULTS), ["frames"])
    text = "The weather was mild. " + ECONOMY
    doc = pipeline.analyze(Document(text=text))
    assert doc.language == "en" and "frames" in pipeline.run.stages
    spans = [s for s in doc.spans if s.layer == "frame"]
    assert [doc.text[s.start:s.end] for s in spans] == ["The tariffs will hurt the economy.",
                                                        "Small firms fear for their profits."]
    first, second = spans
    assert first.label == second.label == "Economic"
    assert first.attrs == {"cues": ["econ.business", "econ.economy"], "language": "en", "taxonomy": "mfc"}
    assert second.attrs["cues"] == ["econ.business"] and second.cue == "econ.business"
    assert first.engine == "lexical" and first.run_id == pipeline.run.id
    assert first.confidence == round(frames.frame_scores(text, "en")["Economic"], 3)
    neutral = pipeline.analyze(Document(text="The council approved a new bus route on Tuesday."))
    assert not [s for s in neutral.spans if s.layer == "frame"]


def test_stage_runs_for_russian():
    doc = Pipeline(Config(DEFAULTS), ["frames"]).analyze(Document(text=_examples("ru")[0]["text"]))
    assert doc.language == "ru"
    assert {s.label for s in doc.spans if s.layer == "frame"} == {"Economic"}


def test_spans_stay_inside_the_text_for_every_example():
    for lang in LANGUAGES:
        for example in _examples(lang):
            text = example["text"]
            for span in frames.frame_spans(text, lang):
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start:span.end].strip() == text[span.start:span.end]
                assert span.attrs["cues"] and span.label in MFC


_PIECES = ["The economy is in recession.", "Police arrested a gang.", "Бюджет и налоги растут.", "\n", "\u00a0",
           " ", "  \t", "...", "Инфляция и безработица.", "shortage of nurses", "!", "budget", "бюджет", "Doctors."]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=30)), max_size=25),
       st.sampled_from(LANGUAGES))
def test_spans_stay_inside_any_text(pieces, lang):
    text = "".join(pieces)
    for span in frames.frame_spans(text, lang, _config(min_sentences=1, threshold=0.3)):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end].strip() == text[span.start:span.end]
        assert 0 < span.confidence <= 1
