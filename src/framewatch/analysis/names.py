"""Cross-lingual name forms: normalisation, Latin spellings and matching of actor names.

`Ильхам Алиев`, `İlham Əliyev` and `Ilham Aliyev` are compared in one space: every name is turned
into the Latin spellings it can have (`latin_forms`), using the transliteration tables shipped as
data (`resources/<lang>/translit.toml`: BGN/PCGN for Russian, the national system for Ukrainian,
press spellings for Azerbaijani and Turkish letters), plus unidecode as a last resort. Two names
are then scored token by token (`name_similarity`), and `same_name` applies a threshold measured
on the pair set in `tests/fixtures/name_pairs.tsv` (see `benchmarks/name_matching.py`).

Surname-only mentions and titles are not resolved here: `Aliyev` matches both `Ilham Aliyev` and
`Heydar Aliyev`, and it is the actors stage that decides which one a document means.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode

from .. import resources

__all__ = ["SAME_NAME_THRESHOLD", "latin_forms", "name_similarity", "normalize", "same_name"]

# Measured with `python benchmarks/name_matching.py` on tests/fixtures/name_pairs.tsv (257 true
# pairs, 117 hard negatives). True pairs score 1.0 when the tables produce a shared spelling, else
# 0.93-0.99 (Ahmadov/Ахмедов, Sergei/Sergey, initials); the hardest negatives share a consonant
# skeleton or a stem (Сюник/Sunak 0.907, Gori/Goris 0.86). 0.92 sits in that gap: precision 1.000,
# recall 0.981 on the set; anything from 0.91 to 0.93 scores the same there.
SAME_NAME_THRESHOLD = 0.92

# Spellings the tables may give one word (a few more come from case endings and unidecode), and
# most spellings of a whole name that `latin_forms` returns.
_TOKEN_CAP = 24
_NAME_CAP = 32
# An initial (`V. Putin`) agrees with any token starting with its letter, but is weaker evidence
# than a spelled-out name.
_INITIAL_SCORE = 0.95
# Score of two tokens that differ only by a masculine/feminine surname ending (Ivanov/Ivanova).
_GENDER_CAP = 0.5
# Each token of the longer name left without a partner lowers the score a little, so that the
# full name ranks above a partial one while `Erdogan` still matches `Recep Tayyip Erdogan`.
_EXTRA_TOKEN_PENALTY = 0.01
# Spellings of one name differ in vowels, doubled letters and h (Mamedov/Mammadov, Nakhichevan/
# Nakhchivan, Cavusoglu/Chavushoglu, Harutyunyan/Arutyunyan); different names differ in other
# consonants (Tokayev/Tokarev, Gori/Goris, Agdam/Agdash). Two spellings whose consonant skeletons
# differ lose this much of their Jaro-Winkler similarity.
_CONSONANT_PENALTY = 0.1
_NOT_SKELETON = frozenset("aeiouyh")
# Cyrillic tokens shorter than this keep their ending: stripping would leave too little.
_MIN_INFLECTED_LEN = 5

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\u02bb"), "'")


def normalize(name: str) -> str:
    """A name as it is compared: NFKC, case-folded, punctuation and quotes gone, one space between words.

    Dashes become `-` and apostrophes `'`; both are kept only inside a word (`Nagorno-Karabakh`,
    `Мар'яна`), so quotes around a name and the dots of initials disappear (`V.V. Putin` -> `v v putin`).
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    # casefold turns Turkish İ into i + COMBINING DOT ABOVE; the dot carries nothing for matching.
    text = text.replace("i\u0307", "i").translate(_DASHES).translate(_APOSTROPHES)
    if text.replace(" ", "").isalnum():  # letters and digits only (categories L and N): nothing to drop
        return " ".join(text.split())
    chars = [c if c in "'-" or unicodedata.category(c)[0] in "LMN" else " " for c in text]
    # A joiner counts only between two letters; otherwise it was a quote or a stray dash.
    for i, c in enumerate(chars):
        if c in "'-" and not (0 < i < len(chars) - 1 and chars[i - 1].strip() and chars[i + 1].strip()
                              and chars[i - 1] not in "'-" and chars[i + 1] not in "'-"):
            chars[i] = " "
    return " ".join("".join(chars).split())


