"""SemEval-2025 Task 10: entity roles (`semeval2025-t10-st1`) and narratives (`semeval2025-t10-st2`).

The scorers follow the official ones, with two deliberate differences. The official scripts pair gold and
predicted rows by their position in the files (after checking that both name the same mentions or documents),
so a prediction written in another order scores wrongly there; here rows are matched by their key, which is
what those scripts mean. And they stop at the first missing or extra row, where here a missing gold row counts
as wrong and an extra one is ignored, with a warning.

Subtask 1: a mention is (file, start, end), offsets in characters with the end inclusive. The official metric
is the exact match ratio (EMR): the share of gold mentions whose predicted main role and set of fine roles are
both the gold ones (the official script compares the fine roles as lists, so their order would count; as sets
it does not). Beside it: main-role accuracy, and micro precision, recall and F1 of the fine roles, where a
zero denominator gives 1 as in the official script (scikit-learn with `zero_division=1`).

Subtask 2: per document, F1 of the predicted against the gold label set, averaged over the gold documents
("samples F1"), for narratives (coarse) and subnarratives (fine), with the population standard deviation the
official script prints beside each. `Other` is a label like any other (the official class lists hold it), and a
document with neither gold nor predicted labels scores 0 (`zero_division=0`). The official script keeps only
labels from its class lists; here labels are compared as strings, so no taxonomy is needed (three EN training
subnarratives are missing from the published class list and would be dropped there).
"""

from __future__ import annotations

import logging
import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .. import taxonomies
from ..config import Config
from .common import (
    InputError,
    UsageError,
    files_under,
    need_file,
    need_folder,
    parse_offset,
    read_rows,
    read_text,
    write_lines,
)

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
RANDOM_SEED = 2025  # fixed, so that the random baselines are the same on every run

# The roles taxonomy of subtask 1, spelt as in the data and the official scorer, in its order.
_TAXONOMY = taxonomies.roles()
ROLES: dict[str, tuple[str, ...]] = {main: _TAXONOMY.fine_roles(main) for main in _TAXONOMY.main}
MAIN_ROLES = _TAXONOMY.main
FINE_ROLES = tuple(_TAXONOMY.fine)
MAIN_OF = dict(_TAXONOMY.fine)

OTHER = "Other"
NARRATIVES_FILE = "subtask2_narratives.txt"
SUBNARRATIVES_FILE = "subtask2_subnarratives.txt"

_MENTION_FILES = ("subtask-1-entity-mentions.txt", "subtask-1-annotations.txt")
_ST1_FOLDERS = ("subtask-1-documents", "raw-documents")
_ST2_FOLDERS = ("subtask-2-documents", "raw-documents")
_LONE_LF = re.compile(r"(?<!\r)\n")

Key = tuple[str, int, int]  # (file, start, end inclusive)


class Mention(NamedTuple):
    """A mention as an input file gives it: offsets end-inclusive, and also their text as written."""

    file: str
    text: str
    start: int
    end: int
    start_field: str
    end_field: str
    line: int


class Roles(NamedTuple):
    main: str
    fine: frozenset[str]
    line: int


class Narratives(NamedTuple):
    coarse: frozenset[str]
    fine: frozenset[str]
    line: int


def _is_header(fields: list[str]) -> bool:
    # The official scorer skips a first line of column names; only the offset columns are checked here.
    return len(fields) >= 4 and fields[2:4] == ["start_offset", "end_offset"]


def _mention(fields: list[str], path: Path, line: int) -> Mention:
    start = parse_offset(fields[2], path, line, "start")
    end = parse_offset(fields[3], path, line, "end")
    if end < start:
        raise InputError(path, line, f"span {start}-{end} is reversed (the end offset is inclusive)")
    return Mention(fields[0], fields[1], start, end, fields[2], fields[3], line)


def read_mentions(path: Path) -> list[Mention]:
    """Mentions of `subtask-1-entity-mentions.txt` (file, mention, start, end) or of an annotations file, whose
    columns after the fourth are not read; in file order, repeats kept."""
    mentions = []
    for index, (line, fields) in enumerate(read_rows(path)):
        if len(fields) < 4:
            raise InputError(path, line, "expected at least 4 tab-separated columns (file, mention, start, end), "
                                         f"found {len(fields)}")
        if index == 0 and _is_header(fields):
            continue
        mentions.append(_mention(fields, path, line))
    return mentions


