"""`framewatch bench predict|score`: the interface the held-out evaluation calls.

`score` prints only the metrics JSON on stdout; warnings, progress and errors go to stderr. Exit 2 is a
usage error (unknown task, missing path, wrong kind of path), exit 1 a malformed input file (`path:line`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import TASKS, BenchError, get_task

bench_app = typer.Typer(
    help="Predict on benchmark corpora in their official formats and score predictions with the official metrics. "
         "Tasks: " + ", ".join(TASKS) + ".",
    no_args_is_help=True,
)

TaskArgument = Annotated[str, typer.Argument(metavar="TASK", help="One of: " + ", ".join(TASKS), show_default=False)]


@bench_app.command("predict")
def predict(
    task_name: TaskArgument,
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="The task's official input (folder or file)")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="PRED", help="Prediction file to write")],
    config_path: Annotated[Path | None, typer.Option("--config", help="framewatch.toml to use")] = None,
) -> None:
    """Write predictions for INPUT in the task's official format."""
    # framewatch.cli imports this module, so its helpers can only be imported once a command runs.
    from ..cli import _config, _fail, _progress, _setup_logging

    _setup_logging()
    try:
        task = get_task(task_name)
        config = _config(config_path)
        with _progress() as progress:
            bar = progress.add_task(f"{task.name}: predicting", total=None)
            lines = task.predict(input_path, output, config,
                                 lambda done, total: progress.update(bar, completed=done, total=total))
    except BenchError as exc:
        raise _fail(str(exc), exc.exit_code) from exc
    print(f"{task.name}: wrote {lines} lines to {output}", file=sys.stderr)


@bench_app.command("score")
def score(
    task_name: TaskArgument,
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold labels (file, or folder of *.labels for PTC)")],
    pred: Annotated[Path, typer.Argument(metavar="PRED", help="Predictions in the task's official format")],
    articles: Annotated[Path | None, typer.Option("--articles", metavar="DIR",
                                                  help="ptc-si: folder of article*.txt for the every-line baseline "
                                                       "(default: found under GOLD or its parent folder)")] = None,
    taxonomy: Annotated[Path | None, typer.Option("--taxonomy", metavar="DIR",
                                                  help="semeval2025-t10-st2: the task's taxonomy folder, for the "
                                                       "random baseline (default: the labels seen in GOLD)")] = None,
) -> None:
    """Print the task's official metrics of PRED against GOLD as JSON."""
    from ..cli import _fail, _setup_logging

    _setup_logging()
    try:
        task = get_task(task_name)
        given = {"articles": articles, "taxonomy": taxonomy}
        options = {name: value for name, value in given.items() if value is not None}
        unknown = options.keys() - task.score_options
        if unknown:
            raise _fail(f"--{min(unknown)} does not apply to task {task.name}", 2)
        result = task.score(gold, pred, **options)
    except BenchError as exc:
        raise _fail(str(exc), exc.exit_code) from exc
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
