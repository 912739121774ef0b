"""fetch_url against a real HTTP server on 127.0.0.1: pages, redirects, limits, errors, and the
refusal to touch private addresses."""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from framewatch.ingest import IngestError
from framewatch.ingest import fetch as fetch_module
from framewatch.ingest.fetch import FetchedPage, fetch_url

ARTICLE = (
    "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">"
    "<title>Задержание журналистов в Баку</title></head><body><article><h1>Задержание журналистов"
    "</h1><p>МИД России вызвал посла Азербайджана после задержания сотрудников агентства.</p>"
    "</article></body></html>"
).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path
        if path == "/news/baku.html":
            self._send(200, ARTICLE)
        elif path == "/r1":
            self._redirect("/r2", 301)
        elif path == "/r2":
            self._redirect(f"http://127.0.0.1:{self.server.server_port}/r3", 307)
        elif path == "/r3":
            self._redirect("news/baku.html", 308)  # relative to /
        elif path.startswith("/loop"):
            n = int(path.removeprefix("/loop") or 0)
            self._redirect(f"/loop{n + 1}")
        elif path == "/to-other-host":
            self._redirect(f"http://127.0.0.2:{self.server.server_port}/news/baku.html")
        elif path == "/ftp":
            self._redirect("ftp://example.org/file.txt")
        elif path == "/big":
            self._send(200, b"x" * 200_000, "text/plain")
        elif path == "/big-unannounced":
            self._send(200, b"y" * 200_000, "text/plain", length=False)
        elif path == "/logo.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, ARTICLE)
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"drip\n")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/data.ndjson":
            self._send(200, b'{"text": "a"}\n', "application/x-ndjson")
        elif path.startswith("/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"):  # /статья
            self._send(200, path.encode(), "text/plain")
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_html_page(server: str) -> None:
    page = fetch_url(f"{server}/news/baku.html", allow_private=True, timeout=5)
    assert isinstance(page, FetchedPage)
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.body == ARTICLE
    assert page.sha256 == hashlib.sha256(ARTICLE).hexdigest()
    assert page.requested_url == page.final_url == f"{server}/news/baku.html"
    assert page.fetched_at.endswith("Z") and page.fetched_at[:2] == "20"


def test_redirect_chain(server: str) -> None:
    page = fetch_url(f"{server}/r1", allow_private=True, timeout=5)
    assert page.requested_url == f"{server}/r1"
    assert page.final_url == f"{server}/news/baku.html"
    assert page.body == ARTICLE


def test_too_many_redirects(server: str) -> None:
    with pytest.raises(IngestError, match=r"too many redirects.*5.*/loop"):
        fetch_url(f"{server}/loop", allow_private=True, timeout=5)


def test_redirect_to_other_scheme_refused(server: str) -> None:
    with pytest.raises(IngestError, match=r"unsupported URL scheme 'ftp'.*from http://127\.0\.0\.1"):
        fetch_url(f"{server}/ftp", allow_private=True, timeout=5)


def test_every_redirect_hop_is_checked(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 is let through here, 127.0.0.2 is not: the redirect must be refused at the hop."""
    real = fetch_module._address_problem

    def only_first_loopback(address: fetch_module.IPAddress) -> str | None:
        return None if str(address) == "127.0.0.1" else real(address)

    monkeypatch.setattr(fetch_module, "_address_problem", only_first_loopback)
    with pytest.raises(IngestError, match=r"redirected to http://127\.0\.0\.2.*loopback"):
        fetch_url(f"{server}/to-other-host", timeout=5)


def test_body_over_limit(server: str) -> None:
    with pytest.raises(IngestError, match=r"200000 bytes is over the 100000 byte limit.*/big"):
        fetch_url(f"{server}/big", allow_private=True, max_bytes=100_000, timeout=5)
    with pytest.raises(IngestError, match=r"over the 100000 byte limit.*/big-unannounced"):
        fetch_url(f"{server}/big-unannounced", allow_private=True, max_bytes=100_000, timeout=5)
    page = fetch_url(f"{server}/big-unannounced", allow_private=True, max_bytes=200_000, timeout=5)
    assert len(page.body) == 200_000


def test_wrong_content_type(server: str) -> None:
    with pytest.raises(IngestError, match=r"unsupported content type image/png.*logo\.png"):
        fetch_url(f"{server}/logo.png", allow_private=True, timeout=5)


def test_ndjson_is_accepted(server: str) -> None:
    assert fetch_url(f"{server}/data.ndjson", allow_private=True).content_type == "application/x-ndjson"


def test_http_error_names_status_and_url(server: str) -> None:
    with pytest.raises(IngestError, match=r"HTTP 404 Not Found fetching http://127\.0\.0\.1:\d+/gone"):
        fetch_url(f"{server}/gone", allow_private=True, timeout=5)


def test_timeout(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"timed out after 0\.3 s.*/slow"):
        fetch_url(f"{server}/slow", allow_private=True, timeout=0.3)
    assert time.monotonic() - started < 1.2


def test_whole_request_deadline_stops_a_drip_feed(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"timed out.*/drip"):
        fetch_url(f"{server}/drip", allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_non_ascii_path_is_percent_encoded(server: str) -> None:
    page = fetch_url(f"{server}/статья?q=Баку", allow_private=True, timeout=5)
    assert page.body.decode() == "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F?q=%D0%91%D0%B0%D0%BA%D1%83"
    assert page.requested_url == f"{server}/статья?q=Баку"


def test_loopback_refused_without_allow_private(server: str) -> None:
    with pytest.raises(IngestError) as info:
        fetch_url(f"{server}/news/baku.html", timeout=5)
    message = str(info.value)
    assert f"{server}/news/baku.html" in message
    assert "127.0.0.1" in message and "loopback" in message and "--allow-private" in message


def test_localhost_name_refused() -> None:
    with pytest.raises(IngestError, match="loopback"):
        fetch_url("http://localhost:9/", timeout=2)


@pytest.mark.parametrize("url", ["ftp://example.org/a.txt", "file:///etc/passwd", "example.org/page",
                                 "http:///nohost"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(IngestError, match=r"scheme|no host"):
        fetch_url(url, timeout=2)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.20.0.5", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),  # reserved, and listed by the ipaddress module as private
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("fc00::1", "private"),
        ("93.184.215.14", None),
        ("2a00:1450:4001:82b::200e", None),
    ],
)
def test_address_policy(address: str, reason: str | None) -> None:
    assert fetch_module._address_problem(ipaddress.ip_address(address)) == reason


def test_connection_refused_names_url() -> None:
    with pytest.raises(IngestError, match=r"connection to 127\.0\.0\.1 failed fetching http://127\.0\.0\.1:9/"):
        fetch_url("http://127.0.0.1:9/", allow_private=True, timeout=2)
