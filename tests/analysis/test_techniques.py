"""The techniques stage: taxonomy and cue files as data, detection on written examples and the seeds,
offsets, thresholds, span classification, and the stage inside the pipeline."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import need_shared
from framewatch import resources, taxonomies
from framewatch.analysis import cues, techniques
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document
from framewatch.pipeline import Pipeline

EXAMPLES = Path(__file__).parent / "technique_examples"
LANGUAGES = ("en", "ru")


def _examples(lang: str) -> list[dict]:
    return tomllib.loads((EXAMPLES / f"{lang}.toml").read_text(encoding="utf-8"))["example"]


def _labels(text: str, lang: str) -> set[str]:
    return {s.label for s in techniques.detect_techniques(text, lang)}


def test_taxonomy_has_23_techniques_in_6_categories_mapped_onto_14_ptc_classes():
    names = taxonomies.technique_names()
    assert len(names) == len(set(names)) == 23
    assert len({t.category for t in taxonomies.techniques()}) == 6
    assert len(taxonomies.ptc_classes()) == 14
    assert taxonomies.ptc_class("False_Dilemma-No_Choice") == "Black-and-White_Fallacy"
    assert taxonomies.ptc_class("Obfuscation-Vagueness-Confusion") is None
    with pytest.raises(KeyError):
        taxonomies.ptc_class("Propaganda")


def test_taxonomy_names_match_the_task_definitions():
    semeval = need_shared("data/semeval2023-task3/taxonomy/techniques_subtask3.txt").read_text().split()
    ptc = need_shared("data/ptc-semeval2020-task11/taxonomy/propaganda-techniques-names-semeval2020task11.txt")
    assert set(taxonomies.technique_names()) == set(semeval)
    assert set(taxonomies.ptc_classes()) == set(ptc.read_text().split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_technique_has_cues_with_rationales(lang):
    cues = techniques.cue_set(lang).cues
    assert {c.technique for c in cues} == set(taxonomies.technique_names())
    raw = resources.load(lang, "techniques")["cue"]
    assert all(len(c["rationale"]) > 20 for c in raw)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_cover_every_technique_both_ways(lang):
    examples = _examples(lang)
    for name in taxonomies.technique_names():
        positives = [e for e in examples if e["technique"] == name and e["expect"]]
        negatives = [e for e in examples if e["technique"] == name and not e["expect"]]
        assert len(positives) >= 2 and len(negatives) >= 2, name


def _example_id(example: dict) -> str:
    return f"{example['technique']}-{'pos' if example['expect'] else 'neg'}-{example['text'][:30]}"


@pytest.mark.parametrize("lang,example", [(lang, e) for lang in LANGUAGES for e in _examples(lang)],
                         ids=lambda v: v if isinstance(v, str) else _example_id(v))
def test_example(lang, example):
    text, name = example["text"], example["technique"]
    found = [s for s in techniques.detect_techniques(text, lang) if s.label == name]
    if not example["expect"]:
        assert not found, [(text[s.start:s.end], s.cue) for s in found]
        return
    assert found, f"{name} not found in {text!r}"
    if "fragment" in example:
        assert any(example["fragment"] in text[s.start:s.end] for s in found), \
            [(text[s.start:s.end], s.cue) for s in found]


def test_spans_carry_engine_cue_confidence_and_every_cue_that_fired():
    text = 'The so-called "investigation" was a farce.'
    spans = techniques.detect_techniques(text, "en")
    assert spans
    for span in spans:
        assert span.layer == "technique" and span.engine == "lexical"
        assert span.cue in span.attrs["cues"]
        assert 0 < span.confidence <= 1
        assert span.confidence >= techniques.thresholds(None, "en")[span.label]


def test_seed_article_scare_quotes_group_labels_and_who_is_next(seeds):
    text = next(seeds.glob("000_*.txt")).read_text(encoding="utf-8")
    spans = techniques.detect_techniques(text, "en")

    def labelled(fragment: str) -> set[str]:
        start = text.index(fragment)
        return {s.label for s in spans if s.start <= start and start + len(fragment) <= s.end}

    assert "Doubt" in labelled('"crime"')
    assert "Doubt" in labelled('"evidence"')
    assert "Name_Calling-Labeling" in labelled('national enemies')
    assert "Name_Calling-Labeling" in labelled('Kremlin agents')
    assert "Appeal_to_Fear-Prejudice" in labelled("Who will be next?")
    fear = next(s for s in spans if s.label == "Appeal_to_Fear-Prejudice" and "next?" in text[s.start:s.end])
    assert fear.cue in fear.attrs["cues"] and fear.engine == "lexical"


def test_thresholds_come_from_config_per_language():
    text = "The so-called experts were wrong."
    assert "Doubt" in _labels(text, "en")
    strict = Config({**DEFAULTS, "techniques": {**DEFAULTS["techniques"], "thresholds": {"en": {"Doubt": 0.99}}}})
    assert "Doubt" not in {s.label for s in techniques.detect_techniques(text, "en", strict)}
    assert "Doubt" in {s.label for s in techniques.detect_techniques(text, "en", strict, min_confidence=0.1)}


def test_language_without_cues_yields_nothing():
    assert techniques.detect_techniques('Их "преступление"', "kk") == []


def test_classify_span_ranks_all_23_with_repetition_and_cue_evidence():
    text = "They are traitors. Traitors, all of them, traitors to the country. The so-called court met."
    ranking = techniques.classify_span(text, 8, 17, "en")
    assert len(ranking) == 23 and ranking[0][1] >= ranking[-1][1]
    assert ranking[0][0] in {"Repetition", "Name_Calling-Labeling"}
    so_called = text.index("so-called")
    assert techniques.classify_span(text, so_called, so_called + 15, "en")[0][0] == "Doubt"


@pytest.mark.parametrize("bad,message", [
    ({"technique": "Propaganda", "weight": 0.5, "words": ["x"], "rationale": "r" * 30}, "unknown technique"),
    ({"technique": "Doubt", "weight": 0.5, "words": ["x"]}, "rationale"),
    ({"technique": "Doubt", "weight": 1.5, "words": ["x"], "rationale": "r" * 30}, "weight"),
    ({"technique": "Doubt", "weight": 0.5, "pattern": "(", "rationale": "r" * 30}, "bad pattern"),
    ({"technique": "Doubt", "weight": 0.5, "pattern": "{nolist}", "rationale": "r" * 30}, "unknown list"),
    ({"technique": "Doubt", "weight": 0.5, "words": ["x"], "pattern": "x", "rationale": "r" * 30}, "exactly one"),
    ({"technique": "Doubt", "weight": 0.5, "kind": "magic", "rationale": "r" * 30}, "unknown kind"),
    ({"technique": "Doubt", "weight": 0.5, "words": ["x"], "extent": "page", "rationale": "r" * 30}, "extent"),
])
def test_bad_cues_are_refused_naming_the_cue(bad, message):
    with pytest.raises(ValueError, match=message) as caught:
        techniques.parse_cues({"cue": [{"id": "my.cue", **bad}]}, "en")
    assert "my.cue" in str(caught.value)


def test_word_entries_match_whole_words_and_star_endings():
    cues = techniques.parse_cues({"cue": [{"id": "t", "technique": "Name_Calling-Labeling", "weight": 0.9,
                                           "words": ["бандит*", "thug"], "rationale": "r" * 30}]}, "ru")
    regex = cues.cues[0].regex
    assert [m.group() for m in regex.finditer("бандитов и бандиты; thugs, thug, athug")] == ["бандитов", "бандиты",
                                                                                             "thug"]


_PIECES = [*'ab Тт"«»“”?!.,\n', "so-called ", "traitors ", "якобы ", "Who is next?", "«преступление» "]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=120).map("".join), st.sampled_from(LANGUAGES))
def test_spans_stay_inside_the_text(text, lang):
    for span in techniques.detect_techniques(text, lang, min_confidence=0.0):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end].strip() == text[span.start:span.end]
        assert span.label in taxonomies.technique_names()


def test_stage_runs_in_the_pipeline_and_skips_languages_without_cues(caplog):
    pipeline = Pipeline(Config(DEFAULTS), ["techniques"])
    english = pipeline.analyze(Document(text='Their "crime" was to wave a flag. Who will be next?'))
    found = [s for s in english.spans if s.layer == "technique"]
    assert found and all(s.run_id == pipeline.run.id for s in found)
    assert "techniques" in pipeline.run.stages
    german = pipeline.analyze(Document(text="Das sogenannte Verbrechen war, eine Fahne zu tragen, sagte die Polizei."))
    assert german.language == "de"
    assert not [s for s in german.spans if s.layer == "technique"]
    assert "language de has no resources for stage(s)" in caplog.text and "techniques" in caplog.text


def test_phrase_extent_takes_the_content_words_beside_the_match_within_the_sentence():
    cue_set = techniques.parse_cues({
        "lists": {"stopwords": ["the", "a", "of"]},
        "cue": [{"id": "loaded.x", "technique": "Loaded_Language", "weight": 0.9, "extent": "phrase",
                 "words": ["brutal"], "rationale": "r" * 30}]}, "en")
    text = "It was the brutal crackdown. Brutal. A brutal of"
    sentences = cues.Sentences(text)
    found = []
    for hit in techniques._pattern_hits(cue_set.cues[0], text, sentences):
        start, end = techniques._extent(hit, text, sentences, cue_set.stopwords)
        found.append(text[start:end])
    assert found == ["brutal crackdown", "Brutal", "brutal"]


def test_shipped_thresholds_are_calibrated_and_configuration_overrides_them():
    shipped = techniques.cue_set("en").thresholds
    assert set(shipped) == set(taxonomies.technique_names())
    assert all(0.1 <= value <= 0.5 for value in shipped.values())
    assert techniques.thresholds(None, "en") == {name: shipped[name] for name in taxonomies.technique_names()}
    config = Config({**DEFAULTS, "techniques": {**DEFAULTS["techniques"], "thresholds": {"en": {"Doubt": 0.9}}}})
    assert techniques.thresholds(config, "en")["Doubt"] == 0.9
    assert techniques.thresholds(config, "ru")["Doubt"] == techniques.cue_set("ru").thresholds["Doubt"]


def test_span_cues_only_label_given_spans():
    data = {"cue": [], "span_cue": [{"id": "span.threat", "technique": "Appeal_to_Fear-Prejudice",
                                     "pattern": r"\bcould\b", "min_words": 3, "score": 0.9, "rationale": "r" * 30}]}
    cues = techniques.parse_cues(data, "en")
    assert cues.span_cues[0].regex.search("it could happen")
    with pytest.raises(ValueError, match=r"span_cue 'span\.bad'"):
        techniques.parse_cues({"span_cue": [{"id": "span.bad", "technique": "Doubt", "pattern": "x"}]}, "en")
    text = "The council said the new bridge could reach the old town by the spring of next year."
    span_cue_ids = {c.id for c in techniques.cue_set("en").span_cues}
    assert span_cue_ids
    detected = techniques.detect_techniques(text, "en", min_confidence=0.0)
    assert not span_cue_ids & {c for s in detected for c in s.attrs["cues"]}
    ranking = techniques.classify_span(text, 0, len(text), "en")
    assert ranking[0][0] in {"Appeal_to_Fear-Prejudice", "Appeal_to_Authority"} and ranking[0][1] >= 0.2


def test_clause_of_a_long_unpunctuated_text_stays_near_the_match():
    text = "word " * 3000 + "the experts lied " + "word " * 3000
    sentences = cues.Sentences(text)
    start = text.index("experts")
    left, right = sentences.clause(start, start + 7, sentences.index(start))
    assert left < start and right > start + 7
    assert right - left <= 2 * cues._CLAUSE_REACH + 7
    assert text[left:right].strip() == text[left:right]
