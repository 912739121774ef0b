"""`framewatch narratives`: which narratives each source serves, read back from the stored spans."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from conftest import export, framewatch

POSTS = [
    {"id": "a1", "author": "anna_k", "text": "NATO provoked this war. Russia had no choice but to defend itself "
                                             "against the endless expansion of the alliance to its borders."},
    {"id": "a2", "author": "anna_k", "text": "The climate hoax is a scam by globalist elites to tax us; the "
                                             "so-called scientists fake their temperature data."},
    {"id": "i1", "author": "ivan_p", "text": "The council approved the budget for the new school on Tuesday."},
]


def _store(tmp_path: Path) -> Path:
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    framewatch("ingest", "posts.jsonl", "--db", "fw.db", cwd=tmp_path)
    return tmp_path


def test_narratives_by_author_count_documents_per_stored_narrative(tmp_path):
    cwd = _store(tmp_path)
    stored: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc in export(cwd):
        for span in doc["spans"]:
            if span["layer"] == "narrative":
                stored[doc["author"]][span["attrs"]["narrative"]].add(doc["id"])
    assert stored["anna_k"], "the default pipeline finds narratives in the first author's posts"
    groups = {g["group"]: g for g in map(json.loads, framewatch(
        "narratives", "--db", "fw.db", "--by", "author", "--json", cwd=cwd).stdout.splitlines())}
    assert groups["anna_k"]["documents"] == 2 and groups["ivan_p"]["documents"] == 1
    for author, by_narrative in stored.items():
        assert groups[author]["narratives"] == {label: len(ids) for label, ids in by_narrative.items()}
        for label, cited in groups[author]["evidence"].items():
            assert cited["document"] in by_narrative[label] and cited["text"]
    assert groups["ivan_p"]["narratives"] == {}


def test_narratives_table_and_bad_grouping(tmp_path):
    cwd = _store(tmp_path)
    lines = framewatch("narratives", "--db", "fw.db", "--by", "author", cwd=cwd).stdout.splitlines()
    assert lines[0].split()[:3] == ["author", "docs", "narrative"]
    assert any(line.split()[:3] == ["ivan_p", "1", "-"] for line in lines)
    proc = framewatch("narratives", "--db", "fw.db", "--by", "colour", cwd=cwd, check=False)
    assert proc.returncode == 2 and "--by 'colour'" in proc.stderr and not proc.stdout
