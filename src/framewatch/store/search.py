"""How the search index reads text, the same for every back end: words, their folded written forms and
lemmas, the query language, and snippets that mark the matched words in the original text.

A word is a run of letters and digits (combining accents inside it included). Its written form is
folded: lower case, Latin diacritics and Russian stress marks dropped, and the letters readers treat
as one merged by the `search` language resources (ё/е, ə/e, ı/i). Its lemma is the dictionary form
pymorphy3 gives a Russian word (the first analysis, so `Алиева`, `Алиеву`, `Алиевой` all index as
`алиев`), else the written form: Ukrainian, Kazakh and Latin-script words are not lemmatised.

Query semantics (docs/store.md): every term must match; a word matches a word with the same lemma
(so an exact form matches too); a "quoted phrase" matches consecutive words with those lemmas; `word*`
matches a word whose written form or lemma starts with `word`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from typing import NamedTuple

from .. import resources

# Raised whenever the way words are read changes: stores re-index when it does.
ANALYZER_VERSION = "1"
# Longer "words" (base64, hashes, runs of one letter) are not indexed: PostgreSQL refuses lexemes over
# 2 KB, and nobody searches for them.
MAX_WORD_CHARS = 100
# Terms of one query beyond these (a pasted paragraph) are ignored rather than make the query slow.
MAX_TERMS = 64

_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0483-\u0489]+[^\W_]*)*")
_RUSSIAN = re.compile(r"[а-я]+")  # after folding (ё is е); other Cyrillic alphabets are not lemmatised
_LETTERS = re.compile(r"[^\W_]+")
_QUERY_TERM = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
# Control characters (NUL ends a C string early) and lone surrogates (undecodable bytes in argv)
# separate terms like spaces.
_QUERY_SEPARATORS = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Accents that make another letter where they sit on a Cyrillic one (й, ї, ў); every other combining
# mark is dropped (Latin diacritics, stress marks).
_CYRILLIC_LETTER_MARKS = frozenset("\u0306\u0308")


class Word(NamedTuple):
    start: int
    end: int
    form: str  # folded written form
    lemma: str


@dataclass(frozen=True)
class Term:
    """One query term: consecutive words (one for a plain word), the last one a prefix when `prefix`."""

    forms: tuple[str, ...]
    lemmas: tuple[str, ...]
    prefix: bool = False


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for data in resources.load_all("search").values():
        table.update({ord(k): v for k, v in data.get("fold", {}).items()})
    return table


def fold(text: str | None) -> str | None:
    """Text with the letters readers treat as one merged (the same length)."""
    return text.translate(_fold_table()) if text is not None else None


@lru_cache(maxsize=200_000)
def form(word: str) -> str:
    """The folded written form of one word as the index keeps it."""
    lowered = (fold(word) or "").lower()
    out: list[str] = []
    cyrillic_base = False
    for char in unicodedata.normalize("NFD", lowered):
        if unicodedata.combining(char):
            if cyrillic_base and char in _CYRILLIC_LETTER_MARKS:
                out.append(char)
            continue
        cyrillic_base = "\u0400" <= char <= "\u04ff"
        out.append(char)
    composed = unicodedata.normalize("NFC", "".join(out))
    # A Cyrillic letter with an accent that composes to nothing (rare alphabets) loses the accent.
    return "".join(c for c in composed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def lemma(folded: str) -> str:
    """The lemma of a folded word form (the form itself unless it is a Russian word)."""
    if not _RUSSIAN.fullmatch(folded):
        return folded
    from ..analysis.morphology import morph

    normal = form(morph().parse(folded)[0].normal_form)
    return normal if _LETTERS.fullmatch(normal) else folded


@lru_cache(maxsize=300_000)
def _read(word: str) -> tuple[str, str] | None:
    """(folded written form, lemma) of one word as the tokenizer found it; None when nothing is left."""
    folded = form(word)
    return (folded, lemma(folded)) if folded else None


def words(text: str | None) -> Iterator[Word]:
    """The indexed words of `text` with their offsets in it."""
    if not text:
        return
    for match in _WORD.finditer(text):
        start, end = match.span()
        if end - start <= MAX_WORD_CHARS:
            read = _read(match.group())
            if read:
                yield Word(start, end, *read)


def fields(title: str | None, author: str | None, text: str | None) -> list[list[tuple[str, str]]]:
    """(form, lemma) of the words of a document's searchable fields, in index order (title, author, text)."""
    out = []
    for value in (title, author, text):
        found = [_read(w) for w in _WORD.findall(value or "") if len(w) <= MAX_WORD_CHARS]
        out.append([pair for pair in found if pair])
    return out


