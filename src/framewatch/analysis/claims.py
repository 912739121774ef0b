"""Claims: factual propositions with who asserts them and how, found by the `lexical` engine.

Every cue lives in `resources/<lang>/claims.toml` with a hand-set weight and a rationale:
- `[[attribution]]` frames name a speaker and where the reported content lies: a reporting verb
  (`X said P`, `P, X said`, `«P», — сказал X`, `Об этом сообщил X`), a prepositional frame
  (`according to X, P`, `по словам X, P`, `как заявил X, P`) or the writer's own stance toward what
  follows (`it is unclear whether P`, `there is no evidence that P`). Each implies a modality.
- `[[modality]]` words anywhere in the clause (`allegedly`, `якобы`, `not true`, `hard to believe`)
  and scare quotes around a short lowercase term (`their "crime"`) shift the claim away from asserted.
- `[[quote]]` shapes recognise a direct quotation by the punctuation between it and its frame.

A sentence holds one claim per clause (clauses split at `; `, `, but` and the like, never inside a
quotation). A clause without a frame is the writer's own claim when it is declarative and factual:
it names an actor, a number or a date, or a modality cue contests something. In a document of kind
`quote` (a forum member's post quoted by another) the writer is that member, a quoted voice.
A frame whose content is only `this` / `об этом` points back to the previous sentence's proposition.

`claim_terms` turns a proposition into comparable terms (lemmas, `num:N`, `month:N`, `actor:<id>`) so
the comparison engine can match the same fact across documents and languages.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

from .. import resources
from ..config import Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from .cues import compile_pattern, cue_weight, noisy_or, numbered_cues, trigger, trim, word_pattern
from .matching import candidates, cuts_word, finditer
from .morphology import parses
from .sentences import sentence_bounds

ENGINE = "lexical"
LAYER = "claim"
MODALITIES = ("asserted", "alleged", "denied", "questioned")
_KINDS = ("verb", "prep-frame", "frame")
_RESOURCE = "claims"
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Punctuation that ends a speaker phrase or separates a frame from its content.
_EDGE = re.compile(r"[,;:()\[\]—–«»\"“”„]|\s-\s")
_STRIP_LEFT = " \t\r\n,;:—–-"
_STRIP_RIGHT = " \t\r\n,;:—–-.!?…"
_DASH_LINE = re.compile(r"[ \t]*[—–][ \t]*")  # used with match() at a line start
# Content shorter than this many words is a frame tail (`X said on Monday`), not a proposition.
_MIN_CONTENT_WORDS = 2
# How far back (characters, same line) a quotation may have opened before the sentence its frame is in.
_QUOTE_REACH = 1500


def languages() -> tuple[str, ...]:
    """Languages with a claim cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, _RESOURCE))


# ------------------------------------------------------------------------------------------ cues

@dataclass(frozen=True)
class Attribution:
    id: str
    kind: str
    modality: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True)
class ModalityCue:
    id: str
    modality: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True)
class QuoteCue:
    id: str
    position: str  # `before`: the quotation precedes its frame; `after`: it follows
    junction: re.Pattern[str]
    weight: float
    dash: bool = False  # marked by a dash at the start of the line instead of quotation marks


@dataclass(frozen=True)
class CueSet:
    language: str
    attributions: tuple[Attribution, ...]
    modality: tuple[ModalityCue, ...]
    quote_cues: tuple[QuoteCue, ...]
    quotes: tuple[tuple[str, str], ...]
    complementizer: re.Pattern[str]
    clause_break: re.Pattern[str]
    passive: re.Pattern[str] | None
    speaker_stop: re.Pattern[str]
    speaker_trail: re.Pattern[str] | None
    speaker_words: re.Pattern[str]
    speaker_max_words: int
    speaker_case: str | None  # a grammatical case a verb's speaker phrase must be able to take
    anaphora: re.Pattern[str]
    question_fact: re.Pattern[str]
    question_weight: float
    negators: re.Pattern[str]
    not_negation: re.Pattern[str] | None
    author_id: str
    author_weight: float
    author_min_words: int
    opinion: re.Pattern[str]
    dates: re.Pattern[str]
    scare_id: str
    scare_modality: str
    scare_weight: float
    scare_max_words: int
    stopwords: frozenset[str]
    numbers: dict[str, float] = field(hash=False, compare=False)
    months: dict[str, int] = field(hash=False, compare=False)


def _modality(value: Any, where: str) -> str:
    if value not in MODALITIES:
        raise ValueError(f"{where}: modality must be one of {', '.join(MODALITIES)}")
    return str(value)


def _words(entries: Sequence[str]) -> re.Pattern[str]:
    return re.compile(word_pattern(entries), re.IGNORECASE)


