"""`serve --pseudonymize-authors`: no page, API answer or export shows a member's name, and one member
keeps one pseudonym everywhere."""

from __future__ import annotations

import re

import pytest

from framewatch.privacy import Pseudonymizer
from framewatch.store import open_store
from framewatch.web.pseudonyms import Redactor
from web.live import serving

MEMBER = "Marko_V"  # a forum member of the example thread, quoted by name in another post


@pytest.fixture(scope="module")
def pseudonymized(store_path):
    with serving(store_path, pseudonymize=True) as live, live.client() as session:
        yield session


@pytest.fixture(scope="module")
def authors(store_path) -> list[str]:
    with open_store(store_path) as store:
        names = store.authors()
    assert MEMBER in names
    return names


def _paths(session) -> list[str]:
    docs = session.get("/api/documents", params={"limit": 500}).json()["items"]
    actors = session.get("/api/actors", params={"limit": 500}).json()["items"]
    comparison = session.post("/api/comparisons", json={"by": "author"}).json()["id"]
    paths = ["/", "/documents", "/actors", "/stories", f"/stories/{comparison}", f"/api/comparisons/{comparison}",
             "/export.jsonl", "/export.csv", "/api/overview", "/api/sources", "/api/volume?by=author"]
    for by in ("source", "author"):
        paths += [f"/techniques?by={by}", f"/narratives?by={by}", f"/api/techniques?by={by}",
                  f"/api/narratives?by={by}", f"/api/roles?by={by}"]
    paths += [f"/documents/{d['id']}" for d in docs] + [f"/api/documents/{d['id']}" for d in docs]
    paths += [f"/actors/{a['id']}" for a in actors[:25]] + [f"/api/actors/{a['id']}/mentions" for a in actors[:25]]
    paths += ["/search?q=Velaria", "/api/search?q=Калмора&limit=100", "/api/search?q=wrote&limit=100"]
    return paths


def test_no_member_name_on_any_page_or_export(pseudonymized, authors) -> None:
    session = pseudonymized
    for path in _paths(session):
        response = session.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        text = response.text
        for name in authors:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            assert not pattern.search(text), f"{name!r} on {path}"


def test_one_member_one_pseudonym_everywhere(pseudonymized) -> None:
    session = pseudonymized
    quotes = session.get("/api/documents", params={"kind": "quote", "limit": 50}).json()["items"]
    names = {q["author"] for q in quotes}
    assert names and all(n.startswith("member-") for n in names)
    pseudonym = quotes[0]["author"]
    # The pseudonym works as a filter, and the export says the same.
    by_author = session.get("/api/documents", params={"author": pseudonym}).json()
    assert by_author["total"] >= 1 and {d["author"] for d in by_author["items"]} == {pseudonym}
    exported = session.get("/export.jsonl", params={"author": pseudonym}).text
    assert pseudonym in exported and len(exported.splitlines()) == by_author["total"]
    page = session.get(f"/documents/{quotes[0]['id']}").text
    assert pseudonym in page


def test_pseudonymized_spans_still_cite_the_shown_text(pseudonymized) -> None:
    session = pseudonymized
    for item in session.get("/api/documents", params={"limit": 60}).json()["items"]:
        doc = session.get(f"/api/documents/{item['id']}").json()
        for span in doc["spans"]:
            assert 0 <= span["start"] <= span["end"] <= len(doc["text"])
            if span["layer"] == "mention":
                assert doc["text"][span["start"]:span["end"]].strip()


def test_pseudonymized_pages_in_the_browser(browser, store_path, authors, screenshots) -> None:
    with serving(store_path, pseudonymize=True) as live:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live.url}/documents?kind=quote")
        page.locator("table.wide a").first.click()
        page.wait_for_url("**/documents/d*")
        page.screenshot(path=str(screenshots / "web-pseudonymized-quote.png"), full_page=True)
        body = page.inner_text("body")
        assert "member-" in page.locator("table.docmeta").inner_text()
        assert "Authors are shown as pseudonyms" in body
        for path in ("/", "/techniques?by=author", "/search?q=wrote"):
            page.goto(live.url + path)
            body = page.inner_text("body")
            assert not [name for name in authors if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body, re.I)], path
        page.close()


def test_search_runs_on_what_the_pages_show(pseudonymized, client, store_path, authors) -> None:
    """A member's name finds nothing, since no page shows it (a hit would tell where it stands); the
    member's pseudonym finds what the name finds without pseudonyms, shown with the pseudonym."""
    plain = client.get("/api/search", params={"q": MEMBER, "limit": 100}).json()
    assert plain["total"] > 0
    for query in (MEMBER, MEMBER.upper(), f"{MEMBER} wrote"):
        hidden = pseudonymized.get("/api/search", params={"q": query}).json()
        assert hidden["total"] == 0 and hidden["items"] == [], query
        page = pseudonymized.get("/search", params={"q": query})
        assert page.status_code == 200 and "0 document(s) match" in page.text and "<li>" not in page.text
    with open_store(store_path) as store:
        pseudonym = Pseudonymizer(store.pseudonym_key(), authors).name(MEMBER)
    found = pseudonymized.get("/api/search", params={"q": pseudonym, "limit": 100}).json()
    assert found["total"] == plain["total"]
    assert {item["id"] for item in found["items"]} == {item["id"] for item in plain["items"]}
    assert all(item["author"] in (None, pseudonym) or pseudonym in item["snippet"] for item in found["items"])
    assert not any(MEMBER.lower() in item["snippet"].lower() for item in found["items"])


def test_a_snippet_match_splitting_a_name_marks_its_pseudonym() -> None:
    """Search marks `Marko_V` as two words; the name is still replaced and the mark covers the pseudonym."""
    redactor = Redactor(Pseudonymizer(b"k" * 16, [MEMBER]), [MEMBER])
    pseudonym = Pseudonymizer(b"k" * 16).name(MEMBER)
    text, marks = redactor.marked("…AM)Marko_V Wrote: yes", [[4, 9], [10, 11], [12, 17]])
    assert text == f"…AM){pseudonym} Wrote: yes"
    assert marks == [[4, 4 + len(pseudonym)], [5 + len(pseudonym), 10 + len(pseudonym)]]
    assert Redactor().marked("Marko_V", [[0, 5]]) == ("Marko_V", [[0, 5]])


def test_a_pseudonym_in_a_query_stands_for_the_members_words_only() -> None:
    """A member's name may hold search operators (`*`, `"`): the query gets its words, as a phrase."""
    names = ['Ivan "Petrov*', MEMBER]
    pseudonymizer = Pseudonymizer(b"k" * 16, names)
    redactor = Redactor(pseudonymizer, names)
    assert redactor.search_query(pseudonymizer.name('Ivan "Petrov*')) == '"Ivan Petrov"'
    assert redactor.search_query(f"{pseudonymizer.name(MEMBER)} wrote") == '"Marko_V" wrote'
    assert redactor.search_query(f'"{pseudonymizer.name(MEMBER)} wrote"') == '"Marko_V wrote"'
    assert redactor.search_query("marko_v wrote") is None
    assert redactor.search_query("member-0000000000") == "member-0000000000"  # nobody's pseudonym
