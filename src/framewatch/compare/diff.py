"""The narrative diff: for each story, how each group of sources tells it, with the text behind it.

Groups are outlets by default, or any grouping of documents (`model.group_key`), or explicit lists.
For every story it lays side by side which groups cover it, the events each reports, the role each
gives each actor (and how far they diverge), the facts (claims matched across documents) that some
groups assert and others omit, question or deny, and the voices each quotes. Over the whole
comparison it adds each group's technique and narrative profile and whom it cites and reposts.

Everything is a pure function of the documents and the settings, ordered deterministically, so the
same inputs and configuration give the same output byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..config import DEFAULTS as _CONFIG_DEFAULTS
from ..model import Document, Span, group_key
from .align import Story, align

FORMAT_VERSION = 1
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# A fact is stated by a claim; its terms are what survives translation (actor ids, numbers, dates,
# event types) plus content words for documents in one language.
_ANCHOR = re.compile(r"^(?:actor|num|date|event|place):")
_STATUS_ORDER = ("asserted", "alleged", "questioned", "denied", "omitted")

Grouper = Callable[[Document], str]

def grouper(by: str, lists: Mapping[str, Sequence[str]] | None = None) -> Grouper:
    """The group of each document: explicit `lists` (group name -> document ids) first, else `by`."""
    owner = {doc_id: name for name, ids in (lists or {}).items() for doc_id in ids}

    def of(doc: Document) -> str:
        if owner:
            return owner.get(doc.id or "", owner.get(doc.external_id or "", "unlisted"))
        return group_key(vars(doc), by)

    return of


def _cite(doc: Document, start: int, end: int) -> dict[str, Any]:
    return {"document": doc.id, "start": start, "end": end, "text": doc.text[start:end]}


def _spans(doc: Document, layer: str) -> list[Span]:
    return sorted((s for s in doc.spans if s.layer == layer), key=Span.sort_key)


def _actor_names(docs: Iterable[Document]) -> dict[str, str]:
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for span in _spans(doc, "mention"):
            actor = span.attrs.get("actor_id")
            if actor:
                names[actor][span.attrs.get("name") or doc.text[span.start:span.end]] += 1
    return {a: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for a, c in names.items()}


# ------------------------------------------------------------------------------------------ roles

def _roles_by_group(docs: Sequence[Document], group_of: Grouper) -> dict[str, dict[str, dict[str, Any]]]:
    """actor -> group -> the role the group gives it: the main role most of its documents give (the
    surest document breaks ties), with that document's fine roles and evidence."""
    found: dict[str, dict[str, list[tuple[Document, Span]]]] = defaultdict(lambda: defaultdict(list))
    for doc in docs:
        for span in _spans(doc, "role"):
            found[span.attrs["actor_id"]][group_of(doc)].append((doc, span))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for actor, groups in found.items():
        out[actor] = {}
        for group, items in sorted(groups.items()):
            votes = Counter(span.label for _, span in items)
            best = max(items, key=lambda item: (votes[item[1].label], item[1].confidence or 0.0, item[0].id or ""))
            doc, span = best
            out[actor][group] = {
                "group": group,
                "main": span.label,
                "fine": list(span.attrs.get("fine_roles", [])),
                "confidence": span.confidence,
                "documents": len(items),
                "votes": dict(sorted(votes.items())),
                "evidence": [_cite(doc, s, e) for s, e in span.attrs.get("evidence", [[span.start, span.end]])],
                "cues": list(span.attrs.get("cues", [])),
                "run_id": span.run_id,
            }
    return out


def divergence(roles: Iterable[str]) -> float:
    """The share of pairs of groups that give an actor different main roles (0: all agree)."""
    roles = list(roles)
    pairs = len(roles) * (len(roles) - 1) / 2
    if not pairs:
        return 0.0
    return round(sum(1 for i, a in enumerate(roles) for b in roles[i + 1:] if a != b) / pairs, 4)


