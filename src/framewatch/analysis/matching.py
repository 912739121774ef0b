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
from itertools import accumulate, chain

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


@cache
def _unworded() -> str:
    """The non-word characters that word characters fold to (U+0345, for `ι`)."""
    return "".join({chr(to) for m, to in _equivalents().items() if _is_word(chr(m)) and not _is_word(chr(to))})


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
            if state.second and _is_word(state.second[0]):  # a next word looked up where it starts
                pairs.add((s, state.second))
            elif state.word:
                words.add(s)
            else:
                prefixes.add(s)
        elif len(s) < _MIN_ANYWHERE:
            return None  # a single letter anywhere: trying the regex there costs more than running it
        else:
            anywhere.add(s)
    prefixes = set(_shortest(prefixes))
    return _Starts(frozenset(words), frozenset(pairs), frozenset(prefixes), _shortest(anywhere),
                   frozenset(_shortest(words | prefixes | {first for first, _ in pairs})))


def _shortest(strings: set[str]) -> tuple[str, ...]:
    """`strings` without those another one begins (`escalat into a direct` after `escalat`): where the
    longer occurs the shorter does, so it adds no place to try. In order, as sorting puts each
    string's continuations right after it."""
    kept: list[str] = []
    for s in sorted(strings):
        if not (kept and s.startswith(kept[-1])):
            kept.append(s)
    return tuple(kept)


@dataclass(frozen=True)
class _Repeats:
    r"""Matches begin at the start of a word, capture that whole word (`least` characters or more) as
    the start of a group, and hold the group's text `again` more times further on
    (`(?<!\w)(\w{2,}...)\s+\1\b`): they begin only at words that occur again as often, however many
    letters may begin them."""

    least: int
    again: int


def _repeats(regex: re.Pattern[str]) -> _Repeats | None:
    if _parser is None or regex.flags & (re.ASCII | re.LOCALE):
        return None
    c = _constants
    try:
        items = list(_parser.parse(regex.pattern, regex.flags))
    except RecursionError:
        return None
    anchored, i = False, 0
    # What lookarounds require beyond the start of a word only narrows the matches.
    while i < len(items) and (items[i][0] in (c.ASSERT, c.ASSERT_NOT) or items[i] == (c.AT, c.AT_BOUNDARY)):
        op, av = items[i]
        anchored = anchored or op is c.AT or (
            op is c.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1 and av[1][0][0] is c.IN
            and _class(av[1][0][1]) == "word")
        i += 1
    if not anchored or i == len(items) or items[i][0] is not c.SUBPATTERN:
        return None
    av = items[i][1]
    group, add_flags, _del_flags, sub = av
    if add_flags & (c.SRE_FLAG_ASCII | c.SRE_FLAG_LOCALE) or not sub or sub[0][0].name not in _REPEATS:
        return None
    least, _most, word = sub[0][1]
    if least < 1 or list(word) != [(c.IN, [(c.CATEGORY, c.CATEGORY_WORD)])]:
        return None
    # The group's word characters run to the end of the word only if no word character can follow them.
    if _nonword_first(list(sub[1:]) + items[i + 1:]) is not True:
        return None
    again = _required(items[i + 1:], group)
    return _Repeats(least, again) if again else None


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _nonword_first(items) -> bool | None:
    """True when whatever `items` match begins with a non-word character (or a word boundary, or the
    end), False when it may begin with a word character, None when it may match nothing."""
    c = _constants
    for op, av in items:
        if op is c.LITERAL:
            return chr(av).isascii() and not _is_word(chr(av))  # no other character is taken for it
        if op is c.IN:
            if any(o is c.NEGATE for o, _ in av):
                return av[0][0] is c.NEGATE and (c.CATEGORY, c.CATEGORY_WORD) in av
            return all((o is c.CATEGORY and a in (c.CATEGORY_SPACE, c.CATEGORY_NOT_WORD))
                       or (o is c.LITERAL and chr(a).isascii() and not _is_word(chr(a))) for o, a in av)
        if op is c.AT:
            return av in (c.AT_BOUNDARY, c.AT_END, c.AT_END_STRING)
        if op is c.ASSERT_NOT and av[0] == 1 and len(av[1]) == 1 and av[1][0][0] is c.IN:
            if _class(av[1][0][1]) == "word":
                return True
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
            first = _nonword_first(av[3] if op is c.SUBPATTERN else av)
        elif op.name in _REPEATS:
            first = _nonword_first(av[2])
            if first is True and av[0] == 0:
                first = None  # or nothing at all: what follows decides as well
        elif op is c.BRANCH:
            firsts = [_nonword_first(alternative) for alternative in av[1]]
            first = False if False in firsts else True if all(firsts) else None
        else:
            return False
        if first is not None:
            return first
    return None


