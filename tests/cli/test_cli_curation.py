"""Curation reaches analysis: stored merge decisions and a user registry change later runs."""

from __future__ import annotations

from conftest import export, framewatch

TEXT = "Headline\n\nPolice detained Marta Kovalenko in Kalmora on Monday. Kovalenko denies the charge.\n"


def mentions(doc: dict) -> dict[str, dict]:
    return {doc["text"][s["start"]:s["end"]]: s["attrs"] for s in doc["spans"] if s["layer"] == "mention"}


def test_a_stored_merge_is_applied_by_the_next_analysis(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    framewatch("ingest", "a.txt", "--db", "fw.db", cwd=tmp_path)
    [doc] = export(tmp_path)
    assert mentions(doc)["Marta Kovalenko"]["actor_id"] == "person:~marta-kovalenko"
    framewatch("actors", "merge", "person:~marta-kovalenko", "person:ilham-aliyev", "--db", "fw.db", cwd=tmp_path)
    decisions = framewatch("actors", "show", "person:ilham-aliyev", "--db", "fw.db", "--json", cwd=tmp_path)
    assert "marta" in decisions.stdout.lower()
    framewatch("analyze", "--db", "fw.db", cwd=tmp_path)
    [doc] = export(tmp_path)
    attrs = mentions(doc)["Kovalenko"]
    assert attrs["actor_id"] == "person:ilham-aliyev" and attrs["found_as"] == "person:~marta-kovalenko"
    assert {"person:ilham-aliyev"} <= {a["id"] for a in doc["actors"]}


def test_a_user_registry_names_actors_no_gazetteer_knows(tmp_path):
    (tmp_path / "actors.toml").write_text(
        '[[actor]]\nid = "person:marta-kovalenko"\ntype = "PERSON"\nlabel = "Marta Kovalenko"\n'
        'names = { en = ["Marta Kovalenko"], ru = ["Марта Коваленко"] }\n'
        '[[actor]]\nid = "city:vl-kalmora"\ntype = "PLACE"\nlabel = "Kalmora"\n'
        'names = { en = ["Kalmora"], ru = ["Калмора"] }\n', encoding="utf-8")
    (tmp_path / "framewatch.toml").write_text('[actors]\nregistry = "actors.toml"\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    framewatch("ingest", "a.txt", "--db", "fw.db", cwd=tmp_path)
    [doc] = export(tmp_path)
    found = mentions(doc)
    assert found["Marta Kovalenko"]["actor_id"] == "person:marta-kovalenko"
    assert found["Marta Kovalenko"]["source"] == "user"
    assert found["Kovalenko"]["actor_id"] == "person:marta-kovalenko"
    assert found["Kalmora"]["actor_id"] == "city:vl-kalmora"


def test_suggested_merges_join_one_person_across_scripts(tmp_path):
    (tmp_path / "en.txt").write_text("Headline\n\nPolice detained Anton Kiselyov on Monday.\n", encoding="utf-8")
    (tmp_path / "ru.txt").write_text("Заголовок\n\nАдвокаты Антона Киселёва заявили о давлении.\n", encoding="utf-8")
    framewatch("ingest", "en.txt", "ru.txt", "--db", "fw.db", cwd=tmp_path)
    listed = framewatch("actors", "list", "--db", "fw.db", "--json", cwd=tmp_path).stdout
    assert "person:~anton-kiselyov" in listed and "person:~anton-kiselev" in listed
    suggested = framewatch("actors", "suggest", "--db", "fw.db", "--json", "--apply", cwd=tmp_path)
    assert '"into": "person:~anton-kiselev"' in suggested.stdout
    framewatch("analyze", "--db", "fw.db", cwd=tmp_path)
    ids = {s["attrs"]["actor_id"] for d in export(tmp_path) for s in d["spans"] if s["layer"] == "mention"}
    assert "person:~anton-kiselev" in ids and "person:~anton-kiselyov" not in ids
