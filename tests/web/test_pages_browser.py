"""The main pages in headless Chromium against a real server: they render from this server alone,
highlights switch by layer, evidence links land on the cited characters, search works in English
and Russian, and a comparison built from the form shows its stories side by side."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page


@contextmanager
def opened(browser, server, path: str) -> Iterator[Page]:
    """A page at `path` that must load nothing from elsewhere and log no error."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith((server.url, "data:")) else problems.append(r.url))
    page.goto(server.url + path)
    try:
        yield page
        assert not problems, problems
    finally:
        page.close()


def test_overview_charts_volume_and_lists_sources(browser, server, screenshots) -> None:
    with opened(browser, server, "/") as page:
        page.screenshot(path=str(screenshots / "web-overview.png"), full_page=True)
        assert page.locator("svg.chart rect").count() >= 2
        assert "2025-11" in page.locator("svg.chart").text_content()
        page.get_by_role("link", name="Continental Wire").first.click()
        page.wait_for_url("**/documents?source=Continental+Wire")
        sources = {t.strip() for t in page.locator("table.wide tr td:nth-child(3)").all_inner_texts()}
        assert sources == {"Continental Wire"}


def test_document_list_filters_and_pages(browser, server, screenshots) -> None:
    with opened(browser, server, "/documents?limit=10") as page:
        assert page.locator("table.wide tr").count() == 11
        page.select_option("select[name=language]", "ru")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**language=ru**")
        languages = {t.strip() for t in page.locator("table.wide tr td:nth-child(6)").all_inner_texts()}
        assert languages == {"ru"}
        page.screenshot(path=str(screenshots / "web-documents.png"), full_page=True)
        assert page.locator("a[href^='/export.jsonl?']").get_attribute("href").endswith("language=ru")


def _document_with(client, layer: str) -> str:
    for item in client.get("/api/documents", params={"limit": 100}).json()["items"]:
        spans = client.get(f"/api/documents/{item['id']}/spans", params={"layer": layer, "limit": 1}).json()
        if spans["total"]:
            return item["id"]
    raise AssertionError(f"no document with {layer} spans")


def test_document_view_switches_layers(browser, server, client, screenshots) -> None:
    doc_id = _document_with(client, "technique")
    doc = client.get(f"/api/documents/{doc_id}").json()
    with opened(browser, server, f"/documents/{doc_id}") as page:
        page.screenshot(path=str(screenshots / "web-document.png"), full_page=True)
        # The highlighted text reads exactly as the stored text: no piece lost, doubled or moved.
        assert page.locator(".text").text_content() == doc["text"]
        marks = page.locator(".text .hl-technique")
        assert marks.count() >= 1
        lit = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
        claim = page.locator(".text .hl-claim").first
        claim_lit = claim.evaluate("m => getComputedStyle(m).backgroundColor")
        page.locator("input[data-layer=technique]").uncheck()
        assert marks.first.evaluate("m => getComputedStyle(m).backgroundColor") == "rgba(0, 0, 0, 0)" != lit
        # Another layer over the same words keeps its highlight.
        assert claim.evaluate("m => getComputedStyle(m).backgroundColor") == claim_lit != "rgba(0, 0, 0, 0)"
        page.screenshot(path=str(screenshots / "web-document-techniques-off.png"), full_page=True)
        page.locator("input[data-layer=technique]").check()
        assert marks.first.evaluate("m => getComputedStyle(m).backgroundColor") == lit
        # Clicking a highlight lists the spans under it with engine, cue, confidence and run.
        marks.first.locator(".hit").first.click()
        details = page.locator("#details tbody")
        assert "technique" in details.inner_text()
        technique = next(s for s in doc["spans"] if s["layer"] == "technique")
        assert technique["run_id"] in page.locator("table.spans").inner_text()
        assert "confidence" in marks.first.locator(".hit").first.get_attribute("title")