def _required(items, group: int) -> int:
    """How many times every match of `items` holds a back reference to `group` (lookarounds aside)."""
    c = _constants
    count = 0
    for op, av in items:
        if op is c.GROUPREF and av == group:
            count += 1
        elif op is c.SUBPATTERN:
            count += _required(av[3], group)
        elif op is c.ATOMIC_GROUP:
            count += _required(av, group)
        elif op.name in _REPEATS:
            count += av[0] * _required(av[2], group)
        elif op is c.BRANCH:
            count += min(_required(alternative, group) for alternative in av[1])
    return count


class _Regexes:
    """Every regex analysed so far, with how its matches begin, indexed by the words of a text that
    can begin them: one look-up per distinct word of a text then finds where each regex is tried.

    Keyed by id(): hashing a compiled regex hashes its whole program (tens of microseconds for a long
    word list). Each entry keeps its regex alive, so that no other regex can take its id."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[re.Pattern[str], _Starts | _Repeats | None]] = {}
        # By the whole word a match begins with: (regex id, what the text holds from the word's start
        # on), ALL for nothing more.
        self.by_word: dict[str, list[tuple[int, str]]] = {}
        # By the first k characters of a prefix of word characters: (regex id, the prefix).
        self.by_prefix: list[dict[str, list[tuple[int, str]]]] = [{} for _ in range(_PREFIX + 1)]
        # By a whole first word and the next word's first characters: (regex id, the next word's start).
        self.by_pair: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self.pair_firsts: set[str] = set()
        self.looked_up: list[tuple[int, _Starts]] = []  # those indexed here, in the order they came

    def add(self, regex: re.Pattern[str], starts: _Starts | _Repeats | None) -> None:
        rid = id(regex)
        if isinstance(starts, _Starts):
            for word in starts.words:
                self.by_word.setdefault(word, []).append((rid, ALL))
            for s in starts.prefixes:
                word = _WORD_RUN.match(s).group()
                if word == s:  # the text's word begins with it
                    k = min(len(s), _PREFIX)
                    self.by_prefix[k].setdefault(s[:k], []).append((rid, s))
                else:  # `so-called`: the text's word is `so`, and what follows it is checked
                    self.by_word.setdefault(word, []).append((rid, s))
            for first, second in starts.pairs:
                if len(second) < _PREFIX:  # looked up by the next word's first _PREFIX characters only
                    self.by_word.setdefault(first, []).append((rid, ALL))
                else:
                    self.pair_firsts.add(first)
                    self.by_pair.setdefault((first, second[:_PREFIX]), []).append((rid, second))
            self.looked_up.append((rid, starts))
        # Known last: a text that counts it has its look-ups in place (threads may share a text).
        self.known[rid] = (regex, starts)


ALL = ""  # a word's every place


_REGEXES = _Regexes()
_MAX_REGEXES = 20_000


def _starts(regex: re.Pattern[str]) -> _Starts | _Repeats | None:
    global _REGEXES
    known = _REGEXES.known.get(id(regex))
    if known is not None and known[0] is regex:
        return known[1]
    if len(_REGEXES.known) >= _MAX_REGEXES:
        _REGEXES = _Regexes()
        _text.cache_clear()  # its positions are keyed by the ids of the regexes let go
    starts = _analyse(regex) or _repeats(regex)
    _REGEXES.add(regex, starts)
    return starts


# ---------------------------------------------------------------------------------- the text

_WORD_SPLIT = re.compile(r"(\w+)")
_SPACE_RUN = re.compile(r"\s+")


class _Text:
    """A text folded once; where its words start, by word; and the positions each regex is tried at."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = folded = fold(text)
        # Splitting around word runs gives the words and, summing lengths, where each starts: no
        # Python step per character, one per word.
        parts = self._parts = _WORD_SPLIT.split(folded)
        offsets = self._offsets = list(accumulate(map(len, parts)))
        words: dict[str, list[int]] = {}
        for word, at in zip(parts[1::2], offsets[::2], strict=False):
            places = words.get(word)
            if places is None:
                words[word] = [at]
            else:
                places.append(at)
        self.words = words
        self._after: dict[str, int] = {}  # how often a word occurs after its last place, inside other words too
        self._repeats: dict[_Repeats, list[int]] = {}  # rules with equal numbers begin at the same words
        self._captured: dict[str, list[int]] | None = None
        # Where each regex looked up may match, worked out for all of them at once (see `_at_word_starts`),
        # and for how many of `_REGEXES.looked_up` that was done.
        self._word_starts: dict[int, list[list[int]]] = {}
        self._word_starts_for = -1
        self.tried: dict[tuple[int, bool], list[int]] = {}  # by id() of regexes `_REGEXES` keeps alive

    def _at_word_starts(self) -> dict[int, list[list[int]]]:
        """regex id -> lists of word starts where the regex may match, for every regex known: a few
        look-ups per distinct word of the text, however many regexes there are."""
        regexes = _REGEXES
        known = len(regexes.looked_up)  # counted first: a regex known meanwhile is looked up next time
        if self._word_starts_for == known:
            return self._word_starts
        if self._word_starts_for >= 0:  # a few regexes first used on this text: each on its own
            for rid, starts in regexes.looked_up[self._word_starts_for:known]:
                self._word_starts[rid] = self._places(starts)
            self._word_starts_for = known
            return self._word_starts
        folded, words = self.folded, self.words
        found: dict[int, list[list[int]]] = {}
        by_word = regexes.by_word
        for word in words.keys() & by_word.keys():
            places = words[word]
            for rid, then in by_word[word]:
                found.setdefault(rid, []).append(
                    places if then is ALL else [p for p in places if folded.startswith(then, p)])
        for k in range(1, _PREFIX + 1):
            by_prefix = regexes.by_prefix[k]
            if not by_prefix:
                continue
            for word, places in words.items():
                wanted = by_prefix.get(word[:k]) if len(word) >= k else None
                if wanted is not None:
                    for rid, s in wanted:
                        if word.startswith(s):
                            found.setdefault(rid, []).append(places)
        firsts = words.keys() & regexes.pair_firsts
        if firsts:
            by_pair = regexes.by_pair
            paired: dict[int, list[int]] = {}
            parts, offsets = self._parts, self._offsets
            # Each word with what follows it and where the next word starts.
            for word, gap, at, q in zip(parts[1::2], parts[2::2], offsets[::2], offsets[2::2], strict=False):
                if word in firsts and gap.isspace():
                    for rid, second in by_pair.get((word, folded[q:q + _PREFIX]), ()):
                        if len(second) == _PREFIX or folded.startswith(second, q):
                            places = paired.setdefault(rid, [])
                            if not places or places[-1] != at:  # two seconds may begin at one place
                                places.append(at)
            for rid, places in paired.items():
                found.setdefault(rid, []).append(places)
        self._word_starts, self._word_starts_for = found, known
        return found

    def _places(self, starts: _Starts) -> list[list[int]]:
        """What `_at_word_starts` finds for one regex, found for it alone."""
        words, folded = self.words, self.folded
        lists = [words[word] for word in starts.words & words.keys()]
        lists += [self._prefixed(s) for s in starts.prefixes]
        for first, second in starts.pairs:
            places = words.get(first)
            if places is not None and len(second) < _PREFIX:
                lists.append(places)
            elif places is not None:
                lists.append([p for p in places if (gap := _SPACE_RUN.match(folded, p + len(first)))
                              and folded.startswith(second, gap.end())])
        return lists

    def _prefixed(self, s: str) -> list[int]:
        """The word starts where the text goes on with `s` (from the word's first character)."""
        word = _WORD_RUN.match(s).group()
        if word != s:
            return [p for p in self.words.get(word, []) if self.folded.startswith(s, p)]
        return sorted(p for w, places in self.words.items() if w.startswith(s) for p in places)

    def _repeated(self, rule: _Repeats) -> list[int]:
        """The starts of the words that `rule` may begin with: long enough, and occurring again as often
        after the place (counted anywhere, as a back reference is not held to word edges)."""
        found = self._repeats.get(rule)
        if found is not None:
            return found
        folded, after, again = self.folded, self._after, rule.again
        lists = []
        for word, places in self._captured_words().items():
            n = len(word)
            if n < rule.least:
                continue
            # The copies begin with the word, after the group that begins at the place, and do not overlap.
            # The later places of the word and what follows its last place (`str.count` counts as many
            # non-overlapping copies as there can be) are such copies; where they are too few, what
            # follows the place itself is counted. From the first place with too few on, each later one
            # has fewer still.
            last = after.get(word)
            if last is None:
                last = after[word] = folded.count(word, places[-1] + n)
            keep = len(places)
            for i in range(max(0, keep - again), keep):
                if keep - 1 - i + last < again and (i == keep - 1 or folded.count(word, places[i] + n) < again):
                    keep = i
                    break
            if keep:
                lists.append(places if keep == len(places) else places[:keep])
        found = self._repeats[rule] = sorted(chain.from_iterable(lists))
        return found

    def _captured_words(self) -> dict[str, list[int]]:
        """The words a regex captures (runs of the text's word characters), by their folded form. Those
        are the folded text's words unless a letter folds to a non-word character (`ι` with `\u0345`)."""
        if self._captured is None:
            if not any(ch in self.folded for ch in _unworded()):
                self._captured = self.words
            else:
                self._captured = {}
                for run in _WORD_RUN.finditer(self.text):
                    self._captured.setdefault(self.folded[run.start():run.end()], []).append(run.start())
        return self._captured

    def positions(self, regex: re.Pattern[str], starts: _Starts | _Repeats, whole: bool) -> list[int]:
        """Where `regex` is tried, in order; `whole`: the search runs to the end of the text, so a match's
        first word is a word of the text (when it stops earlier, a word may run past the stop)."""
        key = (id(regex), whole)
        found = self.tried.get(key)
        if found is not None:
            return found
        if isinstance(starts, _Repeats):  # where the search stops early, a word may be cut short: any word
            found = self.tried[key] = self._repeated(starts) if whole else sorted(
                chain.from_iterable(self._captured_words().values()))
            return found
        # When the search stops early, each way to begin is a prefix at a word start.
        lists = list(self._at_word_starts().get(id(regex), [])) if whole else [
            self._prefixed(s) for s in starts.at_word]
        folded = self.folded
        for s in starts.anywhere:
            at = []
            i = folded.find(s)
            while i >= 0:
                at.append(i)
                i = folded.find(s, i + 1)
            lists.append(at)
        lists = [at for at in lists if at]
        # One list is in order already (a word's places are); several may share places.
        found = self.tried[key] = lists[0] if len(lists) == 1 else sorted(set(chain.from_iterable(lists)))
        return found


