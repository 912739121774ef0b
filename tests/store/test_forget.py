"""`forget_author` and `framewatch forget`: a forum member's posts go with everything derived from them,
on both back ends, and on SQLite not even the file's free pages keep their words."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from storetools import make_run, scalar

from conftest import export, framewatch, mention
from framewatch.model import Document
from framewatch.store import Store, open_store
from framewatch.store.sqlite import SQLiteStore

MEMBER = "Тимур_К"
PHRASE = "Квазиоблачный понедельник"  # a phrase only the member wrote
THREAD = f"""{MEMBER}
28.11.2025, 19:03
Мой сосед Лука Варин торговал на рынке в Самаре. {PHRASE} запомнится надолго.

Ольга
28.11.2025, 20:00
{MEMBER} писал(а):
{PHRASE} запомнится надолго.

Соболезную. Алиева тоже задержали вчера в Баку.

{MEMBER}
29.11.2025, 08:00
Спасибо, Ольга. Снова пишу про Самару и про Алиева.
"""


def member_corpus(store: Store) -> dict[str, Document]:
    """The member's post in two versions, a quoted copy, a reply quoting it, an edit by a moderator of
    one of the member's posts, a page archive shared with another member, and two comparisons."""
    page = f"<html>{PHRASE} ... Ольга: Соболезную.</html>".encode()
    sha = hashlib.sha256(page).hexdigest()
    store.add_archive(sha256=sha, requested_url="https://forum.example/t/1", final_url="https://forum.example/t/1",
                      status=200, content_type="text/html", fetched_at="2025-12-01T12:00:00", body=page)
    text = f"{PHRASE} запомнится надолго, сказал Алиев."
    docs = {
        "v1": Document(f"{PHRASE}.", kind="post", author=MEMBER, source_key="t#1", published="2025-11-28"),
        "quote": Document(f"{PHRASE}.", kind="quote", author=MEMBER, source_key="t#2#quote-1"),
        "other": Document("Соболезную. Алиева тоже задержали.", kind="post", author="Ольга", source_key="t#2"),
        "mod": Document("Текст удалён модератором.", kind="post", author="Модератор", source_key="t#3"),
        "unrelated": Document("Погода в Баку хорошая.", kind="article", outlet="Wire", source_key="w"),
    }
    docs["other"].quotes = [docs["quote"].assign_id()]
    store.add_documents([docs["v1"], docs["quote"], docs["other"]], make_run(), archive_sha256=sha)
    docs["v2"] = Document(text, kind="post", author=MEMBER, source_key="t#1", published="2025-11-28",
                          spans=[mention(text, "Алиев", "person:ilham-aliyev", "PERSON")])
    store.add_documents([docs["v2"]], make_run(), layers=("mention",))
    # The member's post t#3, then the moderator's edit of it: a later version by someone else.
    docs["t3"] = Document(f"Ещё раз: {PHRASE}!", kind="post", author=MEMBER, source_key="t#3")
    store.add_documents([docs["t3"]], make_run())
    store.add_documents([docs["mod"], docs["unrelated"]], make_run())
    ids = {key: doc.id for key, doc in docs.items()}
    store.add_comparison({"id": "c-with", "by": "author", "groups": [{"documents": [ids["v2"], ids["other"]]}],
                          "stories": [{"facts": [{"text": PHRASE}]}]}, "hash")
    store.add_comparison({"id": "c-without", "by": "author", "groups": [{"documents": [ids["unrelated"]]}],
                          "stories": []}, "hash")
    return docs


@pytest.fixture
def store(store_url: str):
    with open_store(store_url) as opened:
        yield opened


