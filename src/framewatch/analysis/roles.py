"""Entity roles (SemEval-2025 Task 10): a main role and fine roles for every actor of a document,
found by the `lexical` engine.

Every cue lives in `resources/<lang>/roles.toml` with a hand-set weight and a rationale. A cue is a
word list whose hits say something about the actor next to them, depending on where the actor stands:
- `agent`: the actor does what the word says (`Russia attacked`, `attacked by Russia`);
- `target`: the actor undergoes it (`attacked Ukraine`, `civilians were killed`);
- `self`: the word describes the actor (`the puppet Zelensky`, `Kyiv regime`, `heroic defenders`).
Who is the agent and who the target is decided from word order: the nearest actor before a verb is
its subject, the nearest after it its object; a passive auxiliary before the verb or `by` before the
actor swaps them (English), and grammatical case overrides order where it is unambiguous (Russian:
`по Украине ударили` puts Ukraine in the dative, a target). Technique spans the `techniques` stage
found on or right next to an actor (a label stuck on it, doubt cast on it) count for Antagonist.
Every hit adds its weight to a main role and, when the cue names one, to a fine role; the main role
with the most evidence wins, the language's most common role when nothing fires (measured on the
SemEval-2025 training data), and the fine role with the most evidence within that main role, else
that main role's most common fine role.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import Any

from .. import resources
from ..config import Config
from ..model import Document, Span
from ..pipeline import StageContext, stage
from ..taxonomies import roles as taxonomy
from .cues import cue_weight, numbered_cues, word_pattern
from .matching import finditer
from .morphology import case_says
from .sentences import sentence_bounds

ENGINE = "lexical"
LAYER = "role"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_POSITIONS = ("agent", "target", "self")
_TECHNIQUE_GAP = 6  # characters at most between a technique span and the mention it speaks of


def languages() -> tuple[str, ...]:
    """Languages with a role cue file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, "roles"))


@dataclass(frozen=True)
class Cue:
    id: str
    regex: re.Pattern[str]
    weight: float
    roles: dict[str, tuple[str, str | None]] = field(hash=False, compare=False)  # position -> (main, fine)
    window: int = 0  # words between cue and actor; 0: the language's default


@dataclass(frozen=True)
class CueSet:
    language: str
    cues: tuple[Cue, ...]
    default_main: str
    default_fine: dict[str, str]
    bias: dict[str, float]
    window: int
    passive: re.Pattern[str] | None
    by: re.Pattern[str] | None
    techniques: dict[str, tuple[str, str | None, float]]
    other_weight: float
    min_score: float
    second_fine: float
    unmarked: str = "Antagonist"
    coordination: re.Pattern[str] | None = None
    quoted_self: float = 1.0
    sides: Sides | None = None
    progressive: re.Pattern[str] | None = None
    sentiment: SentimentCue | None = None


@dataclass(frozen=True)
class SentimentCue:
    """`[sentiment]` in the cue file: how the sentiment toward an actor in its sentence (the trained
    model of analysis/sentiment.py) counts as role evidence."""

    roles: dict[str, tuple[str, str | None]] = field(hash=False, compare=False)  # label -> (main, fine)
    weight: float  # evidence = weight x |score| ...
    min_score: float  # ... where |P(positive) - P(negative)| reaches this


@dataclass(frozen=True)
class Sides:
    """The document-level pass (`[sides]` in the cue file): who acts against whom decides which of two
    opposed actors is the antagonist, and the one acted against becomes a protagonist."""

    against: re.Pattern[str] | None  # `X against Y`: X is opposed to Y, no role said
    against_weight: float
    window: int
    min_received: float  # hostility from the document's antagonists an actor must take to be flipped
    own_share: float  # ...and its own hostile acts against them must stay below this share of it
    min_antagonist: float  # the opponent must have at least this much Antagonist evidence
    positive_share: float  # positive framing (Protagonist evidence) counts against its Antagonist score
    fine: str  # fine role when no Protagonist cue names one


