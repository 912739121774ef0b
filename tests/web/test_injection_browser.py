"""Document text is untrusted. Documents whose text, title, author, outlet, address and metadata carry
script and HTML payloads (one in Russian) are ingested through the API, then every page type is
opened in headless Chromium: no script runs, no markup is injected, and the payload reads as text."""

from __future__ import annotations

import pytest

SCRIPT = "<script>window.__pwned = 1; alert(1)</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
BREAK = '"><svg onload="window.__pwned = 3">'
TEXTAREA = "</textarea><script>window.__pwned = 4</script>"
QUOTE = "' onmouseover='window.__pwned = 5' x='"
RECORDS = [
    {"id": "evil-en", "outlet": f"Evil Outlet {BREAK}", "author": f"Mallory {IMG}", "language": "en",
     "published": "2025-11-26", "title": f"Kalmora police {SCRIPT}",
     "url": "javascript:window.__pwned = 6",
     "viewpoint": f"neutral {TEXTAREA}", "note": QUOTE,
     "text": (f"Police in Kalmora detained five activists on Tuesday, the Interior Ministry said. {SCRIPT} "
              f"{IMG} {BREAK} {TEXTAREA} {QUOTE} Russia denied that it had organised the march. "
              "Read more at javascript:window.__pwned=7 or <a href=\"javascript:window.__pwned=8\">here</a>.")},
    {"id": "evil-ru", "outlet": f"Злой Вестник {SCRIPT}", "author": f"Иван {BREAK}", "language": "ru",
     "published": "2025-11-26", "title": f"Задержания в Калморе {IMG}", "viewpoint": f"pro-moscow {QUOTE}",
     "text": (f"Полиция Калморы задержала пятерых активистов во вторник, сообщило МВД. {SCRIPT} {IMG} "
              f"{TEXTAREA} Россия отрицает, что организовала марш. «{BREAK}»")},
]


@pytest.fixture(scope="module")
def evil(client) -> dict[str, str]:
    result = client.post("/api/documents", json=RECORDS).json()
    assert result["added"] == 2, result
    comparison = client.post("/api/comparisons", json={"by": "meta.viewpoint"}).json()
    return {"en": result["ids"][0], "ru": result["ids"][1], "comparison": comparison["id"]}


def _pages(client, evil: dict[str, str]) -> list[str]:
    doc = client.get(f"/api/documents/{evil['en']}").json()
    mentioned = next(a["id"] for a in doc["actors"] if a.get("role") != "author")
    return [
        "/", "/documents", "/documents?author=" + RECORDS[0]["author"], f"/documents/{evil['en']}",
        f"/documents/{evil['ru']}", f"/documents/{evil['en']}?start=0&end=40", "/actors",
        f"/actors/{mentioned}", "/techniques?by=author", "/techniques?by=outlet", "/narratives?by=outlet",
        "/search?q=Kalmora+police", "/search?q=Калмора&lang=ru", "/search?q=script", "/stories",
        f"/stories/{evil['comparison']}", "/documents/%3Cscript%3Ewindow.__pwned%3D9%3C%2Fscript%3E",
    ]


def _watched(browser):
    """A new page, the dialogs it opens and the errors it logs."""
    page = browser.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, dialogs, errors


def test_no_payload_runs_on_any_page(browser, server, client, evil) -> None:
    for path in _pages(client, evil):
        page, dialogs, errors = _watched(browser)
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        for hit in page.locator(".hit").all()[:40]:  # hover handlers would run here
            hit.hover()
        assert page.evaluate("window.__pwned") is None, path
        assert not dialogs, (path, dialogs)
        # A payload that reached the markup would at least trip the CSP, which logs an error.
        assert not [e for e in errors if "404" not in e], (path, errors)
        assert page.locator("img, iframe, object, embed, main svg:not(.chart)").count() == 0, path
        assert page.locator("script").count() == 1 and page.locator("script").get_attribute("src") == "/static/app.js"
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        assert page.locator("[onerror], [onload], [onmouseover]").count() == 0, path
        page.close()


def test_payloads_read_as_text(browser, server, evil, screenshots) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/documents/{evil['en']}")
    page.screenshot(path=str(screenshots / "web-injection-document.png"), full_page=True)
    body = page.inner_text("body")
    for payload in (SCRIPT, IMG, BREAK, TEXTAREA, QUOTE, RECORDS[0]["author"], RECORDS[0]["outlet"]):
        assert payload in body
    assert page.inner_text("h1") == RECORDS[0]["title"]
    assert "javascript:window.__pwned = 6" in body  # the address is shown, not linked
    assert RECORDS[0]["viewpoint"] in page.inner_text("pre.meta-json").replace('\\"', '"')
    page.goto(f"{server.url}/documents/{evil['ru']}")
    assert page.inner_text("h1") == RECORDS[1]["title"]
    assert SCRIPT in page.inner_text(".text") and BREAK in page.inner_text(".text")
    page.goto(f"{server.url}/stories/{evil['comparison']}")
    page.screenshot(path=str(screenshots / "web-injection-story.png"), full_page=True)
    assert SCRIPT in page.inner_text("main")
    page.goto(f"{server.url}/techniques?by=author")
    assert RECORDS[0]["author"] in page.inner_text("table")
    page.close()
