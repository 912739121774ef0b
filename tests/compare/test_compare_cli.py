"""`framewatch compare` end to end on the bundled example corpus: stories across languages, the
diff's facts against labels written by hand (tests/fixtures/compare/velaria_stories.toml),
reproducibility, the stored comparison, and usage errors."""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, framewatch

GOLD = tomllib.loads((FIXTURES / "compare" / "velaria_stories.toml").read_text(encoding="utf-8"))
EVENT_OF = {d["id"]: d["event"] for d in GOLD["document"]}


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    work = tmp_path_factory.mktemp("compare")
    # From the repository root: the example configuration names its registry relative to it.
    framewatch("ingest", "--db", str(work / "fw.db"), "examples", "--config", "examples/framewatch.toml",
               "--no-analyze", cwd=REPO)
    proc = framewatch("compare", "--db", str(work / "fw.db"), "--by", "meta.viewpoint", "--config",
                      "examples/framewatch.toml", "--json", str(work / "out.json"), "--html",
                      str(work / "out.html"), "--md", str(work / "out.md"), cwd=REPO)
    return work, json.loads((work / "out.json").read_text(encoding="utf-8")), proc.stderr


def _stories_by_event(result: dict) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for story in result["stories"]:
        for external in story["external_ids"]:
            if external in EVENT_OF:
                found[EVENT_OF[external]].append(story)
    return found


def test_compare_analyses_what_ingest_left_unanalysed(compared) -> None:
    _, result, stderr = compared
    assert "analysing 49 stored document(s) without current annotations" in stderr
    assert result["stories"], stderr


def test_every_document_is_in_at_most_one_story_and_ids_are_export_ids(compared) -> None:
    work, result, _ = compared
    exported = {json.loads(line)["id"] for line in
                framewatch("export", "--db", str(work / "fw.db"), "--format", "jsonl", cwd=REPO).stdout.splitlines()}
    placed = [doc_id for story in result["stories"] for doc_id in story["documents"]]
    assert len(placed) == len(set(placed))
    assert set(placed) <= exported
    assert set(placed) | set(result["unaligned"]) == exported


def test_no_story_mixes_two_labelled_events(compared) -> None:
    _, result, _ = compared
    for story in result["stories"]:
        events = {EVENT_OF[e] for e in story["external_ids"] if e in EVENT_OF}
        assert len(events) <= 1, (story["title"], story["external_ids"])


def test_each_event_has_one_story_holding_english_and_russian_reports(compared) -> None:
    _, result, _ = compared
    by_event = _stories_by_event(result)
    for event in ("nordvostok-arrests", "market-raids"):
        assert any({"en", "ru"} <= set(s["languages"]) for s in by_event[event]), event
        biggest = max(by_event[event], key=lambda s: len(s["documents"]))
        labelled = [e for e in biggest["external_ids"] if EVENT_OF.get(e) == event]
        assert len(labelled) >= 4, (event, labelled)


def test_report_is_reproducible_and_stored_once(compared) -> None:
    work, result, _ = compared
    proc = framewatch("compare", "--db", str(work / "fw.db"), "--by", "meta.viewpoint", "--config",
                      "examples/framewatch.toml", "--json", "-", cwd=REPO)
    assert json.loads(proc.stdout) == result
    assert "already stored" in proc.stderr
    assert "analysing" not in proc.stderr  # nothing is stale the second time


def test_markdown_goes_to_stdout_when_no_file_is_named(compared) -> None:
    work, result, _ = compared
    proc = framewatch("compare", "--db", str(work / "fw.db"), "--by", "meta.viewpoint", "--config",
                      "examples/framewatch.toml", cwd=REPO)
    assert proc.stdout.startswith(f"# Comparison {result['id']}")
    assert proc.stdout == (work / "out.md").read_text(encoding="utf-8")
    assert "contested fact(s)" in proc.stderr and "contested fact(s)" not in proc.stdout