def _role(value: str, where: str) -> tuple[str, str | None]:
    tax = taxonomy()
    main, _, fine = value.partition("/")
    if main not in tax.main:
        raise ValueError(f"{where}: unknown main role {main!r}")
    if fine and tax.fine.get(fine) != main:
        raise ValueError(f"{where}: {fine!r} is not a fine role of {main}")
    return main, fine or None


def parse_cues(data: dict[str, Any], language: str) -> CueSet:
    """Validate and compile one language's role cue file; errors name the cue."""
    tax = taxonomy()
    name = f"resources/{language}/roles.toml"
    defaults = data.get("defaults", {})
    default_main = defaults.get("main", "Antagonist")
    for key in ("main", "unmarked"):
        if defaults.get(key, default_main) not in tax.main:
            raise ValueError(f"{name} [defaults] {key}: unknown role {defaults[key]!r}")
    default_fine = dict(defaults.get("fine", {}))
    for main in tax.main:
        if tax.fine.get(default_fine.get(main, "")) != main:
            raise ValueError(f"{name} [defaults.fine] {main}: needs one of its fine roles")
    bias = {main: float(defaults.get("bias", {}).get(main, 0.0)) for main in tax.main}
    cues = []
    for raw, cue_id, where in numbered_cues(data.get("cue", []), name):
        weight = cue_weight(raw, where)
        roles = {pos: _role(raw[pos], where) for pos in _POSITIONS if raw.get(pos)}
        if not roles:
            raise ValueError(f"{where}: give at least one of {', '.join(_POSITIONS)}")
        if not raw.get("words"):
            raise ValueError(f"{where}: needs `words`")
        cues.append(Cue(cue_id, re.compile(word_pattern(raw["words"]), re.IGNORECASE), weight, roles,
                        int(raw.get("window", 0))))
    techniques = {}
    for technique, raw in data.get("techniques", {}).items():
        main, fine = _role(raw["role"], f"{name} [techniques] {technique}")
        techniques[technique] = (main, fine, float(raw["weight"]))
    syntax = data.get("syntax", {})
    sides = None
    if "sides" in data:
        raw = data["sides"]
        fine = _role(f"Protagonist/{raw.get('fine', default_fine['Protagonist'])}", f"{name} [sides] fine")[1]
        sides = Sides(
            re.compile(word_pattern(raw["against"]), re.IGNORECASE) if raw.get("against") else None,
            float(raw.get("against_weight", 0.3)), int(raw.get("window", 6)),
            float(raw.get("min_received", 0.3)), float(raw.get("own_share", 1.0)),
            float(raw.get("min_antagonist", 0.0)), float(raw.get("positive_share", 1.0)), fine or "Underdog")
    sentiment = None
    if "sentiment" in data:
        raw = data["sentiment"]
        where = f"{name} [sentiment]"
        sentiment = SentimentCue({label: _role(raw[label], f"{where} {label}") for label in ("negative", "positive")
                                  if raw.get(label)}, cue_weight(raw, where), float(raw.get("min_score", 0.0)))
    return CueSet(
        language, tuple(cues), default_main, default_fine, bias, int(syntax.get("window", 8)),
        re.compile(syntax["passive"], re.IGNORECASE) if syntax.get("passive") else None,
        re.compile(syntax["by"], re.IGNORECASE) if syntax.get("by") else None,
        techniques, float(syntax.get("other_mentions", 0.5)), float(defaults.get("min_score", 0.0)),
        float(defaults.get("second_fine", 0.0)), defaults.get("unmarked", default_main),
        re.compile(syntax["coordination"], re.IGNORECASE) if syntax.get("coordination") else None,
        float(syntax.get("quoted_self", 1.0)), sides,
        re.compile(syntax["progressive"], re.IGNORECASE) if syntax.get("progressive") else None,
        sentiment,
    )


@cache
def cue_set(language: str) -> CueSet:
    return parse_cues(resources.load(language, "roles"), language)


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class Evidence:
    main: str
    fine: str | None
    weight: float
    cue: str
    sentence: tuple[int, int]


