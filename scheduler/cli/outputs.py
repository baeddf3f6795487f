"""The output side: the options that choose and shape the output formats (shared by ``solve``
and ``render``), running the chosen plugins into a folder, ``scheduler render`` (plugins on a
solved plan) and ``scheduler formats`` (the formats there are)."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.app import App, handles_errors, pass_app
from scheduler.cli.replan import load_previous, previous_option


def output_folder_option(command):
    """``-o/--output DIR``: the folder that receives the outputs, replaced whole."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help="Output folder, replaced whole and atomically: a new or empty folder, or an earlier output.",
    )(command)


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


def chosen_formats(names: tuple[str, ...]):
    """The plugin manager and the formats ``--format`` chose (every format when none is named)."""
    from scheduler.render.host import output_formats, plugin_manager, select

    manager = plugin_manager()
    return manager, select(output_formats(manager), names)


def parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs as a dict; a pair without ``=`` or key is a usage error."""
    from scheduler.errors import UsageError

    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def render_outputs(manager, chosen, plan, scenario, folder, templates, options, previous=None):
    """Run the chosen output plugins on ``plan`` into ``folder``; returns the files written."""
    from scheduler.clock import now
    from scheduler.render.context import RenderContext
    from scheduler.render.host import render_all

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


@click.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    "scenario_file",
    required=True,
    type=click.Path(path_type=Path),
    help="The scenario the plan was solved from.",
)
@output_folder_option
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
    from scheduler.render.folder import atomic_folder
    from scheduler.scenario.loader import load

    # The plan may come from the output folder itself: it is copied before the folder is replaced.
    inputs = [scenario_file] + ([templates] if templates else [])
    scenario = load(scenario_file)
    plan = plan_json.load(plan_file)
    check_plan_matches(plan, scenario, plan_file)
    previous = load_previous(previous_file, scenario)
    if previous is not None:
        from scheduler.plan.diff import check_stamped

        check_stamped(plan, previous, plan_file, previous_file)
    manager, chosen = chosen_formats(formats)
    options = parse_options(render_options)
    with atomic_folder(output, keep=inputs) as folder:
        shutil.copyfile(plan_file, folder / "plan.json")
        written = render_outputs(manager, chosen, plan, scenario, folder, templates, options, previous)
    click.echo(f"wrote {len(written)} files of {len(chosen)} formats into {output}")


@click.command("formats")
@pass_app
@handles_errors
def list_formats(app: App) -> None:
    """List every output format, its plugin and its description."""
    from scheduler.render.host import output_formats, plugin_manager

    found = output_formats(plugin_manager())
    width = max((len(name) for name in found), default=4)
    plugin_width = max((len(f.plugin) for f in found.values()), default=6)
    for name, fmt in found.items():
        click.echo(f"{name:<{width}}  {fmt.plugin:<{plugin_width}}  {fmt.description}")


def check_plan_matches(plan, scenario, plan_file: Path) -> None:
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
