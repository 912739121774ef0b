"""What a page or API answer shows of people when the server pseudonymises authors.

`framewatch.privacy.Pseudonymizer` rewrites documents (fields, text and span offsets) and values; a
`Redactor` applies it to everything the web shows, in free text and dictionary keys too, re-cites
quoted evidence into the rewritten texts, and maps a pseudonym typed into a filter back to the
member it stands for. With pseudonymisation off it changes nothing.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterable
from typing import Any

from ..model import Document, Span
from ..privacy import PREFIX, Pseudonymizer

_CITE_LAYER, _MARK_LAYER = "~cite", "~mark"
_WORDS = re.compile(r"\w+")
_PSEUDONYM = re.compile(rf"(?<![\w-]){re.escape(PREFIX)}[0-9a-f]{{10}}(?![\w-])")


class Redactor:
    def __init__(self, pseudonymizer: Pseudonymizer | None = None, authors: Iterable[str] = ()) -> None:
        self._p = pseudonymizer
        self._members = {pseudonymizer.name(a): a for a in authors} if pseudonymizer else {}

    @property
    def active(self) -> bool:
        return self._p is not None

    def document(self, doc: Document) -> Document:
        return self._p.document(doc) if self._p else doc

    def text(self, text: str) -> str:
        """Free text with every member name in it replaced."""
        return self._p.document(Document(text=text)).text if self._p and text else text

    def marked(self, text: str, marks: list[list[int]]) -> tuple[str, list[list[int]]]:
        """Free text and [start, end] marks in it (a search snippet's matches), member names replaced
        and the marks moved with the text: a mark on part of a name covers its pseudonym."""
        if not self._p:
            return text, marks
        shown = self._p.document(Document(text=text, spans=[Span(_MARK_LAYER, "", s, e) for s, e in marks]))
        moved = sorted({(s.start, s.end) for s in shown.spans if s.layer == _MARK_LAYER})
        return shown.text, [[start, end] for start, end in moved]

    def value(self, value: Any) -> Any:
        """A JSON-like value with member names replaced in every string and key."""
        if not self._p:
            return value
        if isinstance(value, str):
            exact = self._p.value(value)
            return exact if exact != value else self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        return value

    def member(self, shown: str | None) -> str | None:
        """The real name behind a pseudonym typed into a filter; other values as they are."""
        return self._members.get(shown, shown) if shown else shown

    def search_query(self, query: str) -> str | None:
        """The query to run on the stored texts for what a visitor typed into search: a pseudonym
        stands for its member's name; None for a query naming a member, since no text shown holds
        the name (running it would tell whether and where the name occurs)."""
        if not self._p:
            return query
        if self._p.names_member(query):
            return None
        quote = "" if '"' in query else '"'  # a name of several words is a phrase, unless inside one already

        def member(found: re.Match[str]) -> str:
            name = self._members.get(found.group())
            if name is None:
                return found.group()
            # Only the name's words: a `*` or `"` in a member's name is no search operator.
            return quote + " ".join(_WORDS.findall(name)) + quote

        return _PSEUDONYM.sub(member, query)

    def actor_id(self, shown: str, known: Iterable[str]) -> str:
        """The stored actor id that is shown as `shown` (a member's discovered id is pseudonymised)."""
        if not self._p:
            return shown
        return next((actor_id for actor_id in known if self._p.actor_id(actor_id) == shown), shown)

    def cited(self, value: Any, store: Any) -> Any:
        """`value` (a summary, a comparison) with every citation `{document, start, end, text}` moved
        into its document's pseudonymised text, then member names replaced everywhere."""
        if not self._p:
            return value
        value = copy.deepcopy(value)  # it may be a cached aggregate other requests read
        citations: dict[str, list[dict[str, Any]]] = {}
        _collect(value, citations)
        for doc in store.iter_documents(ids=list(citations)):
            extra = [Span(_CITE_LAYER, "", c["start"], c["end"], attrs={"i": i})
                     for i, c in enumerate(citations[doc.id]) if 0 <= c["start"] <= c["end"] <= len(doc.text)]
            doc.spans = [*doc.spans, *extra]
            shown = self._p.document(doc)
            for span in shown.spans:
                if span.layer == _CITE_LAYER:
                    cite = citations[doc.id][span.attrs["i"]]
                    cite.update(start=span.start, end=span.end, text=shown.text[span.start:span.end])
        return self.value(value)


def _collect(value: Any, found: dict[str, list[dict[str, Any]]]) -> None:
    if isinstance(value, dict):
        if (isinstance(value.get("document"), str) and isinstance(value.get("start"), int)
                and isinstance(value.get("end"), int) and isinstance(value.get("text"), str)):
            found.setdefault(value["document"], []).append(value)
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


class Redactors:
    """One `Redactor` per state of the store: rebuilt when documents or runs were added or removed
    (reading every author is a scan of the documents, too slow for every request)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], Redactor] | None = None

    def __call__(self, store: Any) -> Redactor:
        if not self.enabled:
            return Redactor()
        state = (store.count(latest_only=False), len(store.runs()))
        with self._lock:
            if self._cached and self._cached[0] == state:
                return self._cached[1]
        authors = store.authors()
        redactor = Redactor(Pseudonymizer(store.pseudonym_key(), authors), authors)
        with self._lock:
            self._cached = (state, redactor)
        return redactor
