"""Target-dependent sentiment: the shipped model files, the loader's errors, written examples in both
languages, the shape of every answer, and the stage inside the pipeline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import mention, need_shared
from framewatch.analysis import sentiment
from framewatch.config import DEFAULTS, Config
from framewatch.model import Document
from framewatch.pipeline import Pipeline, StageContext, new_run

LANGUAGES = ("en", "ru")
ATTRIBUTION = {"en": ("NewsMTSC", "Hamborg", "Donnay"), "ru": ("RuSentNE-2023", "Golubev", "Loukachevitch")}

# Written for these tests, not taken from the corpora: (language, text, target, expected label).
EXAMPLES = [
    ("en", "Firefighter John Miller was praised for his courage after he rescued three children.", "John Miller",
     "positive"),
    ("en", "Fans celebrated as Maria Lopez won the gold medal in a brilliant performance.", "Maria Lopez", "positive"),
    ("en", "Mayor Smith lied to voters and stole millions from the city budget, prosecutors said.", "Mayor Smith",
     "negative"),
    ("en", "Critics accused Senator Jones of corruption and fraud.", "Senator Jones", "negative"),
    ("en", "Thomas Brown said on Tuesday that the committee would hold a meeting next week.", "Thomas Brown",
     "neutral"),
    ("ru", "Президент поблагодарил Анну Смирнову за блестящую работу и высоко оценил её успехи.", "Анну Смирнову",
     "positive"),
    ("ru", "Мэр Сидоров обвиняется в коррупции и мошенничестве, его арестовали.", "Мэр Сидоров", "negative"),
    ("ru", "Иван Петров сообщил во вторник, что совещание пройдет на следующей неделе.", "Иван Петров", "neutral"),
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_model_files_parse_match_the_features_and_carry_attribution(lang):
    assert lang in sentiment.languages()
    model = sentiment.model(lang)
    assert set(model.labels) == set(sentiment.LABELS)
    assert sentiment.BIAS in model.weights and len(model.weights) > 1000
    assert sentiment.model_path(lang).stat().st_size < 1_500_000
    header = "\n".join(model.header)
    for word in (*ATTRIBUTION[lang], "MIT", "tools/train_sentiment.py", "Hold-out", "macro-F1", "Date:"):
        assert word in header, word


def test_training_data_is_where_the_training_script_reads_it():
    need_shared("data/newsmtsc/EN/train/train.jsonl")
    need_shared("data/rusentne-2023/RU/train/train_data.csv")


def test_a_malformed_model_is_refused_with_file_and_line(tmp_path):
    good = ["# a header", "extractor\tx", "labels\tnegative\tneutral\tpositive", "__bias__\t0.1\t0\t-0.1",
            "W|good\t-1\t0\t1"]
    path = tmp_path / "sentiment.tsv"
    path.write_text("\n".join(good) + "\n", encoding="utf-8")
    assert sentiment.load_model(path).weights["W|good"] == (-1.0, 0.0, 1.0)
    for line, bad in ((5, "W|good\t-1\tzero\t1"), (5, "W|good\t-1\t1"), (5, "__bias__\t1\t1\t1"),
                      (5, "W|bad\tnan\t0\t0")):
        path.write_text("\n".join([*good[:4], bad]) + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=rf"sentiment\.tsv:{line}: "):
            sentiment.load_model(path)
    path.write_text("\n".join([good[0], good[3]]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sentiment\.tsv:2: "):
        sentiment.load_model(path)
    path.write_text("\n".join(good[:3]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="incomplete"):
        sentiment.load_model(path)


@pytest.mark.parametrize("lang,text,target,label", EXAMPLES, ids=lambda v: v if len(v) < 20 else None)
def test_example(lang, text, target, label):
    start = text.index(target)
    found = sentiment.target_sentiment(text, lang, start, start + len(target))
    assert found is not None
    assert found.label == label, found
    assert found.features and all(not f.startswith(sentiment.BIAS) for f in found.features)


def test_the_target_is_masked_and_negation_marked():
    text = "Senator Jones is not corrupt."
    names = sentiment.features(text, "en", 0, 13, (0, len(text)))
    assert not any("jones" in n or "senator" in n for n in names)
    assert "R1|NEG_corrupt" in names and "W|NEG_corrupt" in names and "W|corrupt" not in names


def test_the_sentence_is_found_when_not_given():
    text = "Alice won the prize. Bob was arrested for fraud."
    start = text.index("Bob")
    assert sentiment.target_sentiment(text, "en", start, start + 3) == sentiment.target_sentiment(
        text, "en", start, start + 3, (start, len(text)))


def test_a_language_without_a_model_gives_none_and_bad_offsets_raise():
    assert sentiment.target_sentiment("Ilham Aliyev Bakıda.", "az", 0, 12) is None
    with pytest.raises(ValueError, match="outside"):
        sentiment.target_sentiment("short", "en", 2, 9)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LANGUAGES), st.text(max_size=120), st.data())
def test_any_target_gets_a_distribution(lang, text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    found = sentiment.target_sentiment(text, lang, start, end)
    assert found is not None
    assert set(found.probabilities) == set(sentiment.LABELS)
    assert all(0 <= p <= 1 for p in found.probabilities.values())
    assert sum(found.probabilities.values()) == pytest.approx(1)
    assert found.label == max(found.probabilities, key=found.probabilities.__getitem__)
    assert -1 <= found.score <= 1 and len(found.features) <= 3


def _check_spans(doc: Document) -> None:
    mentions = [s for s in doc.spans if s.layer == "mention" and s.attrs.get("actor_id")]
    spans = [s for s in doc.spans if s.layer == "sentiment"]
    assert mentions and len(spans) == len(mentions)
    assert sorted((s.start, s.end) for s in spans) == sorted((m.start, m.end) for m in mentions)
    by_offsets = {(m.start, m.end): m for m in mentions}
    for span in spans:
        assert span.label in sentiment.LABELS and span.engine == "logreg"
        assert span.cue == f"sentiment:{doc.language}" and 0 < span.confidence <= 1
        assert span.attrs["actor_id"] == by_offsets[span.start, span.end].attrs["actor_id"]
        assert span.attrs["model"] == f"{doc.language}/sentiment.tsv" and span.attrs["language"] == doc.language
        first, last = span.attrs["sentence"]
        assert first <= span.start < span.end <= last
        assert -1 <= span.attrs["score"] <= 1 and len(span.attrs["features"]) <= 3


def test_the_stage_puts_one_span_on_each_actor_mention():
    text = "Ilham Aliyev met Erdogan in Baku on Monday. Critics accused Aliyev of corruption."
    doc = Document(text, language="en", spans=[
        mention(text, "Ilham Aliyev", "person:ilham-aliyev", "PERSON"),
        mention(text, "Erdogan", "person:recep-tayyip-erdogan", "PERSON"),
        mention(text, "Aliyev", "person:ilham-aliyev", "PERSON", nth=1),
    ])
    sentiment.find_sentiment(doc, StageContext(Config(DEFAULTS), new_run(Config(DEFAULTS), [])))
    _check_spans(doc)
    last = next(s for s in doc.spans if s.layer == "sentiment" and s.start == text.rindex("Aliyev"))
    assert last.label == "negative" and last.attrs["sentence"] == [text.index("Critics"), len(text)]


def test_the_stage_in_the_pipeline():
    text = "Ильхам Алиев встретился с Реджепом Эрдоганом в Баку. Критики обвинили Алиева в коррупции."
    doc = Document(text, language="ru")
    Pipeline(Config(DEFAULTS), ["sentiment"]).analyze(doc)
    _check_spans(doc)
    assert all(s.run_id for s in doc.spans if s.layer == "sentiment")
