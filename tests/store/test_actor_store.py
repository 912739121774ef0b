"""The curated actor registry: schema migration 2 on a real v1 file, curation decisions kept in the store
and how mentions follow them, the actor summary and timeline over stored mention and role spans (the
store tests run against both back ends), and the user registry file merged over the built-in actors."""

from __future__ import annotations

import copy
import itertools
import sqlite3
from pathlib import Path

import pytest
from storetools import INTEGRITY_ERRORS, old_store

from conftest import actor_corpus, mention
from framewatch.config import DEFAULTS, Config
from framewatch.model import AnalysisRun, Document, Span
from framewatch.registry import (
    DISCOVERED_ID_PATTERN,
    ID_PATTERN,
    Curator,
    apply_decisions,
    check_decisions,
    config_with_store_decisions,
    discovered_id,
    effective_names,
    effective_registry,
    load_registry,
    resolve,
)
from framewatch.store import Store, open_store
from framewatch.store.schema import SCHEMA_VERSION

_numbers = itertools.count(1)


def make_run(command: str = "analyze") -> AnalysisRun:
    number = next(_numbers)
    return AnalysisRun(id=f"actors-run{number:04d}", started_at=f"2025-12-01T12:{number % 60:02d}:00+00:00",
                       package_version="0.1.0", stages={"actors": "1"}, resource_versions={},
                       config_hash=f"cfg{number:04d}", command=command)




def corpus() -> list[Document]:
    return actor_corpus()


def populate(store: Store) -> list[str]:
    return store.add_documents(corpus(), make_run("ingest"), layers=("mention",)).ids


@pytest.fixture
def store(store_url: str):
    with open_store(store_url) as opened:
        populate(opened)
        yield opened


# -- schema ---------------------------------------------------------------------------------------


def test_a_v1_store_is_upgraded_in_place_with_its_documents_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    docs = corpus()
    old_store(path, 1, docs)  # what a framewatch of schema 1 wrote
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "actor_decisions" not in tables

    with open_store(path) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert [(d.id, d.text, d.spans) for d in upgraded.iter_documents()] == [
            (d.id, d.text, d.sorted_spans()) for d in docs]
        assert upgraded.search("Ibragimli")  # the search index was rebuilt
        assert upgraded.decisions() == []
        upgraded.record_decision("merge", "person:~ibragimli", into_id="person:~abdullo-ibragimli")
        comparison = {"id": "c1", "by": "outlet", "groups": [{"documents": [d.id for d in docs]}], "stories": []}
        assert upgraded.add_comparison(comparison, "hash")
    with open_store(path) as reopened:
        assert reopened.schema_version == SCHEMA_VERSION
        assert [d["actor_id"] for d in reopened.decisions()] == ["person:~ibragimli"]
        assert reopened.comparison("c1") == comparison
        assert not reopened.add_comparison(comparison, "hash")  # the same comparison is kept once
        assert [c["id"] for c in reopened.comparisons()] == ["c1"]


def test_decisions_table_refuses_unknown_kinds(store: Store) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        store._execute("INSERT INTO actor_decisions(kind, actor_id, decided_at) VALUES ('rename', 'x:y', 'now')")
    with pytest.raises(ValueError, match="unknown decision kind"):
        store.record_decision("rename", "person:ilham-aliyev", into_id="person:x")


# -- decisions in the store -----------------------------------------------------------------------


def test_decisions_round_trip_in_order(store_url: str) -> None:
    path = store_url
    with open_store(path) as store:
        merge = store.record_decision("merge", "person:~ibragimli", into_id="person:~abdullo-ibragimli",
                                      note="same man, surname only")
        split = store.record_decision("split", "gov:az", name="baku", into_id="city:az-baku")
        auto = store.record_decision("split", "person:ilham-aliyev", name="Алиев Ильхам")
    assert auto["new_id"] == "person:~aliev-il-kham"
    assert DISCOVERED_ID_PATTERN.match(auto["new_id"])
    with open_store(path) as store:
        stored = store.decisions()
    assert [d["seq"] for d in stored] == sorted(d["seq"] for d in stored)
    assert stored[0] == merge
    assert stored[0]["note"] == "same man, surname only"
    assert {k: stored[0][k] for k in ("kind", "actor_id", "into")} == {
        "kind": "merge", "actor_id": "person:~ibragimli", "into": "person:~abdullo-ibragimli"}
    assert stored[1] == split
    assert {k: stored[1][k] for k in ("kind", "actor_id", "name", "new_id")} == {
        "kind": "split", "actor_id": "gov:az", "name": "baku", "new_id": "city:az-baku"}
    assert stored[2]["decided_at"] and stored[2]["note"] is None


