"""`framewatch compare` on the two seed posts: opposite roles for Azerbaijan and Russia with their
evidence, different events in each post, and the quoted member as a voice of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, framewatch, need_shared


@pytest.fixture(scope="module")
def seed_comparison(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, dict]]:
    seeds = need_shared("seeds")
    work = tmp_path_factory.mktemp("seeds")
    db = str(work / "fw.db")
    framewatch("ingest", "--db", db, str(seeds / "000_cb010f43741b8d50.txt"), str(seeds / "001_b3421202f4057a70.txt"),
               "--as-of", "2025-07-10T12:00", cwd=REPO)
    result = json.loads(framewatch("compare", "--db", db, "--by", "document", "--json", "-", cwd=REPO).stdout)
    docs = {}
    for line in framewatch("export", "--db", db, "--format", "jsonl", cwd=REPO).stdout.splitlines():
        doc = json.loads(line)
        key = "quote" if doc["kind"] == "quote" else Path(doc["path"]).name[:3]
        docs[key] = doc
    return result, docs


def _role(result: dict, actor: str, doc: dict) -> dict:
    entry = next(a for a in result["actors"] if a["actor_id"] == actor)
    return next(r for r in entry["roles"] if r["group"] == doc["id"])


@pytest.mark.parametrize("actor, first, second", [
    ("country:az", "Antagonist", "Protagonist"),
    ("country:ru", "Protagonist", "Antagonist"),
])
def test_the_two_posts_cast_azerbaijan_and_russia_in_opposite_roles(seed_comparison, actor, first, second) -> None:
    result, docs = seed_comparison
    entry = next(a for a in result["actors"] if a["actor_id"] == actor)
    assert entry["divergence"] > 0
    for doc, expected in ((docs["000"], first), (docs["001"], second)):
        role = _role(result, actor, doc)
        assert role["main"] == expected
        assert role["evidence"], "every role comes with the sentences behind it"
        for cited in role["evidence"]:
            assert doc["text"][cited["start"]:cited["end"]] == cited["text"]


def test_the_posts_report_different_events(seed_comparison) -> None:
    result, docs = seed_comparison
    assert not any({docs["000"]["id"], docs["001"]["id"]} <= set(s["documents"]) for s in result["stories"])
    events = {key: {(s["label"], s["attrs"].get("subtype")) for s in doc["spans"] if s["layer"] == "event"}
              for key, doc in docs.items()}
    assert ("COERCE", "arrest") in events["000"]
    assert {("COERCE", "arrest"), ("COERCE", "raid")} <= events["001"]


def test_the_quoted_member_is_a_voice_of_its_own(seed_comparison) -> None:
    result, docs = seed_comparison
    cites = {c["name"] for row in result["citations"] if row["group"] == docs["quote"]["id"] for c in row["cites"]}
    assert "Tee tiong huat" in cites
    post_author = docs["001"]["author"]
    assert post_author != "Tee tiong huat"