@dataclass
class _Text:
    text: str
    language: str
    sentences: list[tuple[int, int]]
    tokens: list[tuple[int, int]]
    starts: list[int] = field(default_factory=list)  # of the sentences

    @classmethod
    def of(cls, text: str, language: str, sentences: list[tuple[int, int]] | None = None) -> _Text:
        bounds = sentences or sentence_bounds(text) or [(0, len(text))]
        return cls(text, language, bounds, [m.span() for m in _WORD.finditer(text)], [s for s, _ in bounds])

    def sentence(self, offset: int) -> tuple[int, int]:
        i = max(0, bisect_right(self.starts, offset) - 1)
        return self.sentences[i]

    def token(self, offset: int) -> int:
        return bisect_left(self.tokens, (offset, -1))


def _hits(doc: _Text, cues: CueSet) -> dict[tuple[int, int], list[tuple[Cue, int, int]]]:
    """Cue hits per sentence."""
    out: dict[tuple[int, int], list[tuple[Cue, int, int]]] = defaultdict(list)
    for cue in cues.cues:
        for match in finditer(cue.regex, doc.text):
            out[doc.sentence(match.start())].append((cue, match.start(), match.end()))
    return out


Relation = tuple[int, int, float, tuple[int, int]]  # (acting actor, actor acted against, weight, sentence)


def _coordinated(text: str, cues: CueSet, actors: Sequence[tuple[int, int, int]],
                 occ: tuple[int, int, int], step: int) -> list[tuple[int, int, int]]:
    """`occ` and the actors joined to it by a conjunction (`A and B`, `A, B (Б)`), going forward
    (step 1) or backward (step -1) through the sentence's actors."""
    out = [occ]
    if cues.coordination is None:
        return out
    i = actors.index(occ)
    while 0 <= i + step < len(actors):
        nxt = actors[i + step]
        left, right = (out[-1], nxt) if step > 0 else (nxt, out[-1])
        gap = text[left[1]:right[0]]
        if nxt[2] == out[-1][2] and not gap.strip(" ()"):
            pass  # the same actor again, as a gloss in brackets
        elif cues.coordination.fullmatch(gap) is None:
            break
        out.append(nxt)
        i += step
    return out


def _quoted(text: str, sentence: tuple[int, int], offset: int) -> bool:
    """Whether `offset` stands inside quotation marks opened earlier in its sentence."""
    before = text[sentence[0]:offset]
    return (before.count('"') % 2 == 1 or before.count("“") > before.count("”")
            or before.count("«") > before.count("»"))