def test_merge_refuses_itself_and_cycles_and_stores_nothing(store: Store) -> None:
    with pytest.raises(ValueError, match="cannot merge person:~ibragimli into itself"):
        store.record_decision("merge", "person:~ibragimli", into_id="person:~ibragimli")
    store.record_decision("merge", "person:~ibragimli", into_id="person:~abdullo-ibragimli")
    store.record_decision("merge", "person:~abdullo-ibragimli", into_id="person:abdullo-ibragimli")
    with pytest.raises(ValueError, match=r"person:~ibragimli is already merged into person:abdullo-ibragimli, "
                                         r"which would make a cycle \(person:~ibragimli -> "
                                         r"person:~abdullo-ibragimli -> person:abdullo-ibragimli -> "
                                         r"person:~ibragimli\)"):
        store.record_decision("merge", "person:abdullo-ibragimli", into_id="person:~ibragimli")
    with pytest.raises(ValueError, match="already merged into person:~abdullo-ibragimli"):
        store.record_decision("merge", "person:~ibragimli", into_id="person:ilham-aliyev")
    with pytest.raises(ValueError, match="malformed"):
        store.record_decision("merge", "Aliyev", into_id="person:ilham-aliyev")
    with pytest.raises(ValueError, match="needs the actor to merge into"):
        store.record_decision("merge", "person:~ibragimli")
    assert len(store.decisions()) == 2


def test_split_refusals(store: Store) -> None:
    with pytest.raises(ValueError, match="needs the surface name"):
        store.record_decision("split", "gov:az", name="  ")
    with pytest.raises(ValueError, match="into itself"):
        store.record_decision("split", "gov:az", name="Baku", into_id="gov:az")
    store.record_decision("split", "gov:az", name="Baku", into_id="city:az-baku")
    with pytest.raises(ValueError, match="named 'Baku' already go to city:az-baku"):
        store.record_decision("split", "gov:az", name="BAKU", into_id="country:az")
    # Merging the split-off actor back would send those mentions round and round.
    with pytest.raises(ValueError, match="cycle"):
        store.record_decision("merge", "city:az-baku", into_id="gov:az")
    assert len(store.decisions()) == 1


# -- following decisions --------------------------------------------------------------------------


def test_resolve_follows_merge_chains() -> None:
    decisions = [
        {"kind": "merge", "actor_id": "person:~ibragimli", "into": "person:~abdullo-ibragimli"},
        {"kind": "merge", "actor_id": "person:~abdullo-ibragimli", "into": "person:abdullo-ibragimli"},
        {"kind": "split", "actor_id": "gov:az", "name": "Baku", "new_id": "city:az-baku"},
    ]
    assert resolve("person:~ibragimli", decisions) == "person:abdullo-ibragimli"
    assert resolve("person:~abdullo-ibragimli", decisions) == "person:abdullo-ibragimli"
    assert resolve("person:abdullo-ibragimli", decisions) == "person:abdullo-ibragimli"
    assert resolve("gov:az", decisions) == "gov:az"  # a split needs a name
    assert resolve("person:ilham-aliyev", []) == "person:ilham-aliyev"


