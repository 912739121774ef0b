"""Events (PLOVER types) with source actor, target actor, place and date, found by the `lexical` engine.

Every trigger lives in `resources/<lang>/events.toml`: a word list or a pattern naming a PLOVER type
(`taxonomies/plover.toml`), optionally a `mode` (the subtype: `arrest`, `raid`, `death_in_custody`,
`summons`...), a hand-set weight and a rationale. Each trigger hit is one `event` span over its clause,
widened to the participants found for it within its sentence:

- source and target are the actor mentions on either side of the trigger, decided as the `roles`
  stage decides agent and target: word order (the nearest actor before the trigger acts, the nearest
  after it undergoes), a passive auxiliary before the trigger or a Russian passive participle swaps
  them, `by` marks the agent after a passive, and Russian case overrides order where it is
  unambiguous. A mention right after a preposition (`working for Sputnik`) is not a subject; actors
  joined by a conjunction share their place; triggers joined by one (`were arrested and accused`)
  share the actor before the first. A cue with `subject = "target"` is intransitive: its subject
  undergoes the event (`detainees died in custody`); `inner` gives the role of an actor named inside
  the trigger itself (`died in Russian custody`).
- place: a place mention (registry type PLACE or GPE) after a locative preposition of the language,
  else any PLACE mention of the sentence;
- date: the date written in the sentence nearest the trigger (`analysis/dates.py`), else the
  document's publication date, marked `resolved_from: "document"`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import registry, resources, taxonomies
from ..config import DEFAULTS, Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from . import dates
from .cues import compile_pattern, cue_weight, numbered_cues, trigger, word_pattern
from .matching import finditer
from .morphology import case_says, cases, parses
from .sentences import sentence_bounds

ENGINE = "lexical"
LAYER = "event"
DEFAULT_THRESHOLD: float = DEFAULTS["events"]["threshold"]
_RESOURCE = "events"
_FIELDS = {"id", "type", "mode", "weight", "words", "pattern", "unless", "subject", "inner", "rationale"}
_ROLES = ("source", "target")
# Registry actor types that name a location rather than an actor that acts (registry/*.toml).
PLACE_TYPES = frozenset({"PLACE", "GPE"})
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def type_names() -> tuple[str, ...]:
    return tuple(t.name for t in taxonomies.plover())


def languages() -> tuple[str, ...]:
    """Languages with an event cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, _RESOURCE))


# ------------------------------------------------------------------------------------------ cues

@dataclass(frozen=True)
class Cue:
    id: str
    type: str
    mode: str | None
    weight: float
    regex: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # searched in the trigger's clause: the hit does not count
    subject: str = "source"  # what the grammatical subject of the trigger is
    inner: str | None = None  # what an actor named inside the trigger is


@dataclass(frozen=True)
class Syntax:
    window: int
    clause_edge: re.Pattern[str]
    prepositions: re.Pattern[str]  # ends right before a mention: it is a prepositional object
    possessor: re.Pattern[str]  # ...except these, which name whose thing it is (`the concert of Russian singers`)
    nominal: re.Pattern[str]  # ends right before a trigger: a noun inside a phrase (`after the raids`)
    locative: re.Pattern[str]  # ends right before a mention: it is where the event happened
    negation: re.Pattern[str] | None  # ends right before the trigger: the event is denied
    coordination: re.Pattern[str] | None
    chain: re.Pattern[str] | None  # between two triggers sharing the actor before the first
    passive: re.Pattern[str] | None  # ends right before the trigger (English auxiliaries)
    progressive: re.Pattern[str] | None
    by: re.Pattern[str] | None
    participle_passive: bool  # a passive participle as trigger is passive (Russian `задержаны`)


@dataclass(frozen=True)
class CueSet:
    language: str
    cues: tuple[Cue, ...]
    syntax: Syntax


