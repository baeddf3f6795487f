"""Re-planning: ``--previous PLAN.json`` (shared by ``solve`` and ``render``) and ``scheduler diff``,
which shows what moved from the published plan to a new one and who must be told."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.app import App, handles_errors, pass_app


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


def load_previous(previous_file: Path | None, scenario):
    """The plan published before (``--previous``), or ``None``; it must be a plan of this project."""
    if previous_file is None:
        return None
    from scheduler import plan as plan_json
    from scheduler.plan.diff import check_same_project

    previous = plan_json.load(previous_file)
    check_same_project(previous, scenario.project.id, previous_file, "the scenario's project")
    return previous


@click.command()
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
    from scheduler.plan.diff import Names, check_same_project, compare, render_text, to_json

    old, new = plan_json.load(old_file), plan_json.load(new_file)
    check_same_project(new, old.project.get("id"), new_file, f"the project of {old_file}")
    scenario = None
    if scenario_file is not None:
        from scheduler.scenario.loader import load

        scenario = load(scenario_file)
        check_same_project(new, scenario.project.id, new_file, f"the project of {scenario_file}")
    report, names = compare(old, new), Names.from_scenario(scenario)
    if as_json:
        click.echo(json.dumps(to_json(report, names), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report, names, str(old_file), str(new_file)), nl=False)
