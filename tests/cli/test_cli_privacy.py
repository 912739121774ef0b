"""`export --pseudonymize-authors`: a forum thread leaves the store with no member's name in it, the
same member under the same pseudonym in JSONL and CSV, and every span still citing its words."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from conftest import framewatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_pseudonymised_export_names_no_member(tmp_path):
    shutil.copy(EXAMPLES / "threads" / "velaria_forum_thread.txt", tmp_path)
    shutil.copy(EXAMPLES / "threads" / "velaria_forum_ru.txt", tmp_path)
    framewatch("ingest", "velaria_forum_thread.txt", "velaria_forum_ru.txt", "--db", "fw.db",
               "--as-of", "2025-11-20T12:00", cwd=tmp_path)
    plain = [json.loads(line) for line in framewatch("export", "--db", "fw.db", cwd=tmp_path).stdout.splitlines()]
    authors = {d["author"] for d in plain if d["author"]}
    assert len(authors) >= 4, authors

    jsonl = framewatch("export", "--db", "fw.db", "--pseudonymize-authors", cwd=tmp_path).stdout
    table = framewatch("export", "--db", "fw.db", "--format", "csv", "--pseudonymize-authors", cwd=tmp_path).stdout
    for name in authors:
        assert name.casefold() not in jsonl.casefold(), name
        assert name.casefold() not in table.casefold(), name

    masked = [json.loads(line) for line in jsonl.splitlines()]
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [d["id"] for d in masked] == [d["id"] for d in plain] == [r["id"] for r in rows]
    assert [d["author"] or "" for d in masked] == [r["author"] for r in rows], "one pseudonym per member everywhere"
    pairs = {(p["author"], m["author"]) for p, m in zip(plain, masked, strict=True) if p["author"]}
    assert len({m for _, m in pairs}) == len(authors) == len(pairs), "members stay apart and consistent"
    for before, after in zip(plain, masked, strict=True):
        assert len(after["spans"]) == len(before["spans"])
        for old, new in zip(before["spans"], after["spans"], strict=True):
            if old["layer"] in ("technique", "sentence") and not any(
                    a.casefold() in before["text"][old["start"]:old["end"]].casefold() for a in authors):
                assert after["text"][new["start"]:new["end"]] == before["text"][old["start"]:old["end"]]

    again = framewatch("export", "--db", "fw.db", "--pseudonymize-authors", cwd=tmp_path).stdout
    assert again == jsonl, "the pseudonyms are stable across exports of one store"