def test_actor_pages_link_evidence_to_the_cited_characters(browser, server, client, screenshots) -> None:
    with opened(browser, server, "/actors") as page:
        page.screenshot(path=str(screenshots / "web-actors.png"), full_page=True)
        page.get_by_role("link", name="Velaria", exact=True).first.click()
        page.wait_for_url("**/actors/country*vl")
        assert "Велария" in page.locator("main").inner_text()
        assert page.locator("svg.chart rect").count() >= 1
        page.screenshot(path=str(screenshots / "web-actor.png"), full_page=True)
        evidence = page.locator("td[lang] a").first
        mention = evidence.locator("mark").inner_text()
        evidence.click()
        page.wait_for_url("**/documents/**#cited")
        assert page.locator("#cited").inner_text() == mention
        page.screenshot(path=str(screenshots / "web-actor-evidence.png"))


def test_profiles_switch_grouping(browser, server, screenshots) -> None:
    with opened(browser, server, "/techniques") as page:
        page.select_option("select[name=by]", "language")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**by=language")
        groups = {t.strip() for t in page.locator("table tr td:first-child").all_inner_texts()}
        assert groups == {"en", "ru"}
        page.screenshot(path=str(screenshots / "web-techniques.png"), full_page=True)
    with opened(browser, server, "/narratives?by=language") as page:
        assert page.locator("h2").count() == 2
        page.screenshot(path=str(screenshots / "web-narratives.png"), full_page=True)
        page.locator("td a[href*='#cited']").first.click()
        page.wait_for_url("**#cited")
        assert page.locator("#cited").count() == 1


def test_search_in_english_and_russian(browser, server, screenshots) -> None:
    with opened(browser, server, "/") as page:
        page.fill("nav input[name=q]", "espionage")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=espionage")
        assert page.locator("ol.hits li").count() >= 3
        assert {m.lower() for m in page.locator("ol.hits mark").all_inner_texts()} == {"espionage"}
    with opened(browser, server, "/search?q=Калмора&lang=ru") as page:
        hits = page.locator("ol.hits li")
        assert hits.count() >= 3
        marks = {m.lower() for m in page.locator("ol.hits mark").all_inner_texts()}
        assert marks and all(m.startswith("калмор") for m in marks)
        page.screenshot(path=str(screenshots / "web-search-ru.png"), full_page=True)
        hits.first.locator("a").first.click()
        page.wait_for_url("**/documents/**")
        assert page.locator(".text").get_attribute("lang") == "ru"


def test_comparison_flow_from_the_form(browser, server, client, screenshots) -> None:
    with opened(browser, server, "/stories") as page:
        page.select_option("select[name=by]", "meta")
        page.fill("input[name=field]", "viewpoint")
        page.get_by_role("button", name="Compare").click(timeout=120_000)
        page.wait_for_url("**/stories/c*", timeout=120_000)
        story = page.locator("section.story").first
        groups = {t.strip() for t in story.locator(".column h3").all_inner_texts()}
        assert len(groups - {"unknown"}) >= 2 and groups <= {"neutral", "pro-moscow", "pro-velaria", "unknown"}
        assert story.locator(".column .text").count() >= 2
        assert story.locator(".text .hl-claim").count() >= 1
        # The viewpoints disagree: a story states facts some of them leave out, and casts actors
        # differently, each role cited from a document.
        disputed = page.locator("section.story", has=page.locator("h3", has_text="Facts not every source states"))
        assert disputed.count() >= 1
        assert disputed.first.locator("td.status-omitted").count() >= 1
        cast = disputed.first.locator("table", has=page.locator("th", has_text="divergence"))
        assert cast.locator("a[href^='/actors/']").count() >= 1
        assert cast.locator("a[href^='/documents/']").count() >= 1
        assert page.locator("h2", has_text="Technique profiles").count() == 1
        page.screenshot(path=str(screenshots / "web-story.png"), full_page=True)
        comparison = page.url.rsplit("/", 1)[1]
        # The downloadable report shares these tables; it quotes the evidence instead of linking it.
        report = client.get(f"/stories/{comparison}/report.html").text
        assert "Facts not every source states" in report and "Actors cast differently" in report
        assert re.search(r'<br><span class="meta">“[^”<]+”</span>', report)
        page.goto(server.url + "/stories")
        assert page.locator(f"a[href='/stories/{comparison}']").count() == 1