# --- transliteration tables ------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    seq: str
    to: tuple[str, ...]
    at: str | None


@dataclass(frozen=True, eq=False)  # one instance per (lang, script): identity is equality
class _Table:
    """One language's rules for one script, ready to apply."""

    lang: str
    script: str
    alphabet: frozenset[str]
    vowels: frozenset[str]
    rules: dict[str, tuple[_Rule, ...]]  # by first letter of `seq`
    ranked: dict[str, tuple[_Rule, ...]]  # the same, longest first, contextual before general (else in order)
    case_endings: tuple[tuple[str, str], ...]

    def segments(self, word: str) -> list[tuple[str, ...]]:
        """The word as a sequence of alternatives: longest rule first, contextual before general."""
        out: list[tuple[str, ...]] = []
        i = 0
        while i < len(word):
            best = next((r for r in self.ranked.get(word[i], ())
                         if word.startswith(r.seq, i) and self._applies(r, word, i)), None)
            if best is None:
                out.append((_letter(word[i]),))
                i += 1
            else:
                out.append(best.to)
                i += len(best.seq)
        return out

    def _applies(self, rule: _Rule, word: str, i: int) -> bool:
        if rule.at is None:
            return True
        if rule.at == "initial":
            return i == 0
        if rule.at == "medial":
            return i > 0
        if rule.at == "final":
            return i + len(rule.seq) == len(word)
        if rule.at == "iotated":
            return i == 0 or word[i - 1] in self.vowels
        raise ValueError(f"translit rule {rule.seq!r} ({self.lang}): unknown position {rule.at!r}")


def _script_of(token: str) -> str:
    return "cyrillic" if any("\u0400" <= c <= "\u04ff" for c in token) else "latin"


def _parse_rules(raw: Iterable[dict[str, object]]) -> dict[tuple[str, str | None], _Rule]:
    rules = {}
    for item in raw:
        rule = _Rule(str(item["seq"]), tuple(item["to"]), item.get("at"))  # type: ignore[arg-type]
        rules[rule.seq, rule.at] = rule
    return rules


def _section(lang: str, script: str) -> dict[str, object]:
    return resources.load(lang, "translit").get(script, {}) if resources.has(lang, "translit") else {}


@cache
def _table(lang: str, script: str) -> _Table | None:
    """`lang`'s rules for `script`, with the rules of the table it `extends` underneath."""
    section = _section(lang, script)
    if not section:
        return None
    base = _table(str(section["extends"]), script) if "extends" in section else None
    rules = {(r.seq, r.at): r for group in (base.rules.values() if base else ()) for r in group}
    rules.update(_parse_rules(section.get("rules", [])))  # type: ignore[arg-type]
    by_first: dict[str, list[_Rule]] = {}
    for rule in rules.values():
        by_first.setdefault(rule.seq[0], []).append(rule)
    endings = section.get("case_endings", base.case_endings if base else ())
    return _Table(
        lang=lang,
        script=script,
        alphabet=frozenset(str(section.get("alphabet", "")) or (base.alphabet if base else ())),
        vowels=frozenset(str(section.get("vowels", "")) or (base.vowels if base else ())),
        rules={k: tuple(v) for k, v in by_first.items()},
        ranked={k: tuple(sorted(v, key=lambda r: (len(r.seq), r.at is not None), reverse=True))
                for k, v in by_first.items()},
        case_endings=tuple((str(e), str(n)) for e, n in endings),
    )


@cache
def _tables(script: str) -> tuple[_Table, ...]:
    """Every language's table for `script`, Russian first (the most common source of Cyrillic names)."""
    langs = sorted(resources.languages(), key=lambda lang: (lang != "ru", lang))
    return tuple(t for lang in langs if (t := _table(lang, script)) is not None)


