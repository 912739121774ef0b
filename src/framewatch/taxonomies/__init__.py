"""Label taxonomies kept as versioned data files (`taxonomies/<name>.toml`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources

_ROOT = importlib_resources.files(__name__)


@dataclass(frozen=True)
class RoleTaxonomy:
    main: tuple[str, ...]
    fine: dict[str, str]  # fine role -> its main role, in taxonomy order
    descriptions: dict[str, str] = field(hash=False, compare=False, default_factory=dict)

    def fine_roles(self, main: str) -> tuple[str, ...]:
        return tuple(fine for fine, owner in self.fine.items() if owner == main)


@cache
def roles() -> RoleTaxonomy:
    """The 3 main and 22 fine entity roles of SemEval-2025 Task 10 (`roles.toml`), in taxonomy order."""
    data = tomllib.loads(_ROOT.joinpath("roles.toml").read_text(encoding="utf-8"))
    fine = {f["name"]: f["main"] for f in data["fine"]}
    descriptions = {r["name"]: r["description"] for r in [*data["main"], *data["fine"]]}
    return RoleTaxonomy(tuple(m["name"] for m in data["main"]), fine, descriptions)


@dataclass(frozen=True)
class Frame:
    name: str
    description: str


@cache
def frames() -> tuple[Frame, ...]:
    """The 14 Media Frames Corpus dimensions (`frames.toml`), in codebook order."""
    data = tomllib.loads(_ROOT.joinpath("frames.toml").read_text(encoding="utf-8"))
    return tuple(Frame(f["name"], f["description"]) for f in data["frame"])


@dataclass(frozen=True)
class Technique:
    name: str
    category: str
    ptc: str | None
    description: str


@cache
def techniques() -> tuple[Technique, ...]:
    """The 23 persuasion techniques of SemEval-2023 Task 3, in taxonomy order."""
    data = tomllib.loads(_ROOT.joinpath("techniques.toml").read_text(encoding="utf-8"))
    return tuple(
        Technique(t["name"], t["category"], t["ptc"] or None, t["description"]) for t in data["technique"]
    )


def technique_names() -> tuple[str, ...]:
    return tuple(t.name for t in techniques())


def ptc_classes() -> tuple[str, ...]:
    """The 14 technique classes of the Propaganda Techniques Corpus, sorted."""
    return tuple(sorted({t.ptc for t in techniques() if t.ptc}))


def ptc_class(technique: str) -> str | None:
    """The PTC class a SemEval-2023 technique is scored as; None where PTC has no such class."""
    for t in techniques():
        if t.name == technique:
            return t.ptc
    raise KeyError(f"unknown technique {technique!r}")


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    examples: tuple[str, ...] = ()


@cache
def plover() -> tuple[EventType, ...]:
    """The 19 PLOVER event types (`plover.toml`), from cooperation to violence."""
    data = tomllib.loads(_ROOT.joinpath("plover.toml").read_text(encoding="utf-8"))
    return tuple(EventType(t["name"], t["description"], tuple(t.get("examples", ()))) for t in data["type"])