def _actor_rows(roles: Mapping[str, Mapping[str, dict[str, Any]]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for actor, groups in roles.items():
        rows.append({
            "actor_id": actor,
            "name": names.get(actor, actor),
            "divergence": divergence(r["main"] for r in groups.values()),
            "roles": list(groups.values()),
        })
    return sorted(rows, key=lambda r: (-r["divergence"], -len(r["roles"]), r["actor_id"]))


# ------------------------------------------------------------------------------------------ facts

def _claim_terms(doc: Document, span: Span) -> frozenset[str]:
    from ..analysis import claims

    terms = set(claims.claim_terms(doc.text, doc.language or "", span))
    for event in _spans(doc, "event"):
        if event.start < span.end and span.start < event.end:
            terms.add(f"event:{event.label}")
    return frozenset(terms)


def _overlap(a: frozenset[str], b: frozenset[str], cross_language: bool) -> float:
    """Weighted overlap of two claims' terms, relative to the smaller claim (a short report of a fact
    and a long one that adds detail still state it); across languages only anchors can be shared."""
    if cross_language:
        a = frozenset(t for t in a if _ANCHOR.match(t))
        b = frozenset(t for t in b if _ANCHOR.match(t))

    def weight(terms: Iterable[str]) -> float:
        return sum(2.0 if _ANCHOR.match(t) else 1.0 for t in terms)

    smaller = min(weight(a), weight(b))
    return weight(a & b) / smaller if smaller else 0.0


def _status(span: Span) -> str:
    modality = span.attrs.get("modality", span.label)
    if modality == "denied" or (modality == "asserted" and span.attrs.get("polarity") == "negative"):
        return "denied"
    return modality if modality in _STATUS_ORDER else "asserted"


def _facts(story_docs: Sequence[Document], group_of: Grouper, settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Claims of the story's documents matched into facts; for each, every covering group's stance."""
    statements = []
    for doc in story_docs:
        for span in _spans(doc, "claim"):
            terms = _claim_terms(doc, span)
            if terms:
                statements.append((doc, span, terms))
    facts: list[dict[str, Any]] = []
    for doc, span, terms in statements:
        best, best_score = None, 0.0
        for fact in facts:
            if doc.id in fact["_documents"]:
                continue  # one document states a fact once; its other claims are other facts
            # The statement closest to this claim decides: a fact's union of terms would grow with
            # every report and match anything.
            for other_terms, other_language in fact["_members"]:
                cross = doc.language != other_language
                if cross and sum(1 for t in terms & other_terms if _ANCHOR.match(t)) < int(settings["min_anchors"]):
                    continue
                score = _overlap(terms, other_terms, cross)
                if score > best_score:
                    best, best_score = fact, score
        if best is None or best_score < float(settings["fact_overlap"]):
            best = {"_terms": frozenset(), "_documents": set(), "_members": [], "statements": []}
            facts.append(best)
        best["_terms"] = best["_terms"] | terms
        best["_documents"].add(doc.id)
        best["_members"].append((terms, doc.language))
        speaker = span.attrs.get("speaker") or {}
        best["statements"].append({
            **_cite(doc, span.start, span.end),
            "group": group_of(doc),
            "status": _status(span),
            "modality": span.attrs.get("modality", span.label),
            "polarity": span.attrs.get("polarity"),
            "speaker": {k: speaker.get(k) for k in ("kind", "text", "actor_id")},
            "cues": list(span.attrs.get("cues", [])),
            "run_id": span.run_id,
        })
    groups = sorted({group_of(d) for d in story_docs})
    out = []
    for fact in facts:
        stance: dict[str, str] = {}
        for statement in fact["statements"]:
            # A group that both states and denies a fact is recorded by its strongest doubt.
            current = stance.get(statement["group"])
            if current is None or _STATUS_ORDER.index(statement["status"]) > _STATUS_ORDER.index(current):
                stance[statement["group"]] = statement["status"]
        for group in groups:
            stance.setdefault(group, "omitted")
        by_status = {s: sorted(g for g, v in stance.items() if v == s) for s in _STATUS_ORDER}
        stated = by_status["asserted"] + by_status["alleged"]
        first = fact["statements"][0]
        digest = hashlib.sha256(json.dumps([first["document"], first["start"]]).encode()).hexdigest()[:10]
        out.append({
            "id": f"f{digest}",
            "text": first["text"],
            "terms": sorted(fact["_terms"]),
            "reported_by": by_status["asserted"],
            "alleged_by": by_status["alleged"],
            "questioned_by": by_status["questioned"],
            "denied_by": by_status["denied"],
            "omitted_by": by_status["omitted"],
            # Worth an analyst's eye: some group states it and another leaves it out or disputes it.
            "contested": bool(stated) and len(stated) < len(groups),
            "statements": fact["statements"],
        })
    return sorted(out, key=lambda f: (not f["contested"], -len(f["statements"]), f["id"]))


# ----------------------------------------------------------------------------------- per story

def _events(story_docs: Sequence[Document], group_of: Grouper) -> list[dict[str, Any]]:
    rows = []
    for doc in story_docs:
        for span in _spans(doc, "event"):
            attrs = span.attrs
            rows.append({
                **_cite(doc, span.start, span.end),
                "group": group_of(doc),
                "type": span.label,
                "subtype": attrs.get("subtype"),
                "source": (attrs.get("source") or {}).get("actor_id"),
                "target": (attrs.get("target") or {}).get("actor_id"),
                "place": (attrs.get("place") or {}).get("actor_id") or (attrs.get("place") or {}).get("text"),
                "date": (attrs.get("date") or {}).get("value"),
                "cue": span.cue,
                "run_id": span.run_id,
            })
    return rows


def _voices(story_docs: Sequence[Document], group_of: Grouper) -> list[dict[str, Any]]:
    """Who speaks in each group's reports: the author, and every quoted party, with a citation."""
    voices: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in story_docs:
        for span in _spans(doc, "claim"):
            speaker = span.attrs.get("speaker") or {}
            if speaker.get("kind") != "quoted":
                continue
            name = speaker.get("actor_id") or (speaker.get("text") or "").strip()
            key = (group_of(doc), name)
            voice = voices.setdefault(key, {"group": key[0], "speaker": speaker.get("text"),
                                            "actor_id": speaker.get("actor_id"), "claims": 0, "first": None})
            voice["claims"] += 1
            if voice["first"] is None and speaker.get("start") is not None:
                voice["first"] = _cite(doc, speaker["start"], speaker["end"])
    return sorted(voices.values(), key=lambda v: (v["group"], -v["claims"], v["speaker"] or ""))


def _title(docs: Sequence[Document]) -> str:
    for doc in docs:
        if doc.title:
            return doc.title
    first = docs[0].text.strip().split("\n", 1)[0]
    return first[:120]


# ------------------------------------------------------------------------------------- profiles

def _profiles(docs: Sequence[Document], group_of: Grouper) -> dict[str, Any]:
    words: Counter[str] = Counter()
    techniques: dict[str, Counter[str]] = defaultdict(Counter)
    narratives: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        group = group_of(doc)
        words[group] += sum(1 for _ in _WORD.finditer(doc.text))
        techniques[group].update(s.label for s in _spans(doc, "technique"))
        narratives[group].update({s.attrs.get("narrative", s.label) for s in _spans(doc, "narrative")})
    return {
        "techniques": {g: {t: round(c * 1000 / max(words[g], 1), 2) for t, c in sorted(techniques[g].items())}
                       for g in sorted(words)},
        "narratives": {g: dict(sorted(narratives[g].items(), key=lambda kv: (-kv[1], kv[0]))) for g in sorted(words)},
    }


def _citations(docs: Sequence[Document], group_of: Grouper, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Whom each group quotes (speakers of its quoted claims, by actor name where the speaker is a known
    actor) and what it reposts or links to."""
    cites: dict[str, Counter[str]] = defaultdict(Counter)
    reposts: dict[str, Counter[str]] = defaultdict(Counter)
    links: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        group = group_of(doc)
        for span in _spans(doc, "claim"):
            speaker = span.attrs.get("speaker") or {}
            if speaker.get("kind") == "quoted":
                actor = speaker.get("actor_id")
                cites[group][names.get(actor, actor) if actor else (speaker.get("text") or "").strip()] += 1
        if doc.original_url:
            reposts[group][doc.original_url] += 1
        for quoted in doc.quotes:
            reposts[group][quoted] += 1
        for link in doc.links:
            host = urlsplit(link).hostname
            if host:
                links[group][host] += 1

    def ranked(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"name": k, "count": v} for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])) if k]

    groups = sorted({group_of(d) for d in docs})
    return [{"group": g, "cites": ranked(cites[g]), "reposts": ranked(reposts[g]), "links": ranked(links[g])}
            for g in groups]


# ---------------------------------------------------------------------------------------- compare

def compare(docs: Iterable[Document], *, by: str = "outlet", lists: Mapping[str, Sequence[str]] | None = None,
            settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The comparison of `docs` grouped by `by` (or `lists`); see docs/format.md for the contract."""
    settings = dict(settings or {})
    fact_settings = {**_CONFIG_DEFAULTS["compare"], **settings}
    docs = sorted(docs, key=lambda d: d.id or d.assign_id())
    by_id = {d.id: d for d in docs}
    group_of = grouper(by, lists)
    stories: list[Story] = align(docs, settings.get("align"))
    names = _actor_names(docs)
    in_story = {doc_id for story in stories for doc_id in story.documents}
    story_rows = []
    for story in stories:
        members = [by_id[i] for i in story.documents]
        coverage: dict[str, list[str]] = defaultdict(list)
        for doc in members:
            coverage[group_of(doc)].append(doc.id)
        story_rows.append({
            "id": story.id,
            "title": _title(members),
            "documents": list(story.documents),
            "external_ids": [by_id[i].external_id for i in story.documents],
            "languages": sorted({d.language or "und" for d in members}),
            "cohesion": story.cohesion,
            "shared_keys": list(story.keys),
            "coverage": [{"group": g, "documents": ids} for g, ids in sorted(coverage.items())],
            "events": _events(members, group_of),
            "actors": _actor_rows(_roles_by_group(members, group_of), names),
            "facts": _facts(members, group_of, fact_settings),
            "voices": _voices(members, group_of),
        })
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        groups[group_of(doc)].append(doc)
    payload = {
        "by": "lists" if lists else by,
        "groups": [{"name": g, "documents": [d.id for d in ds], "languages": sorted({d.language or "und" for d in ds})}
                   for g, ds in sorted(groups.items())],
        "stories": story_rows,
        "unaligned": sorted(d.id for d in docs if d.id not in in_story),
        "actors": _actor_rows(_roles_by_group(docs, group_of), names),
        "profiles": _profiles(docs, group_of),
        "citations": _citations(docs, group_of, names),
    }
    digest = hashlib.sha256(json.dumps([payload["groups"], settings], sort_keys=True,
                                       ensure_ascii=False).encode()).hexdigest()[:16]
    return {"format": FORMAT_VERSION, "id": f"c{digest}", **payload}