@cache
def _feminine_surnames() -> tuple[tuple[str, str], ...]:
    pairs = resources.load("ru", "translit").get("surnames", {}).get("feminine", [])
    return tuple((str(m), str(f)) for m, f in pairs)


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits of `text`, via unidecode for anything else."""
    return "".join(c for c in unidecode(text).lower() if c.isascii() and c.isalnum())


@lru_cache(maxsize=4096)
def _letter(char: str) -> str:
    """A character no rule of the table in use covers: unidecode's reading, else any table's
    primary reading (Azerbaijani ə inside a Cyrillic word), else its code point, so that a letter
    never vanishes and two unknown letters never look alike."""
    if ascii_ := _ascii(char):
        return ascii_
    if not char.isalpha():
        return ""
    for script in ("latin", "cyrillic"):
        for table in _tables(script):
            for rule in table.rules.get(char, ()):
                if rule.seq == char and rule.to[0]:
                    return rule.to[0]
    return f"u{ord(char):x}"


# --- Latin forms -------------------------------------------------------------------------------


def _best_combinations(parts: Sequence[Sequence[str]], cap: int, sep: str = "") -> list[str]:
    """Up to `cap` distinct joinings of one choice per part, fewest departures from the first choices first.

    A best-first walk over the choices, so the cost stays bounded however many letters have variants.
    """
    firsts = [p[0] for p in parts]
    multi = [i for i, p in enumerate(parts) if len(p) > 1]
    if not multi and cap > 0:  # one spelling only
        return [sep.join(filter(None, firsts))]
    start = (0,) * len(multi)
    heap: list[tuple[int, tuple[int, ...]]] = [(0, start)]
    seen = {start}
    out: dict[str, None] = {}
    pops = 0
    while heap and len(out) < cap and pops < cap * 4:
        cost, picks = heapq.heappop(heap)
        pops += 1
        chosen = firsts.copy()
        for slot, k in zip(multi, picks, strict=True):
            chosen[slot] = parts[slot][k]
        out[sep.join(filter(None, chosen))] = None
        for j, k in enumerate(picks):
            if k + 1 < len(parts[multi[j]]):
                nxt = (*picks[:j], k + 1, *picks[j + 1 :])
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (cost + 1, nxt))
    return list(out)


def _tokens(name: str) -> list[str]:
    """Words of a normalised name; hyphens separate words, apostrophes stay for the tables."""
    return normalize(name).replace("-", " ").split()


def _latin_tables(name_tokens: Sequence[str], lang: str | None) -> tuple[_Table, ...]:
    """Tables for the name's Latin tokens: `lang`'s, else those whose alphabet has all its special letters."""
    if lang is not None and (table := _table(lang, "latin")) is not None:
        return (table,)
    special = {c for t in name_tokens if _script_of(t) == "latin" for c in t if not c.isascii()}
    if not special:
        return ()
    return tuple(t for t in _tables("latin") if special <= t.alphabet)


def _cyrillic_tables(token: str, lang: str | None) -> tuple[_Table, ...]:
    """`lang`'s Cyrillic table first, then every other whose alphabet holds the token's letters.

    The others stay because a Russian text spells Azerbaijani, Ukrainian and Kazakh names with
    Russian letters (`Гейдар Алиев`, `Мамедов`), whose readings only those tables know.
    """
    letters = {c for c in token if c.isalpha()}
    fitting = [t for t in _tables("cyrillic") if letters <= t.alphabet]
    own = _table(lang, "cyrillic") if lang is not None else None
    if own is not None:
        fitting = [own, *(t for t in fitting if t is not own)]
    return tuple(fitting) or _tables("cyrillic")[:1]


def _stems(token: str, table: _Table) -> list[str]:
    """The token with a case ending replaced by its nominative (Алиеву -> Алиев), for long tokens."""
    if len(token) < _MIN_INFLECTED_LEN:
        return []
    return [token[: -len(end)] + nom for end, nom in table.case_endings if token.endswith(end)]


@lru_cache(maxsize=65536)
def _token_forms(token: str, tables: tuple[_Table, ...]) -> tuple[str, ...]:
    """Latin spellings of one normalised token under the given tables, primary spellings first."""
    out: dict[str, None] = {}
    # The first table (the text's language, or Russian) gets half the room, the others share the rest.
    shares = [_TOKEN_CAP // 2] + [max(4, _TOKEN_CAP // 2 // max(1, len(tables) - 1))] * (len(tables) - 1)
    for table, share in zip(tables, shares, strict=False):
        for form in _best_combinations(table.segments(token), share):
            out.setdefault(form, None)
    # Uninflected readings through the first table only (the Russian case endings; bounded).
    for stem in _stems(token, tables[0]) if tables else ():
        for form in _best_combinations(tables[0].segments(stem), 4):
            out.setdefault(form, None)
    # unidecode as the last resort, unless it drops letters (it writes Azerbaijani ə as nothing).
    if token.isascii() or all(_ascii(c) for c in token if c.isalpha()):
        out.setdefault(_ascii(token), None)
    out.pop("", None)
    if not out and any(c.isalpha() for c in token):  # only silent letters, such as a lone ъ
        out["".join(_letter(c) for c in token if c.isalpha())] = None
    return tuple(out)


@dataclass(frozen=True)
class _Token:
    """One word of a name, with what comparing it needs worked out once: a word meets many others
    (the rarely needed surname endings only when first asked for)."""

    forms: tuple[str, ...]
    initial: bool
    spellings: frozenset[str] = field(init=False)
    skeletons: tuple[str, ...] = field(init=False)  # `_consonants` of each form
    skeleton_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        skeletons = tuple(_consonants(form) for form in self.forms)
        object.__setattr__(self, "spellings", frozenset(self.forms))
        object.__setattr__(self, "skeletons", skeletons)
        object.__setattr__(self, "skeleton_set", frozenset(skeletons))

    @cached_property
    def masculine(self) -> frozenset[tuple[int, str]]:
        """(index in `_feminine_surnames`, stem) of each form in that pair's masculine ending."""
        return frozenset((k, form[: -len(masc)]) for form in self.forms
                         for k, (masc, _) in enumerate(_feminine_surnames())
                         if form.endswith(masc) and len(form) > len(masc) + 1)

    @cached_property
    def feminine(self) -> frozenset[tuple[int, str]]:
        """(index in `_feminine_surnames`, stem) of each form in that pair's feminine ending."""
        return frozenset((k, form[: -len(fem)]) for form in self.forms
                         for k, (_, fem) in enumerate(_feminine_surnames()) if form.endswith(fem))


