"""Actors: every mention tied to one canonical actor, within a document and across languages.

The `mentions` stage found names; this stage decides who they are:
- a name in parentheses beside another (`Abdullo Ibragimli (Абдуллу Ибрагимли)`) is the same actor;
- a surname alone (`Aliyev`, `Путину`) is the full name mentioned in the same document, or else the
  one built-in person with that surname;
- a name no gazetteer listed verbatim is matched against the registry's names across scripts and
  spellings (`analysis.names.same_name`);
- what is left gets a stable discovered id from its name (`person:~abdullo-ibragimli`), shared by its
  other spellings in the document.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from .. import registry, resources
from ..model import Document, Span
from ..pipeline import StageContext, stage
from ..registry import Curator, discovered_id, effective_names, effective_registry, effective_registry_view
from .names import latin_forms, same_name

_PARENTHESIS = re.compile(r"^\s*[(\[]\s*$")
_CLOSING = re.compile(r"^\s*[)\]]")
_MARKER_WORDS = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Registry types a discovered name of each type may turn out to be.
_COMPATIBLE = {"PERSON": {"PERSON"}, "ORG": {"ORG", "MEDIA"}, "PLACE": {"PLACE", "GPE"}, "GROUP": {"GROUP"},
               "MEDIA": {"MEDIA", "ORG"}, "GPE": {"GPE", "PLACE"}, "GOVERNMENT": {"GOVERNMENT"}}


@dataclass(frozen=True)
class _Known:
    actor_id: str
    actor_type: str
    name: str
    lang: str


@registry.per_edition
def _known_by_surname(user_file: str | None) -> dict[str, tuple[_Known, ...]]:
    """Registry names (not adjectives or metonyms) keyed by each Latin spelling of their last word."""
    actors = effective_registry(user_file)
    index: dict[str, list[_Known]] = defaultdict(list)
    for lang in registry.name_languages():
        for entry in effective_names(lang, user_file):
            actor = actors.get(entry.actor_id)
            if actor is None or entry.kind in ("adjective", "demonym", "metonym"):
                continue
            last = entry.name.split()[-1]
            for form in latin_forms(last, lang):
                index[form].append(_Known(actor.id, actor.type, entry.name, lang))
    return {key: tuple(dict.fromkeys(values)) for key, values in index.items()}


def _registry_match(name: str, actor_type: str, lang: str | None, user_file: str | None,
                    actors: Mapping[str, registry.Actor] | None = None) -> str | None:
    """The one registry actor whose name is `name` in another script or spelling, if exactly one
    (`actors`: the effective registry, when the caller has it already)."""
    words = name.split()
    if not words:
        return None
    known = _known_by_surname(user_file)
    candidates = {k for form in latin_forms(words[-1], lang) for k in known.get(form, ())}
    candidates = {k for k in candidates if k.actor_type in _COMPATIBLE.get(actor_type, {actor_type})}
    if len(words) == 1:
        # A surname alone: only when one current (not historical) actor carries it.
        actors = effective_registry_view(user_file) if actors is None else actors
        current = {k.actor_id for k in candidates if "historical" not in actors[k.actor_id].roles}
        return next(iter(current)) if len(current) == 1 else None
    matched = {k.actor_id for k in candidates if same_name(name, k.name, lang, k.lang)}
    return next(iter(matched)) if len(matched) == 1 else None


def _name_of(span: Span) -> str:
    return span.attrs.get("normal") or span.attrs.get("name") or ""


def _alias_pairs(doc: Document, mentions: list[Span]) -> list[tuple[Span, Span]]:
    """`A (B)`, `A, also known as B`, `A, он же B`: two names the text itself says are one."""
    markers = _alias_markers()
    pairs = []
    for a, b in itertools.pairwise(mentions):
        between = doc.text[a.end:b.start]
        in_parentheses = _PARENTHESIS.match(between) and _CLOSING.match(doc.text[b.end:b.end + 3])
        if in_parentheses or (len(between) < 40 and " ".join(_MARKER_WORDS.findall(between.casefold())) in markers):
            pairs.append((a, b))
    return pairs


@cache
def _alias_markers() -> frozenset[str]:
    return frozenset(
        " ".join(_MARKER_WORDS.findall(marker.casefold()))
        for lang in resources.languages() if resources.has(lang, "mentions")
        for marker in resources.load(lang, "mentions").get("alias_markers", [])
    )


class _Clusters:
    """Mentions known to be one actor (union-find over span positions)."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


