"""Planning: ``scheduler solve`` (plan a scenario, write the plan and its outputs, atomically)
and ``scheduler explain`` (why a scenario cannot be planned).

Ctrl-C or SIGTERM during the search stops it and writes the best plan found so far; see
``scheduler.cli.signals`` for every moment a signal can come."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from scheduler.cli.app import EXIT_INFEASIBLE, App, handles_errors, pass_app
from scheduler.cli.outputs import (
    chosen_formats,
    output_folder_option,
    output_format_options,
    parse_options,
    render_outputs,
)
from scheduler.cli.replan import load_previous, previous_option


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@output_folder_option
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds for the whole search; default: until proven optimal.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processors the search may use (its threads, and on large plans a second process at the start); default: the machine's cores, at most 8.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="Random seed of the search.",
)
@click.option(
    "--search",
    type=click.Choice(["full", "plain"]),
    default="full",
    show_default=True,
    help="full: the fast search's first plan as CP-SAT's warm start; plain: CP-SAT alone on the model.",
)
@output_format_options
@previous_option
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@pass_app
@handles_errors
def solve(
    app: App,
    file: Path,
    output: Path,
    time_limit: float | None,
    workers: int | None,
    seed: int,
    search: str,
    formats: tuple[str, ...],
    templates: Path | None,
    render_options: tuple[str, ...],
    previous_file: Path | None,
    quiet: bool,
) -> None:
    """Plan the scenario FILE and write OUTPUT/plan.json.

    Exit codes: 0 a plan was found, 2 invalid input, 3 infeasible, 4 no plan within the time limit.
    """
    from scheduler import plan as plan_json
    from scheduler.cli.signals import stop_search_on_signals
    from scheduler.errors import InfeasibleError
    from scheduler.interrupt import Interrupt
    from scheduler.model.instance import Instance
    from scheduler.render.folder import atomic_folder, check_target, write_text
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, default_workers
    from scheduler.solver import solve as run_solver

    started = time.monotonic()
    inputs = [file] + ([templates] if templates else [])
    check_target(output, keep=inputs)  # before the solve, so that a long solve is not wasted
    scenario = load(file)
    previous = load_previous(previous_file, scenario)
    manager, chosen = chosen_formats(formats)
    options = parse_options(render_options)
    instance = Instance(scenario)
    solve_options = SolveOptions(
        time_limit=time_limit,
        workers=workers or default_workers(),
        seed=seed,
        progress=None if quiet else _to_stderr,
        interrupt=Interrupt(),
        previous=previous,
        search=search,
    )
    try:
        with stop_search_on_signals(solve_options.interrupt) as stop:
            plan = run_solver(instance, solve_options)
    except InfeasibleError:
        from scheduler.explain import explain as run_explain

        click.echo("infeasible: explaining why (scheduler explain)...", err=True)
        explanation = run_explain(scenario, instance=instance)
        raise InfeasibleError(explanation.render().splitlines()[1:]) from None
    if solve_options.interrupt.requested:
        proven = plan.status == "OPTIMAL"
        click.echo(f"{stop.word}: {'the plan was already proven optimal' if proven else 'best plan so far'}", err=True)
    with atomic_folder(output, keep=inputs) as folder:
        write_text(folder, "plan.json", plan_json.dumps(plan))
        written = render_outputs(manager, chosen, plan, scenario, folder, templates, options, previous)
    _summarise(plan, scenario, output, len(chosen), len(written), previous, previous_file, started)


def _summarise(plan, scenario, output: Path, formats: int, files: int, previous, previous_file, started: float) -> None:
    """The closing lines on stdout: status, what was left out and why, cost, what was written."""
    from scheduler.money import format_money

    currency = scenario.project.currency
    left_out = [o for o in plan.occurrences if not o.scheduled]
    click.echo(
        f"{plan.status.lower()} plan: {len(plan.scheduled)} of {len(plan.occurrences)} occurrences scheduled, "
        f"cost {format_money(plan.total_cost, currency)} of {format_money(plan.budget_limit, currency)} "
        f"({time.monotonic() - started:.1f}s)"
    )
    for o in left_out:
        click.echo(f"  left out {o.id}: {o.reason} ({o.detail})")
    if previous is not None:
        click.echo(
            f"{plan.objective[1]} of {len(previous.scheduled)} published occurrences change; "
            f"see: scheduler diff {previous_file} {output / 'plan.json'}"
        )
    click.echo(f"wrote {output / 'plan.json'} and {files} files of {formats} formats into {output}")


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
    from scheduler.scenario.loader import load

    explanation = run_explain(load(file), time_limit=time_limit)
    click.echo(explanation.render())
    if not explanation.feasible:
        sys.exit(EXIT_INFEASIBLE)


def _to_stderr(line: str) -> None:
    """A progress line of the search, shown at once."""
    print(line, file=sys.stderr, flush=True)
