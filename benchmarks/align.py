"""How story alignment scales: time, candidate pairs and peak memory from 1,000 to 100,000 documents.

The corpus is synthetic, because what is measured is the blocking and clustering, not the analysis:
every document names the same two countries (a key every report shares, which blocking must ignore),
and belongs to one of N/5 events of five reports each in English or Russian, each event with its own
invented place name, a number and a date within a month; a fifth of the reports also name a second,
unrelated place (noise that links events). The documents carry mention spans as the actors stage
would leave them. Reported: seconds for `align` (keys, index, candidate pairs, similarities,
clustering), candidate pairs against all pairs, peak traced memory, and B-cubed precision/recall
against the generated events.

Usage: python benchmarks/align.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
import tracemalloc
from datetime import date, timedelta

from framewatch.bench.stories import bcubed
from framewatch.compare import align as alignment
from framewatch.config import DEFAULTS
from framewatch.model import Document, Span

_SYLLABLES = [c + v for c in "bdgklmnprstvz" for v in "aeiou"]


def corpus(size: int, seed: int = 1) -> tuple[list[Document], dict[str, str]]:
    rng = random.Random(seed)
    docs, gold, names = [], {}, set()
    start = date(2025, 6, 1)

    def name() -> str:
        while True:
            candidate = "".join(rng.choice(_SYLLABLES) for _ in range(4)).title()
            if alignment.skeleton(candidate) not in names:
                names.add(alignment.skeleton(candidate))
                return candidate

    places = [name() for _ in range(size // 5)]
    for event in range(size // 5):
        day = start + timedelta(days=rng.randrange(30))
        number = rng.randrange(10, 5000)
        for report in range(5):
            other = f" Earlier, {rng.choice(places)} was quiet." if rng.random() < 0.2 else ""
            if report % 2:
                text = (f"Россия и Азербайджан: в городе {places[event]} задержаны {number} человек, "
                        f"сообщает источник номер {report}.{other}")
                language = "ru"
            else:
                text = (f"Russia and Azerbaijan: {number} people were detained in {places[event]}, "
                        f"source number {report} reports.{other}")
                language = "en"
            ru, az = ("Россия", "Азербайджан") if language == "ru" else ("Russia", "Azerbaijan")
            doc = Document(text=text, language=language, published=(day + timedelta(days=rng.randrange(3))).isoformat(),
                           outlet=f"Outlet {report}", spans=[
                               Span("mention", "GPE", text.index(ru), text.index(ru) + len(ru),
                                    attrs={"actor_id": "country:ru"}),
                               Span("mention", "GPE", text.index(az), text.index(az) + len(az),
                                    attrs={"actor_id": "country:az"})])
            doc.external_id = f"{event}-{report}"
            gold[doc.assign_id()] = str(event)
            docs.append(doc)
    return docs, gold


def _clusters(stories: list[alignment.Story], gold: dict[str, str]) -> dict[str, str]:
    """Each document's story, or itself when it is in none (as `framewatch bench score stories` counts)."""
    cluster = {doc_id: doc_id for doc_id in gold}
    for story in stories:
        for doc_id in story.documents:
            cluster[doc_id] = story.id
    return cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    settings = DEFAULTS["compare"]["align"]
    print(f"# story alignment, Python {platform.python_version()}, {platform.machine()}")
    print("| documents | seconds | docs/s | candidate pairs | all pairs | peak MB | B3 precision | B3 recall |")
    print("|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        docs, gold = corpus(size)
        reports = [alignment.report_of(d) for d in docs]
        pairs = len(alignment.candidate_pairs(alignment._Index(reports, settings), settings))
        tracemalloc.start()
        began = time.perf_counter()
        stories = alignment.align(docs)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        scores = bcubed(gold, _clusters(stories, gold))
        precision, recall = scores["precision"], scores["recall"]
        print(f"| {size:,} | {seconds:.1f} | {size / seconds:,.0f} | {pairs:,} | {size * (size - 1) // 2:,} | "
              f"{peak:,.0f} | {precision:.3f} | {recall:.3f} |", flush=True)


if __name__ == "__main__":
    main()