def read_roles(path: Path, what: str) -> dict[Key, Roles]:
    """Roles by mention from an annotations or prediction file: file, mention, start, end, main role, fine roles
    (the official format check allows none)."""
    roles: dict[Key, Roles] = {}
    for index, (line, fields) in enumerate(read_rows(need_file(path, what))):
        if len(fields) < 5:
            raise InputError(path, line, "expected tab-separated file, mention, start, end, main role and fine "
                                         f"roles, found {len(fields)} columns")
        if index == 0 and _is_header(fields):
            continue
        mention = _mention(fields, path, line)
        main = fields[4].strip()
        if main not in ROLES:
            raise InputError(path, line, f"unknown main role {main!r}; those are: {', '.join(MAIN_ROLES)}")
        fine = [role.strip() for role in fields[5:] if role.strip()]
        unknown = [role for role in fine if role not in MAIN_OF]
        if unknown:
            raise InputError(path, line, f"unknown fine role {unknown[0]!r}; those are: {', '.join(FINE_ROLES)}")
        key = (mention.file, mention.start, mention.end)
        if key in roles:
            raise InputError(path, line, f"mention {mention.start}-{mention.end} of {mention.file} is already on "
                                         f"line {roles[key].line}")
        roles[key] = Roles(main, frozenset(fine), line)
    return roles


def _micro(hits: int, predicted: int, gold: int) -> dict[str, float]:
    """Micro precision, recall and F1 with the official `zero_division=1`: 1 wherever a denominator is 0."""
    precision = hits / predicted if predicted else 1.0
    recall = hits / gold if gold else 1.0
    f1 = 2 * hits / (predicted + gold) if predicted + gold else 1.0
    return {"micro_precision": round(precision, 6), "micro_recall": round(recall, 6), "micro_f1": round(f1, 6)}


def role_scores(gold: dict[Key, Roles], predicted: dict[Key, tuple[str, frozenset[str]]]) -> dict[str, float]:
    """EMR, main-role accuracy and fine-role micro P/R/F1 over the gold mentions; one missing from `predicted`
    has no main role and no fine role."""
    exact = main_right = hits = n_predicted = n_gold = 0
    for key, roles in gold.items():
        main, fine = predicted.get(key, ("", frozenset()))
        exact += main == roles.main and fine == roles.fine
        main_right += main == roles.main
        hits += len(fine & roles.fine)
        n_predicted += len(fine)
        n_gold += len(roles.fine)
    total = len(gold)
    return {
        "emr": round(exact / total, 6) if total else 0.0,
        "main_role_accuracy": round(main_right / total, 6) if total else 0.0,
        **_micro(hits, n_predicted, n_gold),
    }


def _most_frequent(counts: Counter[str], order: Iterable[str]) -> str:
    """The most frequent key, ties going to the one first in `order` (then alphabetically)."""
    rank = {name: i for i, name in enumerate(order)}
    return min(counts, key=lambda name: (-counts[name], rank.get(name, len(rank)), name))


def majority_roles(gold: dict[Key, Roles]) -> tuple[str, str] | None:
    """The gold file's most frequent main role and the most frequent fine role among its mentions."""
    if not gold:
        return None
    main = _most_frequent(Counter(roles.main for roles in gold.values()), MAIN_ROLES)
    fine = Counter(role for roles in gold.values() if roles.main == main for role in roles.fine)
    return main, _most_frequent(fine, FINE_ROLES) if fine else ROLES[main][0]


def random_roles(keys: Iterable[Key], seed: int = RANDOM_SEED) -> dict[Key, tuple[str, frozenset[str]]]:
    """Per mention (in sorted order, so the draw does not depend on the file's), a main role drawn uniformly from
    the three and one of its fine roles drawn uniformly, as the organisers' random baseline does."""
    rng = random.Random(seed)
    drawn = {}
    for key in sorted(keys):
        main = rng.choice(MAIN_ROLES)
        drawn[key] = (main, frozenset([rng.choice(ROLES[main])]))
    return drawn


