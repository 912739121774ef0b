"""`framewatch actors list|show|merge|split` as a user runs them: real processes on a real store file whose
documents carry mention spans (written here directly, as the actors stage would), stdout for the data,
stderr for confirmations and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import actor_corpus, framewatch
from framewatch.model import AnalysisRun
from framewatch.store import open_store


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    docs = actor_corpus()
    run = AnalysisRun("actors-cli-run", "2025-12-01T12:00:00+00:00", "0.1.0", {"actors": "1"}, {}, "cfg", "analyze")
    with open_store(tmp_path / "fw.db") as store:
        store.add_documents(docs, run, layers=("mention",))
    return tmp_path


def listed(cwd: Path, *args: str) -> dict[str, dict]:
    proc = framewatch("actors", "list", "--db", "fw.db", "--json", *args, cwd=cwd)
    return {item["id"]: item for item in map(json.loads, proc.stdout.splitlines())}


def test_list_counts_mentions_and_filters(store_dir: Path) -> None:
    actors = listed(store_dir)
    assert set(actors) == {"person:ilham-aliyev", "person:recep-tayyip-erdogan", "gov:az", "city:az-baku",
                           "person:~abdullo-ibragimli", "person:~ibragimli"}
    aliyev = actors["person:ilham-aliyev"]
    assert (aliyev["mentions"], aliyev["documents"], aliyev["type"], aliyev["source"]) == (3, 2, "PERSON", "builtin")
    assert set(aliyev["names"]) == {"Ilham Aliyev", "Aliyev", "Ильхам Алиев"}
    assert actors["person:~abdullo-ibragimli"]["source"] == "discovered"
    assert set(listed(store_dir, "--source", "discovered")) == {"person:~abdullo-ibragimli", "person:~ibragimli"}
    assert set(listed(store_dir, "--type", "place")) == {"city:az-baku"}

    proc = framewatch("actors", "list", "--db", "fw.db", cwd=store_dir)
    assert "person:ilham-aliyev" in proc.stdout and "Ilham Aliyev" in proc.stdout
    assert "6 actor(s)" in proc.stderr and "actor(s)" not in proc.stdout

    everything = listed(store_dir, "--all")
    assert len(everything) > 1000
    assert everything["person:vladimir-putin"]["mentions"] == 0
    assert everything["person:ilham-aliyev"]["mentions"] == 3


def test_show_prints_record_names_and_mentions(store_dir: Path) -> None:
    proc = framewatch("actors", "show", "person:ilham-aliyev", "--db", "fw.db", "--json", cwd=store_dir)
    shown = json.loads(proc.stdout)
    assert shown["id"] == "person:ilham-aliyev" and shown["type"] == "PERSON" and shown["source"] == "builtin"
    assert shown["record"]["affiliation"] == "gov:az" and shown["record"]["roles"] == ["head_of_state"]
    assert {"name": "Ильхам Алиев", "kind": "name"} in shown["names"]["ru"]
    assert "en" in shown["names"]
    assert shown["mention_count"] == 3 and shown["documents"] == 2
    first = shown["mentions"][0]
    assert first["snippet"].startswith("[Ilham Aliyev] met Erdogan")
    assert first["start"] == 0 and first["end"] == 12 and first["doc_id"]
    second = shown["mentions"][1]
    assert "Monday. Later [Aliyev] said Baku" in second["snippet"]  # one line, newline folded
    assert second["snippet"].startswith("…")

    text = framewatch("actors", "show", "person:ilham-aliyev", "--db", "fw.db", cwd=store_dir).stdout
    assert "names (ru): Ильхам Алиев (name)" in text
    assert "[Ilham Aliyev] met Erdogan" in text
    assert "mentions: 3 in 2 document(s)" in text


def test_merge_moves_mentions_and_is_kept(store_dir: Path) -> None:
    proc = framewatch("actors", "merge", "person:~ibragimli", "person:~abdullo-ibragimli", "--db", "fw.db",
                      "--note", "surname only", cwd=store_dir)
    assert proc.stdout == ""
    assert "merged person:~ibragimli into person:~abdullo-ibragimli" in proc.stderr
    assert "1 stored mention(s) now count as person:~abdullo-ibragimli" in proc.stderr
    actors = listed(store_dir)
    assert "person:~ibragimli" not in actors
    assert actors["person:~abdullo-ibragimli"]["mentions"] == 3
    assert actors["person:~abdullo-ibragimli"]["merged"] == ["person:~ibragimli"]

    shown = json.loads(framewatch("actors", "show", "person:~ibragimli", "--db", "fw.db", "--json",
                                  cwd=store_dir).stdout)
    assert shown["merged_into"] == "person:~abdullo-ibragimli" and shown["mention_count"] == 0
    assert shown["decisions"][0]["note"] == "surname only"
    with open_store(store_dir / "fw.db") as store:
        assert [(d["kind"], d["actor_id"], d["into"]) for d in store.decisions()] == [
            ("merge", "person:~ibragimli", "person:~abdullo-ibragimli")]

    # the other way round would be a cycle: refused, nothing stored
    back = framewatch("actors", "merge", "person:~abdullo-ibragimli", "person:~ibragimli", "--db", "fw.db",
                      cwd=store_dir, check=False)
    assert back.returncode == 1
    assert "cycle" in back.stderr and back.stdout == ""
    itself = framewatch("actors", "merge", "gov:az", "gov:az", "--db", "fw.db", cwd=store_dir, check=False)
    assert itself.returncode == 1 and "cannot merge gov:az into itself" in itself.stderr


def test_split_moves_mentions_named_so(store_dir: Path) -> None:
    proc = framewatch("actors", "split", "gov:az", "--name", "baku", "--into", "city:az-baku", "--db", "fw.db",
                      cwd=store_dir)
    assert "split 2 mention(s) named 'baku' off gov:az into city:az-baku" in proc.stderr
    actors = listed(store_dir)
    assert "gov:az" not in actors
    assert actors["city:az-baku"]["mentions"] == 3 and actors["city:az-baku"]["documents"] == 2

    # without --into, a new discovered actor named after the surface text
    proc = framewatch("actors", "split", "person:ilham-aliyev", "--name", "Aliyev", "--db", "fw.db", cwd=store_dir)
    assert "into person:~aliyev" in proc.stderr
    actors = listed(store_dir)
    assert actors["person:~aliyev"]["mentions"] == 1 and actors["person:ilham-aliyev"]["mentions"] == 2

    missing = framewatch("actors", "split", "person:ilham-aliyev", "--name", "Heydar", "--db", "fw.db",
                         cwd=store_dir, check=False)
    assert missing.returncode == 1
    assert "no stored mention of person:ilham-aliyev is named 'Heydar'" in missing.stderr
    assert "'Ilham Aliyev'" in missing.stderr


@pytest.mark.parametrize("args", [
    ("show", "person:nobody"),
    ("merge", "person:nobody", "person:ilham-aliyev"),
    ("merge", "person:ilham-aliyev", "person:nobody"),
    ("split", "person:nobody", "--name", "Nobody"),
])
def test_unknown_actor_is_exit_1_with_a_clear_message(store_dir: Path, args: tuple[str, ...]) -> None:
    proc = framewatch("actors", *args, "--db", "fw.db", cwd=store_dir, check=False)
    assert proc.returncode == 1
    assert "'person:nobody': not in the actor registry and no stored mention names it" in proc.stderr
    assert proc.stdout == ""
    with open_store(store_dir / "fw.db") as store:
        assert store.decisions() == []


def test_close_id_is_suggested(store_dir: Path) -> None:
    proc = framewatch("actors", "show", "person:ilham-aliev", "--db", "fw.db", cwd=store_dir, check=False)
    assert proc.returncode == 1 and "did you mean person:ilham-aliyev" in proc.stderr


def test_bad_options_and_missing_store(store_dir: Path) -> None:
    proc = framewatch("actors", "list", "--db", "fw.db", "--type", "ANIMAL", cwd=store_dir, check=False)
    assert proc.returncode == 2 and "--type 'ANIMAL'" in proc.stderr
    proc = framewatch("actors", "list", "--db", "fw.db", "--source", "magic", cwd=store_dir, check=False)
    assert proc.returncode == 2 and "--source 'magic'" in proc.stderr
    proc = framewatch("actors", "list", "--db", "absent.db", cwd=store_dir, check=False)
    assert proc.returncode == 2 and "no store here" in proc.stderr
    assert not (store_dir / "absent.db").exists()


def test_user_registry_from_the_config(store_dir: Path) -> None:
    (store_dir / "my-actors.toml").write_text(
        '[[actor]]\nid = "person:abdullo-ibragimli"\nlabel = "Abdullo Ibragimli"\ncountry = "country:az"\n'
        'names = { ru = ["Абдулло Ибрагимли"] }\n\n'
        '[[actor]]\nid = "person:ilham-aliyev"\nlabel = "President Ilham Aliyev"\n', encoding="utf-8")
    (store_dir / "framewatch.toml").write_text('[actors]\nregistry = "my-actors.toml"\n', encoding="utf-8")
    actors = listed(store_dir)
    assert actors["person:ilham-aliyev"]["label"] == "President Ilham Aliyev"
    assert actors["person:ilham-aliyev"]["source"] == "user"
    # promote the discovered actor to the user's curated one
    framewatch("actors", "merge", "person:~abdullo-ibragimli", "person:abdullo-ibragimli", "--db", "fw.db",
               cwd=store_dir)
    shown = json.loads(framewatch("actors", "show", "person:abdullo-ibragimli", "--db", "fw.db", "--json",
                                  cwd=store_dir).stdout)
    assert shown["source"] == "user" and shown["record"]["country"] == "country:az"
    assert shown["names"]["ru"] == [{"name": "Абдулло Ибрагимли", "kind": "name"}]
    assert shown["mention_count"] == 2
    assert {m["stored_actor_id"] for m in shown["mentions"]} == {"person:~abdullo-ibragimli"}


def test_malformed_user_registry_is_an_error_naming_the_file(store_dir: Path) -> None:
    (store_dir / "broken.toml").write_text('[[actor]]\nid = "person:x"\ntype = "ORG"\n', encoding="utf-8")
    (store_dir / "framewatch.toml").write_text('[actors]\nregistry = "broken.toml"\n', encoding="utf-8")
    for args in (("list",), ("show", "gov:az"), ("merge", "person:~ibragimli", "person:~abdullo-ibragimli")):
        proc = framewatch("actors", *args, "--db", "fw.db", cwd=store_dir, check=False)
        assert proc.returncode == 2, args
        assert "broken.toml" in proc.stderr and "does not fit its prefix" in proc.stderr
        assert proc.stdout == ""
    (store_dir / "framewatch.toml").write_text('[actors]\nregistry = "gone.toml"\n', encoding="utf-8")
    proc = framewatch("actors", "list", "--db", "fw.db", cwd=store_dir, check=False)
    assert proc.returncode == 2 and "gone.toml: actor registry file not found" in proc.stderr
