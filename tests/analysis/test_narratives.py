"""The narratives stage: taxonomy and cue files as data, document classification on written examples,
user-defined narrative sets from the configuration, and the stage inside the pipeline."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import need_shared
from framewatch import resources
from framewatch.analysis import narratives
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document
from framewatch.pipeline import Pipeline

EXAMPLES = Path(__file__).parent / "narrative_examples"
LANGUAGES = ("en", "ru")


def _examples(lang: str) -> list[dict]:
    return tomllib.loads((EXAMPLES / f"{lang}.toml").read_text(encoding="utf-8"))["example"]


def _config(**narrative_settings) -> Config:
    return Config({**DEFAULTS, "narratives": {**DEFAULTS["narratives"], **narrative_settings}})


# ------------------------------------------------------------------------------------- taxonomy

def test_taxonomy_matches_the_task_files_exactly():
    folder = need_shared("data/semeval2025-task10/taxonomy")
    coarse = {line.strip() for line in (folder / "subtask2_narratives.txt").read_text(encoding="utf-8").splitlines()}
    fine = {line.strip() for line in (folder / "subtask2_subnarratives.txt").read_text(encoding="utf-8").splitlines()}
    assert {*narratives.narrative_names(), narratives.OTHER} == coarse - {""}
    assert {*narratives.subnarrative_names(), narratives.OTHER} == fine - {""}


def test_taxonomy_has_two_domains_and_a_description_for_every_label():
    taxonomy = narratives.taxonomy()
    assert narratives.domains() == ("URW", "CC")
    assert len(taxonomy) == 21
    for narrative in taxonomy:
        assert narrative.name.startswith(narrative.domain + ": ")
        assert len(narrative.description) > 20
        assert narrative.subnarratives, narrative.name
        assert narratives.default_subnarrative(narrative.name) in dict(narrative.subnarratives)
        for label, description in narrative.subnarratives:
            assert label.startswith(narrative.name + ": ") and len(description) > 20


# ------------------------------------------------------------------------------------------ cues

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_cue_has_a_rationale_a_known_label_and_every_narrative_has_cues(lang):
    cues = narratives.cue_set(lang)
    known = set(narratives.narrative_names()) | set(narratives.subnarrative_names())
    assert all(cue.label in known and 0 < cue.weight <= 1 for cue in cues.cues)
    raw = resources.load(lang, "narratives")
    assert all(len(c["rationale"]) > 20 for c in raw["cue"])
    assert all(len(d["rationale"]) > 20 for d in raw["domain"].values())
    assert {cue.narrative for cue in cues.cues} == set(narratives.narrative_names())
    assert {d.name for d in cues.domains} == {"URW", "CC"}


def _cue(**fields) -> dict:
    return {"id": "my.cue", "label": "URW: Discrediting Ukraine", "weight": 0.5, "words": ["x"], "rationale": "r" * 30,
            **fields}


@pytest.mark.parametrize("cue,message", [
    (_cue(label="URW: Nonsense"), "unknown label"),
    ({k: v for k, v in _cue().items() if k != "rationale"}, "rationale"),
    (_cue(weight=1.5), "weight"),
    (_cue(pattern="("), "exactly one"),
    ({**{k: v for k, v in _cue().items() if k != "words"}, "pattern": "("}, "bad pattern"),
    ({**{k: v for k, v in _cue().items() if k != "words"}, "pattern": "{nolist}"}, "unknown list"),
    (_cue(technique="Doubt"), "unknown field"),
])
def test_bad_cues_are_refused_naming_the_cue(cue, message):
    with pytest.raises(ValueError, match=message) as caught:
        narratives.parse_cues({"cue": [cue]}, "en")
    assert "my.cue" in str(caught.value)


def test_bad_domains_and_thresholds_are_refused():
    with pytest.raises(ValueError, match="unknown domain"):
        narratives.parse_cues({"domain": {"XX": {"words": ["x"], "rationale": "r" * 30}}}, "en")
    with pytest.raises(ValueError, match="fallback"):
        narratives.parse_cues({"domain": {"CC": {"words": ["x"], "rationale": "r" * 30,
                                                 "fallback": ["URW: Discrediting Ukraine"]}}}, "en")
    with pytest.raises(ValueError, match="thresholds"):
        narratives.parse_cues({"thresholds": {"URW: Nonsense": 0.5}}, "en")


# ------------------------------------------------------------------------------------- examples

@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_cover_every_narrative_twice_and_both_domains_negatively(lang):
    examples = _examples(lang)
    for name in narratives.narrative_names():
        assert len([e for e in examples if e["narrative"] == name]) >= 2, name
    others = [e for e in examples if e["narrative"] == narratives.OTHER]
    assert len(others) >= 4
    known = set(narratives.subnarrative_names())
    assert all(e["subnarrative"] in known for e in examples if "subnarrative" in e)


def _example_id(value) -> str:
    if isinstance(value, str):
        return value
    return f"{value.get('subnarrative', value['narrative'])[:60]}-{value['text'][:20]}"


@pytest.mark.parametrize("lang,example", [(lang, e) for lang in LANGUAGES for e in _examples(lang)],
                         ids=_example_id)
def test_example(lang, example):
    found, subs = narratives.classify_document(example["text"], lang)
    if example["narrative"] == narratives.OTHER:
        assert (found, subs) == ([], []), narratives.analyze(example["text"], lang).scores
        return
    assert example["narrative"] in found, narratives.analyze(example["text"], lang).scores
    if "subnarrative" in example:
        assert example["subnarrative"] in subs, narratives.analyze(example["text"], lang).scores
    # Every subnarrative belongs to a reported narrative, and every reported narrative has one.
    assert {s for s in subs if not any(s.startswith(n + ": ") for n in found)} == set()
    assert all(any(s.startswith(n + ": ") for s in subs) for n in found)


# ------------------------------------------------------------------------------------- behaviour

NUCLEAR = ("Every new batch of Western missiles sent to Ukraine brings us closer to the unthinkable. "
           "Russian officials say tactical nukes could be used if Kyiv strikes deep inside Russia. "
           "The weather in Kyiv was mild on Monday.")


def test_a_narrative_without_a_reported_subnarrative_comes_with_its_other_subnarrative():
    text = ("Ukraine and Russia: the threat to Europe is terrifying, and the war in Ukraine has "
            "catastrophic consequences.")
    found, subs = narratives.classify_document(text, "en", _config(threshold=0.2))
    assert found == ["URW: Amplifying war-related fears"]
    assert subs == ["URW: Amplifying war-related fears: Other"]
    # The one narrative the task gives no `: Other` falls back on its only subnarrative.
    assert narratives.default_subnarrative("CC: Climate change is beneficial") == \
        "CC: Climate change is beneficial: CO2 is beneficial"


def test_thresholds_come_from_config_per_language_and_label():
    label = "URW: Amplifying war-related fears"
    assert label in narratives.classify_document(NUCLEAR, "en")[0]
    strict = _config(thresholds={"en": {label: 0.99}})
    assert label not in narratives.classify_document(NUCLEAR, "en", strict)[0]
    assert label in narratives.classify_document(NUCLEAR, "en", _config(thresholds={"ru": {label: 0.99}}))[0]


def test_a_document_about_neither_domain_or_in_another_language_is_other():
    assert narratives.classify_document("Ядерная война и третья мировая.", "kk") == ([], [])
    result = narratives.analyze("Tactical nukes and a nuclear war, the film's hero says.", "en")
    assert result.domain is None and result.findings == []


def test_only_the_winning_domain_competes():
    text = ("The climate alarmists and their climate cult are at it again. Global warming hysteria, net zero, "
            "emissions, carbon. Russia and Ukraine were mentioned once.")
    found, _ = narratives.classify_document(text, "en")
    assert found and all(n.startswith("CC: ") for n in found)


def test_fallback_is_marked_and_needs_a_clearly_in_domain_document():
    text = " ".join(["Украина, Россия, Киев и Москва обсуждают Донбасс и Крым."] * 3)
    result = narratives.analyze(text, "ru")
    assert result.domain == "URW" and result.findings and all(f.fallback for f in result.findings)
    assert result.findings[0].score == DEFAULTS["narratives"]["fallback_confidence"]
    assert narratives.analyze(text, "ru", _config(fallback=False)).findings == []
    assert narratives.analyze("Украина и Россия.", "ru").findings == []


# -------------------------------------------------------------------------------- user narrative sets

USER_SETS = [{
    "name": "energy-blackmail",
    "description": "Narratives about gas supplies as a lever in politics.",
    "labels": [
        {"name": "Gas as a weapon", "description": "Gas supplies are cut or priced to punish a country.",
         "cues": {"en": [{"words": ["gas blackmail", "turned off the taps", "energy weapon"], "weight": 0.6,
                          "rationale": "The phrases analysts use for cutting supplies to coerce a buyer."}],
                  "ru": [{"words": ["газов* шантаж*", "перекрыл* вентиль"], "weight": 0.6,
                          "rationale": "Russian phrasing for cutting supplies to coerce a buyer."}]}},
        {"name": "Pipeline sabotage", "description": "Pipelines are blown up by a hidden hand.",
         "cues": {"en": [{"id": "user.sabotage", "weight": 0.7,
                          "pattern": r"(?:nord stream|pipeline)\W+(?:\w+\W+){0,5}(?:sabotag\w*|blown up|explosion)",
                          "rationale": "A pipeline next to sabotage or an explosion."}]}},
    ],
}]

USER_TEXT = ("The minister said Moscow turned off the taps in winter. "
             "Later the Nord Stream pipeline was blown up at sea.")


def test_user_sets_load_from_config_and_classify_the_same_way():
    config = _config(sets=USER_SETS)
    (energy,) = narratives.user_sets(config, "en")
    assert energy.name == "energy-blackmail" and set(energy.labels) == {"Gas as a weapon", "Pipeline sabotage"}
    assert {c.id for c in energy.cues} == {"energy-blackmail/Gas as a weapon/1", "user.sabotage"}
    result = narratives.analyze(USER_TEXT, "en", config, taxonomy="energy-blackmail")
    assert result.narratives == ["Pipeline sabotage", "Gas as a weapon"]
    assert result.subnarratives == []
    ru = narratives.analyze("Москва перекрыла вентиль.", "ru", config, taxonomy="energy-blackmail")
    assert ru.narratives == ["Gas as a weapon"]
    with pytest.raises(KeyError, match="unknown narrative taxonomy"):
        narratives.analyze(USER_TEXT, "en", config, taxonomy="nope")
    # The user's set does not leak into the SemEval labels.
    assert "Gas as a weapon" not in narratives.classify_document(USER_TEXT, "en", config)[0]


@pytest.mark.parametrize("bad,message", [
    ({"labels": [{"name": "x", "description": "d"}]}, "needs a name"),
    ({"name": "s", "labels": []}, "needs labels"),
    ({"name": "s", "labels": [{"name": "x"}]}, "description"),
    ({"name": "s", "labels": [{"name": "x", "description": "d", "cues": {"en": [{"words": ["y"], "weight": 0.5}]}}]},
     "rationale"),
    ({"name": "s", "labels": [{"name": "x", "description": "d", "cues": {"english": []}}]}, "language code"),
])
def test_bad_user_sets_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        narratives.parse_user_set(bad, "en")


# ----------------------------------------------------------------------------------------- stage

def test_stage_adds_one_span_per_evidence_sentence_and_label():
    pipeline = Pipeline(_config(sets=USER_SETS), ["narratives"])
    doc = pipeline.analyze(Document(text=NUCLEAR + " " + USER_TEXT))
    assert doc.language == "en" and "narratives" in pipeline.run.stages
    spans = [s for s in doc.spans if s.layer == "narrative"]
    semeval = [s for s in spans if s.attrs["taxonomy"] == narratives.TAXONOMY]
    nuclear = "URW: Amplifying war-related fears: There is a real possibility that nuclear weapons will be employed"
    (span,) = [s for s in semeval if s.label == nuclear]
    assert doc.text[span.start:span.end] == ("Russian officials say tactical nukes could be used if Kyiv strikes "
                                             "deep inside Russia.")
    assert span.attrs["narrative"] == "URW: Amplifying war-related fears" and span.attrs["subnarrative"] == nuclear
    assert span.attrs["cues"] == ["urw.fears.nuclear"] and span.cue == "urw.fears.nuclear"
    assert span.engine == "lexical" and span.run_id == pipeline.run.id
    assert 0 < span.confidence <= 1
    user = {s.label: doc.text[s.start:s.end] for s in spans if s.attrs["taxonomy"] == "energy-blackmail"}
    assert user == {"Gas as a weapon": "The minister said Moscow turned off the taps in winter.",
                    "Pipeline sabotage": "Later the Nord Stream pipeline was blown up at sea."}
    assert all(s.attrs["subnarrative"] is None for s in spans if s.attrs["taxonomy"] == "energy-blackmail")
    neutral = pipeline.analyze(Document(text="The council approved a new bus route on Tuesday."))
    assert not [s for s in neutral.spans if s.layer == "narrative"]


def test_spans_stay_inside_the_text_for_every_example():
    for lang in LANGUAGES:
        for example in _examples(lang):
            text = example["text"]
            for span in narratives.narrative_spans(text, lang):
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start:span.end].strip() == text[span.start:span.end]
                assert span.attrs["cues"]
