"""The matches of a cue regex in a text, exactly as `regex.finditer(text, pos, endpos)` gives them, found
without trying the regex at every position.

The cue-driven stages run hundreds of case-insensitive regexes over every document, and Python's
engine tries each one at every character: that was most of their time. Most cues can only start
with a few known letters, usually at the start of a word (`\\b(?:so|truly|utterly)\\s+...`,
`(?<![\\w-])(?:arrest...)`). From a regex's parsed form we work out, once per regex, how its matches
can begin, as the regex engine compares characters when ignoring case: with one of a few whole words,
with one of a few strings at the start of a word, or with one of a few strings anywhere. A text is
folded and indexed once (its words and the positions where they start); only the positions found
there are tried, left to right, each match resuming the search after its end, as `finditer` does. A
regex whose start we cannot pin down this way (it may begin with any letter, or match nothing) is
run as usual.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

try:  # the regex engine's own parser and case table; without them every regex is simply run
    from re import _casefix, _constants, _parser
except ImportError:  # pragma: no cover
    _parser = None

_PREFIX = 3  # the word-start index keys positions by up to this many characters
_MAX_CHARS = 24  # a start is followed no further than this
_MAX_STATES = 4096  # more ways to begin, and working them out costs more than it saves
_MIN_ANYWHERE = 2  # a string searched for anywhere (not only at word starts) needs this many characters
_WORD_RUN = re.compile(r"\w+")


# ------------------------------------------------------------------------------- case folding

@cache
def _equivalents() -> dict[int, int]:
    """Characters the engine treats as one when ignoring case although their lowercase forms differ
    (`s` and long `ſ`, `i` and dotless `ı`, ...), each mapped to one of its class."""
    table: dict[int, int] = {}
    for lower, extra in _casefix._EXTRA_CASES.items():
        members = (lower, *extra)
        # The smallest member stands for the class; it is a non-word character only where the class
        # has one (U+0345), so folding never turns a non-word character into a word character.
        table.update({m: min(members) for m in members if m != min(members)})
    return table


def fold(text: str) -> str:
    """`text` with each character replaced by what the engine compares when ignoring case (its simple
    lowercase, one character for one: `İ` lowercases to `i`, not `i̇`), classes of equivalents merged."""
    return text.replace("İ", "i").lower().translate(_equivalents())


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# ------------------------------------------------------------------------ how matches begin

class _GiveUp(Exception):
    pass


@dataclass(frozen=True)
class _State:
    """One way a match can begin: the folded characters it starts with, whether more may follow,
    how it is anchored ("" not at all, "b" by `\b` before it, "w" by a lookbehind that excludes word
    characters), whether those characters are its whole first word (a non-word character or `\b`
    follows), and, when whitespace follows that word, how the next word begins (`second`)."""

    chars: str = ""
    open: bool = True
    anchor: str = ""
    word: bool = False
    second: str | None = None


def _stop(state: _State, word: bool = False) -> _State:
    if not state.open:
        return state
    if state.second is not None:
        return _State(state.chars, False, state.anchor, True, state.second)
    return _State(state.chars, False, state.anchor, word)


def _extend(states: set[_State], chars: Iterable[str]) -> set[_State]:
    out = set()
    for state in states:
        begun = state.chars if state.second is None else state.second
        if not state.open or len(begun) >= _MAX_CHARS:
            out.add(_stop(state))
        elif state.second is None:
            out.update(_State(state.chars + ch, True, state.anchor) for ch in chars)
        else:
            out.update(_State(state.chars, True, state.anchor, True, state.second + ch) for ch in chars)
    return out


def _ends_word(states: set[_State]) -> set[_State]:
    """What follows cannot be a word character: a begun first word of word characters ends here."""
    return {_stop(s, word=bool(s.chars) and all(map(_is_word, s.chars))) if s.open else s for s in states}


def _gap(states: set[_State]) -> set[_State]:
    """Whitespace follows (one character or more): a first word of word characters is whole, and
    what comes next begins the second word."""
    out = set()
    for s in states:
        if s.open and s.second is None and s.chars and all(map(_is_word, s.chars)):
            out.add(_State(s.chars, True, s.anchor, True, ""))
        else:
            out.update(_ends_word({s}))
    return out


def _class(items: list) -> str:
    """"word" for a class holding every word character (`\\w`, `[\\w-]`), "space" for one of whitespace
    only (`\\s`, `[ \\t]`), "other" for one of other non-word characters (`[\\s-]`, `['’]`), else ""."""
    c = _constants
    if any(op is c.NEGATE for op, _ in items):
        return ""
    if any(op is c.CATEGORY and av is c.CATEGORY_WORD for op, av in items):
        return "word"
    space = True
    for op, av in items:
        if op is c.CATEGORY and av not in (c.CATEGORY_SPACE, c.CATEGORY_NOT_WORD):
            return ""
        if op is c.LITERAL and _is_word(chr(av)):
            return ""
        if op not in (c.CATEGORY, c.LITERAL):
            return ""
        space = space and (av is c.CATEGORY_SPACE if op is c.CATEGORY else chr(av).isspace())
    return "space" if space else "other"


def _sequence(items, states: set[_State]) -> set[_State]:
    c = _constants
    for op, av in items:
        before = states
        if op is c.LITERAL:
            states = _extend(states, [fold(chr(av))])
        elif op is c.IN:
            kind = _class(av)
            if len(av) <= 16 and all(item_op is c.LITERAL for item_op, _ in av) and kind in ("", "word"):
                states = _extend(states, {fold(chr(code)) for _, code in av})
            elif kind in ("space", "other"):
                states = _ends_word(states)
            else:
                states = {_stop(s) for s in states}
        elif op is c.AT:
            if av is c.AT_BOUNDARY:
                states = {_State(s.chars, s.open, "b") if not s.chars and not s.anchor else s for s in states}
                states = {s for s in states if not s.chars} | _ends_word({s for s in states if s.chars})
        elif op is c.ASSERT_NOT:
            direction, sub = av
            if len(sub) == 1 and sub[0][0] is c.IN and _class(sub[0][1]) == "word":
                if direction == -1:
                    states = {_State(s.chars, s.open, "w") if not s.chars else s for s in states}
                else:
                    states = {s for s in states if not s.chars} | _ends_word({s for s in states if s.chars})
        elif op is c.ASSERT:
            pass  # zero-width; what it requires only narrows the matches further
        elif op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & (c.SRE_FLAG_ASCII | c.SRE_FLAG_LOCALE):
                raise _GiveUp
            states = _sequence(sub, states)
        elif op is c.ATOMIC_GROUP:
            states = _sequence(av, states)
        elif op is c.BRANCH:
            states = set().union(*(_sequence(alternative, states) for alternative in av[1]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            if low >= 1 and len(sub) == 1 and sub[0][0] is c.IN and _class(sub[0][1]) == "space":
                states = _gap(states)  # `\s+`: the whole run of whitespace, whatever its length
                continue
            once = _sequence(sub, states)
            # One pass is followed by another or by what comes next: the start stops after the first.
            after = once if high == 1 else {_stop(s) for s in once}
            states = after | states if low == 0 else after
        else:  # any character, a negated or wide class, a back reference...: unknown from here on
            states = {_stop(s) for s in states}
        if len(states) > _MAX_STATES:  # too many ways to go on: the starts known so far will do
            states = {_stop(s) for s in before}
    return states


@dataclass(frozen=True)
class _Starts:
    """How a regex's matches begin (folded), at the start of a word: with one of `words` as their whole
    first word, with one of `pairs` (a whole first word, whitespace, the start of the next word), or
    with one of `prefixes`; or wherever, with one of `anywhere`."""

    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    prefixes: frozenset[str]
    anywhere: tuple[str, ...]
    at_word: frozenset[str] = frozenset()  # all those at word starts, each taken as a prefix


def _analyse(regex: re.Pattern[str]) -> _Starts | None:
    """How `regex`'s matches begin, or None when they could begin almost anywhere (or be empty)."""
    if _parser is None or regex.flags & (re.ASCII | re.LOCALE):
        return None
    try:
        states = _sequence(_parser.parse(regex.pattern, regex.flags), {_State()})
    except (_GiveUp, RecursionError):
        return None
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    prefixes: set[str] = set()
    anywhere: set[str] = set()
    for state in states:
        s = state.chars
        if not s:
            return None  # a match may begin with a character we cannot name, or be empty
        # After `\b` a word character begins a word; a lookbehind excluding word characters says so of
        # whatever follows, but only word characters are indexed as word starts.
        if state.anchor and _is_word(s[0]):
            if state.second:
                pairs.add((s, state.second))
            elif state.word:
                words.add(s)
            else:
                prefixes.add(s)
        elif len(s) < _MIN_ANYWHERE:
            return None  # a single letter anywhere: trying the regex there costs more than running it
        else:
            anywhere.add(s)
    return _Starts(frozenset(words), frozenset(pairs), frozenset(prefixes), tuple(sorted(anywhere)),
                   frozenset(words | prefixes | {first for first, _ in pairs}))


