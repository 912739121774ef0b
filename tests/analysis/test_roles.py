"""The roles stage: taxonomy and cue files as data, written examples per language, the per-mention
API used by the benchmark, and the stage inside the pipeline."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import mention, need_shared
from framewatch import resources, taxonomies
from framewatch.analysis import roles
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document, Span
from framewatch.pipeline import Pipeline, StageContext, new_run

EXAMPLES = Path(__file__).parent / "role_examples"
LANGUAGES = ("en", "ru")


def _examples(lang: str) -> list[dict]:
    return tomllib.loads((EXAMPLES / f"{lang}.toml").read_text(encoding="utf-8"))["example"]


def test_taxonomy_has_3_main_and_22_fine_roles():
    tax = taxonomies.roles()
    assert tax.main == ("Protagonist", "Antagonist", "Innocent")
    assert len(tax.fine) == 22
    assert set(tax.fine.values()) == set(tax.main)
    assert all(tax.descriptions[name] for name in [*tax.main, *tax.fine])


def test_taxonomy_matches_the_task_definition():
    path = need_shared("data/semeval2025-task10/taxonomy/subtask1_roles_taxonomy.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    shared = dict(reversed(line.split("\t")) for line in lines if line.strip())
    assert taxonomies.roles().fine == shared


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cue_files_parse_and_every_cue_has_a_rationale(lang):
    assert lang in roles.languages()
    cues = roles.cue_set(lang)
    raw = resources.load(lang, "roles")["cue"]
    assert len(cues.cues) == len(raw) >= 20
    assert all(len(c["rationale"]) > 20 for c in raw)
    fine_roles = {fine for cue in cues.cues for _, fine in cue.roles.values() if fine}
    assert len(fine_roles) >= 18  # nearly every fine role has a cue of its own


def test_bad_cue_files_are_rejected_with_the_cue_named():
    base = {"defaults": {"main": "Antagonist", "fine": {"Antagonist": "Corrupt", "Protagonist": "Guardian",
                                                          "Innocent": "Victim"}}}
    good = {"id": "x", "words": ["bribe"], "self": "Antagonist/Corrupt", "weight": 0.5, "rationale": "bribes"}
    roles.parse_cues({**base, "cue": [good]}, "xx")
    for bad in ({**good, "rationale": ""}, {**good, "self": "Antagonist/Victim"}, {**good, "weight": 2},
                {k: v for k, v in good.items() if k != "self"}):
        with pytest.raises(ValueError, match="'x'"):
            roles.parse_cues({**base, "cue": [bad]}, "xx")


def _example_id(example: dict) -> str:
    return f"{example['main']}-{example.get('fine', '')}-{example['mention']}"


@pytest.mark.parametrize("lang,example", [(lang, e) for lang in LANGUAGES for e in _examples(lang)],
                         ids=lambda v: v if isinstance(v, str) else _example_id(v))
def test_example(lang, example):
    text = example["text"]
    start = text.index(example["mention"])
    [(main, fine)] = roles.roles_for_mentions(text, lang, [(start, start + len(example["mention"]))])
    assert main == example["main"], (main, fine)
    if "fine" in example:
        assert example["fine"] in fine, fine
    assert all(taxonomies.roles().fine[f] == main for f in fine)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_cover_every_main_role(lang):
    assert {e["main"] for e in _examples(lang)} == set(taxonomies.roles().main)


def test_agent_and_target_of_one_verb_take_opposite_roles():
    text = "The army shelled the town, and the town's residents fled."
    army, residents = text.index("army"), text.index("residents")
    out = roles.roles_for_mentions(text, "en", [(army, army + 4), (residents, residents + 9)])
    assert [main for main, _ in out] == ["Antagonist", "Innocent"]


def test_passive_voice_swaps_agent_and_target():
    text = "The villagers were attacked by the police."
    villagers, police = text.index("villagers"), text.index("police")
    out = roles.roles_for_mentions(text, "en", [(villagers, villagers + 9), (police, police + 6)])
    assert [main for main, _ in out] == ["Innocent", "Antagonist"]


def test_russian_case_decides_the_target_before_the_verb():
    text = "По Донецку ударили ракетами."
    start = text.index("Донецку")
    [(main, fine)] = roles.roles_for_mentions(text, "ru", [(start, start + 7)])
    assert (main, fine) == ("Innocent", ["Victim"])


def test_no_cue_gives_the_measured_default_and_output_follows_input_order():
    text = "Alice met Bob on Tuesday."
    out = roles.roles_for_mentions(text, "en", [(10, 13), (0, 5)])
    cues = roles.cue_set("en")
    assert out == [(cues.unmarked, [cues.default_fine[cues.unmarked]])] * 2
    assert roles.roles_for_mentions("", "en", []) == []


def test_other_mentions_of_the_same_name_count():
    text = "Kovalenko went to the market. Kovalenko was killed there by a drone."
    out = roles.roles_for_mentions(text, "en", [(0, 9)])
    assert out[0][0] == "Innocent"


def test_a_label_technique_on_the_actor_counts_for_antagonist():
    text = "The so-called \"peacekeepers\" of the Blue Alliance arrived on Tuesday."
    start = text.index("Blue Alliance")
    decision = roles.decide_mentions(text, "en", [(start, start + 13)])[0]
    assert decision.main == "Antagonist"


def test_the_stage_adds_one_role_span_per_actor_with_evidence():
    text = ("Soldiers of the Northern Republic shelled the village of Dolina overnight. "
            "Two residents of Dolina were killed and the survivors fled. "
            "The Red Cross protected the wounded and rescued the children.")
    doc = Document(text, language="en")
    Pipeline(Config(DEFAULTS), ["roles"]).analyze(doc)
    actors = {s.attrs["actor_id"] for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")}
    spans = {s.attrs["name"]: s for s in doc.spans if s.layer == "role"}
    assert len(spans) == len(actors) == 3
    assert {s.attrs["actor_id"] for s in spans.values()} == actors
    assert spans["the Northern Republic"].label == "Antagonist"
    assert (spans["Dolina"].label, spans["Dolina"].attrs["fine_roles"]) == ("Innocent", ["Victim"])
    assert (spans["Red Cross"].label, spans["Red Cross"].attrs["fine_roles"]) == ("Protagonist", ["Guardian"])
    assert "protect:agent" in spans["Red Cross"].attrs["cues"]
    for span in spans.values():
        assert span.engine == "lexical" and span.run_id and 0 < span.confidence <= 1
        assert span.attrs["cues"] and span.attrs["evidence"]
        assert [span.start, span.end] in span.attrs["evidence"]
        assert text[span.start:span.end].endswith(".")


def test_the_stage_uses_technique_spans_and_given_actor_ids():
    text = "Yesterday the junta of Vostok met the envoy."
    label = text.index("junta")
    doc = Document(text, language="en", spans=[
        mention(text, "Vostok", "gov:vostok", "GOVERNMENT"),
        Span("technique", "Name_Calling-Labeling", label, label + 5, 0.8, "lexical", "label"),
    ])
    roles.find_roles(doc, StageContext(Config(DEFAULTS), new_run(Config(DEFAULTS), [])))
    [span] = [s for s in doc.spans if s.layer == "role"]
    assert span.label == "Antagonist" and span.attrs["actor_id"] == "gov:vostok"
    assert span.attrs["fine_roles"] == ["Tyrant"]
    assert {"label-tyrant", "technique:Name_Calling-Labeling"} <= set(span.attrs["cues"])


def test_the_stage_runs_for_the_languages_with_cues():
    assert Pipeline(Config(DEFAULTS), ["roles"]).stages[-1].languages == roles.languages()


def test_the_side_acted_against_by_the_antagonist_becomes_a_protagonist():
    text = ("The Northern Republic is an aggressive regime of warmongers and liars. "
            "The Northern Republic now openly turns its army against Vostok.")
    north, vostok = text.index("Northern Republic"), text.index("Vostok")
    north_decision, vostok_decision = roles.decide_mentions(text, "en", [(north, north + 17), (vostok, vostok + 6)])
    assert north_decision.main == "Antagonist"
    assert (vostok_decision.main, vostok_decision.fine) == ("Protagonist", ["Underdog"])
    assert any(e.cue.startswith("sides:against-by:") for e in vostok_decision.evidence)


def test_coordinated_actors_share_the_target_position():
    text = "Police arrested Ivan Petrov and Anna Sidorova in the park."
    ivan, anna = text.index("Ivan Petrov"), text.index("Anna Sidorova")
    out = roles.roles_for_mentions(text, "en", [(ivan, ivan + 11), (anna, anna + 13)])
    assert [main for main, _ in out] == ["Innocent", "Innocent"]


def test_a_progressive_form_is_not_a_passive():
    text = "Vostok is openly resisting the blockade."
    [(main, fine)] = roles.roles_for_mentions(text, "en", [(0, 6)])
    assert (main, fine) == ("Protagonist", ["Rebel"])


def _seed_roles(seeds: Path) -> list[dict[str, tuple[str, list[str], list]]]:
    from datetime import datetime

    from framewatch.ingest import parse_text

    as_of = datetime.fromisoformat("2025-12-01T12:00")
    docs = parse_text((seeds / "000_cb010f43741b8d50.txt").read_text(encoding="utf-8"), source="000",
                      fmt="article", as_of=as_of).documents
    docs += parse_text((seeds / "001_b3421202f4057a70.txt").read_text(encoding="utf-8"), source="001",
                       fmt="thread", as_of=as_of).documents
    pipeline = Pipeline(Config(DEFAULTS))
    out = []
    for doc in docs:
        pipeline.analyze(doc)
        out.append({s.attrs["actor_id"]: (s.label, s.attrs["fine_roles"], s.attrs["evidence"])
                    for s in doc.spans if s.layer == "role"})
    return out


def test_the_seed_thread_casts_azerbaijan_and_russia_in_opposite_roles(seeds):
    """Issue 5: Azerbaijan is the antagonist of the first post and the protagonist of the second,
    Russia the reverse; the people arrested for the flag and the men who died in custody are victims."""
    posts = _seed_roles(seeds)
    first, second = posts[0], max(posts[1:], key=len)  # the second post, not the quote inside it
    assert first["country:az"][0] == "Antagonist"
    assert first["country:ru"][0] == "Protagonist"
    assert second["country:az"][0] == "Protagonist"
    assert second["country:ru"][0] == "Antagonist"
    arrested = [a for a in first if "ibragimli" in a or "asadly" in a]
    assert len(arrested) == 2 and all(first[a][:2] == ("Innocent", ["Victim"]) for a in arrested)
    assert second["group:~az-detainees"][:2] == ("Innocent", ["Victim"])
    for post, actor in ((first, "country:az"), (first, "country:ru"), (second, "country:az"),
                        (second, "country:ru"), (second, "group:~az-detainees"), *((first, a) for a in arrested)):
        assert post[actor][2], actor  # each with evidence sentences
