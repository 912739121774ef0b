"""Pseudonymised views of documents: forum members are people, so exports and the UI can show a
stable pseudonym instead of a member's name.

A pseudonym is an HMAC of the name under a secret kept in the store (`store.pseudonym_key()`): the
same member gets the same pseudonym in every export and page of one store, and nobody can undo it by
hashing a list of likely names. Besides the `author` field, the member's name is replaced wherever it
stands as a value (a claim's speaker, a source group, the discovered actor made from it) and where
the text itself names a member (whole words, any case, and mention spans resolved to that member);
every offset is moved to the rewritten text, so the spans still cite the right words. The stored
text is never changed: a pseudonymised view is a copy.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .model import Document, Span
from .registry import TYPE_PREFIXES, discovered_id

PREFIX = "member-"
# Span attributes that hold `[start, end]` offsets (or a list of them) rather than dicts with
# `start`/`end` keys, as docs/format.md describes them.
_OFFSET_PAIRS = frozenset({"evidence", "frame", "antecedent", "trigger", "sentence"})


class Pseudonymizer:
    """Replaces the names in `authors` (and only those) with keyed pseudonyms."""

    def __init__(self, key: bytes, authors: Iterable[str] = ()) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key needs at least 16 bytes")
        self._key = key
        names = {a.strip() for a in authors if a and a.strip()}
        self._by_fold = {n.casefold(): n for n in names}
        self._ids = {}
        for name in names:
            try:
                self._ids[discovered_id("PERSON", name)] = name
            except ValueError:
                continue
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if names else None

    def name(self, author: str) -> str:
        """The pseudonym of a member: the same for every spelling that differs only in case."""
        digest = hmac.new(self._key, author.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:10]

    def names_member(self, text: str) -> bool:
        """Whether `text` holds a member's name where a pseudonymised text would show a pseudonym."""
        return bool(self._pattern and self._pattern.search(text))

    def actor_id(self, actor_id: str) -> str:
        name = self._ids.get(actor_id)
        return f"{TYPE_PREFIXES['PERSON']}:~{self.name(name)}" if name else actor_id

    def value(self, value: Any) -> Any:
        """A JSON-like value with every member name and member actor id in it replaced."""
        if isinstance(value, str):
            if value.strip().casefold() in self._by_fold:
                return self.name(value)
            return self.actor_id(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def document(self, doc: Document) -> Document:
        """A copy of `doc` with members pseudonymised in its fields, text and spans."""
        regions = self._regions(doc)
        text, shift = rewrite(doc.text, regions)
        spans = [self._span(span, text, shift) for span in doc.spans]
        title = doc.title
        if title and self._pattern:
            title = self._pattern.sub(lambda m: self.name(m.group(0)), title)
        return replace(doc, text=text, title=title, author=self.name(doc.author) if doc.author else doc.author,
                       meta=self.value(doc.meta), spans=spans, quotes=list(doc.quotes), links=list(doc.links),
                       disclaimers=list(doc.disclaimers))

    def _regions(self, doc: Document) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        if self._pattern:
            found += [(m.start(), m.end(), self.name(m.group(0))) for m in self._pattern.finditer(doc.text)]
        for span in doc.spans:
            member = self._ids.get(span.attrs.get("actor_id", "")) if span.layer == "mention" else None
            if member:
                found.append((span.start, span.end, self.name(member)))
        return _disjoint(found)

    def _span(self, span: Span, text: str, shift: _Shift) -> Span:
        start, end = shift.start(span.start), shift.end(span.end)
        return replace(span, start=start, end=max(start, end), attrs=self._attrs(span.attrs, text, shift))

    def _attrs(self, value: Any, text: str, shift: _Shift, key: str = "") -> Any:
        if isinstance(value, dict):
            out = {k: self._attrs(v, text, shift, k) for k, v in value.items()}
            member = self._ids.get(value.get("actor_id", ""))
            if member:  # the surface and dictionary forms of a member's name (`Ивана Петрова`)
                out.update({k: self.name(member) for k in ("name", "normal") if k in value})
            if isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
                out["start"], out["end"] = shift.start(value["start"]), shift.end(value["end"])
                if isinstance(value.get("text"), str):
                    out["text"] = text[out["start"]:out["end"]]
            return out
        if key in _OFFSET_PAIRS and isinstance(value, list):
            if len(value) == 2 and all(isinstance(v, int) for v in value):
                return [shift.start(value[0]), shift.end(value[1])]
            return [self._attrs(v, text, shift, key) for v in value]
        return self.value(value)


class _Shift:
    """Where offsets of the original text land in the rewritten one."""

    def __init__(self, regions: list[tuple[int, int, str]]) -> None:
        self._starts = [s for s, _, _ in regions]
        self._regions = regions
        self._delta: list[int] = []
        total = 0
        for start, end, new in regions:
            total += len(new) - (end - start)
            self._delta.append(total)

    def _locate(self, offset: int) -> tuple[int, int]:
        """(index of the last region starting at or before `offset`, shift accumulated before it)."""
        i = bisect_right(self._starts, offset) - 1
        return i, (self._delta[i - 1] if i > 0 else 0)

    def start(self, offset: int) -> int:
        i, before = self._locate(offset)
        if i < 0:
            return offset
        start, end, _new = self._regions[i]
        if offset < end:  # inside a replaced name: the span starts where its pseudonym starts
            return start + before
        return offset + self._delta[i]

    def end(self, offset: int) -> int:
        i, before = self._locate(offset - 1) if offset > 0 else (-1, 0)
        if i < 0:
            return offset
        start, end, new = self._regions[i]
        if offset <= end:  # inside a replaced name: the span ends where its pseudonym ends
            return start + before + len(new)
        return offset + self._delta[i]


def rewrite(text: str, regions: list[tuple[int, int, str]]) -> tuple[str, _Shift]:
    """`text` with each disjoint, sorted `(start, end, replacement)` applied, and the offset shift."""
    parts = []
    last = 0
    for start, end, new in regions:
        parts += [text[last:start], new]
        last = end
    parts.append(text[last:])
    return "".join(parts), _Shift(regions)


def _disjoint(regions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sorted regions, an overlapping one merged into the earlier (longer first at one start)."""
    out: list[tuple[int, int, str]] = []
    for start, end, new in sorted(regions, key=lambda r: (r[0], -r[1])):
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, new))
    return out


def for_store(store: Any) -> Pseudonymizer:
    """The pseudonymiser of a store: its own key, and every author it holds."""
    return Pseudonymizer(store.pseudonym_key(), store.authors())