def score_st1(gold: Path, pred: Path) -> dict[str, Any]:
    """Official subtask-1 scores of `pred` against `gold` (both annotations files), with the majority and the
    seeded random baselines."""
    gold_roles = read_roles(gold, "GOLD")
    predicted = read_roles(pred, "PRED")
    missing = [roles.line for key, roles in gold_roles.items() if key not in predicted]
    extra = [roles.line for key, roles in predicted.items() if key not in gold_roles]
    if missing:
        log.warning("%d mentions of GOLD are missing from PRED and count as wrong (first: %s:%d)",
                    len(missing), gold, min(missing))
    if extra:
        log.warning("%d mentions of PRED are not in GOLD and are ignored (first: %s:%d)", len(extra), pred,
                    min(extra))
    stray = sorted(roles.line for roles in predicted.values() if any(MAIN_OF[f] != roles.main for f in roles.fine))
    if stray:
        log.warning("%d mentions of PRED have a fine role of another main role (first: %s:%d)", len(stray), pred,
                    stray[0])
    baselines: dict[str, Any] = {}
    majority = majority_roles(gold_roles)
    if majority:
        guess = (majority[0], frozenset([majority[1]]))
        baselines["majority"] = {"main_role": majority[0], "fine_role": majority[1],
                                 **role_scores(gold_roles, dict.fromkeys(gold_roles, guess))}
    baselines["random"] = {"seed": RANDOM_SEED, **role_scores(gold_roles, random_roles(gold_roles))}
    return {
        "task": "semeval2025-t10-st1",
        **role_scores(gold_roles, {key: (roles.main, roles.fine) for key, roles in predicted.items()}),
        "mentions_gold": len(gold_roles),
        "mentions_pred": len(predicted),
        "mentions_missing": len(missing),
        "baselines": baselines,
    }


def _first(folder: Path, names: tuple[str, ...], kind: str, test: Callable[[Path], bool]) -> Path:
    for name in names:
        if test(folder / name):
            return folder / name
    raise UsageError(f"INPUT {folder}: no {' or '.join(names)} {kind} in this folder")


def _matches(text: str, mentions: list[Mention]) -> int:
    return sum(text[m.start:m.end + 1] == m.text for m in mentions)


def align_text(text: str, mentions: list[Mention]) -> tuple[str, bool]:
    """The document text the mentions' offsets count in, and whether it had to be converted.

    Most public RU training documents lost their CRs while their offsets still count them, so when the offsets
    given do not all land on their mention text, every LF without a CR becomes CRLF, if that lands more of them.
    Files that already match (and so every CRLF file of the test inputs) are left as they are; a few EN spans are
    off by one or two characters whatever is done, and stay as given."""
    given = _matches(text, mentions)
    if given == len(mentions):
        return text, False
    converted = _LONE_LF.sub("\r\n", text)
    if converted != text and _matches(converted, mentions) > given:
        return converted, True
    return text, False


