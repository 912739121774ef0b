"""One parser for every forum engine, driven by the selector table in `selectors.py`.

Engines differ in where things are, not in what a thread is: posts with an author, a time, a body,
and quote blocks naming the quoted member and post. So the logic lives here once and the engines
are data; a post's text is its own words only, each quote becoming a document of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...model import Document, thread_id_for
from .. import IngestError
from ..links import add_link_spans
from ..timestamps import looks_like_timestamp, parse_timestamp
from .selectors import ENGINE_SELECTORS

# Elements that start a new paragraph in rendered text, and those whose content is never text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "section", "summary", "table", "tr", "ul",
})
_SKIP_TAGS = frozenset({
    "button", "head", "iframe", "img", "input", "noscript", "script", "select", "style", "svg",
    "template", "textarea", "title",
})
_LINE, _PARA = "\x00", "\x01"
_MARKERS = re.compile(r"[\x00\x01]")
_SPACES = re.compile(r"\s+")
_BREAKS = re.compile(r" *([\x00\x01][\x00\x01 ]*)")
_MAX_QUOTES_PER_POST = 200


@dataclass(frozen=True)
class Pick:
    """How to read one value: a selector (None = the node itself), an attribute, a regex group."""

    css: str | None = None
    attr: str | None = None
    pattern: re.Pattern[str] | None = None

    def read(self, node: LexborNode) -> str | None:
        """The value at the first node matching `css` (never a later match: on a broken page a later
        match may belong to the next post)."""
        target = node if self.css is None else node.css_first(self.css)
        if target is None:
            return None
        raw = target.attributes.get(self.attr) if self.attr else target.text(deep=True)
        value = " ".join((raw or "").split())
        if value and self.pattern is not None:
            match = self.pattern.search(value)
            value = (match.group(1) if match.groups() else match.group(0)).strip() if match else ""
        return value or None


@dataclass(frozen=True)
class EngineSpec:
    """The selector table entry for one engine, compiled."""

    name: str
    generator: re.Pattern[str]
    markers: tuple[str, ...]
    post: str
    body: str
    quote: str
    picks: dict[str, tuple[Pick, ...]]
    page_suffix: re.Pattern[str] | None = None
    quote_body: str | None = None
    strip: tuple[str, ...] = ()
    quote_strip: tuple[str, ...] = ()
    permalink_template: str | None = None
    embeds: tuple[tuple[str, str], ...] = ()

    def pick(self, name: str, node: LexborNode) -> str | None:
        for pick in self.picks.get(name, ()):
            value = pick.read(node)
            if value:
                return value
        return None


_PICK_FIELDS = (
    "thread_title", "page_url", "thread_url", "post_id", "author", "published", "permalink",
    "quote_author", "quote_post_id", "quote_published", "quote_url",
)


@cache
def engine_spec(name: str) -> EngineSpec:
    """Compile `ENGINE_SELECTORS[name]`; KeyError for an unknown engine."""
    data: dict[str, Any] = ENGINE_SELECTORS[name]
    picks = {
        key: tuple(
            Pick(p.get("css"), p.get("attr"), re.compile(p["re"], re.IGNORECASE) if "re" in p else None)
            for p in data.get(key, [])
        )
        for key in _PICK_FIELDS
    }
    suffix = data.get("page_suffix")
    return EngineSpec(
        name=name,
        generator=re.compile(data["generator"], re.IGNORECASE),
        markers=tuple(data.get("markers", [])),
        post=data["post"],
        body=data["body"],
        quote=data["quote"],
        picks=picks,
        page_suffix=re.compile(suffix) if suffix else None,
        quote_body=data.get("quote_body"),
        strip=tuple(data.get("strip", [])),
        quote_strip=tuple(data.get("quote_strip", [])),
        permalink_template=data.get("permalink_template"),
        embeds=tuple((sel, attr) for sel, attr in data.get("embeds", [])),
    )


def render_text(node: LexborNode) -> str:
    """Visible text of `node`: blocks become paragraphs ("\\n\\n"), a single <br> a line break."""
    out: list[str] = []
    stack: list[LexborNode | str] = list(reversed(list(node.iter(include_text=True))))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item.is_text_node:
            out.append(_SPACES.sub(" ", _MARKERS.sub("", item.text_content or "")))
            continue
        tag = item.tag or ""
        if not item.is_element_node or tag in _SKIP_TAGS:
            continue
        if tag == "br":
            out.append(_LINE)
        elif tag == "pre":
            raw = _MARKERS.sub("", item.text(deep=True)).strip("\n")
            out.append(_PARA + _LINE.join(line.rstrip() for line in raw.split("\n")) + _PARA)
        else:
            children = list(reversed(list(item.iter(include_text=True))))
            if tag in _BLOCK_TAGS:
                out.append(_PARA)
                stack.append(_PARA)
            elif tag in ("td", "th"):
                out.append(" ")
            stack.extend(children)
    text = _BREAKS.sub(_break_for, "".join(out))
    return "\n".join(line.strip(" ") for line in text.split("\n")).strip()


def _break_for(match: re.Match[str]) -> str:
    marks = match.group(1)
    return "\n\n" if _PARA in marks or marks.count(_LINE) > 1 else "\n"


def absolute_hrefs(node: LexborNode, base: str | None) -> list[str]:
    """Absolute http(s) targets of the links under `node`, in order, without repeats."""
    found: list[str] = []
    for anchor in node.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if base:
            try:
                href = urljoin(base, href)
            except ValueError:
                continue
        if href.startswith(("http://", "https://")) and href not in found:
            found.append(href)
    return found


def _first_inside(scope: LexborNode, selector: str) -> LexborNode | None:
    """First match strictly inside `scope` (lexbor's `css` also matches the scope node itself)."""
    for node in scope.css(selector):
        if node.mem_id != scope.mem_id:
            return node
    return None


def _remove_all(scope: LexborNode, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        while (node := _first_inside(scope, selector)) is not None:
            node.decompose()


def _resolve_time(value: str | None, as_of: datetime) -> str | None:
    if not value or not looks_like_timestamp(value):
        return None
    return parse_timestamp(value, as_of)


def _absolute_url(link: str | None, base: str | None) -> str | None:
    """`link` resolved against `base`; None unless the result is an absolute http(s) URL."""
    if not link:
        return None
    try:
        resolved = urljoin(base, link) if base else link
    except ValueError:
        return None
    return resolved if resolved.startswith(("http://", "https://")) else None


@dataclass
class _Page:
    engine: str
    title: str | None
    page_url: str | None
    thread_url: str | None
    base: str | None
    path: str | None
    thread_id: str | None
    as_of: datetime

    @property
    def key(self) -> str:
        return self.page_url or self.path or ""


def parse_thread(
    tree: LexborHTMLParser, spec: EngineSpec, *, url: str | None, path: str | None, as_of: datetime
) -> list[Document]:
    """Posts and their quotes on one thread page, quotes first; IngestError if no post is found."""
    root = tree.root
    if root is None:
        raise IngestError(f"no {spec.name} posts found")
    base_node = root.css_first("base[href]")
    declared_base = _absolute_url(base_node.attributes.get("href") if base_node else None, url)
    page_url = url or _absolute_url(spec.pick("page_url", root), declared_base)
    base = declared_base or page_url
    thread_url = _absolute_url(spec.pick("thread_url", root), base)
    if thread_url is None and page_url and spec.page_suffix is not None:
        thread_url = spec.page_suffix.sub("", page_url)
    thread_url = thread_url or page_url
    thread_source = thread_url or path
    page = _Page(
        engine=spec.name,
        title=spec.pick("thread_title", root),
        page_url=page_url,
        thread_url=thread_url,
        base=base,
        path=path,
        thread_id=thread_id_for(thread_source) if thread_source else None,
        as_of=as_of,
    )
    # Last post first: on a broken page a post may end up nested in the previous one, and parsing
    # removes quote blocks from the tree; a post must be read before any node around it is removed.
    posts = root.css(spec.post)
    parsed = [_parse_post(post, index, spec, page) for index, post in reversed(list(enumerate(posts, 1)))]
    documents = [doc for docs in reversed(parsed) for doc in docs]
    if not documents:
        raise IngestError(f"no {spec.name} posts found")
    return documents


def _parse_post(post: LexborNode, index: int, spec: EngineSpec, page: _Page) -> list[Document]:
    body = post.css_first(spec.body)
    if body is None:
        return []
    post_id = spec.pick("post_id", post)
    post_key = f"{page.key}#post-{post_id or f'n{index}'}"
    permalink = _absolute_url(spec.pick("permalink", post), page.base)
    if permalink is None and spec.permalink_template and page.thread_url and post_id:
        permalink = spec.permalink_template.format(thread_url=page.thread_url.rstrip("/"), post_id=post_id)
    for selector, attr in spec.embeds:
        while (embed := _first_inside(body, selector)) is not None:
            src = (embed.attributes.get(attr) or "").strip()
            if src:
                embed.replace_with(src)
            else:
                embed.decompose()

    quotes: list[Document] = []
    number = 0
    # The first match in document order is never nested in another quote of the same post.
    while (block := _first_inside(body, spec.quote)) is not None:
        number += 1
        quote = None
        if number <= _MAX_QUOTES_PER_POST:
            quote = _parse_quote(block, f"{post_key}#quote-{number}", spec, page)
        block.decompose()
        if quote is not None:
            quotes.append(quote)

    _remove_all(body, spec.strip)
    doc = Document(
        text=render_text(body),
        kind="post",
        title=page.title,
        author=spec.pick("author", post),
        published=_resolve_time(spec.pick("published", post), page.as_of),
        url=permalink or page.page_url,
        path=page.path,
        external_id=post_id,
        thread_id=page.thread_id,
        quotes=[q.id for q in quotes if q.id],
        meta={"forum_engine": spec.name},
        source_key=post_key,
    )
    quoted_ids = [q.meta["quoted_post_id"] for q in quotes if q.meta.get("quoted_post_id")]
    if quoted_ids:
        doc.meta["quoted_post_ids"] = quoted_ids
    add_link_spans(doc, extra_urls=absolute_hrefs(body, page.base))
    return [*quotes, doc]


def _parse_quote(block: LexborNode, source_key: str, spec: EngineSpec, page: _Page) -> Document | None:
    author = spec.pick("quote_author", block)
    quoted_post_id = spec.pick("quote_post_id", block)
    published = _resolve_time(spec.pick("quote_published", block), page.as_of)
    quoted_url = _absolute_url(spec.pick("quote_url", block), page.base)
    _remove_all(block, spec.quote_strip)
    content = (_first_inside(block, spec.quote_body) if spec.quote_body else None) or block
    _remove_all(content, (spec.quote,))  # a quote inside a quote is the quoted post's business
    text = render_text(content)
    if not text:
        return None
    quote = Document(
        text=text,
        kind="quote",
        title=page.title,
        author=author,
        published=published,
        url=quoted_url,
        path=page.path,
        thread_id=page.thread_id,
        meta={"quoted_post_id": quoted_post_id, "quote_style": spec.name},
        source_key=source_key,
    )
    add_link_spans(quote, extra_urls=absolute_hrefs(content, page.base))
    quote.assign_id()
    return quote
