"""The web application: HTML pages and the JSON API over one store (`framewatch serve`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..batch import ingest_pipeline
from ..config import Config
from ..pipeline import Pipeline
from ..registry import config_with_store_decisions
from ..report.html import TEMPLATES as REPORT_TEMPLATES
from . import access
from .cache import Aggregates, CachedStore
from .connections import StoreConnections
from .pseudonyms import Redactor, Redactors

HERE = Path(__file__).parent
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
log = logging.getLogger("framewatch.web")


@dataclass
class Service:
    """What every handler shares: the store's address, the configuration, and the server's settings."""

    target: str
    config: Config
    connections: StoreConnections
    token: str | None = None
    pseudonymize: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Stages share loaded models (spaCy, lingua); analyses in the worker threads take turns.
    analysis_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.redactors = Redactors(self.pseudonymize)
        self.aggregates = Aggregates()
        self._pipeline: tuple[list[dict[str, Any]], Pipeline] | None = None
        self._pipeline_lock = threading.Lock()
        self.templates = Environment(loader=FileSystemLoader([HERE / "templates", REPORT_TEMPLATES]),
                                     autoescape=select_autoescape(default=True, default_for_string=True),
                                     trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(service=self, url=url, version=__version__)

    @contextmanager
    def store(self) -> Iterator[tuple[Any, Redactor]]:
        """The store for this request (aggregates cached) and the view of people it must show."""
        with self.connections() as store:
            cached = CachedStore(store, self.aggregates)
            yield cached, self.redactors(cached)

    def ingest_pipeline(self, store: Any) -> Pipeline:
        """The pipeline documents posted to the API go through: the configuration with the store's
        curation decisions, one recorded run until the decisions change."""
        decisions = store.decisions()
        with self._pipeline_lock:
            if self._pipeline is None or self._pipeline[0] != decisions:
                config = config_with_store_decisions(self.config, store)
                self._pipeline = (decisions, ingest_pipeline(config, command="serve"))
            return self._pipeline[1]

    def page(self, template: str, request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code)


def url(path: str, params: dict[str, Any] | None = None, **changes: Any) -> str:
    """`path` with query parameters: `params` updated by `changes`, empty values left out."""
    merged = {**(params or {}), **changes}
    query = urlencode([(k, v) for k, v in merged.items() if v not in (None, "", [])], doseq=True)
    return f"{path}?{query}" if query else path


def service(request: Request) -> Service:
    return request.app.state.service


class _GuardedApp(FastAPI):
    """FastAPI with `access.Guard` outermost, so even a server error carries the security headers."""

    guard: dict[str, Any]

    def build_middleware_stack(self):  # type: ignore[no-untyped-def]
        return access.Guard(super().build_middleware_stack(), **self.guard)


def create_app(target: str, config: Config, *, token: str | None = None, pseudonymize: bool = False,
               connections: str = "thread", max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """The app over the store at `target` (a path or URL, as `--db` takes it)."""
    from . import api, pages

    svc = Service(target, config, StoreConnections(target, connections), token=token, pseudonymize=pseudonymize,
                  max_body_bytes=max_body_bytes)
    app = _GuardedApp(title="framewatch", version=__version__, docs_url=None, redoc_url=None,
                      description="Evidence about contested stories: documents, spans, actors, profiles, "
                                  "comparisons. Documents and spans follow the export contract (docs/format.md).")
    app.guard = {"token": token, "max_body_bytes": max_body_bytes,
                 "unauthorized_page": lambda message, target: _login_page(svc, message, target)}
    app.state.service = svc
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(api.exports)
    app.include_router(pages.router)
    app.add_api_route("/login", login_form, methods=["GET"], include_in_schema=False)
    app.add_api_route("/login", login, methods=["POST"], include_in_schema=False)
    app.add_api_route("/logout", logout, methods=["POST"], include_in_schema=False)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # FastAPI's and the router's own
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crash)
    return app


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, detail: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None) -> Response:
    if wants_html(request):
        return service(request).page("error.html.j2", request, status_code=status, status=status, message=message)
    body: dict[str, Any] = {"error": message}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for item in exc.errors():
        where = [str(part) for part in item.get("loc", ())]
        kind = where[0] if where else "request"
        name = ".".join(where[1:]) or kind
        problems.append({"in": kind, "name": name, "message": item.get("msg", "invalid")})
    message = "; ".join(f"{p['in']} parameter {p['name']!r}: {p['message']}" if p["in"] in ("query", "path")
                        else f"{p['name']}: {p['message']}" for p in problems)
    return _error(request, 422, message, problems)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("error answering %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc,
              exc_info=exc)
    return _error(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")


def _login_page(svc: Service, message: str, target: str) -> str:
    return svc.templates.get_template("login.html.j2").render(request=None, message=message, next=target)


async def login_form(request: Request, next: str = "/") -> Response:
    svc = service(request)
    if svc.token is None:
        return RedirectResponse("/", status_code=303)
    return HTMLResponse(_login_page(svc, "", _safe_next(next)))


async def login(request: Request) -> Response:
    svc = service(request)
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    target = _safe_next(form.get("next", "/"))
    if svc.token is None:
        return RedirectResponse(target, status_code=303)
    if not access.token_matches(form.get("token"), svc.token):
        return HTMLResponse(_login_page(svc, "That token is not this server's.", target), status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", access.session_cookie(
        access.session_value(svc.token), secure=request.url.scheme == "https").decode())
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse(access.LOGIN_PATH, status_code=303)
    response.headers.append("set-cookie", access.session_cookie("", secure=request.url.scheme == "https",
                                                                clear=True).decode())
    return response


def _safe_next(target: str) -> str:
    """Only a path on this server (never `//host` or `https://...`): no open redirect after login."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"