def test_forgetting_a_member_deletes_their_posts_and_all_derived_from_them(store: Store) -> None:
    docs = member_corpus(store)
    assert docs["mod"].previous_id == docs["t3"].id and docs["v2"].previous_id == docs["v1"].id
    assert store.search_count("квазиоблачный") == 2  # v2 and the quote; t3 was edited away
    before = store.summary()

    result = store.forget_author(MEMBER)

    assert result == {"author": MEMBER, "documents": 4, "spans": 1, "layer_runs": 1, "comparisons": 1,
                      "archives": 1, "archive_pointers_cleared": 1, "versions_relinked": 1,
                      "quoting_documents": 1, "similar_authors": []}
    for key in ("v1", "v2", "quote", "t3"):
        assert store.get(docs[key].id) is None
    assert store.search("квазиоблачный") == [] and store.search_count('"запомнится надолго"') == 0
    assert store.authors() == ["Модератор", "Ольга"]
    assert [c["id"] for c in store.comparisons()] == ["c-without"]
    assert store.archive(next(iter({r[0] for r in store._execute("SELECT sha256 FROM archives")}), "")) is None
    assert scalar(store, "SELECT count(*) FROM archives") == 0
    assert store.actor_mentions("person:ilham-aliyev") is not None
    assert list(store.actor_mentions("person:ilham-aliyev")) == []
    # What others wrote stays, searchable; the reply still names the quoted post by id only.
    other = store.get(docs["other"].id)
    assert other is not None and other.text == docs["other"].text and other.quotes == [docs["quote"].id]
    assert scalar(store, "SELECT archive_sha256 FROM documents WHERE id = ?", docs["other"].id) is None
    assert {h.document.id for h in store.search("Алиев")} == {docs["other"].id}
    # The moderator's edit of a deleted post is now a first version, and the latest.
    moderated = store.get(docs["mod"].id)
    assert moderated is not None and moderated.previous_id is None
    assert {d.id for d in store.iter_documents()} == {docs[k].id for k in ("other", "mod", "unrelated")}
    assert scalar(store, "SELECT count(*) FROM search_index") == 3
    after = store.summary()
    assert (after["documents"], after["versions"]) == (3, before["versions"] - 4)
    assert store.forget_author(MEMBER)["documents"] == 0  # nothing left to forget


def test_an_earlier_version_by_someone_else_is_the_latest_again(store: Store) -> None:
    earlier = Document("Первая редакция Ольги про Баку.", author="Ольга", source_key="t#9")
    later = Document(f"{PHRASE}: правка участника.", author=MEMBER, source_key="t#9")
    store.add_documents([earlier], make_run())
    store.add_documents([later], make_run())
    assert store.search("Баку") == [] and store.count() == 1  # only the latest version is searched
    assert store.forget_author(MEMBER)["documents"] == 1
    assert [d.id for d in store.iter_documents()] == [earlier.id]
    assert [h.document.id for h in store.search("Баку")] == [earlier.id]
    assert scalar(store, "SELECT count(*) FROM search_index") == 1


def test_a_dry_run_only_counts(store: Store) -> None:
    docs = member_corpus(store)
    before = [d.to_export() for d in store.iter_documents(latest_only=False)]
    plan = store.forget_author(MEMBER, dry_run=True)
    assert plan["documents"] == 4 and plan["comparisons"] == 1
    assert [d.to_export() for d in store.iter_documents(latest_only=False)] == before
    assert len(store.comparisons()) == 2 and store.get(docs["v2"].id) is not None


def test_the_name_must_match_exactly_and_close_spellings_are_reported(store: Store) -> None:
    member_corpus(store)
    store.add_documents([Document("Другой человек.", author=" тимур_к ", source_key="x")], make_run())
    result = store.forget_author("тимур_к")
    assert result["documents"] == 0
    assert result["similar_authors"] == [" тимур_к ", MEMBER]
    assert store.forget_author(" тимур_к ")["similar_authors"] == [MEMBER]
    assert store.forget_author(MEMBER)["documents"] == 4


# -- the file keeps nothing (SQLite: the file is the store; a PostgreSQL server's files are its own) --


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


