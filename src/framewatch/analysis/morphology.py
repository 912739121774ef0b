"""Russian morphology shared by the stages: one pymorphy3 analyser per process (each word form parsed
once), and the grammatical
case of an actor's head word (whether it can only be the subject, or only an object, of the verb
beside it), which the stages that decide who does what to whom (roles, events) rely on."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_OBLIQUE = frozenset({"accs", "datv", "loct", "ablt", "acc2", "loc2"})


@cache
def morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=100_000)
def parses(word: str) -> tuple[Any, ...]:
    """pymorphy3's readings of a word form, likeliest first: several stages ask about the same words
    (lemmas for mentions, sentiment and claims, cases for roles and events), each is parsed once."""
    return tuple(morph().parse(word))


@lru_cache(maxsize=20_000)
def cases(word: str) -> frozenset[str]:
    """Grammatical cases a Russian word form can take (empty when it does not decline)."""
    if not re.search(r"[а-яё]", word, re.IGNORECASE):
        return frozenset()
    return frozenset(p.tag.case for p in parses(word) if p.tag.case)


def case_says(text: str, start: int, end: int) -> str | None:
    """`subject` when the actor's head word can only be nominative, `object` when it cannot be
    nominative (nor genitive: `армия России` is still on the acting side), else None."""
    words = _WORD.findall(text[start:end])
    if not words:
        return None
    found = cases(words[-1].lower())
    if not found or (len(words[-1]) <= 3 and words[-1].isupper()):
        return None
    if found == {"nomn"}:
        return "subject"
    if found <= _OBLIQUE:
        return "object"
    return None
