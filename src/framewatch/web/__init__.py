"""`framewatch serve`: the web UI and JSON API over the store (FastAPI, Jinja2 templates, inline SVG)."""

from .app import create_app

__all__ = ["create_app"]
