"""The HTML comparison report in headless Chromium: it renders offline, the highlights switch, and
document text carrying script and HTML payloads is shown as text and never runs."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, framewatch

PAYLOAD = ('Police in Kalmora detained five activists on Tuesday, the Interior Ministry said. '
           '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '
           '"><svg onload="window.__pwned = 3"> Russia denied that it had organised the march.')


def _report(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {"id": "x1", "outlet": "Evil Outlet", "language": "en", "published": "2025-11-18", "title": "<b>bold</b>",
         "text": PAYLOAD},
        {"id": "x2", "outlet": "Plain Wire", "language": "en", "published": "2025-11-18",
         "title": "Kalmora detentions",
         "text": "Police in Kalmora detained five activists on Tuesday, the Interior Ministry said. "
                 "Russia's embassy said it was following the case."},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    db = tmp_path / "fw.db"
    framewatch("ingest", "--db", str(db), str(corpus), cwd=REPO)
    framewatch("compare", "--db", str(db), "--html", str(tmp_path / "report.html"), cwd=REPO)
    return tmp_path / "report.html"


def test_report_renders_offline_and_injected_markup_stays_text(tmp_path, browser, screenshots) -> None:
    report = _report(tmp_path)
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(screenshots / "compare-report.png"), full_page=True)
    assert requests == [report.as_uri()], "the report must load nothing from anywhere"
    assert page.evaluate("window.__pwned") is None
    assert not dialogs
    assert page.locator("script:not(:last-of-type)").count() == 0
    assert page.locator(".doc img, .doc svg, .doc script").count() == 0
    body = page.inner_text("body")
    assert "<script>window.__pwned = 1</script>" in body
    assert "<b>bold</b>" in page.inner_text("h2") or "<b>bold</b>" in body
    page.close()


def test_report_puts_sources_side_by_side_and_highlights_switch(tmp_path, browser, screenshots) -> None:
    report = _report(tmp_path)
    page = browser.new_page()
    page.goto(report.as_uri())
    story = page.locator("section.story").first
    assert story.locator(".source").count() == 2
    assert {t.strip() for t in story.locator(".source h3").all_inner_texts()} == {"Evil Outlet", "Plain Wire"}
    mark = story.locator("mark.claim").first
    highlighted = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    page.locator("input[data-layer=claim]").uncheck()
    plain = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert highlighted != plain
    page.screenshot(path=str(screenshots / "compare-report-claims-off.png"), full_page=True)
    page.close()