def _evidence(doc: _Text, cues: CueSet, occurrences: Sequence[tuple[int, int, int]],
              hits: dict[tuple[int, int], list[tuple[Cue, int, int]]],
              techniques: Sequence[Span], relations: list[Relation] | None = None,
              ) -> dict[int, list[tuple[int, Evidence]]]:
    """Evidence per actor: `occurrences` are (start, end, actor index) of every actor mention in the
    document; each cue hit goes to the actor standing in the position the cue speaks of. Hostile acts
    with both sides named, and `against` words between two actors, are added to `relations`."""
    by_sentence: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for occ in occurrences:
        by_sentence[doc.sentence(occ[0])].append(occ)
    found: dict[int, list[tuple[int, Evidence]]] = defaultdict(list)
    text = doc.text
    for sentence, actors in by_sentence.items():
        actors.sort()
        verbs = [(s, e) for cue, s, e in hits.get(sentence, []) if {"agent", "target"} & cue.roles.keys()]
        for cue, start, end in hits.get(sentence, []):
            window = cue.window or cues.window
            c_first, c_last = doc.token(start), doc.token(end - 1)
            before = after = inside = None
            for occ in actors:
                if occ[0] < end and start < occ[1]:
                    inside = occ
                elif occ[1] <= start and c_first - doc.token(occ[1] - 1) <= window:
                    before = occ
                elif occ[0] >= end and after is None and doc.token(occ[0]) - c_last <= window:
                    after = occ
            if "self" in cue.roles:
                main, fine = cue.roles["self"]
                # A word describes the actor beside it, not one across a verb (`X protected the wounded`).
                near = inside or min(
                    (o for o in (before, after) if o and not _verb_between(verbs, o, start, end)),
                    key=lambda o: abs(doc.token(o[0]) - c_first), default=None)
                if near is not None:
                    boost = 1.5 if near is inside else 1.0
                    if near is not inside and _quoted(text, sentence, start):
                        boost *= cues.quoted_self  # a label in quotation marks is someone else's word
                    if boost > 0:
                        found[near[2]].append((near[0], Evidence(main, fine, cue.weight * boost, cue.id,
                                                                 sentence)))
            if not ({"agent", "target"} & cue.roles.keys()):
                continue
            subject, obj = before, after
            if cues.passive is not None and before is not None:
                gap = text[before[1]:start]
                # `is attacking` is active: a progressive form after the auxiliary keeps the order.
                progressive = cues.progressive is not None and cues.progressive.search(text[start:end])
                if cues.passive.search(gap) and not progressive:
                    subject, obj = None, before
                    if after is not None and cues.by is not None and cues.by.search(text[end:after[0]]):
                        subject = after
            if doc.language == "ru":
                if after is not None and case_says(text, after[0], after[1]) == "subject":
                    subject, obj = after, (before if before is not None and
                                           case_says(text, before[0], before[1]) != "subject" else None)
                elif before is not None and case_says(text, before[0], before[1]) == "object":
                    subject, obj = None, before
            if subject is not None and _verb_between(verbs, subject, start, end):
                subject = None
            if obj is not None and _verb_between(verbs, obj, start, end):
                obj = None
            sides = {"agent": _coordinated(text, cues, actors, subject, -1) if subject else [],
                     "target": _coordinated(text, cues, actors, obj, 1) if obj else []}
            for position, group in sides.items():
                if position not in cue.roles:
                    continue
                main, fine = cue.roles[position]
                for occ in group:
                    distance = abs(doc.token(occ[0]) - c_first)
                    weight = cue.weight * (1.0 if distance <= 3 else 0.7)
                    found[occ[2]].append((occ[0], Evidence(main, fine, weight, f"{cue.id}:{position}", sentence)))
            if relations is not None and cue.roles.get("agent", ("",))[0] == "Antagonist" and "target" in cue.roles:
                pairs = {(a[2], b[2]) for a in sides["agent"] for b in sides["target"] if a[2] != b[2]}
                relations.extend((a, b, cue.weight, sentence) for a, b in sorted(pairs))
        if relations is not None and cues.sides is not None and cues.sides.against is not None:
            _against(doc, cues, actors, sentence, relations)
    # A technique span reaches no mention that ends more than a short gap before it or starts more than
    # one after it: the mentions in between are found by bisection (`reach`: the furthest end so far).
    starts = [occ[0] for occ in occurrences]
    reach = list(accumulate((occ[1] for occ in occurrences), max))
    for span in techniques:
        if span.label not in cues.techniques:
            continue
        main, fine, weight = cues.techniques[span.label]
        first, last = bisect_left(reach, span.start - _TECHNIQUE_GAP), bisect_right(starts, span.end + _TECHNIQUE_GAP)
        for occ in occurrences[first:last]:
            # On the mention, or beside it across at most a short word (`Kremlin propagandists`,
            # `the junta of Vostok`).
            gap = doc.text[span.end:occ[0]] if span.end <= occ[0] else doc.text[occ[1]:span.start]
            if (span.start < occ[1] and occ[0] < span.end) or (len(gap.strip()) <= 3 and len(gap) <= _TECHNIQUE_GAP):
                found[occ[2]].append((occ[0], Evidence(main, fine, weight, f"technique:{span.label}",
                                                       doc.sentence(occ[0]))))
    return found


Scores = dict[tuple[int, int], tuple[str, float]]  # mention (start, end) -> (sentiment label, score)