@lru_cache(maxsize=65536)
def _analyse(name: str, lang: str | None) -> tuple[_Token, ...]:
    words = _tokens(name)
    latin = _latin_tables(words, lang)
    out = []
    for word in words:
        tables = _cyrillic_tables(word, lang) if _script_of(word) == "cyrillic" else latin
        forms = _token_forms(word, tables)
        if forms:
            out.append(_Token(forms, sum(c.isalpha() for c in word) == 1))
    return tuple(out)


@lru_cache(maxsize=65536)
def latin_forms(name: str, lang: str | None = None) -> frozenset[str]:
    """The Latin spellings `name` can have, lower-case ASCII words joined by single spaces.

    Cyrillic words go through every Cyrillic table whose alphabet holds the word (ru, uk, az, kk),
    `lang`'s first and with the most room (Russian first when `lang` is None or has no Cyrillic
    table), and long Russian words also through their nominative (Алиеву -> aliyev). Latin names go
    through `lang`'s Latin table (az, tr) when it has one, else through the tables whose alphabet
    holds all the name's non-ASCII letters (Erdoğan: az and tr). unidecode's reading is included
    unless it loses letters. Past 32 spellings, those with fewest departures from each rule's
    first spelling are kept.
    """
    tokens = _analyse(name, lang)
    if not tokens:
        return frozenset()
    parts: list[Sequence[str]] = []
    for i, token in enumerate(tokens):
        if i:
            parts.append((" ",))
        parts.append(token.forms)
    return frozenset(f.strip() for f in _best_combinations(parts, _NAME_CAP))


# --- matching ----------------------------------------------------------------------------------


def _token_score(a: _Token, b: _Token) -> float:
    """How well two tokens agree: 1.0 for a shared spelling, else the best Jaro-Winkler over spellings."""
    if not a.spellings.isdisjoint(b.spellings):
        return 1.0
    if a.initial or b.initial:
        # Two initials (`I.` and `Ю.`) agree if either's spelling starts the other's.
        pairs = [(a, b)] * a.initial + [(b, a)] * b.initial
        agree = any(o.startswith(i) for initial, other in pairs for i in initial.forms for o in other.forms)
        return _INITIAL_SCORE if agree else 0.0
    # One surname in its masculine and feminine forms (Ivanov, Ivanova): a shared stem under one pair.
    if not a.masculine.isdisjoint(b.feminine) or not b.masculine.isdisjoint(a.feminine):
        return _GENDER_CAP
    best = 0.0
    for form, skeleton in zip(a.forms, a.skeletons, strict=True):
        for other, other_skeleton in zip(b.forms, b.skeletons, strict=True):
            # Jaro-Winkler is a similarity in [0, 1] already; `normalized_similarity` recomputes it as
            # 1 - distance, which can differ in the last bit and so move a name across the threshold.
            score = JaroWinkler.similarity(form, other)
            if other_skeleton != skeleton:
                score -= _CONSONANT_PENALTY
            if score > best:
                best = score
        if best == 1.0 or (best >= 1.0 - _CONSONANT_PENALTY and skeleton in b.skeleton_set):
            break
    return best


