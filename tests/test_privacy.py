"""Pseudonymised views: members' names gone from fields, values and text, every span still citing
the same words, and the same pseudonym for the same member everywhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framewatch.model import Document, Span
from framewatch.privacy import PREFIX, Pseudonymizer, rewrite

KEY = bytes(range(32))


def test_the_same_member_gets_the_same_pseudonym_and_another_key_another() -> None:
    one = Pseudonymizer(KEY, ["Olga K"])
    assert one.name("Olga K") == one.name("olga k ") == Pseudonymizer(KEY).name("OLGA K")
    assert one.name("Olga K").startswith(PREFIX)
    assert one.name("Olga K") != one.name("Olga L")
    assert Pseudonymizer(bytes(32)).name("Olga K") != one.name("Olga K")


def test_a_short_key_is_refused() -> None:
    try:
        Pseudonymizer(b"short")
    except ValueError as exc:
        assert "16 bytes" in str(exc)
    else:
        raise AssertionError("a 5-byte key was accepted")


def test_a_russian_post_loses_every_trace_of_its_members_and_keeps_its_evidence() -> None:
    text = "Иван Петров прав: Ивана Петрова не слушают, а ivan_77 молчит. Москва отрицает это."
    author_start = text.index("Ивана Петрова")
    handle = text.index("ivan_77")
    claim_start = text.index("Москва")
    doc = Document(
        text=text, kind="post", author="Иван Петров", language="ru", title="Ответ для IVAN_77",
        meta={"actors": [{"id": "person:~ivan-petrov", "type": "PERSON", "name": "Иван Петров", "mentions": 2}],
              "forum": "Velaria talk"},
        spans=[
            Span("mention", "PERSON", author_start, author_start + len("Ивана Петрова"), engine="natasha",
                 attrs={"actor_id": "person:~ivan-petrov", "name": "Ивана Петрова"}),
            Span("mention", "GPE", claim_start, claim_start + len("Москва"), engine="lexical",
                 attrs={"actor_id": "country:ru", "name": "Москва"}),
            Span("claim", "denied", claim_start, len(text) - 1, engine="lexical",
                 attrs={"speaker": {"kind": "author", "text": "Иван Петров", "start": None, "end": None},
                        "frame": [claim_start, claim_start + len("Москва отрицает")]}),
            Span("sentence", "sentence", 0, text.index(".") + 1, engine="razdel"),
        ])
    members = Pseudonymizer(KEY, ["Иван Петров", "ivan_77"])
    out = members.document(doc)

    for name in ("Иван", "Петров", "ivan_77", "IVAN_77", "ivan-petrov"):
        assert name.casefold() not in repr(out.to_export()).casefold(), name
    assert out.author == members.name("Иван Петров")
    assert out.text.startswith(f"{members.name('Иван Петров')} прав: {members.name('Иван Петров')} не слушают, "
                               f"а {members.name('ivan_77')} молчит.")
    assert out.title == f"Ответ для {members.name('ivan_77')}"
    assert out.meta["forum"] == "Velaria talk"
    assert out.meta["actors"][0]["id"] == "person:~" + members.name("Иван Петров")
    by_layer = {s.layer + s.label: s for s in out.spans}
    assert out.text[by_layer["mentionPERSON"].start:by_layer["mentionPERSON"].end] == members.name("Иван Петров")
    assert out.text[by_layer["mentionGPE"].start:by_layer["mentionGPE"].end] == "Москва"
    claim = by_layer["claimdenied"]
    assert out.text[claim.start:claim.end] == "Москва отрицает это"
    assert out.text[slice(*claim.attrs["frame"])] == "Москва отрицает"
    assert claim.attrs["speaker"]["text"] == members.name("Иван Петров")
    assert out.text[by_layer["sentencesentence"].start:by_layer["sentencesentence"].end].endswith("молчит.")
    assert doc.text == text and doc.author == "Иван Петров", "the original is never changed"
    assert handle > 0


def test_a_name_inside_a_longer_word_is_left_alone() -> None:
    out = Pseudonymizer(KEY, ["Ana"]).document(Document(text="Banana and Ana.", author="Ana"))
    assert out.text == f"Banana and {Pseudonymizer(KEY).name('Ana')}."


@st.composite
def _text_and_regions(draw):
    text = draw(st.text(alphabet="ab Яё.\n", min_size=0, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    regions = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if start < end and (not regions or start >= regions[-1][1]):
            regions.append((start, end, draw(st.text(alphabet="XYZ-", min_size=1, max_size=12))))
    spans = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))), max_size=10))
    return text, regions, [(min(a, b), max(a, b)) for a, b in spans]


@given(_text_and_regions())
def test_offsets_move_with_the_rewritten_text(case) -> None:
    text, regions, spans = case
    new, shift = rewrite(text, regions)
    for start, end in spans:
        s, e = shift.start(start), shift.end(end)
        assert 0 <= s <= len(new) and 0 <= e <= len(new)
        touched = [r for r in regions if r[0] < end and start < r[1]]
        if not touched:  # text no name touches keeps its exact words
            assert new[s:e] == text[start:end]
        else:  # a span over part of a name covers its whole pseudonym
            for _old_start, _old_end, replacement in touched:
                assert replacement in new[s:e]
