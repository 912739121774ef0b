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

import copy
import dataclasses
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache, wraps
from importlib import resources as importlib_resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..config import Config

__all__ = [
    "ACTOR_TYPES",
    "DISCOVERED_ID_PATTERN",
    "ID_PREFIXES",
    "NAME_FILES",
    "NAME_KINDS",
    "SOURCES",
    "TYPE_PREFIXES",
    "Actor",
    "Curator",
    "NameEntry",
    "actor_source",
    "apply_decisions",
    "check_decisions",
    "config_with_store_decisions",
    "discovered_id",
    "effective_names",
    "effective_registry",
    "effective_registry_view",
    "is_actor_id",
    "is_discovered",
    "load_names",
    "load_registry",
    "load_user_registry",
    "name_languages",
    "parse_actors",
    "parse_user_actors",
    "per_edition",
    "resolve",
    "slugify",
    "type_of",
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


@cache
def _registry_by_id() -> dict[str, Actor]:
    """The built-in actors by id, checked; shared, so only ever copied (`load_registry`)."""
    out: dict[str, Actor] = {}
    for actor in _registry():
        if actor.id in out:
            raise ValueError(f"actor {actor.id} defined in {out[actor.id].source} and {actor.source}")
        out[actor.id] = actor
    return out


def load_registry() -> dict[str, Actor]:
    """Every built-in actor keyed by id (a fresh dict; the parsed and checked data is cached per
    process: every document's analysis asks for it). Raises ValueError if two files define the same id."""
    return _registry_by_id().copy()


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


# -- discovered actors, the user's registry file and curation decisions ---------------------------------
#
# Actors no registry knows get ids `<prefix>:~<slug>` (`person:~abdullo-ibragimli`): the `~` keeps them
# apart from curated ids, so `ID_PATTERN` (built-in and user files) stays strict.
#
# A user registry file is TOML in the built-in format (`[[actor]]` tables), with two more fields, since
# a user's actors have no names file: `names`, an inline table of language -> list of names (the first
# is the everyday name, the rest aliases), and `aliases`, names valid in every language. `type` may be
# left out (the id's prefix implies it). An entry whose id is a built-in actor overrides only the
# fields it sets (`links` are merged relation by relation); any other entry adds an actor.
#
# Curation decisions are dicts, kept in the store and passed to analysis as `actors.decisions`:
#   {"kind": "merge", "actor_id": A, "into": B}                  every mention of A counts as B
#   {"kind": "split", "actor_id": A, "name": N, "new_id": C}     mentions of A named N (any case) are C
# A mention follows them step by step (a split of the actor it has reached first, else its merge).

DISCOVERED_ID_PATTERN = re.compile(r"^(?P<prefix>[a-z]+):~[a-z0-9]+(?:-[a-z0-9]+)*$")
#: actor type -> the id prefix of actors of that type found in text (as the actors stage makes them).
TYPE_PREFIXES: Mapping[str, str] = MappingProxyType(
    {"GPE": "country", "GOVERNMENT": "gov", "PLACE": "region", "ORG": "org", "MEDIA": "media",
     "PERSON": "person", "GROUP": "group"}
)
#: Where a mention's actor comes from (`attrs.source` of mention spans).
SOURCES = ("builtin", "user", "discovered")
USER_SOURCE = "user"
_USER_FIELDS = _FIELDS | {"names", "aliases"}
_DECISION_KINDS = ("merge", "split")


def is_discovered(actor_id: str) -> bool:
    return bool(DISCOVERED_ID_PATTERN.match(actor_id))


def is_actor_id(actor_id: object) -> bool:
    return isinstance(actor_id, str) and bool(ID_PATTERN.match(actor_id) or DISCOVERED_ID_PATTERN.match(actor_id))


def type_of(actor_id: str) -> str | None:
    """The actor type an id's prefix implies (built-in, user or discovered id), None if none."""
    prefix = actor_id.partition(":")[0]
    return ID_PREFIXES.get(prefix)


def slugify(name: str) -> str:
    """`Абдулло Ибрагимли` -> `abdullo-ibragimli`: lower-case ASCII, runs of anything else as one dash."""
    from unidecode import unidecode

    return re.sub(r"[^a-z0-9]+", "-", unidecode(name).lower()).strip("-")


def discovered_id(actor_type: str, name: str) -> str:
    """The stable id of an actor found in text under `name` that no registry knows."""
    if actor_type not in TYPE_PREFIXES:
        raise ValueError(f"unknown actor type {actor_type!r}; expected one of {sorted(ACTOR_TYPES)}")
    slug = slugify(name)
    if not slug:
        raise ValueError(f"cannot make an id from the name {name!r}")
    return f"{TYPE_PREFIXES[actor_type]}:~{slug}"


def actor_source(actor_id: str, registry: Mapping[str, Actor] | None = None) -> str:
    """`builtin`, `user` or `discovered` for an id, given the effective registry (default: built-ins)."""
    if is_discovered(actor_id):
        return "discovered"
    actor = (registry if registry is not None else load_registry()).get(actor_id)
    if actor is not None and actor.source != USER_SOURCE:
        return "builtin"
    return "user"


UserNames = dict[str, dict[str, list[str]]]


def parse_user_actors(text: str, source: str = "<string>",
                      builtin: Mapping[str, Actor] | None = None) -> tuple[list[Actor], UserNames]:
    """Actors and names (id -> language -> names) of a user registry file's text, merged over `builtin`
    (default: the built-in registry) as described above. Every returned actor has source "user".
    ValueError, starting with `source`, on anything malformed or a reference to an unknown actor."""
    base = load_registry() if builtin is None else builtin
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: invalid TOML: {exc}") from exc
    raws = data.get("actor", [])
    if not isinstance(raws, list) or not all(isinstance(raw, dict) for raw in raws):
        raise ValueError(f"{source}: expected [[actor]] tables")
    actors: dict[str, Actor] = {}
    names: dict[str, dict[str, list[str]]] = {}
    for number, raw in enumerate(raws, 1):
        where = f"{source}: actor {number} ({raw.get('id', 'no id')})"
        unknown = set(raw) - _USER_FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
        actor_id = raw.get("id")
        match = ID_PATTERN.match(actor_id) if isinstance(actor_id, str) else None
        if not match:
            raise ValueError(f"{where}: malformed actor id {actor_id!r} (expected prefix:slug, e.g. person:jane-doe)")
        implied = ID_PREFIXES.get(match["prefix"])
        if implied is None:
            raise ValueError(f"{where}: unknown id prefix {match['prefix']!r}; use one of {sorted(ID_PREFIXES)}")
        if raw.get("type", implied) != implied:
            raise ValueError(f"{where}: type {raw.get('type')!r} does not fit its prefix ({implied})")
        if actor_id in actors:
            raise ValueError(f"{where}: defined twice in this file")
        for key in ("label", "country", "affiliation", "ownership", "wikidata"):
            if key in raw and not isinstance(raw[key], str):
                raise ValueError(f"{where}: {key} must be a string")
        for key in ("roles", "aliases"):
            if key in raw and not (isinstance(raw[key], list) and all(isinstance(v, str) for v in raw[key])):
                raise ValueError(f"{where}: {key} must be a list of strings")
        if "links" in raw and not (isinstance(raw["links"], dict)
                                   and all(isinstance(v, str) for v in raw["links"].values())):
            raise ValueError(f"{where}: links must be a table of relation = \"actor id\"")
        raw_names = raw.get("names", {})
        if not isinstance(raw_names, dict) or not all(
                isinstance(v, list) and all(isinstance(n, str) and n.strip() for n in v) for v in raw_names.values()):
            raise ValueError(f"{where}: names must be a table of language = [\"name\", ...]")
        fields: dict[str, Any] = {k: raw[k] for k in ("label", "country", "affiliation", "ownership", "wikidata")
                                  if k in raw}
        if "roles" in raw:
            fields["roles"] = tuple(raw["roles"])
        old = base.get(actor_id)
        if old is not None:
            links = {**old.links, **raw.get("links", {})}
            actor = dataclasses.replace(old, **fields, links=MappingProxyType(links), source=USER_SOURCE)
        else:
            fields.setdefault("label", actor_id)
            actor = Actor(id=actor_id, type=implied, links=MappingProxyType(dict(raw.get("links", {}))),
                          source=USER_SOURCE, **fields)
        actors[actor_id] = actor
        per_lang = {lang: [n.strip() for n in values] for lang, values in raw_names.items()}
        if raw.get("aliases"):
            per_lang["*"] = [n.strip() for n in raw["aliases"] if n.strip()]
        if per_lang:
            names[actor_id] = per_lang
    known = set(base) | set(actors)
    for actor in actors.values():
        for ref, target in actor.references().items():
            if target not in known:
                raise ValueError(f"{source}: {actor.id}.{ref} names an unknown actor {target!r}")
    return list(actors.values()), names


@lru_cache(maxsize=8)
def _user_file(resolved: str, shown: str, mtime_ns: int, size: int) -> tuple[tuple[Actor, ...], UserNames]:
    try:
        text = Path(resolved).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{shown}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ValueError(f"{shown}: cannot read the actor registry ({exc.strerror or exc})") from exc
    actors, names = parse_user_actors(text, source=shown)
    return tuple(actors), names


def _user_file_key(user_file: str | Path) -> tuple[str, str, int, int]:
    """What the caches of a user file are keyed on: its path, as resolved and as given, and its
    modification time and size, so that an edited file is read again."""
    path = Path(user_file)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ValueError(f"{path}: actor registry file not found or unreadable ({exc.strerror or exc})") from exc
    if not path.is_file():
        raise ValueError(f"{path}: actor registry is not a file")
    return str(path.resolve()), str(path), stat.st_mtime_ns, stat.st_size


def _read_user_file(user_file: str | Path) -> tuple[tuple[Actor, ...], UserNames]:
    return _user_file(*_user_file_key(user_file))


@lru_cache(maxsize=8)
def _user_registry_view(resolved: str, shown: str, mtime_ns: int, size: int) -> Mapping[str, Actor]:
    merged = _registry_by_id().copy()
    for actor in _user_file(resolved, shown, mtime_ns, size)[0]:
        merged[actor.id] = actor
    return MappingProxyType(merged)


@cache
def _registry_view() -> Mapping[str, Actor]:
    return MappingProxyType(_registry_by_id())


def load_user_registry(user_file: str | Path) -> list[Actor]:
    """The actors of a user registry file, already merged over the built-ins they override."""
    return list(_read_user_file(user_file)[0])


def effective_registry(user_file: str | Path | None) -> dict[str, Actor]:
    """Built-in actors with those of `user_file` (if any) merged over them: same id, the user's fields
    win; new ids are added; both marked source="user". ValueError naming the file if it is missing or
    malformed. Cached per process while the file is unchanged; a fresh dict every call."""
    registry = load_registry()
    if user_file is None or str(user_file) == "":
        return registry
    for actor in _read_user_file(user_file)[0]:
        registry[actor.id] = actor
    return registry


_Built = TypeVar("_Built")


def per_edition(build: Callable[[str | None], _Built]) -> Callable[[str | None], _Built]:
    """`build(user_file)` (an index the analysis makes of the effective registry) made once per
    edition of the registry: the built-in one, or each state of the user file, so that an edited file
    is indexed again however long the process runs (a server, a worker)."""
    @lru_cache(maxsize=8)
    def built(user_file: str | None, _edition: tuple[str, str, int, int] | None) -> _Built:
        return build(user_file)

    @wraps(build)
    def lookup(user_file: str | None) -> _Built:
        return built(user_file, _user_file_key(user_file) if user_file else None)

    return lookup


def effective_registry_view(user_file: str | Path | None) -> Mapping[str, Actor]:
    """`effective_registry` as one shared read-only mapping instead of a fresh dict, for callers that
    only look actors up: the analysis stages ask for it once per document, and copying a registry of
    thousands of actors costs more than their lookups. Read again when the user file changes."""
    if user_file is None or str(user_file) == "":
        return _registry_view()
    return _user_registry_view(*_user_file_key(user_file))


def effective_names(lang: str, user_file: str | Path | None = None) -> list[NameEntry]:
    """`load_names(lang)` followed by the names the user file gives for `lang` and its language-neutral
    `aliases` (source = the file's path; kind `name` for a language's first name, else `alias`)."""
    entries = load_names(lang)
    if user_file is None or str(user_file) == "":
        return entries
    for actor_id, per_lang in _read_user_file(user_file)[1].items():
        for index, name in enumerate(per_lang.get(lang, [])):
            entries.append(NameEntry(actor_id, name, "name" if index == 0 else "alias", lang, str(user_file)))
        for name in per_lang.get("*", []):
            entries.append(NameEntry(actor_id, name, "alias", lang, str(user_file)))
    return entries


def _decision(raw: Mapping[str, Any], where: str) -> dict[str, str]:
    """A decision dict reduced to its contract keys, or ValueError saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a table, got {raw!r}")
    kind = raw.get("kind")
    if kind not in _DECISION_KINDS:
        raise ValueError(f"{where}: kind must be 'merge' or 'split', got {kind!r}")
    actor_id = raw.get("actor_id")
    target_key = "into" if kind == "merge" else "new_id"
    target = raw.get(target_key)
    for key, value in (("actor_id", actor_id), (target_key, target)):
        if not is_actor_id(value):
            raise ValueError(f"{where}: {key} {value!r} is not an actor id")
    if actor_id == target:
        raise ValueError(f"{where}: cannot {kind} {actor_id} into itself")
    if kind == "merge":
        return {"kind": kind, "actor_id": actor_id, "into": target}
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: a split needs the surface name whose mentions move")
    return {"kind": kind, "actor_id": actor_id, "name": name.strip(), "new_id": target}


def _tables(decisions: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    merges: dict[str, str] = {}
    splits: dict[tuple[str, str], str] = {}
    for number, raw in enumerate(decisions or (), 1):
        item = _decision(raw, f"actor decision {number}")
        if item["kind"] == "merge":
            merges[item["actor_id"]] = item["into"]  # a later decision replaces an earlier one
        else:
            splits[(item["actor_id"], item["name"].casefold())] = item["new_id"]
    return merges, splits


def _trace(actor_id: str, name: str | None, merges: Mapping[str, str],
           splits: Mapping[tuple[str, str], str]) -> tuple[list[str], bool]:
    """The ids a mention passes through, and whether it ran into a cycle."""
    key = name.strip().casefold() if name else None
    path = [actor_id]
    seen = {actor_id}
    while True:
        current = path[-1]
        following = splits.get((current, key)) if key is not None else None
        if following is None:
            following = merges.get(current)
        if following is None:
            return path, False
        if following in seen:
            return [*path, following], True
        seen.add(following)
        path.append(following)


class Curator:
    """`apply_decisions` for many mentions: the decisions parsed once (ValueError if malformed), the
    answers memoised. `Curator(config.get("actors.decisions", []))(actor_id, name)`."""

    def __init__(self, decisions: Iterable[Mapping[str, Any]]) -> None:
        self._merges, self._splits = _tables(decisions)
        self._memo: dict[tuple[str, str | None], str] = {}

    def __call__(self, actor_id: str, name: object = None) -> str:
        key = (actor_id, name.strip().casefold() if isinstance(name, str) and name.strip() else None)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = _trace(actor_id, key[1], self._merges, self._splits)[0][-1]
        return found


def apply_decisions(actor_id: str, name: str | None, decisions: Iterable[Mapping[str, Any]]) -> str:
    """The curated actor of a mention of `actor_id` whose surface text is `name` (None: splits are not
    applied): splits of the actor it has reached (name compared case-insensitively), then merges, step
    by step. A cycle (which `check_decisions` refuses) stops where it would repeat."""
    merges, splits = _tables(decisions)
    return _trace(actor_id, name, merges, splits)[0][-1]


def resolve(actor_id: str, decisions: Iterable[Mapping[str, Any]]) -> str:
    """Where merge decisions send `actor_id` (A merged into B, B into C: C); itself if none applies."""
    return apply_decisions(actor_id, None, decisions)


def check_decisions(decisions: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The decisions reduced to their contract keys; ValueError if one is malformed, merges an actor into
    itself, or the decisions together send some mention round a cycle."""
    items = [_decision(raw, f"actor decision {n}") for n, raw in enumerate(decisions or (), 1)]
    merges, splits = _tables(items)
    starts = [(a, None) for a in merges] + [(a, name) for (a, name) in splits]
    for actor_id, name in starts:
        path, cycled = _trace(actor_id, name, merges, splits)
        if cycled:
            what = f"mentions of {actor_id} named {name!r}" if name else f"{actor_id}"
            raise ValueError(f"these decisions send {what} round a cycle: {' -> '.join(path)}")
    return items


def config_with_store_decisions(config: Config, store: Any) -> Config:
    """A copy of `config` whose `actors.decisions` are its own (from framewatch.toml, if any) followed by
    the decisions recorded in `store` (`store.decisions()`), ready for the actors stage. The config hash,
    recorded with each run, changes with them."""
    data = copy.deepcopy(config.data)
    actors = data.get("actors")
    if not isinstance(actors, dict):
        actors = data["actors"] = {}
    own = [_decision(d, f"actors.decisions[{n}]") for n, d in enumerate(actors.get("decisions") or [])]
    stored = [_decision(d, f"stored actor decision {d.get('seq', n)}") for n, d in enumerate(store.decisions())]
    combined = own + [d for d in stored if d not in own]
    actors["decisions"] = check_decisions(combined)
    return dataclasses.replace(config, data=data)
