"""Ingest and re-analysis jobs against a real store: batches, runs, what a re-run replaces."""

from __future__ import annotations

import json
from datetime import datetime

from framewatch.batch import analyze_stored, ingest_into, ingest_pipeline
from framewatch.config import Config, load_config
from framewatch.ingest import IngestOptions
from framewatch.pipeline import Pipeline
from framewatch.store import open_store


def test_reanalysis_replaces_only_its_own_layers(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": "Police detained five activists. See https://example.com/a for more.", "language": "en"},
        {"id": "b", "text": "Полиция задержала пятерых активистов. Подробности: https://example.ru/b"},
    ]) + "\n", encoding="utf-8")
    config = load_config()
    with open_store(tmp_path / "fw.db") as store:
        ingest_into(store, [str(corpus)], IngestOptions(as_of=datetime(2025, 12, 1)), ingest_pipeline(config),
                    config=config, batch_size=1)
        first_run = store.runs()[0].id
        # A narrower language set: the detected language is detected again, the given one is kept.
        narrowed = Config({**config.data, "languages": {**config.data["languages"], "detect": ["en", "uk"]}})
        second = Pipeline(narrowed, command="analyze")
        assert analyze_stored(store, second, batch_size=1) == 2
        docs = {d.external_id: d for d in store.iter_documents()}
    for doc in docs.values():
        layers = {(s.layer, s.run_id) for s in doc.spans}
        assert ("link", first_run) in layers
        assert {run for layer, run in layers if layer in ("language", "sentence")} <= {second.run.id}
    assert docs["a"].language == "en"
    assert docs["b"].language == "uk", "re-detected with the narrowed set"
    assert [r.command for r in open_store(tmp_path / "fw.db").runs()] == ["ingest", "analyze"]