def test_apply_decisions_splits_by_name_then_merges() -> None:
    decisions = [
        {"kind": "merge", "actor_id": "person:~aliyev", "into": "person:ilham-aliyev"},
        {"kind": "split", "actor_id": "person:ilham-aliyev", "name": "Heydar Aliyev", "new_id": "person:~heydar"},
        {"kind": "merge", "actor_id": "person:~heydar", "into": "person:heydar-aliyev"},
        {"kind": "split", "actor_id": "gov:az", "name": "Baku", "new_id": "city:az-baku"},
    ]
    assert apply_decisions("gov:az", "baku", decisions) == "city:az-baku"
    assert apply_decisions("gov:az", " BAKU ", decisions) == "city:az-baku"
    assert apply_decisions("gov:az", "Azerbaijan", decisions) == "gov:az"
    assert apply_decisions("person:~aliyev", "Aliyev", decisions) == "person:ilham-aliyev"
    # merged first, then the merged-into actor's split, then that new actor's merge
    assert apply_decisions("person:~aliyev", "heydar aliyev", decisions) == "person:heydar-aliyev"
    assert apply_decisions("person:ilham-aliyev", "Heydar Aliyev", decisions) == "person:heydar-aliyev"
    assert check_decisions(decisions)[0] == decisions[0]
    curate = Curator(decisions)
    for actor_id, name in [("gov:az", "BAKU"), ("person:~aliyev", "Heydar Aliyev"), ("person:~aliyev", None),
                           ("org:nato", "NATO")]:
        assert curate(actor_id, name) == curate(actor_id, name) == apply_decisions(actor_id, name, decisions)


def test_check_decisions_names_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="kind must be 'merge' or 'split'"):
        check_decisions([{"kind": "rename", "actor_id": "gov:az", "into": "country:az"}])
    with pytest.raises(ValueError, match="into None is not an actor id"):
        check_decisions([{"kind": "merge", "actor_id": "gov:az"}])
    with pytest.raises(ValueError, match="needs the surface name"):
        check_decisions([{"kind": "split", "actor_id": "gov:az", "new_id": "city:az-baku"}])
    with pytest.raises(ValueError, match="cycle"):
        check_decisions([{"kind": "merge", "actor_id": "org:a", "into": "org:b"},
                         {"kind": "merge", "actor_id": "org:b", "into": "org:a"}])


def test_discovered_ids() -> None:
    assert discovered_id("PERSON", "Abdullo Ibragimli") == "person:~abdullo-ibragimli"
    assert discovered_id("PERSON", "Абдулло Ибрагимли") == "person:~abdullo-ibragimli"
    assert discovered_id("GROUP", "Musavatists!") == "group:~musavatists"
    assert discovered_id("PLACE", "Zangezur corridor") == "region:~zangezur-corridor"
    assert not ID_PATTERN.match("person:~abdullo-ibragimli")  # built-in ids stay strict
    with pytest.raises(ValueError):
        discovered_id("PERSON", "!!!")


# -- mentions and the summary ---------------------------------------------------------------------


def test_actor_mentions_reads_the_latest_mention_run(store: Store) -> None:
    everything = list(store.actor_mentions())
    assert len(everything) == 10
    aliyev = list(store.actor_mentions("person:ilham-aliyev"))
    assert [span.attrs["name"] for _, span in aliyev] == ["Ilham Aliyev", "Aliyev", "Ильхам Алиев"]
    texts = store.document_texts(doc_id for doc_id, _ in aliyev)
    for doc_id, span in aliyev:
        assert texts[doc_id][span.start:span.end] == span.attrs["name"]
    # A later run that analysed the mention layer of the English article hides the older mentions there.
    doc = next(d for d in store.iter_documents() if d.source_key == "en.txt")
    rerun = make_run()
    doc.spans = [Span("mention", "PERSON", 0, 12, 0.9, "lexical", None,
                      {"actor_id": "person:ilham-aliyev", "name": "Ilham Aliyev", "source": "builtin"}, rerun.id)]
    store.add_analysis([doc], rerun, layers=("mention",))
    assert [s.attrs["name"] for _, s in store.actor_mentions("person:ilham-aliyev")] == ["Ilham Aliyev",
                                                                                          "Ильхам Алиев"]
    assert list(store.actor_mentions("gov:az")) == []


