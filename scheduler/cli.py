"""The command line. Heavy modules are imported inside the commands, so ``--help`` stays fast."""

from __future__ import annotations

import functools
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from scheduler import __version__

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 2, 3, 4


@dataclass
class App:
    debug: bool = False


pass_app = click.make_pass_decorator(App, ensure=True)


def handles_errors(command):
    """Turn the project's typed errors into a message and their exit code (no traceback unless
    ``--debug``); anything unexpected is an internal error with exit code 1."""

    @functools.wraps(command)
    def wrapper(app: App, *args, **kwargs):
        from scheduler.errors import InfeasibleError, NoPlanError, ScenarioError, UsageError

        try:
            return command(app, *args, **kwargs)
        except (ScenarioError, UsageError, InfeasibleError, NoPlanError) as error:
            if app.debug:
                raise
            if isinstance(error, InfeasibleError):
                click.echo("infeasible: no plan satisfies every rule.", err=True)
                for reason in error.reasons:
                    click.echo(reason, err=True)
            else:
                click.echo(
                    f"error: {error}" if not isinstance(error, ScenarioError) else str(error),
                    err=True,
                )
            sys.exit(error.exit_code)
        except KeyboardInterrupt as error:
            click.echo(f"interrupted: {error}" if str(error) else "interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`scheduler formats | head`): stop quietly, as Unix tools do.
            sys.stderr.close()
            sys.exit(141)
        except click.exceptions.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if app.debug:
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(1)

    return wrapper


def output_format_options(command):
    """The options that choose and shape the output formats, shared by ``solve`` and ``render``."""
    command = click.option(
        "--option",
        "render_options",
        multiple=True,
        metavar="KEY=VALUE",
        help="An option for the output plugins (repeatable).",
    )(command)
    command = click.option(
        "--templates",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=None,
        help="Folder of templates that replace built-in ones of the same name.",
    )(command)
    return click.option(
        "--format",
        "formats",
        multiple=True,
        metavar="NAME",
        help="Write only this output format (repeatable); default: every format.",
    )(command)


def previous_option(command):
    """``--previous PLAN.json``, shared by ``solve`` and ``render``."""
    return click.option(
        "--previous",
        "previous_file",
        metavar="PLAN.json",
        type=click.Path(path_type=Path),
        default=None,
        help="The plan published before: keep changes to it few (solve), raise SEQUENCE, send cancellations.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scheduler")
@click.option("--debug", is_flag=True, help="Show the full traceback of any error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Plan the events of an international cooperation project under budget and availability limits.

    Write a scenario file (TOML), check it with `validate`, plan it with `solve`.
    """
    ctx.obj = App(debug=debug)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_app
@handles_errors
def init(app: App, directory: Path) -> None:
    """Write a small working example scenario into DIRECTORY."""
    from importlib.resources import files

    from scheduler.errors import UsageError

    target = directory / "plan.toml"
    if target.exists():
        raise UsageError(f"{target}: already exists; choose another folder or remove it")
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(
        files("scheduler").joinpath("examples/starter.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    click.echo(f"wrote {target}\nnext: scheduler validate {target} && scheduler solve {target} -o {directory / 'out'}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
@handles_errors
def validate(app: App, file: Path) -> None:
    """Check the scenario FILE and list every problem with its place.

    Also reads every busy and booking calendar, and says per person and venue how many days of
    the horizon their calendars block, apart from leave and closures given as date ranges."""
    from scheduler.calendars.availability import calendar_report
    from scheduler.instance import Instance
    from scheduler.loader import load

    scenario = load(file)
    calendars = calendar_report(scenario)  # every calendar file, and all broken ones at once
    instance = Instance(scenario)
    s = scenario
    click.echo(
        f"{file}: valid. {len(s.events)} events ({len(instance.occurrences)} occurrences), {len(s.people)} people, "
        f"{len(s.venues)} venues in {len({loc.country for loc in s.locations.values()})} countries, "
        f"{s.project.start} to {s.project.end}."
    )
    for key, note in sorted(s.rates.sources.items()):
        click.echo(f"  default {key}: {note}")
    if calendars.rows:
        click.echo(f"  days blocked in the horizon, {s.project.start} to {s.project.end} (of them working days):")
        for row in calendars.rows:
            click.echo(f"    {row.kind} {row.id}: " + "; ".join(item.show() for item in row.blocking))
    for note in calendars.notes:
        click.echo(f"  note: {note}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder, replaced whole and atomically: a new or empty folder, or an earlier output.",
)
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
    help="Search threads; default: the machine's cores, at most 8.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="Random seed of the search.",
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
    from scheduler.errors import InfeasibleError
    from scheduler.instance import Instance
    from scheduler.loader import load
    from scheduler.money import format_money
    from scheduler.output import atomic_folder, check_target, write_text
    from scheduler.solver.interrupt import Interrupt
    from scheduler.solver.solve import SolveOptions, default_workers, report_to_stderr
    from scheduler.solver.solve import solve as run_solver

    started = time.monotonic()
    inputs = [file] + ([templates] if templates else [])
    check_target(output, keep=inputs)  # before the solve, so that a long solve is not wasted
    scenario = load(file)
    previous = _load_previous(previous_file, scenario)
    manager, chosen = _formats(formats)
    options = _parse_options(render_options)
    instance = Instance(scenario)
    solve_options = SolveOptions(
        time_limit=time_limit,
        workers=workers or default_workers(),
        seed=seed,
        progress=None if quiet else report_to_stderr,
        interrupt=Interrupt(),
        previous=previous,
    )
    try:
        with _stop_search_on_ctrl_c(solve_options.interrupt):
            plan = run_solver(instance, solve_options)
    except InfeasibleError:
        from scheduler.explain import explain as run_explain

        click.echo("infeasible: explaining why (scheduler explain)...", err=True)
        explanation = run_explain(scenario, instance=instance)
        raise InfeasibleError(explanation.render().splitlines()[1:]) from None
    if solve_options.interrupt.requested:
        proven = plan.status == "OPTIMAL"
        click.echo(f"interrupted: {'the plan was already proven optimal' if proven else 'best plan so far'}", err=True)
    with atomic_folder(output, keep=inputs) as folder:
        write_text(folder, "plan.json", plan_json.dumps(plan))
        written = _render(manager, chosen, plan, scenario, folder, templates, options, previous)
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
    click.echo(f"wrote {output / 'plan.json'} and {len(written)} files of {len(chosen)} formats into {output}")


@main.command()
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


@main.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    "scenario_file",
    required=True,
    type=click.Path(path_type=Path),
    help="The scenario the plan was solved from.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder, replaced whole and atomically: a new or empty folder, or an earlier output.",
)
@output_format_options
@previous_option
@pass_app
@handles_errors
def render(
    app: App,
    plan_file: Path,
    scenario_file: Path,
    output: Path,
    formats: tuple[str, ...],
    templates: Path | None,
    render_options: tuple[str, ...],
    previous_file: Path | None,
) -> None:
    """Run output plugins on a solved PLAN.json (no solving).

    With --previous, the plan must have been solved with the same --previous (its sequences are
    checked), so that updates and cancellations carry the right SEQUENCE."""
    import shutil

    from scheduler import plan as plan_json
    from scheduler.loader import load
    from scheduler.output import atomic_folder

    # The plan may come from the output folder itself: it is copied before the folder is replaced.
    inputs = [scenario_file] + ([templates] if templates else [])
    scenario = load(scenario_file)
    plan = plan_json.load(plan_file)
    _check_plan_matches(plan, scenario, plan_file)
    previous = _load_previous(previous_file, scenario)
    if previous is not None:
        from scheduler.diff import check_stamped

        check_stamped(plan, previous, plan_file, previous_file)
    manager, chosen = _formats(formats)
    options = _parse_options(render_options)
    with atomic_folder(output, keep=inputs) as folder:
        shutil.copyfile(plan_file, folder / "plan.json")
        written = _render(manager, chosen, plan, scenario, folder, templates, options, previous)
    click.echo(f"wrote {len(written)} files of {len(chosen)} formats into {output}")


@main.command()
@click.argument("old_file", metavar="OLD.json", type=click.Path(path_type=Path))
@click.argument("new_file", metavar="NEW.json", type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(path_type=Path),
    default=None,
    help="The scenario, to name people (with their e-mail) and venues instead of giving ids.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON, for programs.")
@pass_app
@handles_errors
def diff(app: App, old_file: Path, new_file: Path, scenario_file: Path | None, as_json: bool) -> None:
    """Show what moved from OLD.json (published) to NEW.json, and who must be told."""
    import json

    from scheduler import plan as plan_json
    from scheduler.diff import Names, check_same_project, compare, render_text, to_json

    old, new = plan_json.load(old_file), plan_json.load(new_file)
    check_same_project(new, old.project.get("id"), new_file, f"the project of {old_file}")
    scenario = None
    if scenario_file is not None:
        from scheduler.loader import load

        scenario = load(scenario_file)
        check_same_project(new, scenario.project.id, new_file, f"the project of {scenario_file}")
    report, names = compare(old, new), Names.from_scenario(scenario)
    if as_json:
        click.echo(json.dumps(to_json(report, names), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report, names, str(old_file), str(new_file)), nl=False)


@main.command("formats")
@pass_app
@handles_errors
def list_formats(app: App) -> None:
    """List every output format, its plugin and its description."""
    from scheduler.pluginhost import output_formats, plugin_manager

    found = output_formats(plugin_manager())
    width = max((len(name) for name in found), default=4)
    plugin_width = max((len(f.plugin) for f in found.values()), default=6)
    for name, fmt in found.items():
        click.echo(f"{name:<{width}}  {fmt.plugin:<{plugin_width}}  {fmt.description}")


@contextmanager
def _stop_search_on_ctrl_c(interrupt) -> Iterator[None]:
    """While the search runs, the first Ctrl-C stops it and keeps its best plan (see
    ``scheduler.solver.interrupt``); a second one quits at once, writing nothing (exit 130)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def on_sigint(signum, frame) -> None:
        if interrupt.requested:
            raise KeyboardInterrupt
        interrupt.request()
        try:
            click.echo(
                "\ninterrupted: stopping the search; Ctrl-C again to quit without writing",
                err=True,
            )
        except RuntimeError:  # the main thread was itself writing to stderr
            pass

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _formats(names: tuple[str, ...]):
    from scheduler.pluginhost import output_formats, plugin_manager, select

    manager = plugin_manager()
    return manager, select(output_formats(manager), names)


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    from scheduler.errors import UsageError

    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def _render(manager, chosen, plan, scenario, folder, templates, options, previous=None):
    from scheduler.clock import now
    from scheduler.pluginhost import render_all
    from scheduler.rendering import RenderContext

    context = RenderContext(
        plan=plan,
        scenario=scenario,
        folder=folder,
        now=now(),
        templates_dir=templates,
        options=options,
        previous=previous,
    )
    return render_all(manager, chosen, context)


def _load_previous(previous_file: Path | None, scenario):
    """The plan published before (``--previous``), or ``None``; it must be a plan of this project."""
    if previous_file is None:
        return None
    from scheduler import plan as plan_json
    from scheduler.diff import check_same_project

    previous = plan_json.load(previous_file)
    check_same_project(previous, scenario.project.id, previous_file, "the scenario's project")
    return previous


def _check_plan_matches(plan, scenario, plan_file: Path) -> None:
    """A plan rendered against another scenario would print wrong names and amounts: refuse it."""
    from scheduler.errors import UsageError

    if plan.project.get("id") != scenario.project.id:
        raise UsageError(
            f"{plan_file}: is a plan of project {plan.project.get('id')!r}, but the scenario is {scenario.project.id!r}"
        )
    events = scenario.events
    for o in plan.occurrences:
        if o.event not in events:
            raise UsageError(
                f"{plan_file}: occurrence {o.id!r} names event {o.event!r}, which the scenario does not have"
            )
        if not o.scheduled:
            continue
        if o.venue not in scenario.venues:
            raise UsageError(
                f"{plan_file}: occurrence {o.id!r} is at venue {o.venue!r}, which the scenario does not have"
            )
        for a in o.attendees:
            if a.person not in scenario.people:
                raise UsageError(
                    f"{plan_file}: occurrence {o.id!r} lists person {a.person!r}, whom the scenario does not have"
                )
