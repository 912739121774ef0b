"""What the cue-driven stages (techniques, roles, narratives) share: word lists and patterns as
regular expressions, and the sentences and clauses of a text that cues are judged in.

A cue file entry is a word list (`*` ends a stem: `бандит*`, `terror*`; spaces match any run of
spaces) or a regular expression in which `{name}` stands for the file's `[lists] name`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .matching import finditer
from .sentences import sentence_bounds

_CLAUSE_REACH = 400
_CLAUSE_EDGE = re.compile(r"[,;:()\u2014\u2013]|\s-\s")


_STAR, _SPACE = "\x00*", "\x00 "


def _units(entry: str) -> list[str]:
    """A list entry as matching units: its characters, `*` for any word ending (`бандит*`,
    `terror*`), and the space between words."""
    units: list[str] = []
    for i, word in enumerate(entry.split()):
        if i:
            units.append(_SPACE)
        units.extend([*word[:-1], _STAR] if word.endswith("*") else word)
    return units


def word_pattern(entries: Iterable[str]) -> str:
    """One regex for a word list, as a trie: a list of hundreds of words then costs about what one
    word does, and longer entries win over their prefixes (`so-called experts` over `so-called`)."""
    trie: dict[str, dict] = {}
    for entry in {e.strip().lower() for e in entries if e.strip()}:
        node = trie
        for unit in _units(entry):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = []
        for unit in sorted(k for k in node if k):
            piece = r"\w*" if unit == _STAR else r"\s+" if unit == _SPACE else re.escape(unit)
            branches.append(piece + emit(node[unit]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?<![\\w-])" + emit(trie) + "(?![\\w-])"


def expand_lists(pattern: str, lists: dict[str, list[str]], where: str) -> str:
    """`pattern` with each `{name}` replaced by the word pattern of `lists[name]`; `where` names the cue
    in errors."""
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lists:
            raise ValueError(f"{where}: unknown list {{{name}}}")
        return word_pattern(lists[name])

    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", substitute, pattern)


def compile_pattern(pattern: str, lists: dict[str, list[str]], where: str) -> re.Pattern[str]:
    """`pattern`, lists expanded, compiled case-insensitive; a bad one is a ValueError naming `where`."""
    try:
        return re.compile(expand_lists(pattern, lists, where), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: bad pattern: {exc}") from exc


def numbered_cues(raws: Iterable[Mapping[str, Any]], file: str) -> Iterator[tuple[Mapping[str, Any], str, str]]:
    """(cue, its id, where it is for errors) for each cue of a file, once every id is known to be present
    and unique."""
    seen: set[str] = set()
    for number, raw in enumerate(raws, 1):
        cue_id = raw.get("id")
        where = f"{file} cue {cue_id or number!r}"
        if not cue_id or cue_id in seen:
            raise ValueError(f"{where}: missing or repeated id")
        seen.add(cue_id)
        yield raw, cue_id, where


def cue_weight(raw: Mapping[str, Any], where: str) -> float:
    """A cue's weight, once it is known to have a rationale and a weight in (0, 1]."""
    if not raw.get("rationale"):
        raise ValueError(f"{where}: every cue needs a rationale")
    weight = float(raw.get("weight", 0))
    if not 0 < weight <= 1:
        raise ValueError(f"{where}: weight must be in (0, 1]")
    return weight


def trigger(raw: Mapping[str, Any], lists: dict[str, list[str]], where: str) -> re.Pattern[str]:
    """What fires a cue: its `words` or its `pattern` (exactly one of them), compiled."""
    if ("words" in raw) == ("pattern" in raw):
        raise ValueError(f"{where}: give exactly one of `words` or `pattern`")
    source = word_pattern(raw["words"]) if "words" in raw else expand_lists(raw["pattern"], lists, where)
    return compile_pattern(source, {}, where)


def firing_sentences(regex: re.Pattern[str], near: re.Pattern[str] | None, unless: re.Pattern[str] | None,
                     sentences: Sentences) -> set[int]:
    """The sentences a cue fires in: one pass of its regex over the whole text, its `near` and `unless`
    conditions checked once per sentence."""
    text = sentences.text
    checked: dict[int, bool] = {}
    for match in finditer(regex, text):
        if match.end() == match.start():
            continue
        index = sentences.index(match.start())
        if index not in checked:
            start, end = sentences.bounds[index]
            sentence = text[start:end]
            checked[index] = not ((near is not None and not near.search(sentence))
                                  or (unless is not None and unless.search(sentence)))
    return {index for index, fires in checked.items() if fires}


def noisy_or(weights: Iterable[float]) -> float:
    """The chance that at least one of several independent cues is right; rounded so that one cue of
    weight 0.5 meets a threshold of 0.5."""
    miss = 1.0
    for weight in weights:
        miss *= 1 - weight
    return round(1 - miss, 6)


class Sentences:
    """A text's sentences (lines are hard boundaries), which sentence holds an offset, and the clause
    around a match."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bounds = sentence_bounds(text) or [(0, len(text))]
        self._starts = [b[0] for b in self.bounds]

    def index(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    def clause(self, start: int, end: int, sentence: int) -> tuple[int, int]:
        # Looking no further than _CLAUSE_REACH keeps a text with no punctuation linear.
        s_start, s_end = self.bounds[sentence]
        left = max(s_start, start - _CLAUSE_REACH)
        for edge in _CLAUSE_EDGE.finditer(self.text, left, start):
            left = edge.end()
        right_edge = _CLAUSE_EDGE.search(self.text, end, min(s_end, end + _CLAUSE_REACH))
        right = right_edge.start() if right_edge else min(s_end, end + _CLAUSE_REACH)
        return trim(self.text, left, right)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return start, end


