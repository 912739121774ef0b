"""Built-in actor registry and per-language actor names, kept as data files.

Language-neutral facts about actors (id, type, country, affiliation, roles, links) live in
`registry/*.toml`; what each actor is called lives per language in `resources/<lang>/names.tsv`
(curated by hand) and `resources/<lang>/names.generated.tsv` (written by `tools/build_gazetteers.py`).

Ids are `prefix:slug`, the prefix fixing the type: `country:az` (GPE), `gov:az` (GOVERNMENT),
`city:az-baku` and `region:syunik` (PLACE), `org:nato` (ORG), `media:rt` (MEDIA),
`person:ilham-aliyev` (PERSON), `group:bolsheviks` (GROUP).

Registry TOML files hold an array of `[[actor]]` tables with the fields of `Actor`; `links` is an inline
table of relation -> actor id (`government`, `capital`, `seat_of`, `member_of`, ...). Every reference
(`country`, `affiliation`, `links` values) names another actor. Names TSVs have the header
`actor_id<TAB>name<TAB>kind`; lines starting with `#` are comments.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "ACTOR_TYPES",
    "ID_PREFIXES",
    "NAME_FILES",
    "NAME_KINDS",
    "Actor",
    "NameEntry",
    "load_names",
    "load_registry",
    "name_languages",
    "parse_actors",
]

ACTOR_TYPES = frozenset({"PERSON", "ORG", "GPE", "GOVERNMENT", "GROUP", "MEDIA", "PLACE"})
#: id prefix -> the actor type it implies.
ID_PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "country": "GPE",
        "gov": "GOVERNMENT",
        "city": "PLACE",
        "region": "PLACE",
        "org": "ORG",
        "media": "MEDIA",
        "person": "PERSON",
        "group": "GROUP",
    }
)
#: name = the everyday name; official = the formal state name; short = abbreviation (`РФ`, `ОТГ`);
#: alias = any other spelling or transliteration; demonym = people (`Azerbaijanis`, `россиянин`);
#: adjective = `Azerbaijani`, `российский` (Russian: the lemma); metonym = a place standing for an actor
#: (`Kremlin`, `Baku` -> `gov:az`).
NAME_KINDS = frozenset({"name", "official", "short", "alias", "demonym", "adjective", "metonym"})
#: Names files per language, curated first.
NAME_FILES = ("names.tsv", "names.generated.tsv")
ID_PATTERN = re.compile(r"^(?P<prefix>[a-z]+):[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGISTRY_FILES = (
    "countries.toml",
    "places.toml",
    "regions.toml",
    "historical.toml",
    "organisations.toml",
    "media.toml",
    "people.toml",
    "groups.toml",
)
_FIELDS = {"id", "type", "label", "country", "affiliation", "ownership", "roles", "links", "wikidata"}


@dataclass(frozen=True, slots=True)
class Actor:
    """One built-in actor. `affiliation` is an actor id (the government a minister or state outlet serves,
    the organisation a chief heads); `ownership` is a label for media (`state-owned`, `public`,
    `private`, `exile`)."""

    id: str
    type: str
    label: str
    country: str | None = None
    affiliation: str | None = None
    ownership: str | None = None
    roles: tuple[str, ...] = ()
    links: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    wikidata: str | None = None
    source: str = ""

    def references(self) -> dict[str, str]:
        """Every actor id this actor points to, keyed by field (`country`, `affiliation`, `links.<rel>`)."""
        refs = {f"links.{rel}": target for rel, target in self.links.items()}
        if self.country:
            refs["country"] = self.country
        if self.affiliation:
            refs["affiliation"] = self.affiliation
        return refs


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One name of an actor in one language, with the file it came from (`names.tsv` = curated)."""

    actor_id: str
    name: str
    kind: str
    lang: str
    source: str


def parse_actors(text: str, source: str = "<string>") -> list[Actor]:
    """Actors from registry TOML text (`[[actor]]` tables); raises ValueError on unknown fields, bad ids
    or types. Also usable for a user's own registry file in the same format."""
    data: dict[str, Any] = tomllib.loads(text)
    actors = []
    for raw in data.get("actor", []):
        unknown = set(raw) - _FIELDS
        if unknown:
            raise ValueError(f"{source}: {raw.get('id')}: unknown fields {sorted(unknown)}")
        match = ID_PATTERN.match(raw.get("id", ""))
        if not match:
            raise ValueError(f"{source}: malformed actor id {raw.get('id')!r}")
        if raw.get("type") not in ACTOR_TYPES or ID_PREFIXES.get(match["prefix"]) != raw["type"]:
            raise ValueError(f"{source}: {raw['id']}: type {raw.get('type')!r} does not fit its prefix")
        actors.append(
            Actor(
                id=raw["id"],
                type=raw["type"],
                label=raw.get("label", raw["id"]),
                country=raw.get("country"),
                affiliation=raw.get("affiliation"),
                ownership=raw.get("ownership"),
                roles=tuple(raw.get("roles", ())),
                links=MappingProxyType(dict(raw.get("links", {}))),
                wikidata=raw.get("wikidata"),
                source=source,
            )
        )
    return actors


@cache
def _registry() -> tuple[Actor, ...]:
    root = importlib_resources.files(__name__)
    actors: list[Actor] = []
    for name in _REGISTRY_FILES:
        path = root.joinpath(name)
        if path.is_file():
            actors.extend(parse_actors(path.read_text(encoding="utf-8"), source=name))
    return tuple(actors)


def load_registry() -> dict[str, Actor]:
    """Every built-in actor keyed by id (a fresh dict; the parsed data is cached per process).
    Raises ValueError if two files define the same id."""
    out: dict[str, Actor] = {}
    for actor in _registry():
        if actor.id in out:
            raise ValueError(f"actor {actor.id} defined in {out[actor.id].source} and {actor.source}")
        out[actor.id] = actor
    return out


def _resources_root():
    return importlib_resources.files("framewatch.resources")


def name_languages() -> list[str]:
    """Languages that ship at least one names file."""
    root = _resources_root()
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and any(p.joinpath(name).is_file() for name in NAME_FILES)
    )


def _parse_names(lines: Iterable[str], lang: str, source: str) -> list[NameEntry]:
    entries: list[NameEntry] = []
    header_seen = False
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if cells != ["actor_id", "name", "kind"]:
                raise ValueError(f"{lang}/{source}:{number}: expected header actor_id, name, kind")
            header_seen = True
            continue
        if len(cells) != 3 or not all(cell.strip() for cell in cells):
            raise ValueError(f"{lang}/{source}:{number}: expected three non-empty tab-separated cells")
        actor_id, name, kind = (cell.strip() for cell in cells)
        if kind not in NAME_KINDS:
            raise ValueError(f"{lang}/{source}:{number}: unknown kind {kind!r}")
        entries.append(NameEntry(actor_id, name, kind, lang, source))
    return entries


@cache
def _names(lang: str) -> tuple[NameEntry, ...]:
    folder = _resources_root().joinpath(lang)
    entries: list[NameEntry] = []
    for source in NAME_FILES:
        path = folder.joinpath(source)
        if path.is_file():
            entries.extend(_parse_names(path.read_text(encoding="utf-8").splitlines(), lang, source))
    return tuple(entries)


def load_names(lang: str) -> list[NameEntry]:
    """Curated then generated names for `lang` (empty if the language ships none); ValueError on a
    malformed row."""
    return list(_names(lang))