def parse_cues(data: Mapping[str, Any], language: str) -> CueSet:
    """Validate and compile one language's claim cue file; errors name the cue."""
    file = f"resources/{language}/{_RESOURCE}.toml"
    lists = {name: list(words) for name, words in data.get("lists", {}).items()}
    attributions = []
    for raw, cue_id, where in numbered_cues(data.get("attribution", []), f"{file} attribution"):
        if raw.get("kind") not in _KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(_KINDS)}")
        attributions.append(Attribution(cue_id, raw["kind"], _modality(raw.get("modality"), where),
                                        cue_weight(raw, where), trigger(raw, lists, where)))
    modality = [ModalityCue(cue_id, _modality(raw.get("modality"), where), cue_weight(raw, where),
                            trigger(raw, lists, where))
                for raw, cue_id, where in numbered_cues(data.get("modality", []), f"{file} modality")]
    quote_cues = []
    for raw, cue_id, where in numbered_cues(data.get("quote", []), f"{file} quote"):
        if raw.get("position") not in ("before", "after"):
            raise ValueError(f"{where}: position must be `before` or `after`")
        quote_cues.append(QuoteCue(cue_id, raw["position"], compile_pattern(raw["junction"], lists, where),
                                   cue_weight(raw, where), bool(raw.get("dash", False))))
    syntax = data.get("syntax", {})
    polarity = data.get("polarity", {})
    author = data.get("author", {})
    scare = data.get("scare_quotes", {})
    for section, raw in (("author", author), ("scare_quotes", scare)):
        cue_weight(raw, f"{file} [{section}]")
    if not syntax.get("complementizer") or not syntax.get("clause_break"):
        raise ValueError(f"{file} [syntax]: needs `complementizer` and `clause_break`")
    optional = {key: compile_pattern(syntax[key], lists, f"{file} [syntax] {key}") if syntax.get(key) else None
                for key in ("passive", "speaker_trail")}
    speakers = [*syntax.get("speaker_pronouns", []), *syntax.get("speaker_nouns", [])]
    return CueSet(
        language, tuple(attributions), tuple(modality), tuple(quote_cues),
        tuple((pair[0], pair[1]) for pair in syntax.get("quotes", [['"', '"']])),
        compile_pattern(syntax["complementizer"], lists, f"{file} [syntax] complementizer"),
        compile_pattern(syntax["clause_break"], lists, f"{file} [syntax] clause_break"),
        optional["passive"], _words(syntax.get("speaker_stop", [])), optional["speaker_trail"],
        _words(speakers), int(syntax.get("speaker_max_words", 8)), syntax.get("speaker_case"),
        _words(syntax.get("anaphora", [])),
        compile_pattern(syntax.get("question_fact", r"(?!)"), lists, f"{file} [syntax] question_fact"),
        float(syntax.get("question_weight", 0.5)),
        _words(polarity.get("negators", [])),
        _words(polarity["unless"]) if polarity.get("unless") else None,
        author.get("id", "author.declarative"), float(author["weight"]), int(author.get("min_words", 4)),
        _words(author.get("opinion", [])),
        compile_pattern(author.get("dates", r"(?!)"), lists, f"{file} [author] dates"),
        scare.get("id", "scare-quote"), _modality(scare.get("modality", "alleged"), f"{file} [scare_quotes]"),
        float(scare["weight"]), int(scare.get("max_words", 3)),
        frozenset(w.lower() for w in data.get("terms", {}).get("stopwords", [])),
        {_fold(k): float(v) for k, v in data.get("numbers", {}).items()},
        {_fold(k): int(v) for k, v in data.get("months", {}).items()},
    )


@cache
def cue_set(language: str) -> CueSet:
    return parse_cues(resources.load(language, _RESOURCE), language)


@lru_cache(maxsize=50_000)
def _fold(word: str) -> str:
    return word.casefold().replace("ё", "е").replace("’", "'")


# --------------------------------------------------------------------------------------- helpers

@dataclass
class _Frame:
    cue: Attribution
    start: int  # the attribution frame: speaker phrase plus trigger (plus complementizer)
    end: int
    content: tuple[int, int]
    speaker: tuple[int, int] | None  # None: the writer
    quote_cue: QuoteCue | None = None


