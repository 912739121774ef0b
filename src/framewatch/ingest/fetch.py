"""Fetching one page by URL, safely, with the standard library only.

A URL pasted by an analyst (or found in a corpus) is untrusted input, and framewatch may run as a
web service: so every host is resolved first and refused when any of its addresses is private,
loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved or unspecified; the
connection then goes to exactly the address that was checked, so a DNS answer that changes between
check and connect (DNS rebinding) cannot slip through. Redirects are followed by hand, at most
five, and every hop is checked the same way. Bodies are streamed and cut off at `max_bytes`, and a
whole-request deadline stops servers that drip bytes just fast enough to dodge a socket timeout.

`http.client` is used instead of `urllib.request` because urllib resolves the host again on its
own and follows redirects before we can check them; URLs are still parsed with `urllib.parse`.
Proxies from the environment are deliberately not used.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urljoin, urlsplit

from . import IngestError

ALLOWED_CONTENT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "application/json",
    "application/x-ndjson", "text/csv",
})
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,text/csv;q=0.8"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass
class FetchedPage:
    """One fetched URL: where we asked, where we ended up, what came back, when, and its hash."""

    requested_url: str
    final_url: str
    status: int
    content_type: str          # media type only, lower-cased ("text/html")
    fetched_at: str            # ISO 8601 UTC, e.g. "2025-06-30T18:40:12Z"
    body: bytes
    sha256: str                # hex digest of body
    charset: str | None = None  # the charset parameter of Content-Type, if any


def fetch_url(
    url: str,
    *,
    timeout: float = 20,
    max_bytes: int = 10_000_000,
    allow_private: bool = False,
    user_agent: str = "framewatch/0.1",
) -> FetchedPage:
    """GET `url` and return the page; every failure is an `IngestError` naming the URL.

    `timeout` bounds each connect and read and also the whole request, redirects included.
    `allow_private` lets tests and intranet deployments fetch from loopback and private networks.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, target = _split(current, url)
        addresses = _resolve(host, port, url)
        if not allow_private:
            for address in addresses:
                reason = _address_problem(address)
                if reason:
                    hop = "" if current == url else f" (redirected to {current})"
                    raise IngestError(
                        f"refusing to fetch {url}{hop}: {host} resolves to {address}, a {reason} "
                        "address; only public addresses are fetched (--allow-private permits others)"
                    )
        conn = _connection(scheme, host, port, addresses, _remaining(deadline, url))
        try:
            try:
                conn.request("GET", target, headers={
                    "User-Agent": user_agent, "Accept": _ACCEPT, "Accept-Encoding": "identity",
                })
                # Keep the socket: http.client drops conn.sock once the response owns it.
                sock = conn.sock
                if sock is not None:
                    sock.settimeout(_remaining(deadline, url, timeout))
                response = conn.getresponse()
            except TimeoutError:
                raise IngestError(f"timed out after {timeout:g} s fetching {url}") from None
            except ssl.SSLError as exc:
                raise IngestError(f"TLS error fetching {url}: {exc.reason or exc}") from None
            except (OSError, http.client.HTTPException) as exc:
                raise IngestError(f"connection to {host} failed fetching {url}: {exc}") from None
            status = response.status
            if status in _REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise IngestError(f"HTTP {status} redirect without a Location fetching {url}")
                current = urljoin(current, location.strip())
                continue
            if status >= 400:
                raise IngestError(f"HTTP {status} {response.reason} fetching {url}")
            if not 200 <= status < 300:
                raise IngestError(f"unexpected HTTP status {status} {response.reason} fetching {url}")
            content_type, charset = _content_type(response.getheader("Content-Type"))
            if content_type not in ALLOWED_CONTENT_TYPES:
                raise IngestError(
                    f"unsupported content type {content_type or '(none)'} fetching {url}; "
                    f"accepted: {', '.join(sorted(ALLOWED_CONTENT_TYPES))}"
                )
            body = _read_body(response, sock, url=url, max_bytes=max_bytes, deadline=deadline,
                              timeout=timeout)
        finally:
            conn.close()
        return FetchedPage(
            requested_url=url,
            final_url=current,
            status=status,
            content_type=content_type,
            fetched_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            body=body,
            sha256=hashlib.sha256(body).hexdigest(),
            charset=charset,
        )
    raise IngestError(f"too many redirects (more than {MAX_REDIRECTS}) fetching {url}")


def _split(current: str, url: str) -> tuple[str, str, int, str]:
    """(scheme, ASCII host, port, request target) of `current`; `url` names the error."""
    try:
        parts = urlsplit(current)
        port = parts.port
    except ValueError as exc:
        raise IngestError(f"invalid URL {current!r} fetching {url}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise IngestError(f"unsupported URL scheme {scheme or '(none)'!r} in {current}; only http "
                          f"and https are fetched" + ("" if current == url else f" (from {url})"))
    host = parts.hostname
    if not host:
        raise IngestError(f"no host in URL {current!r} fetching {url}")
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise IngestError(f"invalid host name {host!r} fetching {url}") from None
    # Non-ASCII paths (Cyrillic slugs) are percent-encoded; existing escapes are kept.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    target = path + (f"?{query}" if query else "")
    return scheme, ascii_host, port or (443 if scheme == "https" else 80), target


def _resolve(host: str, port: int, url: str) -> list[IPAddress]:
    """Every address `host` resolves to (all are checked, and connected to in order)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise IngestError(f"cannot resolve host {host} fetching {url}: {exc.strerror}") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise IngestError(f"host {host} has no addresses fetching {url}")
    return addresses


def _address_problem(address: IPAddress) -> str | None:
    """Why `address` must not be fetched from, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 embedded in IPv6 (::ffff:a.b.c.d, 6to4, NAT64) is judged as that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _address_problem(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for name, flagged in checks:
        if flagged:
            return name
    if not address.is_global:  # e.g. 100.64.0.0/10 carrier-grade NAT
        return "non-public"
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses, in order, while Host names the original host."""

    def __init__(self, host: str, port: int, addresses: list[IPAddress], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def _open(self) -> socket.socket:
        error: OSError | None = None
        for address in self._addresses:
            try:
                return socket.create_connection((str(address), self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self._open(), server_hostname=self.host)


def _connection(
    scheme: str, host: str, port: int, addresses: list[IPAddress], timeout: float
) -> _PinnedHTTPConnection:
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(host, port, addresses, timeout)


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media.strip().lower(), charset


def _read_body(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    *,
    url: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise IngestError(f"response body of {int(declared)} bytes is over the {max_bytes} byte "
                          f"limit fetching {url}")
    chunks: list[bytes] = []
    size = 0
    while True:
        if sock is not None:
            sock.settimeout(_remaining(deadline, url, timeout))
        try:
            chunk = response.read1(_CHUNK)
        except TimeoutError:
            raise IngestError(f"timed out after {timeout:g} s reading {url}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise IngestError(f"connection broke while reading {url}: {exc}") from None
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise IngestError(f"response body is over the {max_bytes} byte limit fetching {url}")
        chunks.append(chunk)
    return b"".join(chunks)


def _remaining(deadline: float, url: str, timeout: float | None = None) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        limit = f" after {timeout:g} s" if timeout is not None else ""
        raise IngestError(f"timed out{limit} fetching {url}")
    return left
