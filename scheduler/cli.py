"""The command line: the ``scheduler`` group and its subcommands (``scheduler.commands``).

Heavy modules are imported inside the commands, so ``--help`` stays fast. The names of the shared
pieces (``App``, ``handles_errors``, the exit codes, the option decorators) are kept importable
from here for code written against the single-module command line."""

from __future__ import annotations

import click

from scheduler import __version__
from scheduler.cli_common import EXIT_INFEASIBLE, EXIT_INVALID, EXIT_NO_PLAN, EXIT_OK, App, handles_errors, pass_app
from scheduler.commands.explain import explain
from scheduler.commands.outputs import output_format_options
from scheduler.commands.render import list_formats, render
from scheduler.commands.replan import diff, previous_option
from scheduler.commands.scenario import init, validate
from scheduler.commands.solve import solve

__all__ = [
    "EXIT_INFEASIBLE",
    "EXIT_INVALID",
    "EXIT_NO_PLAN",
    "EXIT_OK",
    "App",
    "handles_errors",
    "main",
    "output_format_options",
    "pass_app",
    "previous_option",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scheduler")
@click.option("--debug", is_flag=True, help="Show the full traceback of any error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Plan the events of an international cooperation project under budget and availability limits.

    Write a scenario file (TOML), check it with `validate`, plan it with `solve`.
    """
    ctx.obj = App(debug=debug)


for command in (init, validate, solve, explain, render, diff, list_formats):
    main.add_command(command)
