"""Who gets in: loopback only without a token, the token everywhere with one, and the headers every
answer carries."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from framewatch.web.access import COOKIE, CSP, is_loopback
from web.live import REPO, serving

TOKEN = "s3cret-token-for-the-tests-0123456789"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False), ("", False),
])
def test_loopback_addresses(host, loopback) -> None:
    assert is_loopback(host) is loopback


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "framewatch", "serve", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_binding_beyond_loopback_without_a_token_is_refused(store_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FRAMEWATCH_TOKEN"}
    proc = subprocess.run([sys.executable, "-m", "framewatch", "serve", "--db", str(store_path), "--host", "0.0.0.0"],
                          cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2
    assert "0.0.0.0" in proc.stderr and "token" in proc.stderr and "FRAMEWATCH_TOKEN" in proc.stderr


def test_cli_server_with_a_token_lets_only_its_holders_in_and_never_logs_it(store_path) -> None:
    port = _free_port()
    proc = _serve("--db", str(store_path), "--host", "0.0.0.0", "--port", str(port), "--access-log",
                  env={"FRAMEWATCH_TOKEN": TOKEN})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/overview", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert httpx.get(base + "/api/overview").status_code == 401
        assert httpx.get(base + "/openapi.json").status_code == 401
        ok = httpx.get(base + "/api/overview", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()["summary"]["documents"] > 0
        exchanged = httpx.get(base + f"/documents?language=ru&token={TOKEN}")
        assert exchanged.status_code == 303 and exchanged.headers["location"] == "/documents?language=ru"
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert "GET /api/overview" in stderr  # the access log was on
    assert TOKEN not in stderr


@pytest.fixture(scope="module")
def guarded(store_path):
    with serving(store_path, token=TOKEN) as live:
        yield live


def test_token_mode_refuses_requests_without_it(guarded) -> None:
    with guarded.client() as anonymous:
        api = anonymous.get("/api/documents")
        assert api.status_code == 401
        assert "Bearer" in api.json()["error"] and api.headers["www-authenticate"].startswith("Bearer")
        page = anonymous.get("/actors", headers={"accept": "text/html"})
        assert page.status_code == 401 and 'action="/login"' in page.text and 'value="/actors"' in page.text
        assert anonymous.get("/export.jsonl").status_code == 401
        wrong = anonymous.get("/api/documents", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        assert anonymous.get("/static/style.css").status_code == 200  # the login form's stylesheet


def test_login_form_sets_a_session_cookie_that_is_not_the_token(guarded) -> None:
    with guarded.client() as browser:
        refused = browser.post("/login", content="token=wrong&next=/actors",
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert refused.status_code == 401 and COOKIE not in browser.cookies
        accepted = browser.post("/login", content=f"token={TOKEN}&next=/actors",
                                headers={"content-type": "application/x-www-form-urlencoded"})
        assert accepted.status_code == 303 and accepted.headers["location"] == "/actors"
        cookie = accepted.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
        assert browser.get("/actors").status_code == 200
        assert browser.get("/api/documents").status_code == 200
        offsite = browser.post("/login", content=f"token={TOKEN}&next=//evil.example/",
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert offsite.headers["location"] == "/"
        browser.post("/logout")
        assert browser.get("/api/documents").status_code == 401


def test_without_a_token_only_loopback_names_are_answered(client) -> None:
    assert client.get("/api/overview", headers={"host": "localhost:8000"}).status_code == 200
    rebound = client.get("/api/overview", headers={"host": "attacker.example"})
    assert rebound.status_code == 421


def test_cross_site_posts_are_refused(client) -> None:
    response = client.post("/api/documents", json=[{"text": "from elsewhere"}],
                           headers={"origin": "https://attacker.example"})
    assert response.status_code == 403
    same = client.post("/api/documents", json=[{"text": "Same-origin post."}],
                       headers={"origin": str(client.base_url).rstrip("/")})
    assert same.status_code == 200


@pytest.mark.parametrize("path", ["/", "/documents/dnope", "/api/documents", "/api/documents/dnope",
                                  "/static/app.js", "/openapi.json", "/api/documents?limit=0"])
def test_every_answer_carries_the_security_headers(client, path) -> None:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_browser_logs_in_with_the_form(browser, guarded, screenshots) -> None:
    page = browser.new_page()
    refused = page.goto(guarded.url + "/documents?language=ru")
    assert refused.status == 401
    page.screenshot(path=str(screenshots / "web-login.png"))
    page.fill("input[name=token]", TOKEN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/documents?language=ru")
    assert page.locator("h1").inner_text() == "Documents"
    assert {t.strip() for t in page.locator("table.wide tr td:nth-child(6)").all_inner_texts()} == {"ru"}
    cookies = page.context.cookies()
    assert [c["name"] for c in cookies] == [COOKIE] and TOKEN not in cookies[0]["value"]
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert page.goto(guarded.url + "/actors").status == 401
    page.close()


def test_a_database_password_is_never_printed() -> None:
    from framewatch.web.server import shown

    assert shown("postgresql://fw:hunter2@db.example:5432/corpus") == "postgresql://fw:***@db.example:5432/corpus"
    assert shown("postgresql://fw@db.example/corpus") == "postgresql://fw@db.example/corpus"
    assert shown("/data/corpus.db") == "/data/corpus.db"