def _sentiment_evidence(doc: _Text, cues: CueSet, occurrences: Sequence[tuple[int, int, int]], scores: Scores,
                        found: dict[int, list[tuple[int, Evidence]]]) -> None:
    """Add what the sentiment toward each mention says, where the model is sure enough."""
    spec = cues.sentiment
    if spec is None:
        return
    for start, end, group in occurrences:
        label, score = scores.get((start, end), ("neutral", 0.0))
        if label in spec.roles and abs(score) >= spec.min_score:
            main, fine = spec.roles[label]
            found[group].append((start, Evidence(main, fine, spec.weight * abs(score), f"sentiment:{label}",
                                                 doc.sentence(start))))


def _model_scores(doc: _Text, occurrences: Sequence[tuple[int, int, int]]) -> Scores:
    from . import sentiment

    if doc.language not in sentiment.languages():
        return {}
    out = {}
    for start, end, _ in occurrences:
        found = sentiment.target_sentiment(doc.text, doc.language, start, end, doc.sentence(start))
        if found is not None:
            out[start, end] = (found.label, found.score)
    return out


def _against(doc: _Text, cues: CueSet, actors: Sequence[tuple[int, int, int]], sentence: tuple[int, int],
             relations: list[Relation]) -> None:
    """`X against Y`, `X's stand against Y`: X is on the side opposed to Y."""
    sides = cues.sides
    assert sides is not None and sides.against is not None
    for match in finditer(sides.against, doc.text, sentence[0], sentence[1]):
        first, last = doc.token(match.start()), doc.token(match.end() - 1)
        before = [o for o in actors if o[1] <= match.start() and first - doc.token(o[1] - 1) <= sides.window]
        after = [o for o in actors if o[0] >= match.end() and doc.token(o[0]) - last <= sides.window]
        if before and after:
            targets = {b[2] for b in _coordinated(doc.text, cues, actors, after[0], 1)} - {before[-1][2]}
            relations.extend((before[-1][2], b, sides.against_weight, sentence) for b in sorted(targets))


def _verb_between(verbs: Sequence[tuple[int, int]], actor: tuple[int, int, int], start: int, end: int) -> bool:
    """Whether another action word stands between the actor and this one: the nearer word governs
    the actor (`defences repelled the attack`: the defences repel, they do not attack)."""
    low, high = (actor[1], start) if actor[1] <= start else (end, actor[0])
    return any(low <= s and e <= high for s, e in verbs)


@dataclass
class RoleDecision:
    main: str
    fine: list[str]
    confidence: float
    evidence: list[Evidence]
    scores: dict[str, float] = field(default_factory=dict)  # evidence per main role, bias left out
    kept: list[Evidence] = field(default_factory=list)  # all evidence, whatever its role


def _decide(evidence: Iterable[tuple[Evidence, float]], cues: CueSet) -> RoleDecision:
    tax = taxonomy()
    main_scores = dict(cues.bias)
    fine_scores: dict[str, float] = defaultdict(float)
    kept: list[Evidence] = []
    for item, factor in evidence:
        main_scores[item.main] += item.weight * factor
        if item.fine:
            fine_scores[item.fine] += item.weight * factor
        kept.append(item)
    best = max(tax.main, key=lambda m: (main_scores[m], m == cues.default_main))
    if not kept:
        best = cues.unmarked
    elif main_scores[best] - cues.bias[best] < cues.min_score:
        best = cues.default_main
    ranked = sorted((f for f in fine_scores if tax.fine[f] == best and fine_scores[f] > 0),
                    key=lambda f: -fine_scores[f])
    fine = ranked[:1] or [cues.default_fine[best]]
    if len(ranked) > 1 and cues.second_fine and fine_scores[ranked[1]] >= cues.second_fine * fine_scores[ranked[0]]:
        fine.append(ranked[1])
    total = sum(max(0.0, v) for v in main_scores.values())
    confidence = (max(0.0, main_scores[best]) + 0.5) / (total + 1.5)
    scores = {m: main_scores[m] - cues.bias[m] for m in tax.main}
    return RoleDecision(best, fine, round(confidence, 3), [e for e in kept if e.main == best], scores, kept)


