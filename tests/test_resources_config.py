"""Language data files and configuration parse, and say what the code expects of them."""

from __future__ import annotations

import re

import pytest

from framewatch import resources
from framewatch.config import DEFAULTS, load_config


def test_english_and_russian_ship_thread_and_article_data():
    assert {"en", "ru"} <= set(resources.languages())
    for lang in ("en", "ru"):
        assert resources.has(lang, "thread") and resources.has(lang, "article")


@pytest.mark.parametrize("lang", [lang for lang in resources.languages() if resources.has(lang, "thread")])
def test_thread_resources_are_valid(lang):
    data = resources.load(lang, "thread")
    assert data["version"]
    for header in data.get("quote_headers", []):
        pattern = re.compile(header["pattern"])
        assert "author" in pattern.groupindex, header["style"]
        if header.get("needs_end_marker"):
            assert data["quote_end_markers"][header["style"]], header["style"]
    for pattern in data["provenance"]["disclaimer_patterns"]:
        re.compile(pattern)
    assert data["provenance"]["origin_labels"]
    assert data["timestamps"]["relative_words"]


@pytest.mark.parametrize("lang", [lang for lang in resources.languages() if resources.has(lang, "article")])
def test_article_resources_are_valid(lang):
    for pattern in resources.load(lang, "article")["byline_patterns"]:
        assert "author" in re.compile(pattern).groupindex


@pytest.mark.parametrize("lang", [lang for lang in resources.languages() if resources.has(lang, "encoding")])
def test_encoding_samples_are_long_cyrillic_prose(lang):
    sample = resources.load(lang, "encoding")["sample_text"]
    assert len(re.findall(r"[\u0400-\u04ff]", sample)) > 300


def test_resource_versions_change_with_content():
    versions = resources.versions()
    assert re.fullmatch(r"\d+\+[0-9a-f]{12}", versions["en/thread"])


def test_config_file_overrides_defaults(tmp_path, monkeypatch):
    (tmp_path / "framewatch.toml").write_text('[languages]\ndetect = ["en", "ru"]\n[ingest]\nbatch_size = 7\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.get("languages.detect") == ["en", "ru"]
    assert config.get("ingest.batch_size") == 7
    assert config.get("ingest.max_file_mb") == DEFAULTS["ingest"]["max_file_mb"]


def test_config_hash_tracks_settings(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text("[ingest]\nbatch_size = 7\n")
    b = tmp_path / "b.toml"
    b.write_text("[ingest]\nbatch_size = 8\n")
    assert load_config(a).hash() != load_config(b).hash()
    assert load_config(a).hash() == load_config(a).hash()


def test_bad_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "framewatch.toml"
    bad.write_text("[ingest\n")
    with pytest.raises(ValueError, match="invalid TOML"):
        load_config(bad)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("lang", [lang for lang in resources.languages() if resources.has(lang, "search")])
def test_search_folds_are_one_letter_to_one_letter(lang):
    """Snippets are cut from the unfolded text at the index's offsets, so folding keeps lengths."""
    fold = resources.load(lang, "search")["fold"]
    assert fold
    for source, target in fold.items():
        assert len(source) == 1 and len(target) == 1 and source.isalpha() and target.isalpha()


MENTION_LANGS = [lang for lang in resources.languages() if resources.has(lang, "mentions")]


@pytest.mark.parametrize("lang", MENTION_LANGS)
def test_mention_cues_are_complete(lang):
    from framewatch.registry import load_registry

    cues = resources.load(lang, "mentions")
    for key in ("locative_prepositions", "person_titles", "org_words", "not_names", "not_actor_words",
                "not_name_endings", "government_nouns", "alias_markers"):
        assert cues[key] and all(isinstance(w, str) and w == w.lower() for w in cues[key]), key
    roles = {role for actor in load_registry().values() for role in actor.roles}
    assert set(cues["role_nouns"]) <= roles


def test_group_nouns_share_their_keys_across_languages():
    """`Russian police` and `российская полиция` become one actor only if both name the group `police`."""
    keys = {lang: set(resources.load(lang, "mentions")["group_nouns"]) for lang in MENTION_LANGS}
    assert len({frozenset(k) for k in keys.values()}) == 1, keys