def _cue(raw: Mapping[str, Any], cue_id: str, lists: dict[str, list[str]], where: str) -> Cue:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    event_type = raw.get("type")
    if event_type not in type_names():
        raise ValueError(f"{where}: unknown PLOVER type {event_type!r}")
    weight = cue_weight(raw, where)
    subject, inner = raw.get("subject", "source"), raw.get("inner")
    if subject not in _ROLES or inner not in (None, *_ROLES):
        raise ValueError(f"{where}: `subject` and `inner` must be 'source' or 'target'")
    mode = raw.get("mode")
    if mode is not None and not re.fullmatch(r"[a-z][a-z_]*", mode):
        raise ValueError(f"{where}: mode must be a lower-case identifier, got {mode!r}")
    return Cue(cue_id, event_type, mode, weight, trigger(raw, lists, where),
               compile_pattern(raw["unless"], lists, where) if raw.get("unless") else None, subject, inner)


def _before(words: Iterable[str]) -> re.Pattern[str]:
    """One of `words` ending right where the search stops (`in `, `working for `); no words, no match."""
    words = [w for w in words if w.strip()]
    if not words:
        return re.compile(r"(?!)")
    return re.compile(word_pattern(words) + r"\s+(?:the\s+)?[\"“«'‘]?$", re.IGNORECASE)


def _optional(raw: Mapping[str, Any], key: str, where: str) -> re.Pattern[str] | None:
    return compile_pattern(raw[key], {}, f"{where} {key}") if raw.get(key) else None


def parse_cues(data: Mapping[str, Any], language: str) -> CueSet:
    """Validate and compile one language's event cue file; errors name the file and the cue."""
    file = f"resources/{language}/{_RESOURCE}.toml"
    lists = {name: list(words) for name, words in data.get("lists", {}).items()}
    cues = [_cue(raw, cue_id, lists, where) for raw, cue_id, where in numbered_cues(data.get("cue", []), file)]
    raw = data.get("syntax", {})
    where = f"{file} [syntax]"
    syntax = Syntax(
        window=int(raw.get("window", 8)),
        clause_edge=compile_pattern(raw.get("clause_edge", r"[,;:()\u2014\u2013]|\s-\s"), {}, f"{where} clause_edge"),
        prepositions=_before(raw.get("prepositions", [])), possessor=_before(raw.get("possessor", [])),
        nominal=_before(raw.get("nominal", [])), locative=_before(raw.get("locative", [])),
        negation=_optional(raw, "negation", where), coordination=_optional(raw, "coordination", where),
        chain=_optional(raw, "chain", where), passive=_optional(raw, "passive", where),
        progressive=_optional(raw, "progressive", where), by=_optional(raw, "by", where),
        participle_passive=bool(raw.get("participle_passive", False)),
    )
    return CueSet(language, tuple(cues), syntax)


@cache
def cue_set(language: str) -> CueSet:
    return parse_cues(resources.load(language, _RESOURCE), language)


# -------------------------------------------------------------------------------------- finding

@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    actor_id: str
    type: str  # the mention's actor type (its span label)
    adjective: bool = False  # `Russian`, `армянский`: names an actor, never a place


@dataclass(frozen=True)
class Hit:
    cue: Cue
    start: int
    end: int