def predict_st1(input_path: Path, output: Path, config: Config,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write `file<TAB>mention<TAB>start<TAB>end<TAB>main_role<TAB>fine_role...` for every mention of the input,
    in its order and with its offsets exactly as written; returns the number of lines."""
    from ..analysis.language import detect_language
    from ..analysis.roles import roles_for_mentions

    folder = need_folder(input_path, "INPUT")
    documents = _first(folder, _ST1_FOLDERS, "folder", Path.is_dir)
    source = _first(folder, _MENTION_FILES, "file", Path.is_file)
    mentions = read_mentions(source)
    by_file: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_file.setdefault(mention.file, []).append(mention)
    found: dict[Mention, tuple[str, list[str]]] = {}
    converted = 0
    off: list[int] = []  # lines of mentions whose text is not at their offsets
    for done, (name, group) in enumerate(by_file.items(), 1):
        path = documents / name
        if not path.is_file():
            raise InputError(source, group[0].line, f"no document {name} in {documents}")
        text, was_converted = align_text(read_text(path), group)
        converted += was_converted
        for mention in group:
            if mention.start >= len(text):
                raise InputError(source, mention.line, f"mention {mention.start}-{mention.end} starts after the end "
                                                       f"of {name} ({len(text)} characters)")
            if text[mention.start:mention.end + 1] != mention.text:
                off.append(mention.line)
        language = detect_language(text, config) or FALLBACK_LANGUAGE
        # The engine takes end-exclusive offsets; a span running past the text (an off-by-one at its very end)
        # is cut at the end rather than failing.
        spans = [(m.start, min(m.end + 1, len(text))) for m in group]
        for mention, (main, fine) in zip(group, roles_for_mentions(text, language, spans, config), strict=True):
            found[mention] = (main, list(dict.fromkeys(fine)))
        if progress:
            progress(done, len(by_file))
    if converted:
        log.info("%d documents had lost their CRs: LF read as CRLF so that the offsets match", converted)
    if off:
        log.warning("%d mentions do not match their document's text at their offsets (first: %s:%d); they are "
                    "classified at the offsets given", len(off), source, min(off))
    lines = ["\t".join([m.file, m.text, m.start_field, m.end_field, found[m][0], *found[m][1]]) for m in mentions]
    write_lines(output, lines)
    return len(lines)


def _labels(field: str) -> frozenset[str]:
    return frozenset(label.strip() for label in field.split(";") if label.strip())


def read_narratives(path: Path, what: str) -> dict[str, Narratives]:
    """Label sets by document from `file<TAB>narr;narr<TAB>subnarr;subnarr` rows (repeats within a row collapse:
    the gold files repeat a narrative once per subnarrative)."""
    documents: dict[str, Narratives] = {}
    for line, fields in read_rows(need_file(path, what)):
        if len(fields) != 3:
            raise InputError(path, line, "expected 3 tab-separated columns (file, narratives, subnarratives), "
                                         f"found {len(fields)}")
        name = fields[0].strip()
        if name in documents:
            raise InputError(path, line, f"document {name} is already on line {documents[name].line}")
        documents[name] = Narratives(_labels(fields[1]), _labels(fields[2]), line)
    return documents


def samples_f1(pairs: list[tuple[frozenset[str], frozenset[str]]]) -> dict[str, float]:
    """Mean and population standard deviation over documents of the F1 of (gold, predicted) label sets; a
    document with no label on either side scores 0."""
    scores = [2 * len(gold & predicted) / (len(gold) + len(predicted)) if gold or predicted else 0.0
              for gold, predicted in pairs]
    if not scores:
        return {"f1": 0.0, "std": 0.0}
    return {"f1": round(statistics.fmean(scores), 6), "std": round(statistics.pstdev(scores), 6)}


def narrative_scores(gold: dict[str, Narratives],
                     predicted: dict[str, tuple[frozenset[str], frozenset[str]]]) -> dict[str, float]:
    """Samples F1 (and its standard deviation) of narratives and of subnarratives over the gold documents; one
    missing from `predicted` has no label."""
    empty: frozenset[str] = frozenset()
    coarse = samples_f1([(labels.coarse, predicted.get(name, (empty, empty))[0]) for name, labels in gold.items()])
    fine = samples_f1([(labels.fine, predicted.get(name, (empty, empty))[1]) for name, labels in gold.items()])
    return {"f1_coarse": coarse["f1"], "f1_coarse_std": coarse["std"],
            "f1_fine": fine["f1"], "f1_fine_std": fine["std"]}


def read_taxonomy(folder: Path) -> dict[str, tuple[str, ...]]:
    """Subnarratives by narrative from the organisers' class lists (`subtask2_narratives.txt`, one narrative a
    line, `Other` among them, and `subtask2_subnarratives.txt`, each `<narrative>: <subnarrative>` or `Other`)."""
    folder = need_folder(folder, "--taxonomy")
    narratives = [line.strip() for line in read_text(need_file(folder / NARRATIVES_FILE, "--taxonomy")).splitlines()]
    subnarratives = [line.strip()
                     for line in read_text(need_file(folder / SUBNARRATIVES_FILE, "--taxonomy")).splitlines()]
    return _group([name for name in narratives if name], [name for name in subnarratives if name])


def _group(narratives: Iterable[str], subnarratives: Iterable[str]) -> dict[str, tuple[str, ...]]:
    subnarratives = sorted(set(subnarratives))
    taxonomy = {}
    for narrative in sorted(set(narratives)):
        if narrative == OTHER:
            taxonomy[narrative] = (OTHER,)
            continue
        found = tuple(name for name in subnarratives if name.startswith(narrative + ": "))
        # A narrative with no subnarrative of its own could not be drawn with one; it stays out.
        if found:
            taxonomy[narrative] = found
    return taxonomy


def random_narratives(names: Iterable[str], taxonomy: dict[str, tuple[str, ...]],
                      seed: int = RANDOM_SEED) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per document (in sorted order), one narrative of `taxonomy` drawn uniformly and one of its subnarratives."""
    rng = random.Random(seed)
    narratives = sorted(taxonomy)
    drawn = {}
    for name in sorted(names):
        narrative = rng.choice(narratives)
        drawn[name] = (frozenset([narrative]), frozenset([rng.choice(taxonomy[narrative])]))
    return drawn


