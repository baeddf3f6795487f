"""``scheduler explain``: why a scenario cannot be planned."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scheduler.cli_common import EXIT_INFEASIBLE, App, handles_errors, pass_app


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Seconds for the whole explanation.",
)
@pass_app
@handles_errors
def explain(app: App, file: Path, time_limit: float) -> None:
    """Explain why the scenario FILE cannot be planned: the smallest sets of rules in conflict.

    Exit codes: 0 feasible, 2 invalid input, 3 infeasible (with the explanation).
    """
    from scheduler.explain import explain as run_explain
    from scheduler.loader import load

    explanation = run_explain(load(file), time_limit=time_limit)
    click.echo(explanation.render())
    if not explanation.feasible:
        sys.exit(EXIT_INFEASIBLE)
