"""Story alignment on documents written for each case: keys that survive translation, blocking,
average linkage, the time window, and determinism."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from framewatch.compare import align as alignment
from framewatch.model import Document, Span


def _doc(text: str, *, language: str = "en", published: str | None = "2025-06-28",
         actors: tuple[tuple[str, str], ...] = (), outlet: str = "Wire") -> Document:
    """A document whose named actors are mention spans, as the actors stage leaves them."""
    doc = Document(text=text, language=language, published=published, outlet=outlet)
    for surface, actor_id in actors:
        start = text.index(surface)
        label = "GPE" if actor_id.startswith(("country:", "city:")) else "ORG"
        doc.add_span(Span("mention", label, start, start + len(surface), engine="gazetteer",
                          attrs={"actor_id": actor_id, "name": surface}))
    doc.assign_id()
    return doc


def test_skeleton_joins_spellings_of_one_name_across_scripts() -> None:
    keys = {alignment.skeleton(n) for n in ("Yekaterinburg", "Екатеринбург", "Jekaterinburg", "Iekaterinbourg")}
    assert len(keys) == 1
    assert alignment.skeleton("Sputnik") == alignment.skeleton("Спутник")
    assert alignment.skeleton("Sputnik") != alignment.skeleton("Samara")


@given(st.text(max_size=40))
def test_skeleton_is_plain_latin_for_any_input(name: str) -> None:
    assert set(alignment.skeleton(name)) <= set("abcdefghijklmnopqrstuvwxyz")


RAID_EN = ("Russian police raided Azerbaijani-run markets in Yekaterinburg on Friday and detained 50 people; "
           "two brothers, Ziyaddin and Huseyn Safarov, died in custody.")
RAID_RU = ("В пятницу полиция провела рейды на рынках Екатеринбурга и задержала 50 человек; "
           "двое братьев Сафаровых погибли в отделе полиции.")
SPUTNIK_EN = ("Azerbaijani police raided the Baku office of Sputnik Azerbaijan and detained 7 staff, "
              "including its director, on suspicion of spying.")
SPUTNIK_RU = ("Полиция Азербайджана задержала 7 сотрудников Sputnik Азербайджан в Баку, "
              "включая директора агентства, по подозрению в шпионаже.")


def _corpus() -> list[Document]:
    return [
        _doc(RAID_EN, actors=(("Yekaterinburg", "city:ru-yekaterinburg"),), outlet="Wire A"),
        _doc(RAID_RU, language="ru", actors=(("Екатеринбурга", "city:ru-yekaterinburg"),), outlet="Лента"),
        _doc(SPUTNIK_EN, published="2025-06-30", actors=(("Baku", "city:az-baku"),), outlet="Wire B"),
        _doc(SPUTNIK_RU, language="ru", published="2025-07-01", actors=(("Баку", "city:az-baku"),),
             outlet="Газета"),
    ]


def test_reports_of_one_event_meet_across_languages_and_events_stay_apart() -> None:
    docs = _corpus()
    stories = alignment.align(docs)
    grouped = sorted(sorted(s.documents) for s in stories)
    assert grouped == sorted([sorted([docs[0].id, docs[1].id]), sorted([docs[2].id, docs[3].id])])
    for story in stories:
        assert story.keys, "a story names the keys that hold it together"
        assert 0 < story.cohesion <= 1


def test_alignment_does_not_depend_on_input_order() -> None:
    docs = _corpus()
    shuffled = docs[:]
    random.Random(7).shuffle(shuffled)
    assert alignment.align(docs) == alignment.align(shuffled)


def test_reports_months_apart_are_never_one_story() -> None:
    docs = _corpus()
    docs[1] = _doc(RAID_RU, language="ru", published="2025-10-01",
                   actors=(("Екатеринбурга", "city:ru-yekaterinburg"),), outlet="Лента")
    stories = alignment.align(docs)
    assert all(docs[1].id not in s.documents for s in stories)


def test_an_undated_report_can_join_a_story() -> None:
    docs = _corpus()
    docs[1] = _doc(RAID_RU, language="ru", published=None,
                   actors=(("Екатеринбурга", "city:ru-yekaterinburg"),), outlet="Лента")
    stories = alignment.align(docs)
    assert any(docs[1].id in s.documents and docs[0].id in s.documents for s in stories)


def test_average_linkage_does_not_chain_stories_through_one_bridge() -> None:
    # A and B are strongly alike, C is alike only to B: single linkage would chain all three.
    edges = {(0, 1): 0.9, (1, 2): 0.5}
    assert alignment._cluster(3, edges, 0.4) == [[0, 1], [2]]
    assert alignment._cluster(3, edges, 0.2) == [[0, 1, 2]]


def test_blocking_keeps_candidate_pairs_far_below_all_pairs() -> None:
    # 3,000 reports that all name the two countries (a key nobody can block on) and 600 distinct
    # events of five reports each, sharing a place and a number.
    rng = random.Random(3)
    docs, used = [], set()
    for event in range(600):
        place = ""
        while not place or alignment.skeleton(place) in used:
            place = "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(4)).title()
        used.add(alignment.skeleton(place))
        for report in range(5):
            text = f"Russia and Azerbaijan: a report on the incident in {place}, where {event * 7 + 1000} were held."
            docs.append(Document(text=text, language="en", published="2025-07-01",
                                 outlet=f"Outlet {report}", spans=[
                                     Span("mention", "GPE", 0, 6, attrs={"actor_id": "country:ru"}),
                                     Span("mention", "GPE", 11, 21, attrs={"actor_id": "country:az"})]))
    for doc in docs:
        doc.assign_id()
    settings = alignment._CONFIG_DEFAULTS["compare"]["align"]
    reports = [alignment.report_of(d) for d in docs]
    index = alignment._Index(reports, settings)
    pairs = alignment.candidate_pairs(index, settings)
    all_pairs = len(docs) * (len(docs) - 1) // 2
    assert len(pairs) < all_pairs / 100
    stories = alignment.align(docs)
    assert len(stories) == 600
    assert all(len(s.documents) == 5 for s in stories)
