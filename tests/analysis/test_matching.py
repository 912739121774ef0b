"""Finding cue matches fast (analysis/matching.py): exactly the matches `regex.finditer` gives, in the
same order, for every shipped cue regex on the written examples, on case variants the regex engine
folds together, and on texts cut short by `pos`/`endpos`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from framewatch.analysis import claims, dates, events, frames, matching, narratives, roles, techniques

HERE = Path(__file__).parent


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _texts(stage: str, lang: str) -> list[str]:
    """The stage's written examples in `lang` (the first few thousand characters: every shipped regex
    is run over them in both ways), with variants in which letters are replaced by others the engine
    takes for them when ignoring case."""
    data = tomllib.loads((HERE / f"{stage}_examples" / f"{lang}.toml").read_text(encoding="utf-8"))
    text = ""
    for s in _strings(data):
        text += s + ("\n" if len(text) % 3 else " ")
        if len(text) > 4000:
            break
    head = text[:1000]
    swapped = head.translate(str.maketrans({"s": "ſ", "i": "ı", "I": "İ", "k": "\u212a", "K": "\u212a"}))
    return [text, head.upper(), head.swapcase(), swapped]


def _same(regex: re.Pattern[str], text: str, *bounds: int) -> None:
    expected = [(m.span(), m.groups()) for m in regex.finditer(text, *bounds)]
    found = [(m.span(), m.groups()) for m in matching.finditer(regex, text, *bounds)]
    assert found == expected, (regex.pattern[:80], bounds)


def _check(regexes: list[re.Pattern[str]], texts: list[str]) -> None:
    for regex in regexes:
        for text in texts:
            _same(regex, text)
        third = len(texts[0]) // 3
        _same(regex, texts[0], third, 2 * third)  # both ends cut, usually inside a word
        _same(regex, texts[0], third, texts[0].index(" ", 2 * third))  # a window of whole words
        _same(regex, texts[0], third + 1)


def _patterns(*values: object) -> list[re.Pattern[str]]:
    return [v for v in values if isinstance(v, re.Pattern)]


def test_technique_cues_match_as_finditer_does():
    for lang in techniques.languages():
        cues = techniques.cue_set(lang)
        regexes = [r for c in cues.cues for r in (c.regex, c.near, c.unless) if r is not None]
        _check(regexes + [c.regex for c in cues.span_cues], _texts("technique", lang))


def test_frame_and_narrative_cues_match_as_finditer_does():
    for lang in frames.languages():
        _check([r for c in frames.cue_set(lang).cues for r in (c.regex, c.near, c.unless) if r is not None],
               _texts("frame", lang))
    for lang in narratives.languages():
        cues = narratives.cue_set(lang)
        regexes = [r for c in cues.cues for r in (c.regex, c.near, c.unless) if r is not None]
        _check(regexes + [d.regex for d in cues.domains], _texts("narrative", lang))


def test_role_event_claim_and_date_cues_match_as_finditer_does():
    for lang in roles.languages():
        cues = roles.cue_set(lang)
        _check([c.regex for c in cues.cues] + _patterns(cues.passive, cues.by, cues.coordination, cues.progressive),
               _texts("role", lang))
    for lang in events.languages():
        cues = events.cue_set(lang)
        regexes = [r for c in cues.cues for r in (c.regex, c.unless) if r is not None]
        _check(regexes + _patterns(*vars(cues.syntax).values()) + [r for _, r in dates.rules(lang).patterns],
               _texts("event", lang))
    for lang in claims.languages():
        cues = claims.cue_set(lang)
        regexes = [c.regex for c in cues.attributions] + [c.regex for c in cues.modality]
        _check(regexes + [c.junction for c in cues.quote_cues] + _patterns(*vars(cues).values()),
               _texts("claim", lang))


def test_folding_keeps_offsets_and_never_makes_a_word_character():
    """What the look-ups rely on: one character folds to one, a character the engine ignores case of
    folds to its partner's fold, and a non-word character never folds to a word character."""
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    folded = matching.fold(everything)
    assert len(folded) == len(everything)
    words = {m.start() for m in re.finditer(r"\w", everything)}
    assert {m.start() for m in re.finditer(r"\w", folded)} <= words
    cased = [ch for ch in everything if ch.lower() != ch or ch.upper() != ch]
    for ch in cased:
        for other in {ch.lower(), ch.upper(), ch.title()}:
            if len(other) == 1 and re.fullmatch(re.escape(ch), other, re.IGNORECASE):
                assert matching.fold(ch) == matching.fold(other), (ch, other)


