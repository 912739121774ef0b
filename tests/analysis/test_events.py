"""The events stage: PLOVER taxonomy and cue files as data, written examples per language (through the
real sentences, mentions and actors stages), date resolution, the seed thread, and offsets."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framewatch import resources, taxonomies
from framewatch.analysis import dates, events
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document, Span
from framewatch.pipeline import Pipeline

EXAMPLES = Path(__file__).parent / "event_examples"
LANGUAGES = ("en", "ru")
STAGES = ["sentences", "mentions", "actors", "events"]


def _examples(lang: str) -> list[dict]:
    return tomllib.loads((EXAMPLES / f"{lang}.toml").read_text(encoding="utf-8"))["example"]


def _analyze(text: str, lang: str, published: str | None = None) -> Document:
    doc = Document(text, language=lang, published=published)
    Pipeline(Config(DEFAULTS), STAGES).analyze(doc)
    return doc


def _events(doc: Document) -> list[Span]:
    return [s for s in doc.spans if s.layer == "event"]


def test_plover_taxonomy_has_19_types_with_descriptions():
    names = [t.name for t in taxonomies.plover()]
    assert names == ["AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "INVESTIGATE", "DEMAND",
                     "DISAPPROVE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION", "COERCE", "ASSAULT",
                     "FIGHT", "CRIME"]
    assert all(len(t.description) > 20 for t in taxonomies.plover())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cue_files_parse_cover_every_type_and_explain_every_cue(lang):
    assert lang in events.languages() and lang in dates.languages()
    cues = events.cue_set(lang)
    raw = resources.load(lang, "events")["cue"]
    assert len(cues.cues) == len(raw)
    assert all(len(c["rationale"]) > 30 for c in raw)
    assert {c.type for c in cues.cues} == set(events.type_names())


def test_a_cue_with_an_unknown_type_is_refused_naming_the_file_and_cue():
    good = {"id": "x.arrest", "type": "COERCE", "mode": "arrest", "words": ["detained"], "weight": 0.8,
            "rationale": "detentions are coercion"}
    events.parse_cues({"cue": [good]}, "xx")
    with pytest.raises(ValueError, match=r"resources/xx/events\.toml cue 'x\.arrest'.*unknown PLOVER type 'ARREST'"):
        events.parse_cues({"cue": [{**good, "type": "ARREST"}]}, "xx")
    for bad in ({**good, "rationale": ""}, {**good, "weight": 0}, {**good, "subject": "agent"},
                {**good, "colour": "red"}, {**good, "pattern": "x"}):
        with pytest.raises(ValueError, match=r"'x\.arrest'"):
            events.parse_cues({"cue": [bad]}, "xx")


def _example_id(example: dict) -> str:
    return f"{example['type']}-{example['trigger']}"


def _expected_actor(value: dict | None) -> str:
    return value["actor_id"] if value else "none"


@pytest.mark.parametrize("lang,example", [(lang, e) for lang in LANGUAGES for e in _examples(lang)],
                         ids=lambda v: v if isinstance(v, str) else _example_id(v))
def test_example(lang, example):
    doc = _analyze(example["text"], lang, example.get("published"))
    found = {doc.text[slice(*s.attrs["trigger"])]: s for s in _events(doc)}
    assert example["trigger"] in found, sorted(found)
    span = found[example["trigger"]]
    attrs = span.attrs
    assert (span.label, attrs["type"]) == (example["type"], example["type"])
    assert attrs["subtype"] == example.get("subtype", attrs["subtype"])
    for role in ("source", "target", "place"):
        if role in example:
            assert _expected_actor(attrs[role]) == example[role], (role, attrs[role])
    if "date" in example:
        assert attrs["date"]["value"] == example["date"], attrs["date"]
    if "resolved_from" in example:
        assert attrs["date"]["resolved_from"] == example["resolved_from"]
    if "negated" in example:
        assert attrs["negated"] is example["negated"]
    assert attrs["language"] == lang and attrs["cues"] == [span.cue]
    assert span.engine == "lexical" and 0 < span.confidence <= 1
    assert span.start <= attrs["trigger"][0] < attrs["trigger"][1] <= span.end


@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_cover_every_type(lang):
    assert {e["type"] for e in _examples(lang)} == set(events.type_names())


@pytest.mark.parametrize("lang,pairs", [
    ("en", {("COERCE", "arrest"), ("COERCE", "raid"), ("ASSAULT", "death_in_custody"), ("SANCTION", "cancellation"),
            ("DISAPPROVE", "summons"), ("DISAPPROVE", "accusation"), ("REJECT", "denial")}),
    ("ru", {("COERCE", "arrest"), ("COERCE", "raid"), ("ASSAULT", "death_in_custody"), ("SANCTION", "cancellation"),
            ("DISAPPROVE", "summons"), ("DISAPPROVE", "accusation"), ("REJECT", "denial")}),
])
def test_examples_cover_the_required_mappings(lang, pairs):
    assert pairs <= {(e["type"], e.get("subtype")) for e in _examples(lang)}


@pytest.mark.parametrize("lang,phrase,expected", [
    ("en", "They were detained.", ("COERCE", "arrest")), ("en", "They were arrested.", ("COERCE", "arrest")),
    ("en", "Police raided the office.", ("COERCE", "raid")), ("en", "Police searched the office.", ("COERCE", "raid")),
    ("en", "He died in custody.", ("ASSAULT", "death_in_custody")),
    ("en", "They cancelled the concert.", ("SANCTION", "cancellation")),
    ("en", "They summoned the ambassador.", ("DISAPPROVE", "summons")),
    ("en", "She accused him of lying.", ("DISAPPROVE", "accusation")), ("en", "He denied it.", ("REJECT", "denial")),
    ("ru", "Их задержали.", ("COERCE", "arrest")), ("ru", "Они арестованы.", ("COERCE", "arrest")),
    ("ru", "Прошли обыски.", ("COERCE", "raid")), ("ru", "Полиция провела рейд.", ("COERCE", "raid")),
    ("ru", "Он умер в СИЗО.", ("ASSAULT", "death_in_custody")),
    ("ru", "Он скончался в отделе полиции.", ("ASSAULT", "death_in_custody")),
    ("ru", "Концерт отменили.", ("SANCTION", "cancellation")), ("ru", "МИД вызвал посла.", ("DISAPPROVE", "summons")),
    ("ru", "Он обвинил соседей.", ("DISAPPROVE", "accusation")), ("ru", "Он опроверг это.", ("REJECT", "denial")),
    ("ru", "Он отрицает это.", ("REJECT", "denial")),
])
def test_the_required_trigger_words(lang, phrase, expected):
    spans = events.detect_events(phrase, lang, [])
    assert [(s.label, s.attrs["subtype"]) for s in spans] == [expected]


# ------------------------------------------------------------------------------------------ dates

@pytest.mark.parametrize("lang,text,value", [
    ("en", "It happened on Tuesday.", "2025-11-25"),      # published on a Sunday: the Tuesday before
    ("en", "It happened on Sunday.", "2025-11-30"),       # the publication day itself
    ("en", "It happened on 18 November 2025.", "2025-11-18"),
    ("en", "It happened on Nov. 18, 2024.", "2024-11-18"),
    ("en", "It happened on December 18.", "2024-12-18"),  # no year: the last such day before publication
    ("en", "It happened on 18/11/2025.", "2025-11-18"),
    ("en", "It happened yesterday.", "2025-11-29"),
    ("en", "It happened last week.", "2025-11"),
    ("en", "It happened last month.", "2025-10"),
    ("ru", "Это случилось во вторник.", "2025-11-25"),
    ("ru", "Это случилось 18 ноября.", "2025-11-18"),
    ("ru", "Это случилось 5 декабря.", "2024-12-05"),
    ("ru", "Это случилось 18-го ноября 2024 года.", "2024-11-18"),
    ("ru", "Это случилось 18.11.2025.", "2025-11-18"),
    ("ru", "Это случилось вчера.", "2025-11-29"),
    ("ru", "Это случилось в ноябре.", "2025-11"),
])
def test_dates_resolve_against_the_publication_date(lang, text, value):
    [found] = dates.find_dates(text, lang, "2025-11-30T09:20")
    assert found.value == value
    assert text[found.start:found.end] == found.text


def test_dates_that_cannot_be_resolved_are_left_out():
    assert dates.find_dates("It happened on Tuesday, 18 November.", "en", None) == []
    assert [d.value for d in dates.find_dates("On 18 November 2025 it rained.", "en", None)] == ["2025-11-18"]
    assert dates.find_dates("We meet next Tuesday; it may 12 times fail.", "en", "2025-11-30") == []
    # An impossible day is not invented: only the month it names stands.
    assert [d.value for d in dates.find_dates("On 31 February 2025.", "en", "2025-11-30")] == ["2025-02"]


def test_without_a_date_in_the_sentence_the_document_date_is_cited():
    [span] = events.detect_events("Police detained him.", "en", [], "2025-11-30T09:20")
    assert span.attrs["date"] == {"text": "2025-11-30T09:20", "start": None, "end": None, "value": "2025-11-30",
                                  "resolved_from": "document"}
    [span] = events.detect_events("Police detained him.", "en", [], None)
    assert span.attrs["date"] is None


# ----------------------------------------------------------------------------------------- stage

def test_the_stage_declares_what_it_needs_and_runs_for_the_languages_with_cues():
    stage = Pipeline(Config(DEFAULTS), ["events"]).stages[-1]
    assert stage.name == "events" and stage.languages == events.languages()
    assert stage.requires == ("layer:sentence", "layer:mention", "mention.actor_id")
    assert stage.assigns == ("layer:event",)


def test_the_threshold_comes_from_the_configuration():
    text = "Russia banned the imports."
    assert [s.attrs["subtype"] for s in _events(_analyze(text, "en"))] == ["ban"]
    doc = Document(text, language="en")
    Pipeline(Config({**DEFAULTS, "events": {"threshold": 0.6}}), STAGES).analyze(doc)
    assert _events(doc) == []


def _seed_events(seeds: Path) -> list[list[Span]]:
    from framewatch.ingest import parse_text

    as_of = datetime.fromisoformat("2025-12-01T12:00")
    docs = parse_text((seeds / "000_cb010f43741b8d50.txt").read_text(encoding="utf-8"), source="000",
                      fmt="article", as_of=as_of).documents
    docs += parse_text((seeds / "001_b3421202f4057a70.txt").read_text(encoding="utf-8"), source="001",
                       fmt="thread", as_of=as_of).documents
    pipeline = Pipeline(Config(DEFAULTS), [*DEFAULTS["pipeline"]["stages"], "events"])
    out = []
    for doc in docs:
        pipeline.analyze(doc)
        spans = _events(doc)
        for span in spans:
            assert span.run_id and doc.text[span.start:span.end].strip()
            span.attrs["_text"] = doc.text  # only for the assertions below
        out.append(spans)
    return out


def _find(spans: list[Span], trigger: str, contains: str) -> list[Span]:
    return [s for s in spans if s.attrs["_text"][slice(*s.attrs["trigger"])] == trigger
            and contains in s.attrs["_text"][s.start:s.end]]


def _id(value: dict | None) -> str | None:
    return value["actor_id"] if value else None


def test_the_seed_thread_gives_its_arrests_raids_and_deaths_in_custody(seeds):
    first, *rest = _seed_events(seeds)
    second = max(rest, key=len)  # the second post, not the quote inside it
    [flag] = _find(first, "arrested", "Abdullo Ibragimli")
    assert (flag.label, flag.attrs["subtype"]) == ("COERCE", "arrest")
    assert {_id(t) for t in flag.attrs["targets"]} == {"person:~abdullo-ibragimli", "person:~ibrahim-asadly"}
    assert flag.attrs["place"]["actor_id"] == "city:az-baku"
    assert flag.attrs["date"] is None  # the repost gives no date to resolve `last week` against

    [journalists] = _find(second, "arrested", "Russian journalists, most working")
    assert (journalists.label, journalists.attrs["subtype"]) == ("COERCE", "arrest")
    assert _id(journalists.attrs["target"]) == "group:~ru-journalists"
    assert journalists.attrs["date"]["resolved_from"] == "document"
    [accused] = _find(second, "accused", "Russian journalists, most working")
    assert (accused.label, _id(accused.attrs["target"])) == ("DISAPPROVE", "group:~ru-journalists")

    [raid] = _find(second, "raided", "Yekaterinburg")
    assert (raid.label, raid.attrs["subtype"]) == ("COERCE", "raid")
    assert _id(raid.attrs["source"]) == "group:~ru-police"
    assert raid.attrs["place"]["actor_id"] == "city:ru-yekaterinburg"

    [death] = _find(second, "died in Russian custody", "detainees")
    assert (death.label, death.attrs["subtype"]) == ("ASSAULT", "death_in_custody")
    assert (_id(death.attrs["source"]), _id(death.attrs["target"])) == ("country:ru", "group:~az-detainees")

    [denial] = _find(second, "denies", "Russia denies")
    assert (denial.label, _id(denial.attrs["source"])) == ("REJECT", "country:ru")


# -------------------------------------------------------------------------------------- offsets

_PIECES = st.sampled_from([
    "Police detained ", "Russia ", "were arrested by ", "Azerbaijan", " in ", "Baku", " on Tuesday", ", ", ". ",
    "\n", "died in custody", "18 ноября ", "задержали ", "в СИЗО ", "умер ", "(", ")", "«", "»", " and ", "yesterday",
    "Nov. 18", " not ", "summoned the ambassador", "вызвали посла", "   ", "é", "🙂",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, max_size=25), lang=st.sampled_from(LANGUAGES),
       published=st.sampled_from([None, "2025-11-30T09:20", "2025-11", "2025-03-01"]))
def test_every_offset_lies_inside_the_text(pieces, lang, published):
    text = "".join(pieces)
    mentions = [events.Mention(i, i + len(name), actor, kind)
                for name, actor, kind in (("Russia", "country:ru", "GPE"), ("Baku", "city:az-baku", "PLACE"))
                for i in range(len(text)) if text.startswith(name, i)]
    for span in events.detect_events(text, lang, mentions, published):
        attrs = span.attrs
        assert 0 <= span.start < span.end <= len(text)
        assert span.start <= attrs["trigger"][0] < attrs["trigger"][1] <= span.end
        for key in ("source", "target", "place"):
            if attrs[key]:
                assert span.start <= attrs[key]["start"] < attrs[key]["end"] <= span.end
        if attrs["date"] and attrs["date"]["start"] is not None:
            assert text[attrs["date"]["start"]:attrs["date"]["end"]] == attrs["date"]["text"]
        Document(text).add_span(span)