def score_st2(gold: Path, pred: Path, taxonomy: Path | None = None) -> dict[str, Any]:
    """Official subtask-2 scores of `pred` against `gold`, with the all-`Other`, majority and seeded random
    baselines; the random one draws from `taxonomy` (a folder with the organisers' class lists) when given,
    else from the labels that occur in GOLD."""
    gold_labels = read_narratives(gold, "GOLD")
    predicted = read_narratives(pred, "PRED")
    missing = [labels.line for name, labels in gold_labels.items() if name not in predicted]
    extra = [labels.line for name, labels in predicted.items() if name not in gold_labels]
    if missing:
        log.warning("%d documents of GOLD are missing from PRED and score 0 (first: %s:%d)", len(missing), gold,
                    min(missing))
    if extra:
        log.warning("%d documents of PRED are not in GOLD and are ignored (first: %s:%d)", len(extra), pred,
                    min(extra))
    other = (frozenset([OTHER]), frozenset([OTHER]))
    baselines: dict[str, Any] = {"all_other": narrative_scores(gold_labels, dict.fromkeys(gold_labels, other))}
    if gold_labels:
        # Counted once per document, as the samples F1 sees them.
        narrative = _most_frequent(Counter(n for labels in gold_labels.values() for n in labels.coarse), ())
        subnarrative = _most_frequent(Counter(n for labels in gold_labels.values() for n in labels.fine), ())
        guess = (frozenset([narrative]), frozenset([subnarrative]))
        baselines["majority"] = {"narrative": narrative, "subnarrative": subnarrative,
                                 **narrative_scores(gold_labels, dict.fromkeys(gold_labels, guess))}
    classes = (read_taxonomy(taxonomy) if taxonomy is not None else
               _group([n for labels in gold_labels.values() for n in labels.coarse],
                      [n for labels in gold_labels.values() for n in labels.fine]))
    if classes:
        baselines["random"] = {"seed": RANDOM_SEED, "taxonomy": str(taxonomy) if taxonomy is not None else "GOLD",
                               **narrative_scores(gold_labels, random_narratives(gold_labels, classes))}
    return {
        "task": "semeval2025-t10-st2",
        **narrative_scores(gold_labels, {name: labels[:2] for name, labels in predicted.items()}),
        "documents_gold": len(gold_labels),
        "documents_pred": len(predicted),
        "documents_missing": len(missing),
        "baselines": baselines,
    }


def predict_st2(input_path: Path, output: Path, config: Config,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write `file<TAB>narr;narr<TAB>subnarr;subnarr` (`Other` for an empty list) for every `*.txt` document of
    the input's documents folder, sorted by name; returns the number of lines."""
    from ..analysis.language import detect_language
    from ..analysis.narratives import classify_document

    documents = _first(need_folder(input_path, "INPUT"), _ST2_FOLDERS, "folder", Path.is_dir)
    paths: dict[str, Path] = {}
    for path in files_under(documents, "*.txt"):
        if path.name in paths:
            raise InputError(path, None, f"document {path.name} is also at {paths[path.name]}")
        paths[path.name] = path
    if not paths:
        raise UsageError(f"INPUT {documents}: no *.txt documents in this folder")
    lines = []
    for done, (name, path) in enumerate(sorted(paths.items()), 1):
        text = read_text(path)
        narratives, subnarratives = classify_document(text, detect_language(text, config) or FALLBACK_LANGUAGE, config)
        lines.append(f"{name}\t{';'.join(dict.fromkeys(narratives)) or OTHER}\t"
                     f"{';'.join(dict.fromkeys(subnarratives)) or OTHER}")
        if progress:
            progress(done, len(paths))
    write_lines(output, lines)
    return len(lines)