def test_summary_counts_after_merges_and_splits(store: Store) -> None:
    before = {item["id"]: item for item in store.actor_summary()}
    assert before["person:ilham-aliyev"]["mentions"] == 3
    assert before["person:ilham-aliyev"]["documents"] == 2
    assert before["person:ilham-aliyev"]["source"] == "builtin"
    assert before["person:ilham-aliyev"]["type"] == "PERSON"
    assert before["person:ilham-aliyev"]["label"] == "Ilham Aliyev"
    assert before["gov:az"]["names"] == ["Baku"]
    assert before["person:~abdullo-ibragimli"]["source"] == "discovered"
    assert before["person:~abdullo-ibragimli"]["label"] == "Abdullo Ibragimli"

    store.record_decision("merge", "person:~ibragimli", into_id="person:~abdullo-ibragimli")
    store.record_decision("split", "gov:az", name="baku", into_id="city:az-baku")
    after = {item["id"]: item for item in store.actor_summary()}
    assert "person:~ibragimli" not in after and "gov:az" not in after
    abdullo = after["person:~abdullo-ibragimli"]
    assert (abdullo["mentions"], abdullo["documents"]) == (3, 2)
    assert abdullo["names"] == ["Abdullo Ibragimli", "Ibragimli", "Абдулло Ибрагимли"]
    assert abdullo["merged"] == ["person:~ibragimli"]
    baku = after["city:az-baku"]
    assert (baku["mentions"], baku["documents"], baku["type"], baku["source"]) == (3, 2, "PLACE", "builtin")
    assert baku["names"] == ["Baku", "Баку"]
    assert [s.attrs["name"] for _, s in store.actor_mentions("city:az-baku")] == ["Baku", "Baku", "Баку"]
    assert [s.attrs["actor_id"] for _, s in store.actor_mentions("city:az-baku", curated=False)] == ["city:az-baku"]


def role(text: str, actor_id: str, name: str, main: str) -> Span:
    """A role span over the whole (one-sentence) text, as the roles stage writes one."""
    return Span("role", main, 0, len(text), 0.8, "lexical", "cue", {"actor_id": actor_id, "name": name,
                                                                    "fine_roles": [], "evidence": [[0, len(text)]]})


def test_actor_timeline_per_source_and_month_after_merges(store_url: str) -> None:
    march = "Ilham Aliyev met the press. Aliyev said more."
    april = "Президент Алиев опять выступил."
    forum = "Aliyev again, says the forum."
    other = "Erdogan spoke alone."
    docs = [
        Document(march, outlet="Wire", published="2025-03-02", source_key="m", spans=[
            mention(march, "Ilham Aliyev", "person:ilham-aliyev", "PERSON"),
            mention(march, "Aliyev", "person:ilham-aliyev", "PERSON", nth=1),
            role(march, "person:ilham-aliyev", "Ilham Aliyev", "Protagonist")]),
        Document(april, outlet="Wire", published="2025-04-10T09:00", source_key="a", spans=[
            mention(april, "Алиев", "person:~aliev", "PERSON", "discovered"),
            role(april, "person:~aliev", "Алиев", "Antagonist")]),
        Document(forum, author="Тимур", source_key="f", spans=[
            mention(forum, "Aliyev", "person:ilham-aliyev", "PERSON"),
            role(forum, "person:ilham-aliyev", "Aliyev", "Antagonist")]),
        Document(other, outlet="Wire", published="2025-03-20", source_key="o", spans=[
            mention(other, "Erdogan", "person:recep-tayyip-erdogan", "PERSON"),
            role(other, "person:recep-tayyip-erdogan", "Erdogan", "Protagonist")]),
    ]
    with open_store(store_url) as store:
        store.add_documents(docs, make_run("ingest"), layers=("mention", "role"))
        before = store.actor_timeline("person:ilham-aliyev")
        assert [(e["group"], e["period"]) for e in before] == [("Wire", "2025-03"), ("Тимур", None)]
        store.record_decision("merge", "person:~aliev", into_id="person:ilham-aliyev")
        assert store.actor_timeline("person:ilham-aliyev") == [
            {"group": "Wire", "period": "2025-03", "main_roles": {"Protagonist": 1}, "mentions": 2},
            {"group": "Wire", "period": "2025-04", "main_roles": {"Antagonist": 1}, "mentions": 1},
            {"group": "Тимур", "period": None, "main_roles": {"Antagonist": 1}, "mentions": 1},
        ]
        assert store.actor_timeline("person:~aliev") == []  # merged away
        yearly = store.actor_timeline("person:ilham-aliyev", by="language", period="year")
        assert yearly == [
            {"group": "unknown", "period": "2025", "main_roles": {"Antagonist": 1, "Protagonist": 1}, "mentions": 3},
            {"group": "unknown", "period": None, "main_roles": {"Antagonist": 1}, "mentions": 1}]
        with pytest.raises(ValueError, match="period"):
            store.actor_timeline("person:ilham-aliyev", period="decade")


