"""Who may talk to the server, and the headers every answer carries.

Without a token the server only listens on loopback, and only answers requests addressed to a
loopback name (a web page elsewhere cannot reach it through DNS rebinding). With a token every
request must carry it: `Authorization: Bearer TOKEN`, or the session cookie a browser gets from the
login form or from opening any page once with `?token=TOKEN`. Tokens are compared in constant time
and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "framewatch_session"
LOGIN_PATH = "/login"
# No script, style, image or font from anywhere but this server; no framing, no plugins, forms post here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_TOKEN_IN_QUERY = re.compile(r"(?i)([?&]token=)[^&\s\"]*")


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 with or without brackets) is this machine only."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def session_value(token: str) -> str:
    """What the session cookie holds: derived from the token, so the cookie never is the token."""
    return hmac.new(token.encode("utf-8"), b"framewatch session", hashlib.sha256).hexdigest()


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class RedactTokens(logging.Filter):
    """Keeps `?token=...` out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_QUERY.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def _host_name(value: str) -> str:
    """The name part of a Host header (`[::1]:8000` -> `::1`)."""
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware in front of the app: host and origin checks, the token, a body size limit, and
    the security headers on every response (errors included)."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body_bytes: int,
                 unauthorized_page: Callable[[str, str], str]) -> None:
        self.app = app
        self.token = token
        self.session = session_value(token) if token else None
        self.max_body_bytes = max_body_bytes
        self.unauthorized_page = unauthorized_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        answered = False

        async def send_secured(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
                answered = True
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(send_secured)
            return
        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            # Starlette re-raises an error its handler has already answered (and the app logged); the
            # client has its 500, and the connection stays open for its next request.
            if not answered:
                raise

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> Callable[[Send], Awaitable[None]] | None:
        host = headers.get("host", "")
        if self.token is None and not is_loopback(_host_name(host)):
            return _plain(421, f"this server only answers requests for a loopback address, not {host!r} "
                               "(start it with a token to serve other names)")
        origin = headers.get("origin")
        unsafe = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if unsafe and origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
            return _plain(403, f"cross-site {scope['method']} from {origin} refused")
        length = headers.get("content-length", "")
        if unsafe and length.isdigit() and int(length) > self.max_body_bytes:
            return _json(413, f"request body of {int(length)} bytes is over the limit of "
                              f"{self.max_body_bytes} bytes (serve --max-body-mb)")
        if self.token is None or self._authorized(scope, headers):
            return None
        path = scope["path"]
        if path == LOGIN_PATH or path.startswith("/static/"):  # the login form and its stylesheet hold no data
            return None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if scope["method"] == "GET" and token_matches(query.get("token"), self.token):
            rest = urlencode([(k, v) for k, v in parse_qsl(scope["query_string"].decode("latin-1")) if k != "token"])
            here = "/" + path.lstrip("/")  # never `//host`: the redirect stays on this server
            return _redirect(quote(here) + (f"?{rest}" if rest else ""), self._cookie(scope))
        message = "this server needs its token: send Authorization: Bearer TOKEN, or log in at /login"
        if "text/html" in headers.get("accept", "") and not path.startswith("/api/"):
            target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
            return _html(401, self.unauthorized_page(message, _without_token(target)))
        return _json(401, message, [(b"www-authenticate", b'Bearer realm="framewatch"')])

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None and self.session is not None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token_matches(given.strip(), self.token):
            return True
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no session, not a server error
            return False
        morsel = cookies.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.session.encode())

    def _cookie(self, scope: Scope) -> bytes:
        assert self.session is not None
        return session_cookie(self.session, secure=scope.get("scheme") == "https")


def session_cookie(value: str, *, secure: bool, clear: bool = False) -> bytes:
    parts = [f"{COOKIE}={'' if clear else value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if clear:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()


def _without_token(target: str) -> str:
    return _TOKEN_IN_QUERY.sub("", target)


def _plain(status: int, message: str) -> Callable[[Send], Awaitable[None]]:
    return _respond(status, message.encode("utf-8"), b"text/plain; charset=utf-8")


def _json(status: int, message: str,
          extra: list[tuple[bytes, bytes]] | None = None) -> Callable[[Send], Awaitable[None]]:
    body = json.dumps({"error": message}).encode("utf-8")
    return _respond(status, body, b"application/json", extra)


def _html(status: int, page: str) -> Callable[[Send], Awaitable[None]]:
    return _respond(status, page.encode("utf-8"), b"text/html; charset=utf-8")


def _redirect(location: str, cookie: bytes) -> Callable[[Send], Awaitable[None]]:
    return _respond(303, b"", b"text/plain", [(b"location", location.encode("latin-1", "replace")),
                                              (b"set-cookie", cookie)])


def _respond(status: int, body: bytes, content_type: bytes,
             extra: list[tuple[bytes, bytes]] | None = None) -> Callable[[Send], Awaitable[None]]:
    async def respond(send: Send) -> None:
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return respond