def _take_sides(decisions: dict[int, RoleDecision], relations: Sequence[Relation], cues: CueSet,
                names: dict[int, str] | None = None) -> dict[int, RoleDecision]:
    """The document-level pass: actors opposed to each other cannot both be antagonists when one is
    clearly the target of the other's hostility. An actor the text casts as an antagonist becomes a
    protagonist when the document's antagonists (actors decided Antagonist on evidence, with at
    least as much Antagonist evidence as it has once its positive framing is set against it) act
    against it more than it acts against them (`[sides] min_received`), and its own hostile acts stay
    below `own_share` of what it receives. Its fine role is the one its Protagonist cues name, else
    `[sides] fine` (the side acted against: an underdog). Returns the new decisions by actor."""
    sides = cues.sides
    if sides is None or not relations:
        return {}
    hostile: dict[tuple[int, int], float] = defaultdict(float)
    sentences: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for agent, target, weight, sentence in relations:
        hostile[agent, target] += weight
        sentences[agent, target].append(sentence)
    acts: dict[int, float] = defaultdict(float)  # each actor's hostile acts, whoever the target
    for (agent, _), weight in hostile.items():
        acts[agent] += weight
    antagonists = [i for i, d in decisions.items() if d.main == "Antagonist" and d.evidence]
    changed = {}
    for j, decision in decisions.items():
        if decision.main != "Antagonist":
            continue
        own = decision.scores.get("Antagonist", 0.0) - sides.positive_share * decision.scores.get("Protagonist", 0.0)
        opponents = [i for i in antagonists if i != j and hostile[i, j] > hostile[j, i]
                     and decisions[i].scores["Antagonist"] >= max(sides.min_antagonist, own)]
        received = sum(hostile[i, j] - hostile[j, i] for i in opponents)
        if not opponents or received < sides.min_received or acts[j] > sides.own_share * received:
            continue
        tax = taxonomy()
        fine_scores: dict[str, float] = defaultdict(float)
        for e in decision.kept:
            if e.fine and tax.fine[e.fine] == "Protagonist":
                fine_scores[e.fine] += e.weight
        fine = max(fine_scores, key=lambda f: fine_scores[f]) if fine_scores else sides.fine
        evidence = [Evidence("Protagonist", sides.fine, hostile[i, j], f"sides:against-by:{(names or {}).get(i, i)}", s)
                    for i in opponents for s in sentences[i, j]]
        evidence += [e for e in decision.kept if e.main == "Protagonist"]
        confidence = round(min(0.9, 0.5 + received / (received + own + 1.0) / 2), 3)
        changed[j] = RoleDecision("Protagonist", [fine], confidence, evidence, decision.scores, decision.kept)
    return changed


def _key(word: str, language: str) -> str:
    word = word.casefold().replace("ё", "е").replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if language == "ru" and len(word) > 4:
        word = word[:max(4, len(word) - 2)]
    return word


def _find_surface(doc: _Text, start: int, end: int) -> list[tuple[int, int]]:
    """Other places in the document where the words of text[start:end] occur (inflection-tolerant)."""
    words = [_key(w, doc.language) for w in _WORD.findall(doc.text[start:end])]
    if not words:
        return []
    keys = [_key(doc.text[s:e], doc.language) for s, e in doc.tokens]
    found = []
    for i in range(len(keys) - len(words) + 1):
        if keys[i:i + len(words)] == words:
            found.append((doc.tokens[i][0], doc.tokens[i + len(words) - 1][1]))
    return found


def roles_for_mentions(text: str, language: str, mentions: list[tuple[int, int]],
                       config: Config | None = None) -> list[tuple[str, list[str]]]:
    """(main role, fine roles) for each given mention (start, end exclusive), in input order.

    Each mention is judged from its own sentence and, at `syntax.other_mentions` weight, from the
    sentences of the other places where the same name occurs in the document."""
    return [(d.main, d.fine) for d in decide_mentions(text, language, mentions, config)]


