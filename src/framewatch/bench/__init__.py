"""Benchmark adapters and official scorers behind `framewatch bench predict|score`.

Each task names how to turn the corpus' official input into predictions in its official format, and
how to score such predictions against gold. A new task is one more module with a `predict_*` and a
`score_*` function and one more entry in `TASKS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from . import ptc, semeval2023, semeval2025, stories
from .common import BenchError, InputError, UsageError

__all__ = ["TASKS", "BenchError", "InputError", "Task", "UsageError", "get_task"]

# (INPUT, PRED to write, config, progress(done, total)) -> lines written
Predict = Callable[[Path, Path, Config, Callable[[int, int], None] | None], int]


@dataclass(frozen=True)
class Task:
    name: str
    summary: str
    predict: Predict
    # (GOLD, PRED, **options) -> the metrics printed as JSON
    score: Callable[..., dict[str, Any]]
    # keyword options `score` accepts besides GOLD and PRED (command-line options of the same name)
    score_options: frozenset[str] = frozenset()


TASKS: dict[str, Task] = {task.name: task for task in (
    Task("ptc-si", "PTC span identification: INPUT a folder of article<ID>.txt; character-overlap P/R/F1",
         ptc.predict_si, ptc.score_si, frozenset({"articles"})),
    Task("ptc-tc", "PTC technique classification: INPUT a folder with the articles and one *.out template; "
         "micro-F1", ptc.predict_tc, ptc.score_tc),
    Task("semeval2023-t3-st3", "SemEval-2023 Task 3 subtask 3: INPUT a *.template of paragraphs; micro-F1 over "
         "the 23 techniques", semeval2023.predict_st3, semeval2023.score_st3),
    Task("semeval2025-t10-st1", "SemEval-2025 Task 10 subtask 1: INPUT a folder with the documents and the entity "
         "mentions; exact match ratio of fine roles", semeval2025.predict_st1, semeval2025.score_st1),
    Task("semeval2025-t10-st2", "SemEval-2025 Task 10 subtask 2: INPUT a folder with the documents; samples F1 of "
         "narratives and subnarratives", semeval2025.predict_st2, semeval2025.score_st2, frozenset({"taxonomy"})),
    Task("stories", "Story alignment: INPUT a JSON Lines corpus, PRED the comparison JSON; B-cubed P/R/F1 against "
         "event labels (JSONL id/event/language or TOML [[document]])", stories.predict_stories,
         stories.score_stories),
)}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise UsageError(f"unknown task {name!r}; the tasks are: {', '.join(TASKS)}")
    return TASKS[name]
