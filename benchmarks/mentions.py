"""Mention recall on the SemEval-2025 Task 10 gold entity mentions (issue 3 acceptance).

For each language (EN, RU) reads `train/raw-documents/*.txt` and `train/subtask-1-annotations.txt`
(file, mention, start, end - END INCLUSIVE - roles...), analyses every annotated document with the
`language`, `sentences`, `mentions` and `actors` stages (the document language given: EN files "en",
RU files "ru") and counts a gold mention as recalled when any detected `mention` span (end exclusive)
shares at least one character with it.

Offsets: files are read with newline=''. When a gold mention's text is not text[start:end+1], the
file is tried with "\\n" replaced by "\\r\\n" (the RU training copies lost their CRs); the version on
which more gold offsets hold is analysed. Gold mentions whose offsets match neither version are
excluded from recall and listed.

Reported per language: documents, gold mentions, recalled, recall, the share recalled with exact
boundaries, recall by the cue of the best-overlapping detected mention, detected mentions per
1,000 characters, and the most frequent missed mention strings.

Usage: python benchmarks/mentions.py [--lang en|ru] [--limit N] [--data PATH] [--misses K] [--contexts]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from framewatch.config import load_config
from framewatch.model import Document, Span
from framewatch.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "semeval2025-task10"
STAGES = ["language", "sentences", "mentions", "actors"]


@dataclass(frozen=True)
class Gold:
    file: str
    mention: str
    start: int
    end: int  # exclusive here (the file's end + 1)


@dataclass
class LangResult:
    lang: str
    documents: int = 0
    characters: int = 0
    crlf_files: int = 0
    gold: int = 0
    recalled: int = 0
    exact: int = 0
    detected: int = 0
    excluded: list[Gold] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    by_cue: Counter[str] = field(default_factory=Counter)
    detected_by_cue: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    missed_contexts: list[str] = field(default_factory=list)
    seconds: float = 0.0


def read_gold(path: Path) -> dict[str, list[Gold]]:
    """Gold mentions per file, offsets turned end-exclusive."""
    gold: dict[str, list[Gold]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 4 or not fields[2].strip().lstrip("-").isdigit():
                continue
            name, mention, start, end = fields[0], fields[1], int(fields[2]), int(fields[3])
            gold.setdefault(name, []).append(Gold(name, mention, start, end + 1))
    return gold


def matching(text: str, mentions: list[Gold]) -> list[Gold]:
    return [g for g in mentions if text[g.start:g.end] == g.mention]


def choose_text(raw: str, mentions: list[Gold]) -> tuple[str, list[Gold], bool]:
    """The version of the file the gold offsets fit (as read, or with CRLF line ends), the gold
    mentions that fit it, and whether the CRLF version was taken."""
    fitting = matching(raw, mentions)
    if len(fitting) == len(mentions) or "\n" not in raw:
        return raw, fitting, False
    crlf = raw.replace("\r\n", "\n").replace("\n", "\r\n")
    fitting_crlf = matching(crlf, mentions)
    if len(fitting_crlf) > len(fitting):
        return crlf, fitting_crlf, True
    return raw, fitting, False


def cue_group(span: Span) -> str:
    """A detected mention's cue, coarse enough to count: the engine and, for the gazetteer, the kind of
    name (`name`, `short`, `metonym`, `adjective+group-noun`...), without the entry or group key.
    Gazetteer cues are `kind[+...]` or `lang:kind:entry name[+...]`."""
    cue = span.cue or ""
    if span.engine == "gazetteer":
        base, plus, suffix = cue.partition("+")
        parts = base.split(":", 2)
        kind = parts[1] if len(parts) == 3 else parts[0]
        extra = "+" + suffix.split(":")[0] if plus else ""
        return f"gazetteer:{kind}{extra}"
    if span.engine == "natasha":
        return f"natasha:{cue.removeprefix('ner:')}"
    return f"{span.engine}:{cue}"


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def evaluate(lang: str, folder: Path, pipeline: Pipeline, limit: int | None) -> LangResult:
    result = LangResult(lang)
    train = folder / lang.upper() / "train"
    gold = read_gold(train / "subtask-1-annotations.txt")
    files = sorted(gold)[:limit] if limit else sorted(gold)
    started = time.perf_counter()
    for name in files:
        path = train / "raw-documents" / name
        if not path.is_file():
            result.missing_files.append(name)
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            raw = handle.read()
        text, fitting, crlf = choose_text(raw, gold[name])
        fitting_set = set(fitting)
        result.excluded.extend(g for g in gold[name] if g not in fitting_set)
        result.crlf_files += crlf
        doc = pipeline.analyze(Document(text=text, language=lang, path=str(path)))
        spans = [s for s in doc.spans if s.layer == "mention"]
        result.documents += 1
        result.characters += len(text)
        result.detected += len(spans)
        result.detected_by_cue.update(cue_group(s) for s in spans)
        for g in fitting:
            result.gold += 1
            best = max(spans, key=lambda s: overlap(s.start, s.end, g.start, g.end), default=None)
            if best is None or overlap(best.start, best.end, g.start, g.end) == 0:
                result.missed[g.mention] += 1
                before = text[max(0, g.start - 50):g.start].replace("\r", "").replace("\n", " / ")
                after = text[g.end:g.end + 50].replace("\r", "").replace("\n", " / ")
                result.missed_contexts.append(f"{name}: …{before}[[{g.mention}]]{after}…")
                continue
            result.recalled += 1
            result.by_cue[cue_group(best)] += 1
            result.exact += any(s.start == g.start and s.end == g.end for s in spans)
    result.seconds = time.perf_counter() - started
    return result


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "n/a"


def report(results: list[LangResult], misses: int, contexts: bool) -> None:
    print("| language | documents | gold mentions | recalled | recall | exact boundaries | excluded (offsets) "
          "| detected / 1,000 chars | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        per_k = 1000 * r.detected / r.characters if r.characters else 0.0
        print(f"| {r.lang.upper()} | {r.documents} | {r.gold} | {r.recalled} | {ratio(r.recalled, r.gold)} "
              f"| {ratio(r.exact, r.gold)} | {len(r.excluded)} | {per_k:.1f} | {r.seconds:.1f} |")
    for r in results:
        print()
        print(f"### {r.lang.upper()}: {r.documents} documents, {r.characters:,} characters, "
              f"{r.crlf_files} read with CRLF line ends, {r.detected:,} detected mentions")
        if r.missing_files:
            print(f"Missing raw documents ({len(r.missing_files)}): {', '.join(r.missing_files)}")
        print()
        print("| cue of the best-overlapping detected mention | gold recalled | share of gold | detected mentions |")
        print("|---|---:|---:|---:|")
        for cue in sorted(set(r.by_cue) | set(r.detected_by_cue), key=lambda c: (-r.by_cue[c], -r.detected_by_cue[c])):
            print(f"| {cue} | {r.by_cue[cue]} | {ratio(r.by_cue[cue], r.gold)} | {r.detected_by_cue[cue]} |")
        print()
        print(f"Most frequent missed mention strings ({sum(r.missed.values())} misses, {len(r.missed)} distinct):")
        print()
        print("| missed mention | times |")
        print("|---|---:|")
        for mention, count in r.missed.most_common(misses):
            print(f"| {mention} | {count} |")
        if contexts and r.missed_contexts:
            print()
            print("Every miss in context:")
            for line in r.missed_contexts:
                print(f"- {line}")
        if r.excluded:
            print()
            print(f"Excluded, offsets match neither the file nor its CRLF version ({len(r.excluded)}):")
            for g in r.excluded:
                print(f"- {g.file} {g.start}-{g.end - 1}: {g.mention!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "ru"], help="one language only (default: both)")
    parser.add_argument("--limit", type=int, help="first N annotated documents per language")
    parser.add_argument("--data", type=Path, default=DATA, help="the semeval2025-task10 folder")
    parser.add_argument("--misses", type=int, default=30, help="how many missed mention strings to list")
    parser.add_argument("--contexts", action="store_true", help="also print every miss with its context")
    args = parser.parse_args()
    langs = [args.lang] if args.lang else ["en", "ru"]
    absent = [lang for lang in langs
              if not (args.data / lang.upper() / "train" / "subtask-1-annotations.txt").is_file()]
    if absent:
        sys.exit(f"SemEval-2025 Task 10 data not found under {args.data} "
                 f"(no {'/'.join(a.upper() for a in absent)}/train/subtask-1-annotations.txt); "
                 "pass --data PATH to the semeval2025-task10 folder")
    pipeline = Pipeline(load_config(), STAGES, command="benchmarks/mentions.py")
    results = [evaluate(lang, args.data, pipeline, args.limit) for lang in langs]
    report(results, args.misses, args.contexts)


if __name__ == "__main__":
    main()
