"""Starting and checking a scenario: ``scheduler init`` and ``scheduler validate``."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.app import App, handles_errors, pass_app


@click.command()
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


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
@handles_errors
def validate(app: App, file: Path) -> None:
    """Check the scenario FILE and list every problem with its place.

    Also reads every busy and booking calendar, and says per person and venue how many days of
    the horizon their calendars block, apart from leave and closures given as date ranges."""
    from scheduler.calendars.availability import calendar_report
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load

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