def _hits(text: str, cues: CueSet) -> list[Hit]:
    """Every trigger hit; where hits of several cues overlap the longest wins (`died in custody` over
    `custody`), then the heavier."""
    found = [Hit(cue, m.start(), m.end())
             for cue in cues.cues for m in finditer(cue.regex, text) if m.end() > m.start()]
    kept: list[Hit] = []
    for hit in sorted(found, key=lambda h: (h.start - h.end, -h.cue.weight, h.start)):
        if not any(hit.start < k.end and k.start < hit.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


class _Sentence:
    """One sentence: its words (for distances) and the actor mentions in it."""

    def __init__(self, text: str, start: int, end: int, mentions: Sequence[Mention]) -> None:
        self.text, self.start, self.end = text, start, end
        self.words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
        self.mentions = list(mentions)

    def word(self, offset: int) -> int:
        return bisect_left(self.words, (offset, -1))

    def distance(self, a: Mention, hit: Hit) -> int:
        if a.end <= hit.start:
            return self.word(hit.start) - self.word(a.end - 1)
        return self.word(a.start) - self.word(hit.end - 1)

    def clause(self, start: int, end: int, edge: re.Pattern[str]) -> tuple[int, int]:
        left = self.start
        for match in edge.finditer(self.text, self.start, start):
            left = match.end()
        right_edge = edge.search(self.text, end, self.end)
        right = right_edge.start() if right_edge else self.end
        while left < start and self.text[left].isspace():
            left += 1
        while right > end and self.text[right - 1].isspace():
            right -= 1
        return left, right


def _after(pattern: re.Pattern[str], text: str, sentence: _Sentence, offset: int) -> bool:
    """Whether `pattern` ends right before `offset`, looking back within its sentence."""
    return pattern.search(text, max(sentence.start, offset - 60), offset) is not None


def _coordinated(text: str, syntax: Syntax, actors: Sequence[Mention], first: Mention, step: int) -> list[Mention]:
    """`first` and the actors joined to it by a conjunction (`A and B`, `A (А) и B`), going forward
    (step 1) or backward (step -1). Backward, the nearest join must be a word (`A, B and C`): a comma
    alone before a subject is more often the end of another clause than a list."""
    out = [first]
    if syntax.coordination is None:
        return out
    i = actors.index(first)
    while 0 <= i + step < len(actors):
        nxt = actors[i + step]
        left, right = (out[-1], nxt) if step > 0 else (nxt, out[-1])
        gap = text[left.end:right.start]
        if nxt.actor_id == out[-1].actor_id and not gap.strip(" ()"):
            pass  # the same actor again, as a gloss in brackets
        elif not syntax.coordination.fullmatch(gap) or (step < 0 and len(out) == 1 and not gap.strip(" ,()")):
            break
        out.append(nxt)
        i += step
    return out


def _paired(syntax: Syntax, text: str, start: int, end: int) -> bool:
    """Whether the clause edges between two points come in pairs (`A, most working for B, were`: an
    inserted phrase), so that what stands on either side still belongs to one clause."""
    return sum(1 for _ in syntax.clause_edge.finditer(text, start, end)) % 2 == 0


def _object_of(text: str, syntax: Syntax, sentence: _Sentence, mention: Mention, hits: Sequence[Hit]) -> bool:
    """Whether `mention` follows another trigger closely enough to be its object (`arresting Russian
    journalists, what it calls a crackdown`: the journalists do not crack down)."""
    return any(h.end <= mention.start and sentence.word(mention.start) - sentence.word(h.end) <= 3
               and not syntax.clause_edge.search(text, h.end, mention.start) for h in hits)


def _subject_before(text: str, syntax: Syntax, sentence: _Sentence, actors: Sequence[Mention], hit: Hit,
                    others: Sequence[Hit]) -> Mention | None:
    """The nearest actor before the trigger that can be its subject: within the window, in the same
    clause (edges between come in pairs), no other trigger between them, not another trigger's
    object, and not a prepositional object (`working for Sputnik and Ruptly, were arrested`: the
    journalists were, not Ruptly). A trigger right after a preposition (`from the arrested`, `after
    the raids`) is a noun inside a phrase and has no subject before it."""
    if _after(syntax.nominal, text, sentence, hit.start):
        return None
    candidates = [a for a in actors if a.end <= hit.start and sentence.distance(a, hit) <= syntax.window]
    for candidate in reversed(candidates):
        if any(candidate.end <= o.start and o.end <= hit.start for o in others):
            return None
        first = _coordinated(text, syntax, actors, candidate, -1)[-1]
        if _object_of(text, syntax, sentence, first, others):
            return None
        if not _paired(syntax, text, candidate.end, hit.start) or _after(syntax.prepositions, text, sentence,
                                                                         first.start):
            continue
        # An adjective (`Russian`) stands for an actor only at the head of its own noun phrase.
        if candidate.adjective and syntax.clause_edge.search(text, candidate.end, hit.start):
            continue
        return candidate
    return None


def _object_after(text: str, syntax: Syntax, sentence: _Sentence, actors: Sequence[Mention], hit: Hit,
                  others: Sequence[Hit]) -> Mention | None:
    """The nearest actor after the trigger that can be its object: within the window, in the same
    clause, no other trigger between, not joined to the trigger by a conjunction (`the raids and
    Azerbaijani response`), and not an adjective inside a prepositional phrase (`arrests over Soviet
    symbols`)."""
    for after in (a for a in actors if a.start >= hit.end and sentence.distance(a, hit) <= syntax.window):
        gap = text[hit.end:after.start]
        if (any(hit.end <= o.start and o.end <= after.start for o in others)
                or not _paired(syntax, text, hit.end, after.start)
                or (syntax.coordination is not None and gap.strip(" ,()") and syntax.coordination.fullmatch(gap))):
            return None
        if (after.adjective and _after(syntax.prepositions, text, sentence, after.start)
                and not _after(syntax.possessor, text, sentence, after.start)):
            continue
        return after
    return None


def _ru_passive(word: str) -> bool:
    """A Russian passive participle (`задержаны`, `арестован`, `убитых`): its subject undergoes it."""
    verbal = [p for p in parses(word.lower()) if p.tag.POS in ("PRTS", "PRTF", "VERB")]
    return bool(verbal) and all(p.tag.POS == "PRTS" or "pssv" in p.tag for p in verbal)


def _head_cases(text: str, mention: Mention) -> frozenset[str]:
    words = _WORD.findall(text[mention.start:mention.end])
    return cases(words[-1].lower()) if words else frozenset()


def agent_and_patient(text: str, language: str, syntax: Syntax, sentence: _Sentence, actors: Sequence[Mention],
                      hit: Hit, others: Sequence[Hit], shared: tuple[Mention, bool] | None = None,
                      ) -> tuple[Mention | None, Mention | None]:
    """Who does what the trigger says and who undergoes it, from word order, voice and (Russian) case.

    `shared` is the actor before a trigger this one is joined to (`were arrested and accused`) and
    whether it underwent that one (then it undergoes this one too)."""
    before = shared[0] if shared else _subject_before(text, syntax, sentence, actors, hit, others)
    after = _object_after(text, syntax, sentence, actors, hit, others)
    agent, patient = before, after
    if before is not None and syntax.passive is not None and not shared:
        progressive = syntax.progressive is not None and syntax.progressive.search(text[hit.start:hit.end])
        passive = bool(syntax.passive.search(text, before.end, hit.start)) and not progressive
    else:
        passive = bool(shared and shared[1])
    if passive:
        agent, patient = None, before
        if after is not None and syntax.by is not None and syntax.by.search(text[hit.end:after.start]):
            agent = after
    if language == "ru" and not shared:
        if after is not None and case_says(text, after.start, after.end) == "subject":
            agent = after
            patient = before if before is not None and case_says(text, before.start, before.end) != "subject" else None
        elif before is not None and case_says(text, before.start, before.end) == "object":
            agent, patient = None, before
        words = _WORD.findall(text[hit.start:hit.end])
        if syntax.participle_passive and words and _ru_passive(words[-1]):
            # `журналисты задержаны полицией`: the nominative undergoes it, an instrumental does it.
            instrumental = patient if patient is not None and "ablt" in _head_cases(text, patient) else None
            agent, patient = instrumental, agent
    return agent, patient


@dataclass
class _Decision:
    sources: list[Mention]
    targets: list[Mention]
    place: Mention | None
    shared: tuple[Mention, bool] | None  # passed on to a trigger joined to this one


def _place(text: str, syntax: Syntax, sentence: _Sentence, hit: Hit, clause: tuple[int, int],
           taken: set[Mention]) -> Mention | None:
    """Where it happened: a place after a locative preposition (`in Baku`, `в Баку`) or joined to one
    (`in Yekaterinburg, Voronezh`), else a PLACE mention; in the trigger's clause first, then in its
    sentence within the window."""
    free = [m for m in sentence.mentions if m.type in PLACE_TYPES and not m.adjective and m not in taken]
    located: list[Mention] = []
    for m in free:
        if _after(syntax.locative, text, sentence, m.start) or (
                located and syntax.coordination is not None and syntax.coordination.fullmatch(text, located[-1].end,
                                                                                             m.start)):
            located.append(m)
    for pool in (located, [m for m in free if m.type == "PLACE"]):
        in_clause = [m for m in pool if clause[0] <= m.start and m.end <= clause[1]]
        near = in_clause or [m for m in pool if sentence.distance(m, hit) <= syntax.window]
        if near:
            return min(near, key=lambda m: abs(m.start - hit.start))
    return None


def _decide(text: str, language: str, cues: CueSet, sentence: _Sentence, hit: Hit, hits: Sequence[Hit],
            clause: tuple[int, int], shared: tuple[Mention, bool] | None) -> _Decision:
    syntax = cues.syntax
    inside = [m for m in sentence.mentions if hit.start <= m.start and m.end <= hit.end]
    actors = [m for m in sentence.mentions if m.type != "PLACE" and m not in inside
              and not (m.type in PLACE_TYPES and not m.adjective and _after(syntax.locative, text, sentence, m.start))]
    others = [h for h in hits if h is not hit]
    agent, patient = agent_and_patient(text, language, syntax, sentence, actors, hit, others, shared)
    passed_on = next(((m, m is patient) for m in (agent, patient) if m is not None and m.end <= hit.start), None)
    if hit.cue.subject == "target":  # intransitive: `detainees died in custody`
        agent, patient = None, agent or patient
    sources = _coordinated(text, syntax, actors, agent, -1 if agent.end <= hit.start else 1) if agent else []
    targets = _coordinated(text, syntax, actors, patient, -1 if patient.end <= hit.start else 1) if patient else []
    if hit.cue.inner and inside:
        (sources if hit.cue.inner == "source" else targets).insert(0, inside[0])
    place = _place(text, syntax, sentence, hit, clause, {*sources, *targets})
    # In text order, so that `source` is the first named (`Russia and Azerbaijan signed`: Russia).
    return _Decision(_unique(sorted(sources, key=lambda m: m.start)), _unique(sorted(targets, key=lambda m: m.start)),
                     place, passed_on)


def _unique(mentions: Iterable[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for m in mentions:
        if m.actor_id not in seen:
            seen.add(m.actor_id)
            out.append(m)
    return out


def _actor(m: Mention) -> dict[str, Any]:
    return {"actor_id": m.actor_id, "start": m.start, "end": m.end}


@cache
def _adjectives(language: str) -> frozenset[str]:
    """Registry names that are adjectives (`Russian`, `армянский`): they name an actor's side, not a place."""
    return frozenset(e.name.casefold() for e in registry.load_names(language) if e.kind == "adjective")


def mentions_of(doc: Document) -> list[Mention]:
    """The document's actor mentions (spans the `actors` stage gave an actor id), in text order."""
    adjectives = _adjectives(doc.language or "")
    return sorted({Mention(s.start, s.end, s.attrs["actor_id"], s.label,
                           (s.attrs.get("name") or doc.text[s.start:s.end]).casefold() in adjectives)
                   for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")},
                  key=lambda m: (m.start, m.end))


def detect_events(text: str, language: str, mentions: Sequence[Mention], published: str | None = None,
                  sentences: Sequence[tuple[int, int]] | None = None, threshold: float = DEFAULT_THRESHOLD,
                  ) -> list[Span]:
    """One `event` span per trigger hit of `language`'s cues in `text`, at or above `threshold`."""
    if language not in languages() or not text.strip():
        return []
    cues = cue_set(language)
    bounds = sorted(sentences) if sentences else (sentence_bounds(text) or [(0, len(text))])
    hits = [h for h in _hits(text, cues) if h.cue.weight >= threshold]
    found_dates = dates.find_dates(text, language, published)
    fallback = dates.document_date(published)
    starts = [b[0] for b in bounds]
    by_sentence: dict[int, list[Hit]] = {}
    for hit in hits:
        by_sentence.setdefault(max(0, bisect_right(starts, hit.start) - 1), []).append(hit)
    spans = []
    for index, sentence_hits in sorted(by_sentence.items()):
        start, end = bounds[index]
        sentence = _Sentence(text, start, end, [m for m in mentions if start <= m.start and m.end <= end])
        # Overlapping, not inside: a splitter may end a sentence at the dot of `Nov. 18`.
        in_sentence = [d for d in found_dates if d.start < end and start < d.end]
        previous: tuple[Hit, _Decision] | None = None
        for hit in sentence_hits:
            clause = sentence.clause(hit.start, hit.end, cues.syntax.clause_edge)
            if hit.cue.unless is not None and hit.cue.unless.search(text, *clause):
                continue
            shared = None
            if (previous is not None and cues.syntax.chain is not None
                    and cues.syntax.chain.fullmatch(text, previous[0].end, hit.start)):
                shared = previous[1].shared
            decision = _decide(text, language, cues, sentence, hit, sentence_hits, clause, shared)
            previous = (hit, decision)
            spans.append(_span(text, language, hit, clause, decision, in_sentence, fallback, published, cues))
    return sorted(spans, key=Span.sort_key)


def _span(text: str, language: str, hit: Hit, clause: tuple[int, int], decision: _Decision,
          in_sentence: Sequence[dates.DateMention], fallback: str | None, published: str | None,
          cues: CueSet) -> Span:
    date = min(in_sentence, key=lambda d: abs(d.start - hit.start), default=None)
    if date is not None:
        date_attr: dict[str, Any] | None = {"text": date.text, "start": date.start, "end": date.end,
                                            "value": date.value, "resolved_from": "text"}
    elif fallback is not None:
        date_attr = {"text": published, "start": None, "end": None, "value": fallback, "resolved_from": "document"}
    else:
        date_attr = None
    place = decision.place
    # A trigger may run past its sentence (`died in` + line break + `custody`): the span keeps it whole.
    parts = [clause, (hit.start, hit.end), *((m.start, m.end) for m in [*decision.sources, *decision.targets])]
    if place is not None:
        parts.append((place.start, place.end))
    if date is not None:
        parts.append((date.start, date.end))
    negation = cues.syntax.negation
    attrs = {
        "type": hit.cue.type,
        "subtype": hit.cue.mode,
        "trigger": [hit.start, hit.end],
        "source": _actor(decision.sources[0]) if decision.sources else None,
        "target": _actor(decision.targets[0]) if decision.targets else None,
        "sources": [_actor(m) for m in decision.sources],
        "targets": [_actor(m) for m in decision.targets],
        "place": ({"text": text[place.start:place.end], "start": place.start, "end": place.end,
                   "actor_id": place.actor_id} if place is not None else None),
        "date": date_attr,
        "language": language,
        "cues": [hit.cue.id],
        "negated": bool(negation is not None and negation.search(text, clause[0], hit.start)),
    }
    return Span(LAYER, hit.cue.type, min(p[0] for p in parts), max(p[1] for p in parts), hit.cue.weight, ENGINE,
                hit.cue.id, attrs)


def threshold(config: Config | None) -> float:
    """`events.threshold` from the configuration: cues lighter than this are not reported."""
    return float(config.get("events.threshold", DEFAULT_THRESHOLD)) if config else DEFAULT_THRESHOLD


@stage("events", version="1", requires=("layer:sentence", "layer:mention", "mention.actor_id"),
       assigns=("layer:event",), languages=languages())
def find_events(doc: Document, ctx: StageContext) -> None:
    assert doc.language is not None
    sentences = [(s.start, s.end) for s in doc.spans if s.layer == "sentence"] or None
    for span in detect_events(doc.text, doc.language, mentions_of(doc), doc.published, sentences,
                              threshold(ctx.config)):
        doc.add_span(span)
