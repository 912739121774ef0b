"""Stages: registry, ordering from requires/assigns, run records, language gating."""

from __future__ import annotations

import pytest

from framewatch.config import load_config
from framewatch.model import Document, Span
from framewatch.pipeline import Pipeline, registry, resolve, stage


def test_builtin_stages_declare_what_they_need_and_assign():
    stages = registry()
    assert stages["language"].assigns == ("language", "layer:language")
    assert stages["sentences"].requires == ("language",)
    assert [s.name for s in resolve(["sentences"])] == ["language", "sentences"]


def test_unknown_stage_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown stage 'telepathy'"):
        resolve(["telepathy"])


def test_a_plugin_stage_runs_after_what_it_requires(monkeypatch):
    monkeypatch.setattr("framewatch.pipeline._REGISTRY", dict(registry()))

    @stage("test-shouting", version="0.1", requires=("layer:sentence",), assigns=("layer:shout",))
    def shouting(doc, ctx):
        for s in [s for s in doc.spans if s.layer == "sentence"]:
            if doc.text[s.start:s.end].isupper():
                doc.add_span(Span("shout", "shout", s.start, s.end, engine="test", cue="isupper"))

    pipeline = Pipeline(load_config(), ["test-shouting"])
    assert [s.name for s in pipeline.stages] == ["language", "sentences", "test-shouting"]
    doc = pipeline.analyze(Document(text="This is calm. STOP THE LIES NOW."))
    [shout] = [s for s in doc.spans if s.layer == "shout"]
    assert doc.text[shout.start:shout.end] == "STOP THE LIES NOW."
    assert shout.run_id == pipeline.run.id
    assert pipeline.run.stages == {"language": "1", "sentences": "1", "test-shouting": "0.1"}


def test_run_record_names_versions_resources_and_config():
    pipeline = Pipeline(load_config())
    run = pipeline.run
    assert run.package_version and run.config_hash and run.id.startswith("r")
    assert "en/thread" in run.resource_versions and "ru/thread" in run.resource_versions


def test_language_without_resources_gets_a_warning_and_independent_stages(caplog):
    pipeline = Pipeline(load_config())
    doc = Document(text="Die Regierung in Baku hat am Montag fünf Aktivisten festnehmen lassen, "
                        "teilte die Polizei mit.", id="dtest", path="de.txt")
    with caplog.at_level("WARNING", logger="framewatch"):
        pipeline.analyze(doc)
    assert doc.language == "de"
    assert any(s.layer == "language" for s in doc.spans)
    assert not any(s.layer == "sentence" for s in doc.spans)
    assert "language de has no resources for stage(s) sentences" in caplog.text
    assert "de.txt" in caplog.text