def _may_agree(a: _Token, b: _Token) -> bool:
    """Whether two tokens can score `SAME_NAME_THRESHOLD`: only a shared spelling, an initial or a
    shared consonant skeleton can, as every other pair scores at most `_GENDER_CAP` or
    1 - `_CONSONANT_PENALTY`, both below it."""
    return a.initial or b.initial or not a.skeleton_set.isdisjoint(b.skeleton_set)


@lru_cache(maxsize=65536)
def _consonants(form: str) -> str:
    """The consonant skeleton of a spelling: no vowels or h, x as ks, doubles single (mammadov -> mdv)."""
    out: list[str] = []
    for c in form.replace("x", "ks"):
        if c not in _NOT_SKELETON and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def _greedy_min(scores: list[list[float]]) -> float:
    """Pair every row with a distinct column, best pairs first; the weakest chosen pair's score."""
    cells = sorted(((s, i, j) for i, row in enumerate(scores) for j, s in enumerate(row)), reverse=True)
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    weakest = 1.0
    for s, i, j in cells:
        if i not in used_rows and j not in used_cols:
            used_rows.add(i)
            used_cols.add(j)
            weakest = min(weakest, s)
    return weakest


@lru_cache(maxsize=65536)
def name_similarity(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> float:
    """How likely `a` and `b` name the same actor, in [0, 1].

    Scoring: each word of each name becomes its set of Latin spellings (`latin_forms`, per word).
    Two words score 1.0 when they share a spelling, `_INITIAL_SCORE` when one is the other's
    initial, `_GENDER_CAP` when they are one surname in masculine and feminine form, and otherwise
    the best Jaro-Winkler similarity over their spellings. Every word of the shorter name must
    pair with a distinct word of the longer (greedily, best pairs first), and the score is the
    WEAKEST such pair, so one mismatching given name (Ilham/Heydar Aliyev) sinks the whole score,
    while a surname alone still matches the full name (Erdogan / Recep Tayyip Erdogan) less a small
    penalty per unpaired word. Word order does not matter. Symmetric: both pairing directions are
    tried when the names have as many words.
    """
    ta, tb = _analyse(a, lang_a), _analyse(b, lang_b)
    if not ta or not tb:
        return 1.0 if not ta and not tb and normalize(a) == normalize(b) else 0.0
    if len(ta) == len(tb) == 1:  # one word each (a surname against a surname): no pairing to do
        return max(0.0, _token_score(ta[0], tb[0]))
    if len(ta) > len(tb):
        ta, tb = tb, ta
    scores = [[_token_score(x, y) for y in tb] for x in ta]
    weakest = _greedy_min(scores)
    if len(ta) == len(tb):
        weakest = max(weakest, _greedy_min([list(col) for col in zip(*scores, strict=True)]))
    return max(0.0, weakest - _EXTRA_TOKEN_PENALTY * (len(tb) - len(ta)))


def same_name(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> bool:
    """Whether `a` and `b` are taken for the same actor's name (`name_similarity` >= the measured threshold)."""
    ta, tb = _analyse(a, lang_a), _analyse(b, lang_b)
    if len(ta) > len(tb):
        ta, tb = tb, ta
    # Every word of the shorter name must pair with a word of the longer at the threshold or above,
    # so a word that cannot settles it without scoring (most pairs of names a document gives).
    if tb and not all(any(_may_agree(x, y) for y in tb) for x in ta):
        return False
    return name_similarity(a, b, lang_a, lang_b) >= SAME_NAME_THRESHOLD
