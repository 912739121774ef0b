"""`framewatch roles`: how each source casts each actor, read back from the stored role spans."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import export, framewatch

POSTS = [
    {"id": "a1", "author": "anna_k", "text": "Russian troops shelled the village and killed dozens of civilians. "
                                             "The victims were buried on Sunday."},
    {"id": "a2", "author": "anna_k", "text": "The Kremlin lied again about the attack on Kharkiv."},
    {"id": "i1", "author": "ivan_p", "text": "Russia sent food and medicine to the families who lost their homes "
                                             "in the floods, and its rescuers saved hundreds."},
]


def _store(tmp_path: Path) -> Path:
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    framewatch("ingest", "posts.jsonl", "--db", "fw.db", cwd=tmp_path)
    return tmp_path


def _stored_roles(cwd: Path) -> Counter:
    """(author, actor, main role) of every stored role span, from the export."""
    found: Counter = Counter()
    for doc in export(cwd):
        for span in doc["spans"]:
            if span["layer"] == "role":
                found[doc["author"], span["attrs"]["actor_id"], span["label"]] += 1
    return found


def test_roles_by_author_add_up_the_stored_role_spans(tmp_path):
    cwd = _store(tmp_path)
    stored = _stored_roles(cwd)
    assert stored, "the default pipeline stores role spans"
    entries = [json.loads(line) for line in
               framewatch("roles", "--db", "fw.db", "--by", "author", "--json", cwd=cwd).stdout.splitlines()]
    summed = Counter({(e["group"], e["actor_id"], main): n for e in entries for main, n in e["main_roles"].items()})
    assert summed == stored
    for entry in entries:
        assert set(entry["evidence"]) == set(entry["main_roles"]) == set(entry["fine_roles"])
        for cited in entry["evidence"].values():
            assert cited["text"] and cited["end"] > cited["start"]


def test_roles_of_one_actor_in_a_table(tmp_path):
    cwd = _store(tmp_path)
    russia = [key for key in _stored_roles(cwd) if key[1] == "country:ru"]
    assert russia
    proc = framewatch("roles", "--db", "fw.db", "--actor", "country:ru", "--by", "author", cwd=cwd)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:4] == ["author", "actor", "role", "docs"]
    assert {tuple(line.split()[:3]) for line in lines[1:]} == set(russia)
    assert "across groups by author" in proc.stderr
    by_document = [json.loads(line) for line in framewatch("roles", "--db", "fw.db", "--actor", "country:ru", "--by",
                                                           "document", "--json", cwd=cwd).stdout.splitlines()]
    ids = {doc["id"] for doc in export(cwd)}
    assert by_document and {e["group"] for e in by_document} <= ids


def test_roles_follow_stored_merge_decisions(tmp_path):
    cwd = _store(tmp_path)
    before = {key for key in _stored_roles(cwd) if key[1] == "gov:ru"}
    assert before, "'the Kremlin' is the Russian government"
    framewatch("actors", "merge", "gov:ru", "country:ru", "--db", "fw.db", cwd=cwd)
    entries = [json.loads(line) for line in framewatch("roles", "--db", "fw.db", "--json", cwd=cwd).stdout.splitlines()]
    assert not [e for e in entries if e["actor_id"] == "gov:ru"]


def test_roles_refuse_unknown_grouping_and_missing_store(tmp_path):
    proc = framewatch("roles", "--db", "fw.db", "--by", "colour", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "--by 'colour'" in proc.stderr and not proc.stdout
    proc = framewatch("roles", "--db", "missing.db", cwd=tmp_path, check=False)
    assert proc.returncode != 0 and "missing.db" in proc.stderr and not (tmp_path / "missing.db").exists()
