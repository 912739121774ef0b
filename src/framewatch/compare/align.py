"""Story alignment: which documents, across sources and languages, report the same event.

No machine translation: documents meet on what survives translation. Each document gets a set of
*keys* (the actors its mentions resolve to, places included; its event types, alone and with their
place; the numbers it gives; and a transliterated consonant skeleton of every capitalised name, so
`Yekaterinburg`, `Екатеринбург` and `Jekaterinburg` meet without a gazetteer) weighted by how rare
they are in the corpus, plus, for documents in the same language, the content words they share.

It scales by blocking: two documents are compared only when they share a key that at most
`max_key_docs` documents carry (a key every report has, such as the two countries of a conflict,
pairs nobody) and, when both dates are known, were published within `window_days` of each other.
Candidate pairs are then clustered by average linkage: two groups merge while the mean similarity
over all their pairs, unlinked pairs counting zero, reaches `threshold`. Average linkage keeps one
shared name from chaining two stories together, which single linkage would do.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from unidecode import unidecode

from ..analysis.claims import claim_terms
from ..config import DEFAULTS as _CONFIG_DEFAULTS
from ..model import Document

_WORD = re.compile(r"[^\W\d_]{4,}")
_NAME = re.compile(r"(?<![\w.])[^\W\d_][^\W\d_'’-]{3,}")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[ ,.]\d{3})*(?![\w])|(?<![\w.,])\d+(?![\w.,]\d)")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_SKELETON_DROP = re.compile(r"[aeiouyjhw]+")

@dataclass(frozen=True)
class Report:
    """What alignment knows of one document."""

    id: str
    language: str | None
    published: date | None
    keys: frozenset[str]
    words: Counter[str] = field(hash=False, compare=False)


@dataclass(frozen=True)
class Story:
    id: str
    documents: tuple[str, ...]
    # The keys that hold the story together: those at least half its documents share.
    keys: tuple[str, ...]
    cohesion: float  # mean similarity over the story's document pairs


def _day(value: str | None) -> date | None:
    """A publication date precise to the day, else None: a month alone says too little to block on."""
    match = _DATE.match(value or "")
    if not match or not match.group(3):
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def skeleton(name: str) -> str:
    """A spelling-tolerant key for a name in any script: transliterated, lowercased, vowels and the
    letters transliterations disagree on (`y`/`j`/`h`/`w`) dropped, doubled letters collapsed."""
    latin = unidecode(name).lower()
    latin = re.sub(r"[^a-z]", "", latin).replace("ck", "k").replace("ph", "f").replace("sch", "sh")
    consonants = _SKELETON_DROP.sub("", latin)
    return re.sub(r"(.)\1+", r"\1", consonants)


def _numbers(text: str) -> set[str]:
    out = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if digits and int(digits) > 1 and not 1900 <= int(digits) <= 2100:
            out.add(f"num:{int(digits)}")
    return out


def report_of(doc: Document) -> Report:
    """The keys and words of a document, from its text and the spans the pipeline gave it."""
    keys: set[str] = set()
    for span in doc.spans:
        if span.layer == "mention" and span.attrs.get("actor_id"):
            actor = span.attrs["actor_id"]
            kind = "place" if span.label in ("PLACE", "GPE", "LOC") else "actor"
            keys.add(f"{kind}:{actor}")
        elif span.layer == "claim":
            # Numbers written as words (`five`, `пятерых`) meet their digits through the claims' terms.
            keys.update(t for t in claim_terms(doc.text, doc.language or "", span) if t.startswith("num:"))
        elif span.layer == "event":
            keys.add(f"event:{span.label}")
            place = (span.attrs.get("place") or {}).get("actor_id")
            if place:
                keys.add(f"event_place:{span.label}@{place}")
            when = span.attrs.get("date") or {}
            if when.get("resolved_from") == "text" and len(when.get("value") or "") == 10:
                keys.add(f"date:{when['value']}")  # a day written in the text, not the publication date
    text = doc.text if not doc.title else f"{doc.title}\n{doc.text}"
    keys |= _numbers(doc.text)
    for match in _NAME.finditer(text):
        word = match.group()
        before = text[max(0, match.start() - 2):match.start()]
        if word[0].isupper() and not re.search(r"[.!?]\s*$|^\s*$", before) and match.start() > 0:
            key = skeleton(word)
            if len(key) >= 3:
                keys.add(f"name:{key[:6]}")
    words = Counter(w.casefold()[:6] for w in _WORD.findall(text))
    return Report(doc.id or doc.assign_id(), doc.language, _day(doc.published), frozenset(keys), words)


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


class _Index:
    """Rarity weights of keys and words over the corpus, and the documents' weighted vectors."""

    def __init__(self, reports: Sequence[Report], settings: Mapping[str, Any]) -> None:
        self.reports = reports
        n = len(reports)
        self.key_docs: dict[str, list[int]] = defaultdict(list)
        for i, report in enumerate(reports):
            for key in report.keys:
                self.key_docs[key].append(i)
        word_df: Counter[str] = Counter()
        for report in reports:
            word_df.update(report.words.keys())
        weights = settings["weights"]
        self.key_vectors = [self._normalise({
            k: weights.get(_kind(k), 1.0) * math.log((n + 1) / len(self.key_docs[k]))
            for k in r.keys}) for r in reports]
        self.word_vectors = [self._normalise({
            w: (1 + math.log(c)) * math.log((n + 1) / word_df[w]) for w, c in r.words.items()}) for r in reports]

    @staticmethod
    def _normalise(vector: dict[str, float]) -> dict[str, float]:
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {k: v / norm for k, v in vector.items()} if norm else {}

    @staticmethod
    def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b[k] for k, v in a.items() if k in b)