class _Finder:
    """The matches of a few cue regexes inside windows (clauses) of one document. Where each regex may
    begin is looked up once per document, all of them merged in one list, so that a window where no
    cue can begin costs a bisect and a regex runs only where it may begin."""

    def __init__(self, regexes: Sequence[re.Pattern[str]], text: str) -> None:
        self.regexes, self.text = regexes, text
        merged: list[tuple[int, int]] = []
        self.anywhere: list[int] = []  # regexes that may begin anywhere: run over each window
        for i, regex in enumerate(regexes):
            places = candidates(regex, text)
            if places is None:
                self.anywhere.append(i)
            else:
                merged.extend((at, i) for at in places)
        merged.sort()
        self.places = [at for at, _ in merged]
        self.owners = [i for _, i in merged]

    def matches(self, start: int, end: int) -> list[tuple[int, re.Match[str]]]:
        """(regex index, match) for the matches of `regex.finditer(text, start, end)` of every regex:
        each regex's in text order."""
        text, regexes = self.text, self.regexes
        if cuts_word(text, end):
            # The window cuts a word short: a match may end inside it where the text's word goes on,
            # at a place the whole text's words do not give.
            return [(i, found) for i, regex in enumerate(regexes) for found in finditer(regex, text, start, end)]
        places, owners = self.places, self.owners
        first, last = bisect_left(places, start), bisect_left(places, end)
        if not self.anywhere and first == last:  # most windows
            return []
        out = [(i, found) for i in self.anywhere for found in regexes[i].finditer(text, start, end)]
        resume: dict[int, int] = {}  # where each regex's next match may begin, as `finditer` goes on
        for k in range(first, last):
            i, at = owners[k], places[k]
            if at < resume.get(i, start):
                continue
            found = regexes[i].match(text, at, end)
            if found is not None:
                out.append((i, found))
                resume[i] = found.end()  # never empty: a known start holds at least one character
        return out


@dataclass
class _Context:
    text: str
    cues: CueSet
    sentence_start: int
    mentions: Sequence[tuple[int, int, str]]  # sorted
    reach: Sequence[int]  # the furthest end of the mentions up to each one
    quoted: Sequence[tuple[int, int]]  # inside quotation marks (marks excluded)
    frames: _Finder  # the attribution cues
    hedges: _Finder  # the modality cues
    breaks: _Finder  # the clause breaks
    opinions: _Finder  # the words that make a clause the writer's opinion
    negators: _Finder  # the negation words


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP_LEFT:
        start += 1
    while end > start and text[end - 1] in _STRIP_RIGHT:
        end -= 1
    return start, end


def _word_count(text: str, start: int, end: int, most: int) -> int:
    """How many words text[start:end] holds, counted no further than `most` (every caller compares
    the count with a small number)."""
    count = 0
    for _ in _WORD.finditer(text, start, end):
        count += 1
        if count == most:
            break
    return count