def test_most_cues_are_looked_up_rather_than_run_everywhere():
    """The speed-up holds only while the cue files' regexes keep starting with known words."""
    for lang in techniques.languages():
        regexes = [c.regex for c in techniques.cue_set(lang).cues if c.regex is not None]
        known = [r for r in regexes if matching._starts(r) is not None]
        assert len(known) >= 0.8 * len(regexes), lang
    for lang in roles.languages():
        assert all(matching._starts(c.regex) is not None for c in roles.cue_set(lang).cues)


def test_case_equivalents_word_edges_and_stops():
    said = re.compile(r"\b(?:said|kremlin|istanbul)\b", re.IGNORECASE)
    for text in ("ſaid SAID Said said", "\u212aremlin KREMLIN kremlins", "İstanbul ISTANBUL ıstanbul"):
        _same(said, text)
    # A search stopped inside a word sees the word end there, as `finditer` does.
    _same(re.compile(r"\bfoo\b"), "foobar foo", 0, 3)
    _same(re.compile(r"(?<![\w-])foo(?![\w-])", re.IGNORECASE), "xfoo foobar FOO-x foo", 0, 8)
    # Pairs of words over any run of whitespace, a match resuming the search after its end.
    pair = re.compile(r"\b(?:the\s+)?real\s+reason\b", re.IGNORECASE)
    _same(pair, "the real reason, The\t\treal\nreason, the, real reason, thereal reason, the real reasons")
    _same(re.compile(r"\baa\s+aa\b"), "aa aa aa aa aa")
    _same(re.compile(r"(?:ab|ba)a", re.IGNORECASE), "abaaba ABAaBA babab")  # overlapping starts, adjacent matches
    # What cannot be looked up is run as usual: a line start, an empty match, any word.
    for pattern in (r"(?m)^\s*why\b", r"x*", r"\w+ly\b", r"(\w+) \1"):
        _same(re.compile(pattern, re.IGNORECASE), "Why now?\n  why not, why why; really badly")
        assert matching.candidates(re.compile(pattern, re.IGNORECASE), "why why") is None
    # Greek: the ypogegrammeni (not a word character) is folded with iota (one).
    _same(re.compile(r"\bιωτα\b", re.IGNORECASE), "\u0345ωτα ιωτα ΙΩΤΑ \u1fbeωτα")


def test_a_word_said_again_is_tried_only_where_a_word_recurs():
    """A back reference to a captured first word: only words that occur again after them, as often as
    the regex repeats them (inside other words too, as the reference is not held to word edges), can
    begin a match."""
    chant = re.compile(r"(?<!\w)(\w{2,}(?:[^\w\n]{1,3}\w+){0,5}?)[!.,;]?[ \t]+\1\b", re.IGNORECASE)
    text = "Lock them up! LOCK THEM UP! said the crowd, and the lockers"
    assert matching.candidates(chant, text) == [0, 5, 10, 14, 33]  # the last LOCK goes on in "lockers"
    _same(chant, text)
    thrice = re.compile(r"\b(\w{3,})\b(?:[^.!?\n]{1,60}?\b\1\b){2}", re.IGNORECASE)
    assert matching.candidates(thrice, "war, war and war; the war") == [0, 5]
    _same(thrice, "war, war and war; the war; warwar")
    inside = re.compile(r"\b(\w{3,})\b.*\1", re.IGNORECASE)
    assert matching.candidates(inside, "cat concatenate") == [0]
    _same(inside, "cat concatenate")
    # The captured characters might stop inside a word: any letter may begin a match.
    assert matching.candidates(re.compile(r"\b(\w{3,})-?\1"), "abcabc") is None
    _same(re.compile(r"\b(\w{3,})-?\1"), "abcabc abab-ab")


WORDS = ["the", "real", "reason", "so", "evil", "ſo", "SO", "İn", "in", "kremlin", "\u212aremlin", "a", "an",
         "x-ray", "don't", "ιωτα", "\u0345ωτα"]
PATTERNS = [
    r"\b(?:the\s+)?real\s+reason\b", r"\b(?:so|in)\s+(?:evil|the)\b", r"(?<![\w-])(?:kreml\w*|x-ray)(?![\w-])",
    r"\ba\s+(?:real|evil)", r"(?:don't|an) \w+", r"\bso\b", r"(?<!\w)(?:in|an)(?=\s)", r"\bιωτα\b",
    r"(?:evil|reason)[,.]?\s+(?:so|the)", r"(?<!\w)(\w{2,})[ \t]+\1\b", r"\b(\w+)\b.{0,20}?\1\b",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30), st.lists(st.sampled_from([" ", "  ", "\n", ", ", "-", "\t"]),
                                                               min_size=30, max_size=30),
       st.sampled_from(PATTERNS), st.booleans(), st.integers(0, 60), st.integers(0, 200))
def test_any_text_made_of_tricky_words_matches_as_finditer_does(words, gaps, pattern, ignore_case, pos, endpos):
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    _same(regex, text)
    _same(regex, text, pos, endpos)
