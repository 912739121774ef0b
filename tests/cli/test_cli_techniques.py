"""`framewatch techniques`: the per-source technique profile read back from the store."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import framewatch
from framewatch.analysis.techniques import detect_techniques

POSTS = [
    {"id": "a1", "author": "anna_k", "text": 'Their so-called "crime" was waving a flag. Who will be next?'},
    {"id": "i1", "author": "ivan_p", "text": "The council met on Tuesday and approved the budget for the new school."},
]


def _store(tmp_path: Path) -> Path:
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    framewatch("ingest", "posts.jsonl", "--db", "fw.db", cwd=tmp_path)
    return tmp_path


def test_profile_by_author_counts_hits_per_thousand_words(tmp_path):
    cwd = _store(tmp_path)
    proc = framewatch("techniques", "--db", "fw.db", "--by", "author", "--json", cwd=cwd)
    groups = {g["group"]: g for g in map(json.loads, proc.stdout.splitlines())}
    anna, ivan = groups["anna_k"], groups["ivan_p"]
    assert anna["documents"] == 1 and anna["words"] == 11
    expected = Counter(s.label for s in detect_techniques(POSTS[0]["text"], "en"))
    assert anna["counts"] == dict(expected) and {"Doubt", "Appeal_to_Fear-Prejudice"} <= set(expected)
    assert anna["per_1000_words"]["Doubt"] == round(1000 * expected["Doubt"] / 11, 2)
    assert ivan["counts"] == {} and ivan["words"] == 13
    assert "2 group(s) by author" in proc.stderr


def test_profile_table_is_one_line_per_group_and_technique(tmp_path):
    cwd = _store(tmp_path)
    lines = framewatch("techniques", "--db", "fw.db", cwd=cwd).stdout.splitlines()
    assert lines[0].split() == ["source", "docs", "words", "technique", "hits", "per_1000_words"]
    assert any(line.split()[:4] == ["anna_k", "1", "11", "Doubt"] for line in lines)
    assert any(line.split()[:4] == ["ivan_p", "1", "13", "-"] for line in lines)


def test_profile_refuses_unknown_grouping_and_missing_store(tmp_path):
    proc = framewatch("techniques", "--db", "fw.db", "--by", "colour", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "--by 'colour'" in proc.stderr and not proc.stdout
    proc = framewatch("techniques", "--db", "missing.db", cwd=tmp_path, check=False)
    assert proc.returncode != 0 and "missing.db" in proc.stderr and not (tmp_path / "missing.db").exists()


def test_seed_findings_are_shown_with_their_cues(tmp_path, seeds):
    seed = next(seeds.glob("000_*.txt"))
    framewatch("ingest", str(seed), "--db", "fw.db", cwd=tmp_path)
    doc = json.loads(framewatch("export", "--db", "fw.db", "--format", "jsonl", cwd=tmp_path).stdout)
    shown = framewatch("show", doc["id"], "--db", "fw.db", cwd=tmp_path).stdout
    assert "technique/Doubt '\"crime\"' (lexical, doubt.scare-quotes" in shown
    assert "technique/Appeal_to_Fear-Prejudice 'Who will be next?' (lexical, fear." in shown
    labels = [line for line in shown.splitlines() if "technique/Name_Calling-Labeling" in line and "agents" in line]
    assert labels and all("confidence" in line for line in labels)