def test_config_with_store_decisions(store: Store) -> None:
    config = Config(copy.deepcopy(DEFAULTS))
    assert config.get("actors.decisions") == [] and config.get("actors.registry") is None
    store.record_decision("merge", "person:~ibragimli", into_id="person:~abdullo-ibragimli", note="x")
    curated = config_with_store_decisions(config, store)
    assert curated.get("actors.decisions") == [
        {"kind": "merge", "actor_id": "person:~ibragimli", "into": "person:~abdullo-ibragimli"}]
    assert config.get("actors.decisions") == []  # the original is left alone
    assert curated.hash() != config.hash()
    own = Config({**config.data, "actors": {"decisions": [
        {"kind": "split", "actor_id": "gov:az", "name": "Baku", "new_id": "city:az-baku"}]}})
    both = config_with_store_decisions(own, store).get("actors.decisions")
    assert [d["kind"] for d in both] == ["split", "merge"]


# -- the user registry file -----------------------------------------------------------------------


USER_REGISTRY = """
[[actor]]
id = "media:rt"
ownership = "state-funded"
links = { owner = "gov:ru" }

[[actor]]
id = "person:abdullo-ibragimli"
label = "Abdullo Ibragimli"
country = "country:az"
roles = ["journalist"]
names = { en = ["Abdullo Ibragimli"], ru = ["Абдулло Ибрагимли", "Ибрагимли"] }
aliases = ["A. Ibragimli"]
"""


def test_effective_registry_merges_a_user_file_over_the_builtins(tmp_path: Path) -> None:
    path = tmp_path / "actors.toml"
    path.write_text(USER_REGISTRY, encoding="utf-8")
    builtin = load_registry()
    registry = effective_registry(path)
    assert effective_registry(None) == builtin
    rt = registry["media:rt"]
    assert rt.ownership == "state-funded" and builtin["media:rt"].ownership != "state-funded"
    assert rt.label == builtin["media:rt"].label and rt.country == builtin["media:rt"].country
    assert rt.links["owner"] == "gov:ru" and rt.source == "user"
    new = registry["person:abdullo-ibragimli"]
    assert (new.type, new.label, new.country, new.roles, new.source) == (
        "PERSON", "Abdullo Ibragimli", "country:az", ("journalist",), "user")
    assert "person:abdullo-ibragimli" not in builtin
    assert len(registry) == len(builtin) + 1
    ru = [(e.name, e.kind) for e in effective_names("ru", path) if e.actor_id == "person:abdullo-ibragimli"]
    assert ru == [("Абдулло Ибрагимли", "name"), ("Ибрагимли", "alias"), ("A. Ibragimli", "alias")]
    # an edit to the file is seen by the next call, even within one process
    path.write_text(USER_REGISTRY.replace("state-funded", "state-owned"), encoding="utf-8")
    assert effective_registry(str(path))["media:rt"].ownership == "state-owned"


@pytest.mark.parametrize(("text", "message"), [
    ("[[actor]\nid = 1", "invalid TOML"),
    ('[[actor]]\nid = "Jane Doe"\n', "malformed actor id 'Jane Doe'"),
    ('[[actor]]\nid = "person:jane-doe"\ntype = "ORG"\n', "does not fit its prefix"),
    ('[[actor]]\nid = "person:jane-doe"\ncountyr = "country:az"\n', "unknown fields"),
    ('[[actor]]\nid = "person:jane-doe"\ncountry = "country:atlantis"\n', "unknown actor 'country:atlantis'"),
    ('[[actor]]\nid = "person:jane-doe"\nnames = { en = "Jane" }\n', "names must be"),
    ('actor = 3\n', "expected [[actor]] tables"),
])
def test_a_malformed_user_registry_is_refused_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "my-actors.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        effective_registry(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_a_missing_user_registry_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing\.toml: actor registry file not found"):
        effective_registry(tmp_path / "missing.toml")
