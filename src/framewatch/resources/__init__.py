"""Language data kept as files, one folder per language (`resources/<lang>/<name>.toml`).

Every file carries a `version`; the versions (plus a content hash) are recorded with each analysis
run so a finding can be traced to the exact cue lists that produced it.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

_ROOT = importlib_resources.files(__name__)


def languages() -> list[str]:
    """Languages that ship at least one resource file."""
    return list(_languages())


@cache
def _languages() -> tuple[str, ...]:
    # Stages ask for every document (and sentiment for every target); the package's files do not change.
    return tuple(sorted(p.name for p in _ROOT.iterdir() if p.is_dir() and not p.name.startswith("_")))


@cache
def has(lang: str, name: str) -> bool:
    return _ROOT.joinpath(lang, f"{name}.toml").is_file()


@cache
def load(lang: str, name: str) -> dict[str, Any]:
    """Parsed `resources/<lang>/<name>.toml`; raises FileNotFoundError if that language lacks it."""
    path = _ROOT.joinpath(lang, f"{name}.toml")
    if not path.is_file():
        raise FileNotFoundError(f"no resource {name!r} for language {lang!r}")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def load_all(name: str) -> dict[str, dict[str, Any]]:
    """`name` for every language that has it, keyed by language."""
    return {lang: load(lang, name) for lang in languages() if has(lang, name)}


@cache
def versions() -> dict[str, str]:
    """`lang/name` -> `version+sha256prefix` for every resource file, for run records."""
    out = {}
    for lang in languages():
        for path in sorted(_ROOT.joinpath(lang).iterdir(), key=lambda p: p.name):
            if path.name.endswith(".toml"):
                raw = path.read_bytes()
                version = tomllib.loads(raw.decode("utf-8")).get("version", "0")
                out[f"{lang}/{path.name[:-5]}"] = f"{version}+{hashlib.sha256(raw).hexdigest()[:12]}"
            elif path.name.endswith(".tsv"):  # word lists and trained weights: their content is their version
                out[f"{lang}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return out