def test_explicit_groups_and_default_outlet_grouping(compared) -> None:
    work, result, _ = compared
    ids = result["stories"][0]["documents"]
    proc = framewatch("compare", "--db", str(work / "fw.db"), "--group", f"left={ids[0]}", "--group", f"right={ids[1]}",
                      "--config", "examples/framewatch.toml", "--json", "-", cwd=REPO)
    grouped = json.loads(proc.stdout)
    assert grouped["by"] == "lists"
    assert {g["name"] for g in grouped["groups"]} == {"left", "right", "unlisted"}
    by_outlet = json.loads(framewatch("compare", "--db", str(work / "fw.db"), "--config", "examples/framewatch.toml",
                                      "--json", "-", cwd=REPO).stdout)
    assert by_outlet["by"] == "outlet"
    assert "Continental Wire" in {g["name"] for g in by_outlet["groups"]}


@pytest.mark.parametrize("args, message", [
    (["--by", "colour"], "--by 'colour'"),
    (["--group", "no-equals-sign"], "--group 'no-equals-sign'"),
])
def test_usage_errors_exit_2_and_name_the_option(compared, args, message) -> None:
    work, _, _ = compared
    proc = framewatch("compare", "--db", str(work / "fw.db"), *args, cwd=REPO, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_empty_store_is_a_clear_error(tmp_path: Path) -> None:
    framewatch("ingest", "--db", "empty.db", str(tmp_path / "nothing"), cwd=tmp_path, check=False)
    proc = framewatch("compare", "--db", "empty.db", cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert "nothing to compare" in proc.stderr or "no store here" in proc.stderr


def _statements_on(result: dict, work_docs: dict[str, dict], fact: dict, records: list[str]):
    """(fact of the diff, statement) pairs whose statement cites the gold evidence of one of `records`."""
    by_external = {d["external_id"]: d for d in work_docs.values()}
    for story in result["stories"]:
        for found in story["facts"]:
            for statement in found["statements"]:
                for record in records:
                    doc = by_external.get(record)
                    evidence = fact.get("evidence", {}).get(record)
                    if doc is None or evidence is None or doc["id"] != statement["document"]:
                        continue
                    start = doc["text"].find(evidence)
                    if start < statement["end"] and statement["start"] < start + len(evidence):
                        yield found, statement


@pytest.fixture(scope="module")
def exported(compared) -> dict[str, dict]:
    work, _, _ = compared
    lines = framewatch("export", "--db", str(work / "fw.db"), "--format", "jsonl", cwd=REPO).stdout.splitlines()
    return {d["id"]: d for d in map(json.loads, lines)}


def _viewpoint(record: str, exported: dict[str, dict]) -> str:
    return next(d["meta"].get("viewpoint", "unknown") for d in exported.values() if d["external_id"] == record)


def test_diff_names_facts_one_side_reports_and_the_other_leaves_out(compared, exported) -> None:
    _, result, _ = compared
    one_sided = [f for f in GOLD["fact"] if f["id"] in
                 ("encrypted-phones-seized", "cameraman-68-heart-condition", "court-warrant")]
    assert len(one_sided) == 3
    for fact in one_sided:
        reporters = {_viewpoint(r, exported) for r in fact["reported_by"]} - {"neutral", "unknown"}
        silent = {"pro-velaria", "pro-moscow"} - reporters
        matches = [(found, st) for found, st in _statements_on(result, exported, fact, fact["reported_by"])
                   if found["contested"] and st["group"] in reporters]
        assert matches, f"{fact['id']}: no contested fact cites its evidence"
        found, statement = matches[0]
        assert statement["status"] in ("asserted", "alleged")
        assert statement["text"] in exported[statement["document"]]["text"]
        left_out = set(found["omitted_by"]) | set(found["questioned_by"]) | set(found["denied_by"])
        assert silent <= left_out, (fact["id"], found)


def test_diff_records_denials_with_their_evidence(compared, exported) -> None:
    _, result, _ = compared
    denied = [(fact, st) for fact in GOLD["fact"] if fact.get("denied_by")
              for _, st in _statements_on(result, exported, fact, fact["denied_by"])]
    assert denied
    doubted = [st for _, st in denied if st["status"] in ("denied", "questioned", "alleged")]
    # Every denial the claims stage can read as one is kept as such in the diff, with its words.
    assert len(doubted) >= len(denied) / 2, [(f["id"], st["status"], st["text"]) for f, st in denied]
    assert any(st["status"] == "denied" for st in doubted)
