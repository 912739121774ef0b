"""Reports over a comparison: Markdown for notes and tickets, a self-contained HTML page for reading."""

from .html import compare_html
from .markdown import compare_markdown

__all__ = ["compare_html", "compare_markdown"]
