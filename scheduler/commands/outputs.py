"""The output side shared by ``solve`` and ``render``: the options that choose and shape the
output formats, and running the chosen plugins into a folder."""

from __future__ import annotations

from pathlib import Path

import click


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
    from scheduler.pluginhost import output_formats, plugin_manager, select

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