def _quoted_regions(text: str, quotes: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Stretches inside quotation marks, per line, marks excluded. A mark that is both opening and
    closing (`"`) pairs with the next one on its line."""
    return sorted(m.span(1) for opening, closing in quotes for m in _quotation(opening, closing).finditer(text))


@cache
def _quotation(opening: str, closing: str) -> re.Pattern[str]:
    """A quotation on one line: its content never holds a line break or another mark of the pair."""
    marks = re.escape(opening) + re.escape(closing)
    return re.compile(f"{re.escape(opening)}([^{marks}\n]*){re.escape(closing)}")


def _inside(regions: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in regions)


def _clauses(ctx: _Context, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence split at clause breaks that are not inside a quotation."""
    cuts = [m for _, m in ctx.breaks.matches(start, end) if not _inside(ctx.quoted, m.start(), m.end())]
    out, left = [], start
    for cut in cuts:
        out.append((left, cut.start()))
        left = cut.end()
    out.append((left, end))
    return [(s, e) for s, e in out if _WORD.search(ctx.text, s, e)]


def _is_speaker(ctx: _Context, start: int, end: int) -> bool:
    """Someone who can speak: an actor mention, a capitalised word not opening the sentence, a
    pronoun, or a noun for people or bodies who speak (`officials`, `police`, `СМИ`); where the cue
    file asks for it, with a word in the subject's case."""
    words = list(_WORD.finditer(ctx.text, start, end))
    if not words or len(words) > ctx.cues.speaker_max_words:
        return False
    case = ctx.cues.speaker_case
    if case is not None and not any(_can_take(w.group(), case) for w in words):
        return False
    if _overlapping(ctx, start, end) is not None:
        return True
    if any(w.group()[:1].isupper() and w.start() > ctx.sentence_start for w in words):
        return True
    return any(ctx.cues.speaker_words.fullmatch(w.group()) for w in words)


@lru_cache(maxsize=20_000)
def _can_take(word: str, case: str) -> bool:
    """Whether a word can stand in `case`; words the analyser cannot decline (names in Latin script,
    indeclinable abbreviations) can."""
    if not re.search(r"[а-яё]", word, re.IGNORECASE):
        return True
    cases = {p.tag.case for p in parses(word)}
    return case in cases or None in cases


def _speaker_before(ctx: _Context, clause_start: int, at: int) -> tuple[int, int, int] | None:
    """(speaker start, end, where the speaker phrase's left edge is) for the phrase right before a
    trigger: back to punctuation, a clause word (`that`, `что`) or the clause start."""
    left = clause_start
    for edge in _EDGE.finditer(ctx.text, clause_start, at):
        left = edge.end()
    for stop in ctx.cues.speaker_stop.finditer(ctx.text, left, at):
        left = stop.end()
    start, end = _strip(ctx.text, left, at)
    trail = ctx.cues.speaker_trail
    while trail is not None and (found := trail.search(ctx.text, start, end)) and found.end() == end:
        end = found.start()
    start, end = _strip(ctx.text, start, end)
    return (start, end, left) if end > start and _is_speaker(ctx, start, end) else None


def _speaker_after(ctx: _Context, at: int, clause_end: int) -> tuple[int, int] | None:
    """The phrase right after a trigger, up to punctuation, a complementizer word or the clause end."""
    edge = _EDGE.search(ctx.text, at, clause_end)
    right = edge.start() if edge else clause_end
    stop = ctx.cues.speaker_stop.search(ctx.text, at, right)
    if stop:
        right = stop.start()
    start, end = _strip(ctx.text, at, right)
    return (start, end) if end > start and _is_speaker(ctx, start, end) else None


def _content_after(ctx: _Context, at: int, clause_end: int) -> tuple[int, int, int]:
    """(content start, end, frame end): after a complementizer when one follows within a few words
    of frame tail (`told reporters that`, `заявил журналистам, что`), else right after `at`."""
    found = ctx.cues.complementizer.match(ctx.text, at, clause_end)
    frame_end = found.end() if found else at
    start, end = _strip(ctx.text, frame_end, clause_end)
    return start, end, frame_end


def _quote_shape(ctx: _Context, content: tuple[int, int], frame: tuple[int, int],
                 position: str) -> tuple[tuple[int, int], QuoteCue] | None:
    """The content without its quotation marks and the quote cue, when the content is a direct quote:
    enclosed in quotation marks (or opened by a line-initial dash) with a junction the cue allows."""
    text, (start, end) = ctx.text, content
    junction = text[end:frame[0]] if position == "before" else text[frame[1]:start]
    for cue in ctx.cues.quote_cues:
        if cue.position != position:
            continue
        if cue.dash:
            line_start = text.rfind("\n", 0, start) + 1
            dash = _DASH_LINE.match(text, line_start)
            # The dash opens the line and the content begins right after it.
            if dash and dash.end() >= start - 1 and cue.junction.match(junction):
                return _strip(text, dash.end(), end), cue
            continue
        for opening, closing in ctx.cues.quotes:
            q_start = start - 1 if start > 0 and text[start - 1] == opening else start
            if text[q_start] != opening:
                continue
            close = text.find(closing, q_start + 1, max(end, frame[0]) + 1)
            # Closed right at the end of the content, or left open across the frame
            # (`«P1, — сказал он. — P2»`).
            tail = text[close + 1:frame[0]] if close >= 0 and position == "before" else junction
            if cue.junction.match(tail):
                inner_end = close if close >= 0 else end
                return _strip(text, q_start + 1, inner_end), cue
    return None


def _open_quote_before(ctx: _Context, start: int, closing_at: int) -> int | None:
    """Where the quotation that closes at `closing_at` opened, when that is before `start` on the same
    line (a quotation of several sentences: `"We did it. We are proud," he said.`)."""
    text = ctx.text
    for opening, closing in ctx.cues.quotes:
        if text[closing_at] != closing:
            continue
        line_start = max(text.rfind("\n", 0, start) + 1, start - _QUOTE_REACH)
        at = text.rfind(opening, line_start, start)
        if at >= 0 and text.find(closing, at + 1, start) < 0:
            return at
    return None


# -------------------------------------------------------------------------------------- frames

def _verb_frame(ctx: _Context, cue: Attribution, match: re.Match[str], clause: tuple[int, int]) -> _Frame | None:
    text, (c_start, c_end) = ctx.text, clause
    if ctx.cues.passive is not None and ctx.cues.passive.search(text, c_start, match.start()):
        found = ctx.cues.passive.search(text, max(c_start, match.start() - 40), match.start())
        if found and found.end() == match.start():
            return None
    before = _speaker_before(ctx, c_start, match.start())
    if before is not None:
        s_start, s_end, left = before
        content = _content_after(ctx, match.end(), c_end)
        tail_words = _word_count(text, content[0], content[1], 4)  # a short tail has 3 at most
        head = _strip(text, c_start, left)
        # `P, X said (on Monday).`: a short tail after the verb and the content before the speaker.
        postposed = (head[1] - head[0] > 0 and _word_count(text, *head, _MIN_CONTENT_WORDS) >= _MIN_CONTENT_WORDS
                     and content[2] == match.end() and tail_words <= 3 and left > c_start)
        if postposed:
            return _Frame(cue, s_start, match.end(), head, (s_start, s_end))
        if tail_words:
            return _Frame(cue, s_start, content[2], content[:2], (s_start, s_end))
        return None
    after = _speaker_after(ctx, match.end(), c_end)
    if after is None:
        return None
    a_end = after[1]
    content = _content_after(ctx, a_end, c_end)
    if content[2] > a_end and _word_count(text, content[0], content[1], _MIN_CONTENT_WORDS) >= _MIN_CONTENT_WORDS:
        return _Frame(cue, match.start(), content[2], content[:2], after)  # `сообщил X, что P`
    head = _strip(text, c_start, match.start())
    if head[1] > head[0]:
        return _Frame(cue, match.start(), a_end, head, after)  # `P, said X`, `«P», — сказал X`
    return None


def _prep_frame(ctx: _Context, cue: Attribution, match: re.Match[str], clause: tuple[int, int]) -> _Frame | None:
    text, (c_start, c_end) = ctx.text, clause
    edge = _EDGE.search(text, match.end(), c_end)
    s_start, s_end = _strip(text, match.end(), edge.start() if edge else c_end)
    most = ctx.cues.speaker_max_words
    if s_end <= s_start or _word_count(text, s_start, s_end, most + 1) > most:
        return None
    after = _strip(text, s_end, c_end)
    if _word_count(text, *after, _MIN_CONTENT_WORDS) >= _MIN_CONTENT_WORDS:
        return _Frame(cue, match.start(), s_end, after, (s_start, s_end))  # `according to X, P`
    head = _strip(text, c_start, match.start())
    if head[1] > head[0]:
        return _Frame(cue, match.start(), s_end, head, (s_start, s_end))  # `P, according to X`
    return None


def _writer_frame(ctx: _Context, cue: Attribution, match: re.Match[str], clause: tuple[int, int]) -> _Frame | None:
    text, (c_start, c_end) = ctx.text, clause
    start, end, frame_end = _content_after(ctx, match.end(), c_end)
    if _word_count(text, start, end, _MIN_CONTENT_WORDS) >= _MIN_CONTENT_WORDS:
        return _Frame(cue, match.start(), max(frame_end, match.end()), (start, end), None)
    head = _strip(text, c_start, match.start())
    if head[1] > head[0]:
        return _Frame(cue, match.start(), match.end(), head, None)  # `P, it is unclear`
    return None


_BUILDERS = {"verb": _verb_frame, "prep-frame": _prep_frame, "frame": _writer_frame}


def _find_frame(ctx: _Context, clause: tuple[int, int]) -> _Frame | None:
    """The clause's first attribution frame outside quotation marks; at one place the longest cue
    wins (`по неподтверждённым данным` over `по данным`)."""
    hits = []
    for i, match in ctx.frames.matches(*clause):
        cue = ctx.cues.attributions[i]
        if match.end() > match.start() and not _inside(ctx.quoted, match.start(), match.end()):
            hits.append((match.start(), -match.end(), -cue.weight, cue.id, cue, match))
    for *_, cue, match in sorted(hits, key=lambda h: h[:4]):
        frame = _BUILDERS[cue.kind](ctx, cue, match, clause)
        if frame is None:
            continue
        start, end = frame.content
        position = "before" if end <= frame.start else "after"
        shape = _quote_shape(ctx, (start, end), (frame.start, frame.end), position)
        if shape is None and position == "before":
            # A quotation of several sentences that opened before this one and closes before the frame.
            tail = ctx.text[start:frame.start].rstrip(" \t,—–-")
            opened = _open_quote_before(ctx, start, start + len(tail) - 1) if tail else None
            if opened is not None:
                shape = _quote_shape(ctx, (opened + 1, end), (frame.start, frame.end), position)
        if shape is not None:
            frame.content, frame.quote_cue = shape
        frame.content = _strip(ctx.text, *frame.content)
        if frame.content[1] > frame.content[0]:
            return frame
    return None


# ------------------------------------------------------------------------------------ judgement

def _scare_quotes(ctx: _Context, start: int, end: int) -> bool:
    """A short lowercase term in quotation marks inside the proposition (not a quotation of speech)."""
    quoted = ctx.quoted
    for s, e in quoted[bisect_left(quoted, (start,)):bisect_left(quoted, (end + 1,))]:
        if e > end:
            continue
        inner = ctx.text[s:e].strip().rstrip(".,!?;:")
        words = _WORD.findall(inner)
        if words and len(words) <= ctx.cues.scare_max_words and inner[:1].islower():
            return True
    return False


def _negative(ctx: _Context, start: int, end: int) -> bool:
    """Whether a negator stands in the proposition, outside phrases that only look negative
    (`not only`, `не только`)."""
    negators = [m.start() for _, m in ctx.negators.matches(start, end)]
    if not negators:
        return False
    unless = ctx.cues.not_negation
    masked = [(m.start(), m.end()) for m in unless.finditer(ctx.text, start, end)] if unless else []
    return any(not any(s <= at < e for s, e in masked) for at in negators)


def _has_number(text: str, start: int, end: int, cues: CueSet) -> bool:
    if _NUMBER.search(text, start, end):
        return True
    if cues.language == "ru":
        return any(_lemma(w.group()) in cues.numbers for w in _WORD.finditer(text, start, end))
    return any(_fold(w.group()) in cues.numbers for w in _WORD.finditer(text, start, end))


def _is_question(text: str, start: int, end: int) -> bool:
    return text[start:end].rstrip().rstrip("\"'”»)").endswith("?")


def _has_predicate(text: str, start: int, end: int, cues: CueSet) -> bool:
    """A proposition needs a predicate: at least one lowercase word that is not a function word
    (a caption of names and `of`, `and` asserts nothing)."""
    for word in _WORD.findall(text, start, end):
        if word[:1].islower():
            folded = _fold(word)
            if folded not in cues.stopwords and folded not in cues.numbers:
                return True
    return False


@dataclass
class _Claim:
    start: int
    end: int
    modality: str
    confidence: float
    cue: str
    cues: list[str]
    negative: bool
    speaker: dict[str, Any]
    quote: bool
    sentence: int
    actors: list[str]
    antecedent: tuple[int, int] | None = None


def _judge(ctx: _Context, span: tuple[int, int], scope: tuple[int, int], base: tuple[str, str, float],
           extra: Sequence[tuple[str, str, float]]) -> tuple[str, float, str, list[str]]:
    """(modality, confidence, main cue, cue ids) from `base`, the frame's (or the writer's) cue, and
    the modality cues in `scope` (the clause) and scare quotes in `span` (the proposition).

    A speaker's denial, allegation or doubt is what the frame reports, whatever hedges its content;
    an asserting frame or the writer yields to any contested modality, the best-supported one."""
    evidence: list[tuple[str, str, float]] = [base, *extra]
    fired = {i for i, _ in ctx.hedges.matches(*scope)}
    if fired:
        evidence += [(cue.id, cue.modality, cue.weight) for i, cue in enumerate(ctx.cues.modality) if i in fired]
    if _scare_quotes(ctx, *span):
        evidence.append((ctx.cues.scare_id, ctx.cues.scare_modality, ctx.cues.scare_weight))
    weights: dict[str, list[float]] = {}
    for _, mod, weight in evidence:
        weights.setdefault(mod, []).append(weight)
    # noisy_or of no weights is 0: only the modalities with evidence are worth working out.
    scores = {m: noisy_or(weights[m]) if m in weights else 0.0 for m in MODALITIES}
    contested = [m for m in MODALITIES[1:] if scores[m] > 0]
    if base[1] != "asserted":
        modality = base[1]
    else:
        modality = max(contested, key=lambda m: scores[m]) if contested else "asserted"
    ids = list(dict.fromkeys(cue_id for cue_id, _, _ in evidence))
    main = max((e for e in evidence if e[1] == modality), key=lambda e: e[2])[0]
    return modality, round(scores[modality], 3), main, ids


def _overlapping(ctx: _Context, start: int, end: int) -> str | None:
    """The actor of the first mention (in text order) overlapping start..end."""
    # The first mention ending after `start` is the first one that may overlap; it does unless it
    # starts at `end` or later, and then so do all after it.
    first = bisect_right(ctx.reach, start)
    return ctx.mentions[first][2] if first < len(ctx.mentions) and ctx.mentions[first][0] < end else None


def _actors_in(mentions: Sequence[tuple[int, int, str]], start: int, end: int) -> list[str]:
    """The actors of the (sorted) mentions inside start..end, in text order."""
    inside = mentions[bisect_left(mentions, (start,)):bisect_left(mentions, (end + 1,))]
    return list(dict.fromkeys(a for _, e, a in inside if e <= end))


def _speaker_attrs(ctx: _Context, frame: _Frame | None, writer: dict[str, Any]) -> dict[str, Any]:
    if frame is None or frame.speaker is None:
        return {**writer, "frame": [frame.start, frame.end] if frame is not None else None}
    start, end = frame.speaker
    return {"kind": "quoted", "text": ctx.text[start:end], "start": start, "end": end,
            "actor_id": _overlapping(ctx, start, end), "frame": [frame.start, frame.end]}


def find_claims(text: str, language: str, *, sentences: Sequence[tuple[int, int]] | None = None,
                mentions: Iterable[Span] = (), links: Iterable[tuple[int, int]] = (),
                skip: Iterable[tuple[int, int]] = (), author: str | None = None,
                quoted_author: bool = False) -> list[Span]:
    """Claim spans in `text` (end exclusive), one per reported or asserted proposition, in text order.

    `mentions` are mention spans with `actor_id`s (the actors stage); `links` are character ranges of
    URLs to keep out of propositions; sentences inside `skip` ranges (disclaimers) say nothing about
    the world and are left out; `author` is the document's author and `quoted_author` says that
    the whole text is someone quoted by another post, so its unattributed claims are a quoted voice."""
    if language not in languages() or not text.strip():
        return []
    cues = cue_set(language)
    bounds = [trim(text, s, e) for s, e in (sentences if sentences is not None else sentence_bounds(text))]
    actor_mentions = sorted((m.start, m.end, m.attrs["actor_id"]) for m in mentions if m.attrs.get("actor_id"))
    link_ranges = sorted(links)
    skipped = sorted(skip)
    ctx = _Context(text, cues, 0, actor_mentions, list(accumulate((e for _, e, _ in actor_mentions), max)),
                   _quoted_regions(text, cues.quotes),
                   _Finder([cue.regex for cue in cues.attributions], text),
                   _Finder([cue.regex for cue in cues.modality], text), _Finder([cues.clause_break], text),
                   _Finder([cues.opinion], text), _Finder([cues.negators], text))
    writer = {"kind": "quoted" if quoted_author else "author", "text": author, "start": None, "end": None,
              "actor_id": None}
    claims: list[_Claim] = []
    taken: list[tuple[int, int]] = []  # what attributed propositions and their frames cover
    for index, (s_start, s_end) in enumerate(bounds):
        if s_end <= s_start or any(s <= s_start and s_end <= e for s, e in skipped):
            continue
        ctx.sentence_start = s_start
        question = _is_question(text, s_start, s_end)
        extra = [("question.fact", "questioned", cues.question_weight)] \
            if question and cues.question_fact.search(text[s_start:s_end]) else []
        if question and not extra:
            continue  # a question that asserts nothing (`Who will be next?`)
        previous = bounds[index - 1] if index else None
        for clause in _clauses(ctx, s_start, s_end):
            clause = _cut_links(text, *clause, link_ranges)
            if clause[1] <= clause[0]:
                continue
            frame = _find_frame(ctx, clause)
            if frame is None:
                claim = _writer_claim(ctx, clause, extra, writer, index)
            else:
                claim = _framed_claim(ctx, frame, clause, extra, writer, index, claims, previous)
                if claim is not None:
                    taken.append((frame.start, frame.end) if claim.antecedent else
                                 (min(claim.start, frame.start), max(claim.end, frame.end)))
            if claim is not None:
                claims.append(claim)
    # A quotation of several sentences belongs to its speaker, not to the writer sentence by sentence.
    claims = [c for c in claims if c.speaker["frame"] is not None
              or not any(s <= c.start and c.end <= e for s, e in taken)]
    return [_span(c, language) for c in claims]


def _writer_claim(ctx: _Context, clause: tuple[int, int], extra: list[tuple[str, str, float]],
                  writer: dict[str, Any], index: int) -> _Claim | None:
    """The writer's own claim over a clause without a frame, when the clause is declarative (or a
    question about a fact) and factual."""
    text, cues = ctx.text, ctx.cues
    start, end = _strip(text, *clause)
    least = cues.author_min_words
    if _word_count(text, start, end, least) < least or not _has_predicate(text, start, end, cues):
        return None
    if ctx.opinions.matches(start, end):
        return None
    modality, confidence, main, ids = _judge(ctx, (start, end), (start, end),
                                             (cues.author_id, "asserted", cues.author_weight), extra)
    actors = _actors_in(ctx.mentions, start, end)
    factual = actors or _has_number(text, start, end, cues) or cues.dates.search(text, start, end)
    if not factual and modality == "asserted":
        return None
    return _Claim(start, end, modality, confidence, main, ids, _negative(ctx, start, end),
                  _speaker_attrs(ctx, None, writer), False, index, actors)


def _framed_claim(ctx: _Context, frame: _Frame, clause: tuple[int, int], extra: list[tuple[str, str, float]],
                  writer: dict[str, Any], index: int, earlier: list[_Claim],
                  previous: tuple[int, int] | None) -> _Claim | None:
    text, cues = ctx.text, ctx.cues
    start, end = frame.content
    scope = (min(clause[0], start), clause[1])
    antecedent = None
    lead = _EDGE.search(text, start, end)
    if cues.anaphora.fullmatch(text[start:lead.start() if lead else end].strip()):
        # `Russia denies this`, `Об этом сообщил X`: the proposition is the previous sentence's.
        before = [c for c in earlier if c.sentence == index - 1]
        if before:
            target = before[-1]
            antecedent = (target.start, target.end)
            if frame.cue.modality == "asserted" and target.speaker["frame"] is None:
                earlier.remove(target)  # the writer was relaying this speaker all along
        elif previous is not None and previous[1] > previous[0]:
            antecedent = previous
        else:
            return None
        start, end = antecedent
        scope = clause  # the frame's own clause still carries the hedges (`denies this, calling ...`)
    quote = frame.quote_cue is not None
    found = [*extra]
    if frame.quote_cue is not None:
        found.append((frame.quote_cue.id, frame.cue.modality, frame.quote_cue.weight))
    modality, confidence, main, ids = _judge(ctx, (start, end), scope,
                                             (frame.cue.id, frame.cue.modality, frame.cue.weight), found)
    return _Claim(start, end, modality, confidence, main, ids, _negative(ctx, start, end),
                  _speaker_attrs(ctx, frame, writer), quote, index, _actors_in(ctx.mentions, start, end),
                  antecedent)


def _cut_links(text: str, start: int, end: int, links: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """A clause ends where a URL inside it begins (`interference.https://youtu.be/...`): a link is
    evidence cited, not part of what is claimed."""
    for l_start, l_end in links:
        if start < l_end and l_start < end:
            return _strip(text, start, l_start) if l_start > start else (start, start)
    return start, end


def _span(claim: _Claim, language: str) -> Span:
    attrs: dict[str, Any] = {
        "modality": claim.modality,
        "polarity": "negative" if claim.negative else "positive",
        "speaker": claim.speaker,
        "cues": claim.cues,
        "language": language,
        "quote": claim.quote,
        "actors": claim.actors,
    }
    if claim.antecedent is not None:
        attrs["antecedent"] = list(claim.antecedent)
    return Span(LAYER, claim.modality, claim.start, claim.end, claim.confidence, ENGINE, claim.cue, attrs)


# -------------------------------------------------------------------------------------- claim key

@lru_cache(maxsize=50_000)
def _lemma(word: str) -> str:
    folded = _fold(word)
    if not re.search(r"[а-я]", folded):
        return folded
    return _fold(parses(folded)[0].normal_form)


def _number_key(token: str) -> str | None:
    """`num:N` for a written number: thousands separators dropped, a decimal comma read as a point."""
    digits = token.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token) else token.replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return f"num:{int(value) if value.is_integer() else value}"


def claim_terms(text: str, language: str, span: Span, mentions: Iterable[Span] = ()) -> frozenset[str]:
    """Normalised content terms of the proposition `text[span.start:span.end]`: lowercased words
    (Russian lemmatised), stopwords dropped, numbers as `num:N` (digits and number words alike), month
    names as `month:N`, and `actor:<id>` for the span's `actors` attribute and every mention inside it."""
    cues = cue_set(language) if language in languages() else None
    terms: set[str] = set()
    for match in re.finditer(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?|\w+(?:[-'’]\w+)*", text[span.start:span.end]):
        token = match.group()
        if token[0].isdigit():
            key = _number_key(re.sub(r"\s", "", token))
            if key:
                terms.add(key)
            continue
        word = _lemma(token) if language == "ru" else _fold(token)
        if word.endswith("'s"):
            word = word[:-2]
        if cues is None:
            terms.add(word)
            continue
        if word in cues.numbers:
            value = cues.numbers[word]
            terms.add(f"num:{int(value) if float(value).is_integer() else value}")
        elif word in cues.months:
            terms.add(f"month:{cues.months[word]}")
        elif word not in cues.stopwords and len(word) > 1:
            terms.add(word)
    for actor in span.attrs.get("actors", []):
        terms.add(f"actor:{actor}")
    for mention in mentions:
        if mention.attrs.get("actor_id") and span.start <= mention.start and mention.end <= span.end:
            terms.add(f"actor:{mention.attrs['actor_id']}")
    return frozenset(terms)


# ------------------------------------------------------------------------------------------ stage

@stage("claims", version="1", requires=("layer:sentence", "layer:mention", "mention.actor_id"),
       assigns=("layer:claim",), languages=languages())
def find_document_claims(doc: Document, ctx: StageContext) -> None:
    """Claim spans for the document: its sentences, its actor mentions, its links kept out; the author
    of a quoted post is a quoted voice, not the writer of the post that quotes it."""
    assert doc.language is not None
    config: Config = ctx.config
    sentences = sorted((s.start, s.end) for s in doc.spans if s.layer == "sentence") or None
    mentions = [s for s in doc.spans if s.layer == "mention"]
    links = [(s.start, s.end) for s in doc.spans if s.layer == "link"]
    disclaimers = [(s.start, s.end) for s in doc.spans if s.layer == "disclaimer"]
    # Knobs with defaults until the configuration lists them: a floor on confidence, and whether the
    # writer's unframed claims are kept (a comparison of quoted voices alone can do without them).
    min_confidence = float(config.get("claims.min_confidence", 0.0))
    author_claims = bool(config.get("claims.author_claims", True))
    for span in find_claims(doc.text, doc.language, sentences=sentences, mentions=mentions, links=links,
                            skip=disclaimers, author=doc.author, quoted_author=doc.kind == "quote"):
        if (span.confidence or 0.0) < min_confidence:
            continue
        if not author_claims and span.attrs["speaker"]["frame"] is None:
            continue
        doc.add_span(span)