@lru_cache(maxsize=8)
def _text(text: str) -> _Text:
    # The stages look at one document after another, each many times: the last few are kept.
    return _Text(text)


# ------------------------------------------------------------------------------------ the API

def candidates(regex: re.Pattern[str], text: str, whole: bool = True) -> list[int] | None:
    """The positions, in order, where a match of `regex` in `text` may begin (every one begins at one of
    them), or None where any position may; `whole`: the search runs to the end of the text, or stops
    where no word is cut short (a window ending inside a word needs `whole=False`: more positions)."""
    starts = _starts(regex)
    return None if starts is None else _text(text).positions(regex, starts, whole)


def cuts_word(text: str, end: int) -> bool:
    """Whether a search stopping at `end` cuts a word of `text` short. A window that ends elsewhere holds
    whole words only, so the positions `candidates(regex, text)` gives for the whole text serve it."""
    return 0 < end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])


def finditer(regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """The matches `regex.finditer(text, pos, endpos)` yields, in the same order."""
    starts = _starts(regex)
    end = len(text) if endpos is None else max(0, min(endpos, len(text)))
    if starts is None:
        return regex.finditer(text, pos, end)
    positions = _text(text).positions(regex, starts, not cuts_word(text, end))
    if not positions:  # most cues in most texts
        return iter(())
    return _tried(regex, text, positions, max(0, pos), end)


def _tried(regex: re.Pattern[str], text: str, positions: list[int], resume: int, end: int) -> Iterator[re.Match[str]]:
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