@contextmanager
def _without_erasing():
    """The store as it would be without secure_delete and the index merge: a control for the check."""
    patch = pytest.MonkeyPatch()

    @contextmanager
    def plain(self: SQLiteStore):
        self._conn.execute("PRAGMA secure_delete=OFF")
        yield

    patch.setattr(SQLiteStore, "_erasing", plain)
    patch.setattr(SQLiteStore, "_purge", lambda self: None)
    try:
        yield
    finally:
        patch.undo()


def test_the_store_file_keeps_no_trace_of_the_forgotten_words(tmp_path: Path) -> None:
    words = [w.encode() for w in (PHRASE, "Квазиоблачный", "квазиоблачн")]
    for erase in (False, True):
        path = tmp_path / f"erase-{erase}" / "fw.db"
        with open_store(path) as store:
            docs = member_corpus(store)
            for doc in store.iter_documents():  # an analysis rewrites rows: older copies go to free space
                doc.meta["analysed"] = True
            store.add_analysis(list(store.iter_documents()), make_run())
            assert PHRASE.encode() in _file_bytes(path)
            if erase:
                store.forget_author(MEMBER)
            else:
                with _without_erasing():
                    store.forget_author(MEMBER)
            content = _file_bytes(path)  # the WAL too, while the store is open
            assert store.get(docs["other"].id) is not None and "Соболезную".encode() in content
        if erase:
            assert not any(word in content for word in words)
        else:  # the check sees what an ordinary delete leaves behind
            assert any(word in content for word in words)


# -- framewatch forget ----------------------------------------------------------------------------


def test_framewatch_forget_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "thread.txt").write_text(THREAD, encoding="utf-8")
    framewatch("ingest", "thread.txt", "--db", "fw.db", "--as-of", "2025-12-01T12:00", cwd=tmp_path)
    framewatch("compare", "--db", "fw.db", "--by", "author", "--json", "cmp.json", cwd=tmp_path)
    hits = framewatch("search", "квазиоблачный", "--db", "fw.db", "--json", cwd=tmp_path).stdout.splitlines()
    assert len(hits) == 2
    before = export(tmp_path)
    assert {d["author"] for d in before} == {MEMBER, "Ольга"}

    missing = framewatch("forget", "--db", "fw.db", "--author", "тимур_к", "--yes", cwd=tmp_path, check=False)
    assert missing.returncode == 1
    assert "no document has the author 'тимур_к'" in missing.stderr and repr(MEMBER) in missing.stderr

    refused = subprocess.run([sys.executable, "-m", "framewatch", "forget", "--db", "fw.db", "--author", MEMBER],
                             cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "would delete 3 document(s)" in refused.stderr
    dry = framewatch("forget", "--db", "fw.db", "--author", MEMBER, "--dry-run", cwd=tmp_path)
    assert json.loads(dry.stdout)["documents"] == 3
    assert export(tmp_path) == before

    done = framewatch("forget", "--db", "fw.db", "--author", MEMBER, "--yes", cwd=tmp_path)
    counts = json.loads(done.stdout)
    assert (counts["documents"], counts["comparisons"], counts["quoting_documents"]) == (3, 1, 1)
    assert counts["spans"] > 0 and "deleted 3 document(s)" in done.stderr
    after = export(tmp_path)
    assert [d["author"] for d in after] == ["Ольга"]
    assert PHRASE not in json.dumps(after, ensure_ascii=False) and "Самаре" not in json.dumps(after, ensure_ascii=False)
    assert framewatch("search", "квазиоблачный", "--db", "fw.db", cwd=tmp_path).stdout == ""
    assert framewatch("search", "Алиев", "--db", "fw.db", "--json", cwd=tmp_path).stdout.count("\n") == 1
    content = _file_bytes(tmp_path / "fw.db")
    assert PHRASE.encode() not in content and "Самаре".encode() not in content
    assert "Соболезную".encode() in content
    again = framewatch("forget", "--db", "fw.db", "--author", MEMBER, "--yes", cwd=tmp_path, check=False)
    assert again.returncode == 1