def similarity(index: _Index, i: int, j: int, settings: Mapping[str, Any]) -> float:
    keys = _Index.cosine(index.key_vectors[i], index.key_vectors[j])
    a, b = index.reports[i], index.reports[j]
    if a.language and a.language == b.language:
        # Shared wording counts in full only once the keys agree too: two reports of different
        # arrests in one conflict can read alike, and only names, places and numbers tell them apart.
        share = float(settings["words_share"])
        trust = min(1.0, keys / float(settings["key_floor"]))
        return (1 - share) * keys + share * trust * _Index.cosine(index.word_vectors[i], index.word_vectors[j])
    return keys


def _within_window(a: Report, b: Report, days: int) -> bool:
    return a.published is None or b.published is None or abs((a.published - b.published).days) <= days


def candidate_pairs(index: _Index, settings: Mapping[str, Any]) -> set[tuple[int, int]]:
    """Pairs sharing a key carried by at most `max_key_docs` documents, published within the window:
    the work grows with the documents per key, not with the square of the corpus."""
    limit = int(settings["max_key_docs"])
    days = int(settings["window_days"])
    pairs: set[tuple[int, int]] = set()
    for docs in index.key_docs.values():
        if len(docs) < 2 or len(docs) > limit:
            continue
        dated = sorted(docs, key=lambda d: (index.reports[d].published or date.min, d))
        for x, i in enumerate(dated):
            for j in dated[x + 1:]:
                a, b = index.reports[i], index.reports[j]
                if a.published and b.published and (b.published - a.published).days > days:
                    break
                if _within_window(a, b, days):
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def _cluster(n: int, edges: Mapping[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Average linkage over a sparse similarity graph (absent pairs count zero)."""
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: dict[int, dict[int, float]] = defaultdict(dict)  # cluster -> neighbour -> summed similarity
    for (i, j), s in edges.items():
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [(-s, i, j) for (i, j), s in edges.items()]
    heapq.heapify(heap)
    next_id = n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        if -negative < threshold:
            break
        merged = next_id
        next_id += 1
        members[merged] = sorted(members.pop(a) + members.pop(b))
        neighbours: dict[int, float] = defaultdict(float)
        for old in (a, b):
            for other, total in links.pop(old, {}).items():
                if other in members:
                    neighbours[other] += total
                    links[other].pop(old, None)
        links[merged] = dict(neighbours)
        for other, total in neighbours.items():
            links[other][merged] = total
            mean = total / (len(members[merged]) * len(members[other]))
            heapq.heappush(heap, (-mean, min(merged, other), max(merged, other)))
    return sorted(members.values())


def align(docs: Iterable[Document], config: Mapping[str, Any] | None = None) -> list[Story]:
    """Group documents reporting the same event; stories of two or more documents, largest first."""
    defaults = _CONFIG_DEFAULTS["compare"]["align"]
    settings = {**defaults, **(config or {})}
    settings["weights"] = {**defaults["weights"], **(config or {}).get("weights", {})}
    reports = sorted((report_of(d) for d in docs), key=lambda r: r.id)
    if not reports:
        return []
    index = _Index(reports, settings)
    edges = {}
    for i, j in sorted(candidate_pairs(index, settings)):
        s = similarity(index, i, j, settings)
        if s > 0:
            edges[i, j] = s
    stories = []
    for group in _cluster(len(reports), edges, float(settings["threshold"])):
        if len(group) < 2:
            continue
        ids = tuple(reports[i].id for i in group)
        pair_sims = [edges.get((i, j), 0.0) for x, i in enumerate(group) for j in group[x + 1:]]
        counts = Counter(k for i in group for k in reports[i].keys)
        shared = tuple(sorted(k for k, c in counts.items() if c * 2 >= len(group) and c > 1))
        digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
        stories.append(Story(f"s{digest}", ids, shared, round(sum(pair_sims) / len(pair_sims), 4)))
    return sorted(stories, key=lambda s: (-len(s.documents), s.id))
