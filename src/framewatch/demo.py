"""`framewatch demo`: ingest the bundled example corpus and show what the data plane found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .batch import IngestSummary, ingest_into, ingest_pipeline
from .config import Config
from .ingest import IngestOptions, SourceResult
from .model import Document, IngestProblem, Span
from .store import Store

# The example threads say "Yesterday, 09:20 AM"; they were written as if saved at this moment,
# so the demo resolves them the same way on every machine.
EXAMPLES_SAVED_AT = datetime(2025, 12, 1, 12, 0)


def run_demo(store: Store, examples: Path, config: Config, out: Console,
             on_problem: Callable[[IngestProblem], None]) -> IngestSummary:
    options = IngestOptions(as_of=EXAMPLES_SAVED_AT,
                            include=tuple(config.get("ingest.include", ["*"])),
                            exclude=(*config.get("ingest.exclude", []), "README.md"))

    def report(result: SourceResult) -> None:
        for problem in result.problems:
            on_problem(problem)

    summary = ingest_into(store, [str(examples)], options, ingest_pipeline(config, command="demo"),
                          config=config, on_source=report)
    print_store_summary(store, out)
    return summary


def print_store_summary(store: Store, out: Console) -> None:
    docs = list(store.iter_documents())
    stats = store.summary()
    out.print(f"[bold]framewatch store[/bold] {store.path}: {stats['documents']} documents "
              f"in {stats['threads']} threads, {stats['spans']} spans, {stats['runs']} recorded runs")
    table = Table("kind", "documents", "languages", title=None, box=None)
    by_kind: dict[str, Counter[str]] = {}
    for doc in docs:
        by_kind.setdefault(doc.kind, Counter())[doc.language or "unknown"] += 1
    for kind, langs in sorted(by_kind.items()):
        table.add_row(kind, str(sum(langs.values())), ", ".join(f"{k} {v}" for k, v in langs.most_common()))
    out.print(table)

    _print_actors(docs, out)
    _print_techniques(store, docs, out)
    _print_framing(store, docs, out)
    _print_comparison(docs, out)
    domains = Counter(s.attrs.get("domain") for d in docs for s in d.spans if s.layer == "link")
    if domains:
        out.print("cited domains: " + ", ".join(f"{d} ({n})" for d, n in domains.most_common(8)),
                  highlight=False)
    for doc in docs:
        if doc.original_url:
            out.print(f"repost: {doc.id} ({doc.title or doc.author or doc.path}) originally at "
                      f"{doc.original_url}" + (f"; disclaimer: {doc.disclaimers[0]!r}" if doc.disclaimers else ""),
                      highlight=False, markup=False)
    by_id = {d.id: d for d in docs}
    for doc in docs:
        for quoted_id in doc.quotes[:1]:
            quoted = by_id.get(quoted_id)
            if quoted is None:
                continue
            out.print(f"quote: post {doc.id} by {doc.author or 'an unnamed member'} ({doc.published}) quotes "
                      f"{quoted.author} ({quoted.published or 'time unknown'}): "
                      f"{quoted.text[:70]!r}…", highlight=False, markup=False)


def _print_actors(docs: list[Document], out: Console) -> None:
    """The most mentioned actors, with the languages and spellings they were found in."""
    mentions: Counter[str] = Counter()
    names: dict[str, str] = {}
    forms: dict[str, set[str]] = {}
    for doc in docs:
        for actor in doc.actors:
            mentions[actor["id"]] += actor["mentions"]
            names.setdefault(actor["id"], actor["name"])
        for span in doc.spans:
            if span.layer == "mention":
                forms.setdefault(span.attrs.get("actor_id"), set()).add(doc.text[span.start:span.end])
    if not mentions:
        return
    table = Table("actor", "id", "mentions", "found as", box=None)
    for actor_id, count in mentions.most_common(12):
        spellings = sorted(forms.get(actor_id, ()), key=lambda f: (len(f), f))[:3]
        table.add_row(names[actor_id], actor_id, str(count), ", ".join(spellings))
    out.print(f"actors: {len(mentions)} distinct; most mentioned:")
    out.print(table)


def _print_techniques(store: Store, docs: list[Document], out: Console) -> None:
    """Each source's commonest persuasion techniques, then the surest example of the six surest techniques."""
    profile = store.technique_profile("source")
    if not profile:
        return
    out.print("persuasion techniques per 1,000 words (framewatch techniques --by source):")
    for group in profile[:6]:
        top = ", ".join(f"{label} {group['per_1000_words'][label]:.1f}" for label in list(group["counts"])[:3])
        out.print(f"  {group['group']} ({group['words']} words): {top or 'none found'}", highlight=False,
                  markup=False)
    best: dict[str, tuple[float, Document, Span]] = {}
    for doc in docs:
        for span in doc.spans:
            if span.layer == "technique" and (span.confidence or 0) > best.get(span.label, (-1.0,))[0]:
                best[span.label] = (span.confidence or 0, doc, span)
    for confidence, doc, span in sorted(best.values(), key=lambda item: -item[0])[:6]:
        out.print(f"  {span.label}: {doc.text[span.start:span.end]!r} ({doc.id} {span.start}-{span.end}, "
                  f"cues {', '.join(span.attrs.get('cues', [span.cue]))}, confidence {confidence:.2f})",
                  highlight=False, markup=False)


def _print_comparison(docs: list[Document], out: Console) -> None:
    """The largest stories across outlets and languages, with one fact each that not every outlet states."""
    from .compare.diff import compare

    result = compare(docs, by="outlet")
    out.print(f"stories across sources and languages (framewatch compare): {len(result['stories'])}, "
              f"{len(result['unaligned'])} document(s) in none", highlight=False)
    for story in result["stories"][:3]:
        outlets = ", ".join(c["group"] for c in story["coverage"])
        out.print(f"  {story['title'][:70]!r} ({', '.join(story['languages'])}): {outlets}", highlight=False,
                  markup=False)
        fact = next((f for f in story["facts"] if f["contested"] and f["reported_by"]), None)
        if fact:
            others = "; ".join(f"{status} by {', '.join(fact[status + '_by'])}"
                               for status in ("alleged", "questioned", "denied", "omitted") if fact[status + "_by"])
            out.print(f"    {fact['text'][:90]!r}: asserted by {', '.join(fact['reported_by'])}; {others}",
                      highlight=False, markup=False)


def _print_framing(store: Store, docs: list[Document], out: Console) -> None:
    """How the two most discussed actors are cast by language, and which narratives documents serve."""
    entries = store.role_summary("language")
    documents_per_actor: Counter[str] = Counter()
    for entry in entries:
        documents_per_actor[entry["actor_id"]] += entry["documents"]
    if entries:
        out.print("roles (framewatch roles --actor ID --by language):")
    for actor_id, _ in documents_per_actor.most_common(2):
        for entry in (e for e in entries if e["actor_id"] == actor_id):
            cast = ", ".join(f"{main} in {n}" for main, n in entry["main_roles"].items())
            out.print(f"  {actor_id} in {entry['group']} documents: {cast}", highlight=False, markup=False)
    narratives: Counter[str] = Counter()
    for doc in docs:
        narratives.update({s.attrs.get("narrative") or s.label for s in doc.spans if s.layer == "narrative"})
    if narratives:
        out.print("narratives: " + "; ".join(f"{label} ({n})" for label, n in narratives.most_common(4)),
                  highlight=False, markup=False)