def parse_query(query: str) -> list[Term]:
    """The distinct terms of user text (the first MAX_TERMS); characters that are neither letters nor
    digits only separate words, so no input is ever a syntax error (operators such as AND or NEAR are
    searched as words)."""
    terms = []
    for match in _QUERY_TERM.finditer(_QUERY_SEPARATORS.sub(" ", query)):
        raw = match.group("word")
        prefix = raw is not None and raw.endswith("*")
        found = list(words(raw if raw is not None else match.group("phrase")))
        term = Term(tuple(w.form for w in found), tuple(w.lemma for w in found), prefix)
        if found and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


@cache
def analyzer_id() -> str:
    """What the words of the index depend on; a store whose index was built under another one re-indexes."""
    versions = []
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            versions.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            versions.append("-")
    folds = "".join(f"{chr(k)}{v}" for k, v in sorted(_fold_table().items()))
    return f"{ANALYZER_VERSION}/{'/'.join(versions)}/{folds}"


SNIPPET_WORDS = 12


def _hits(forms: list[str], lemmas: list[str], terms: list[Term]) -> list[tuple[int, int, int]]:
    """(first word, word count, term index) of every match of `terms` among the words, in text order."""
    hits = []
    for t, term in enumerate(terms):
        n = len(term.lemmas)
        if term.prefix:
            last, lemma_head, form_head = term.forms[-1], list(term.lemmas[:-1]), list(term.forms[:-1])
            for i in range(len(forms) - n + 1):
                j = i + n - 1
                if ((lemmas[j].startswith(last) and lemmas[i:j] == lemma_head)
                        or (forms[j].startswith(last) and forms[i:j] == form_head)):
                    hits.append((i, n, t))
        else:
            wanted = list(term.lemmas)
            for i, lemma in enumerate(lemmas):
                if lemma == wanted[0] and lemmas[i:i + n] == wanted:
                    hits.append((i, n, t))
    return sorted(hits)


def snippet(text: str, terms: list[Term], markers: tuple[str, str] = ("[", "]"), size: int = SNIPPET_WORDS) -> str:
    """About `size` words of `text` around the best cluster of matches, each matched word of the
    original text wrapped in `markers`, with `…` where the text was cut."""
    found: list[tuple[int, int]] = []  # the words' offsets, their forms and lemmas: `words()`, unrolled
    forms: list[str] = []
    lemmas: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        read = _read(word) if len(word) <= MAX_WORD_CHARS else None
        if read:
            found.append(match.span())
            forms.append(read[0])
            lemmas.append(read[1])
    if not found:
        return text[:200]
    hits = _hits(forms, lemmas, terms)
    first = 0
    if hits:
        # The window holding the most distinct terms, starting a little before its first hit.
        best = (-1, 0)
        for i, _, _ in hits[:200]:
            start = max(0, min(i - 2, len(found) - size))
            distinct = len({t for j, n, t in hits if j >= start and j + n <= start + size})
            if distinct > best[0]:
                best = (distinct, start)
        first = best[1]
    last = min(len(found), first + size) - 1
    marked = {j for i, n, _ in hits if i >= first and i + n - 1 <= last for j in range(i, i + n)}
    begin = 0 if first == 0 else found[first][0]
    end = len(text) if last == len(found) - 1 else found[last][1]
    parts = ["…" if begin else ""]
    position = begin
    for j in range(first, last + 1):
        if j in marked:
            start, stop = found[j]
            parts += [text[position:start], markers[0], text[start:stop], markers[1]]
            position = stop
    parts.append(text[position:end])
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip()