@stage("actors", version="1", requires=("layer:mention",), assigns=("mention.actor_id", "actors"))
def resolve_actors(doc: Document, ctx: StageContext) -> None:
    user_file = ctx.config.get("actors.registry")
    user_file = str(user_file) if user_file else None
    mentions = sorted((s for s in doc.spans if s.layer == "mention"), key=Span.sort_key)
    actors = effective_registry_view(user_file)
    _resolve_offices(doc, mentions, actors)
    mentions = [s for s in mentions if s.attrs.get("role") is None or s.attrs.get("actor_id")]
    names = [_name_of(span) for span in mentions]
    index = {id(span): i for i, span in enumerate(mentions)}
    clusters = _Clusters(len(mentions))
    for a, b in _alias_pairs(doc, mentions):
        if a.label == b.label or not (a.attrs.get("actor_id") and b.attrs.get("actor_id")):
            clusters.union(index[id(a)], index[id(b)])

    unresolved = [i for i, span in enumerate(mentions) if not span.attrs.get("actor_id")]
    same_written: dict[tuple[str, str], int] = {}
    for i in unresolved:  # one name written again is one actor
        clusters.union(i, same_written.setdefault((mentions[i].label, names[i].casefold()), i))
    # A surname alone belongs to the full name the document already gave (`Aliyev`, `Путину`): each
    # distinct (type, surname) is compared once, however often the document repeats it, with the
    # last words of the full names of its type, first given first.
    full_by_last: dict[str, dict[str, int]] = defaultdict(dict)
    for i, name in enumerate(names):
        words = name.split()
        if len(words) > 1:
            full_by_last[mentions[i].label].setdefault(words[-1], i)
    surname_of: dict[tuple[str, str], int | None] = {}
    for i in unresolved:
        name, label = names[i], mentions[i].label
        if len(name.split()) != 1:
            continue
        if (label, name) not in surname_of:
            surname_of[label, name] = next((full for last, full in full_by_last[label].items()
                                            if same_name(name, last, doc.language, doc.language)), None)
        if (full := surname_of[label, name]) is not None:
            clusters.union(i, full)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        groups[clusters.find(i)].append(i)
    for members in groups.values():
        known = next((mentions[m].attrs["actor_id"] for m in members if mentions[m].attrs.get("actor_id")), None)
        if known is None:
            longest = max(members, key=lambda m: (len(names[m].split()), not _is_cyrillic(names[m])))
            actor_type = mentions[longest].label
            known = _registry_match(names[longest], actor_type, doc.language, user_file, actors)
            if known is None:
                latin = next((m for m in members if not _is_cyrillic(names[m])), longest)
                known = _discovered(actor_type, names[latin])
        for m in members:
            if not mentions[m].attrs.get("actor_id"):
                mentions[m].attrs["actor_id"] = known
    # An analyst's merges and splits (`framewatch actors merge|split`) have the last word.
    curate = Curator(ctx.config.get("actors.decisions", []))
    for span in mentions:
        found = span.attrs["actor_id"]
        curated = curate(found, span.attrs.get("name"))
        if curated != found:
            span.attrs["found_as"] = found
            span.attrs["actor_id"] = curated
        span.attrs["source"] = registry.actor_source(curated, actors)
    doc.meta["actors"] = document_actors(doc, actors)


@lru_cache(maxsize=65536)
def _discovered(actor_type: str, name: str) -> str:
    """`discovered_id`, or for a name with nothing to spell an id from (`🤔`, `…`) one from its hash."""
    try:
        return discovered_id(actor_type if actor_type in registry.TYPE_PREFIXES else "ORG", name)
    except ValueError:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
        return f"{registry.TYPE_PREFIXES.get(actor_type, 'org')}:~x{digest}"


def _resolve_offices(doc: Document, mentions: list[Span], actors: Mapping[str, registry.Actor]) -> None:
    """`the president` is the one holder of that office the document names; unresolvable, it is dropped."""
    for span in [m for m in mentions if m.attrs.get("role") and not m.attrs.get("actor_id")]:
        holders = {m.attrs["actor_id"] for m in mentions if m.attrs.get("actor_id") in actors
                   and span.attrs["role"] in actors[m.attrs["actor_id"]].roles}
        if len(holders) == 1:
            span.attrs["actor_id"] = holders.pop()
        else:
            doc.spans.remove(span)


def _is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def document_actors(doc: Document, actors: Mapping[str, registry.Actor]) -> list[dict[str, object]]:
    """The actors a document names, most mentioned first, and the member who wrote it."""
    seen: dict[str, dict[str, object]] = {}
    for span in sorted((s for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")), key=Span.sort_key):
        actor_id = span.attrs["actor_id"]
        entry = seen.get(actor_id)
        if entry is None:
            entry = seen[actor_id] = {
                "id": actor_id,
                "type": actors[actor_id].type if actor_id in actors else span.label,
                "name": actors[actor_id].label if actor_id in actors else _name_of(span),
                "mentions": 0,
            }
        entry["mentions"] = int(entry["mentions"]) + 1
    if doc.author:
        author_id = _discovered("PERSON", doc.author)
        seen.setdefault(author_id, {"id": author_id, "type": "PERSON", "name": doc.author, "mentions": 0})
        seen[author_id]["role"] = "author"
    return sorted(seen.values(), key=lambda a: (-int(a["mentions"]), str(a["id"])))


def suggest_merges(summary: list[dict], user_file: str | None = None) -> list[dict[str, str]]:
    """Discovered actors that name-matching says are another actor, across documents and scripts.

    `summary` is `store.actor_summary()`. A discovered actor whose name is a registry actor's name in
    another spelling goes to that actor; otherwise two discovered actors of one type whose full names
    (two words or more) match go to the more mentioned one. These are suggestions for an analyst
    (`framewatch actors suggest`), recorded as merge decisions only when accepted.
    """
    discovered = sorted((a for a in summary if registry.is_discovered(a["id"])),
                        key=lambda a: (-a["mentions"], a["id"]))
    suggestions: list[dict[str, str]] = []
    kept: list[dict] = []
    for actor in discovered:
        names = [n for n in actor["names"][:5] if n.strip()]
        into = next(((match, name) for name in names
                     if (match := _registry_match(name, actor["type"], None, user_file))), None)
        if into is None:
            full = [n for n in names if len(n.split()) > 1]
            for other in kept:
                if other["type"] != actor["type"]:
                    continue
                pair = next(((a, b) for a in full for b in other["names"][:5]
                             if len(b.split()) > 1 and same_name(a, b)), None)
                if pair:
                    into = (other["id"], f"{pair[0]} ~ {pair[1]}")
                    break
        if into is None:
            kept.append(actor)
            continue
        suggestions.append({"actor_id": actor["id"], "into": into[0], "because": into[1]})
    return suggestions