def decide_mentions(text: str, language: str, mentions: list[tuple[int, int]],
                    config: Config | None = None) -> list[RoleDecision]:
    """The decisions behind `roles_for_mentions`, with confidence and evidence."""
    lang = language if language in languages() else "en"
    cues = cue_set(lang)
    doc = _Text.of(text, lang)
    groups: dict[tuple[str, ...], int] = {}
    occurrences: list[tuple[int, int, int]] = []
    own: list[tuple[int, int]] = []
    for start, end in mentions:
        key = tuple(_key(w, lang) for w in _WORD.findall(text[start:end])) or (text[start:end],)
        if key not in groups:
            groups[key] = len(groups)
            places = set(_find_surface(doc, start, end))
            occurrences.extend((s, e, groups[key]) for s, e in places)
        occurrences.append((start, end, groups[key]))
        own.append((start, groups[key]))
    occurrences = sorted(set(occurrences))
    techniques = _technique_spans(text, lang, config) if cues.techniques else []
    relations: list[Relation] = []
    found = _evidence(doc, cues, occurrences, _hits(doc, cues), techniques, relations)
    if cues.sentiment is not None:
        _sentiment_evidence(doc, cues, occurrences, _model_scores(doc, occurrences), found)
    # The document-level pass judges whole actors: every mention of one that it turns is turned.
    turned = _take_sides({g: _decide(((e, 1.0) for _, e in found.get(g, [])), cues) for g in groups.values()},
                         relations, cues)
    out = []
    for start, group in own:
        sentence = doc.sentence(start)
        items = [(e, 1.0 if e.sentence == sentence else cues.other_weight) for _, e in found.get(group, [])]
        decision = _decide(items, cues)
        if group in turned and decision.main == "Antagonist":
            decision = turned[group]
        out.append(decision)
    return out


def _technique_spans(text: str, language: str, config: Config | None) -> list[Span]:
    from . import techniques

    if language not in techniques.languages():
        return []
    return techniques.detect_techniques(text, language, config)


@stage("roles", version="2", requires=("layer:mention", "mention.actor_id", "layer:technique", "layer:sentiment"),
       assigns=("layer:role",),
       languages=languages())
def find_roles(doc: Document, ctx: StageContext) -> None:
    """One `role` span per actor: over the sentence that decided it, with its fine roles, the
    sentences of its evidence and the cues that fired."""
    assert doc.language is not None
    cues = cue_set(doc.language)
    mentions = sorted((s for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")),
                      key=Span.sort_key)
    if not mentions:
        return
    sentences = sorted((s.start, s.end) for s in doc.spans if s.layer == "sentence") or None
    text = _Text.of(doc.text, doc.language, sentences)
    actors = list(dict.fromkeys(s.attrs["actor_id"] for s in mentions))
    index = {actor: i for i, actor in enumerate(actors)}
    occurrences = sorted({(s.start, s.end, index[s.attrs["actor_id"]]) for s in mentions})
    techniques = [s for s in doc.spans if s.layer == "technique"]
    relations: list[Relation] = []
    found = _evidence(text, cues, occurrences, _hits(text, cues), techniques, relations)
    scores = {(s.start, s.end): (s.label, float(s.attrs.get("score", 0.0)))
              for s in doc.spans if s.layer == "sentiment"}
    _sentiment_evidence(text, cues, occurrences, scores, found)
    decisions = {index[a]: _decide(((e, 1.0) for _, e in found.get(index[a], [])), cues) for a in actors}
    decisions.update(_take_sides(decisions, relations, cues, dict(enumerate(actors))))
    first: dict[str, Span] = {}  # each actor's first mention
    for s in mentions:
        first.setdefault(s.attrs["actor_id"], s)
    for actor in actors:
        decision = decisions[index[actor]]
        evidence = sorted({e.sentence for e in decision.evidence})
        if decision.evidence:
            decisive = max(decision.evidence, key=lambda e: e.weight).sentence
        else:
            decisive = text.sentence(first[actor].start)
            evidence = [decisive]
        name = first[actor].attrs.get("name")
        doc.add_span(Span(
            LAYER, decision.main, decisive[0], decisive[1], decision.confidence, ENGINE,
            decision.evidence[0].cue if decision.evidence else "default",
            {"actor_id": actor, "name": name, "fine_roles": decision.fine,
             "evidence": [list(s) for s in evidence],
             "cues": list(dict.fromkeys(e.cue for e in decision.evidence))},
        ))
