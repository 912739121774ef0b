"""Named, versioned analysis stages, the order they run in, and the record of each run.

A stage declares what it requires and what it assigns (span layers or document fields); the
pipeline orders stages from those declarations. Built-in stages register themselves exactly as a
third-party plugin would: with `@stage(...)` in a module imported through the `framewatch.stages`
entry-point group or `framewatch.analysis`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import entry_points

from . import __version__, resources
from .config import Config
from .model import AnalysisRun, Document

log = logging.getLogger(__name__)

StageFunc = Callable[[Document, "StageContext"], None]


@dataclass(frozen=True)
class Stage:
    name: str
    version: str
    func: StageFunc
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    # None: works for any language. Otherwise the stage runs only for these languages and the
    # pipeline warns, once per document, when it has to skip one.
    languages: tuple[str, ...] | None = None


_REGISTRY: dict[str, Stage] = {}


def stage(
    name: str,
    *,
    version: str,
    requires: Iterable[str] = (),
    assigns: Iterable[str] = (),
    languages: Iterable[str] | None = None,
) -> Callable[[StageFunc], StageFunc]:
    """Register `func(doc, ctx)` as the stage `name`."""

    def register(func: StageFunc) -> StageFunc:
        _REGISTRY[name] = Stage(
            name, version, func, tuple(requires), tuple(assigns),
            tuple(languages) if languages is not None else None,
        )
        return func

    return register


def registry() -> dict[str, Stage]:
    """All known stages: built-ins plus those of installed plugins."""
    if not _REGISTRY:
        from . import analysis  # noqa: F401  (registers the built-in stages)

        for entry in entry_points(group="framewatch.stages"):
            entry.load()
    return dict(_REGISTRY)


def resolve(names: Iterable[str]) -> list[Stage]:
    """The named stages plus everything they require, in an order that satisfies `requires`."""
    known = registry()
    providers = {assigned: s for s in known.values() for assigned in s.assigns}
    ordered: list[Stage] = []
    visiting: set[str] = set()

    def visit(stage_name: str) -> None:
        if any(s.name == stage_name for s in ordered):
            return
        if stage_name not in known:
            raise KeyError(f"unknown stage {stage_name!r}; known: {', '.join(sorted(known))}")
        if stage_name in visiting:
            raise ValueError(f"stage dependency cycle through {stage_name!r}")
        visiting.add(stage_name)
        for needed in known[stage_name].requires:
            if needed in providers:
                visit(providers[needed].name)
        visiting.discard(stage_name)
        ordered.append(known[stage_name])

    for name in names:
        visit(name)
    return ordered


@dataclass
class StageContext:
    """What a stage may read besides its document: the configuration and the run it belongs to."""

    config: Config
    run: AnalysisRun

    def warn(self, message: str) -> None:
        log.warning(message)


def new_run(config: Config, stages: Iterable[Stage], command: str = "") -> AnalysisRun:
    now = datetime.now(UTC)
    return AnalysisRun(
        id="r" + now.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:8],
        started_at=now.isoformat(timespec="seconds"),
        package_version=__version__,
        stages={s.name: s.version for s in stages},
        resource_versions=resources.versions(),
        config_hash=config.hash(),
        command=command,
    )


class Pipeline:
    """The configured stages, run over documents; every span added is stamped with the run id."""

    def __init__(self, config: Config, stage_names: Iterable[str] | None = None, command: str = "") -> None:
        self.config = config
        self.stages = resolve(config.get("pipeline.stages", []) if stage_names is None else stage_names)
        self.run = new_run(config, self.stages, command)

    @property
    def layers(self) -> tuple[str, ...]:
        """The span layers this pipeline's stages assign."""
        return tuple(a.split(":", 1)[1] for s in self.stages for a in s.assigns if a.startswith("layer:"))

    def analyze(self, doc: Document) -> Document:
        ctx = StageContext(self.config, self.run)
        skipped: list[str] = []
        for current in self.stages:
            if current.languages is not None and doc.language not in current.languages:
                skipped.append(current.name)
                continue
            first_new = len(doc.spans)
            current.func(doc, ctx)
            for span in doc.spans[first_new:]:
                span.run_id = self.run.id
        if skipped:
            ctx.warn(
                f"document {doc.id} ({doc.path or doc.url or doc.source_key}): language "
                f"{doc.language or 'unknown'!s} has no resources for stage(s) {', '.join(skipped)}; "
                "its language-independent stages ran"
            )
        return doc

    def analyze_all(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self.analyze(doc)