class _Regexes:
    """Every regex analysed so far, with how its matches begin, indexed the way a text's words are:
    one pass over a text's words then finds where each regex is to be tried.

    Keyed by id(): hashing a compiled regex hashes its whole program (tens of microseconds for a long
    word list). Each entry keeps its regex alive, so that no other regex can take its id."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[re.Pattern[str], _Starts | None]] = {}
        self.words: dict[str, list[int]] = {}
        self.prefixes: list[dict[str, list[tuple[int, str]]]] = [{} for _ in range(_PREFIX + 1)]
        self.pairs: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def add(self, regex: re.Pattern[str], starts: _Starts | None) -> None:
        rid = id(regex)
        if starts is not None:
            for word in starts.words:
                self.words.setdefault(word, []).append(rid)
            for s in starts.prefixes:
                k = min(len(s), _PREFIX)
                self.prefixes[k].setdefault(s[:k], []).append((rid, s))
            for first, second in starts.pairs:
                if len(second) < _PREFIX:  # indexed by the next word's first _PREFIX characters only
                    self.words.setdefault(first, []).append(rid)
                else:
                    self.pairs.setdefault((first, second[:_PREFIX]), []).append((rid, second))
        # Known last: a text that counts it has its look-ups in place (threads may share a text).
        self.known[rid] = (regex, starts)


_REGEXES = _Regexes()
_MAX_REGEXES = 20_000


def _starts(regex: re.Pattern[str]) -> _Starts | None:
    global _REGEXES
    known = _REGEXES.known.get(id(regex))
    if known is not None and known[0] is regex:
        return known[1]
    if len(_REGEXES.known) >= _MAX_REGEXES:
        _REGEXES = _Regexes()
        _text.cache_clear()  # its positions are keyed by the ids of the regexes let go
    starts = _analyse(regex)
    _REGEXES.add(regex, starts)
    return starts


# ---------------------------------------------------------------------------------- the text

class _Text:
    """A text folded once; where its words start, by word, by their first characters, and by word and
    the next word's first characters (whitespace between); and the positions each regex is tried at."""

    def __init__(self, text: str) -> None:
        self.folded = fold(text)
        self._words: dict[str, list[int]] = {}
        self._prefixes: list[dict[str, list[int]]] = []
        self._pairs: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self._index()
        # Where each known regex may match, worked out for all of them at once (see `_at_word_starts`),
        # and for how many regexes that was done.
        self._word_starts: dict[int, list[int]] = {}
        self._word_starts_for = -1
        self.tried: dict[tuple[int, bool], list[int]] = {}  # by id() of regexes `_REGEXES` keeps alive

    def _index(self) -> None:
        folded = self.folded
        words: dict[str, list[int]] = {}
        pairs: dict[tuple[str, str], list[tuple[int, int]]] = {}
        before = None
        for run in _WORD_RUN.finditer(folded):
            at, word = run.start(), run.group()
            words.setdefault(word, []).append(at)
            if before is not None and folded[before[1]:at].isspace():
                pairs.setdefault((before[2], folded[at:at + _PREFIX]), []).append((before[0], at))
            before = (at, run.end(), word)
        prefixes: list[dict[str, list[int]]] = [{} for _ in range(_PREFIX + 1)]
        for word, places in words.items():
            for k in range(1, _PREFIX + 1):
                if len(word) >= k:
                    prefixes[k].setdefault(word[:k], []).extend(places)
                else:  # a short word's first k characters run into what follows it
                    for at in places:
                        prefixes[k].setdefault(folded[at:at + k], []).append(at)
        self._words, self._prefixes, self._pairs = words, prefixes, pairs

    def _at_word_starts(self) -> dict[int, list[int]]:
        """regex id -> the word starts where the regex may match, for every regex known: one look-up
        per distinct word, prefix and pair of the text, however many regexes there are."""
        known = len(_REGEXES.known)  # counted first: a regex known meanwhile is looked up next time
        if self._word_starts_for == known:
            return self._word_starts
        folded = self.folded
        found: dict[int, list[int]] = {}
        for word, places in self._words.items():
            for rid in _REGEXES.words.get(word, ()):
                found.setdefault(rid, []).extend(places)
        for k in range(1, _PREFIX + 1):
            wanted = _REGEXES.prefixes[k]
            for key, places in self._prefixes[k].items():
                for rid, s in wanted.get(key, ()):
                    found.setdefault(rid, []).extend(
                        places if len(s) == k else [p for p in places if folded.startswith(s, p)])
        for key, both in self._pairs.items():
            for rid, second in _REGEXES.pairs.get(key, ()):
                found.setdefault(rid, []).extend(
                    p for p, q in both if len(second) == _PREFIX or folded.startswith(second, q))
        self._word_starts, self._word_starts_for = found, known
        return found

    def positions(self, regex: re.Pattern[str], starts: _Starts, whole: bool) -> list[int]:
        """Where `regex` is tried; `whole`: the search runs to the end of the text, so a match's first
        word is a word of the text (when it stops earlier, a word may run past the stop)."""
        key = (id(regex), whole)
        found = self.tried.get(key)
        if found is not None:
            return found
        folded = self.folded
        if whole:
            at = list(self._at_word_starts().get(id(regex), ()))
        else:  # each way to begin as a prefix at a word start
            at = []
            for s in starts.at_word:
                k = min(len(s), _PREFIX)
                places = self._prefixes[k].get(s[:k], ())
                at.extend(places if k == len(s) else (p for p in places if folded.startswith(s, p)))
        for s in starts.anywhere:
            i = folded.find(s)
            while i >= 0:
                at.append(i)
                i = folded.find(s, i + 1)
        found = self.tried[key] = sorted(set(at))
        return found


@lru_cache(maxsize=8)
def _text(text: str) -> _Text:
    # The stages look at one document after another, each many times: the last few are kept.
    return _Text(text)


# ------------------------------------------------------------------------------------ the API

def finditer(regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """The matches `regex.finditer(text, pos, endpos)` yields, in the same order."""
    starts = _starts(regex)
    end = len(text) if endpos is None else max(0, min(endpos, len(text)))
    if starts is None:
        yield from regex.finditer(text, pos, end)
        return
    positions = _text(text).positions(regex, starts, end == len(text))
    resume = max(0, pos)
    for i in range(bisect_left(positions, resume), len(positions)):
        at = positions[i]
        if at >= end:
            break
        if at < resume:
            continue
        # Lookbehinds and `\b` see the text before `at`, as they do when `finditer` reaches it.
        found = regex.match(text, at, end)
        if found is not None:
            yield found
            resume = found.end()  # never empty: every way to begin holds at least one character


def search(regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
    """What `regex.search(text, pos, endpos)` returns."""
    return next(finditer(regex, text, pos, endpos), None)
