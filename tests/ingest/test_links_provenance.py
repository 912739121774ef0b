"""Links with their domains, repost origins and disclaimers, all as spans into the exact text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framewatch.ingest.links import domain_of, find_links
from framewatch.ingest.provenance import add_provenance
from framewatch.model import Document


def test_glued_and_bare_links():
    text = "crackdown on interference.https://youtu.be/o9yC?si=8tV\nOriginal: toutiao.com/article/75788/\n"
    links = find_links(text)
    assert [url for _, _, url in links] == ["https://youtu.be/o9yC?si=8tV", "toutiao.com/article/75788/"]
    assert [domain_of(url) for _, _, url in links] == ["youtu.be", "toutiao.com"]
    for start, end, url in links:
        assert text[start:end] == url


def test_trailing_punctuation_and_non_links():
    text = "See (https://www.example.com/a?b=1). E.g. Mr.Smith, U.S. and 3.14 are not links."
    assert find_links(text) == [(5, 34, "https://www.example.com/a?b=1")]
    assert domain_of("https://www.example.com/a") == "example.com"


def test_origins_in_english_and_russian_and_source_credits():
    doc = Document(text="Body.\nИсточник: ria-example.ru/politika/123.html\nSource: Continental Wire\n"
                        "Мнение редакции может не совпадать с мнением автора.")
    add_provenance(doc)
    assert doc.original_url == "ria-example.ru/politika/123.html"
    assert doc.meta["source_credit"] == "Continental Wire"
    assert doc.disclaimers == ["Мнение редакции может не совпадать с мнением автора."]
    for span in doc.spans:
        assert 0 <= span.start < span.end <= len(doc.text)
    origin = next(s for s in doc.spans if s.label == "original_url")
    assert doc.text[origin.start:origin.end] == doc.original_url


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
       st.sampled_from(["https://a.example.com/x", "toutiao.com/article/1/", "http://rt.ru"]),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=50))
def test_link_offsets_always_slice_to_the_url(prefix, url, suffix):
    text = prefix + " " + url + " " + suffix
    for start, end, found in find_links(text):
        assert text[start:end] == found
    assert url in [found for _, _, found in find_links(text)]


def test_bare_domains_are_taken_whole_or_not_at_all():
    text = "see mvd.gov.by and dhrc.org.zz/lists/x or www.bbc.co.uk/news."
    assert [url for _, _, url in find_links(text)] == ["mvd.gov.by", "www.bbc.co.uk/news"]
