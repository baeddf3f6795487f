"""The command line: the ``scheduler`` group and its subcommands (``scheduler.commands``).

Heavy modules are imported inside the commands, so ``--help`` stays fast. The names of the shared
pieces (``App``, ``handles_errors``, the exit codes, the option decorators) are kept importable
from here for code written against the single-module command line."""

from __future__ import annotations

import click

from scheduler import __version__
from scheduler.cli.app import EXIT_INFEASIBLE, EXIT_INVALID, EXIT_NO_PLAN, EXIT_OK, App, handles_errors, pass_app
from scheduler.cli.outputs import list_formats, output_format_options, render
from scheduler.cli.planning import explain, solve
from scheduler.cli.replan import diff, previous_option
from scheduler.cli.scenario import init, validate

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


def run() -> None:
    """The program (``scheduler`` and ``python -m scheduler``): ``main``, then the end of the
    process once what it wrote is out, without the interpreter's teardown.

    Tearing the interpreter down frees every object one by one and collects them all once more,
    after a large render a noticeable wait on memory that is about to be returned whole. The
    functions registered with ``atexit`` still run, and the output streams are flushed; where that
    fails, or a thread other than this one is still running (the interpreter would wait for it), or
    the exit code is not a number, the process ends the ordinary way."""
    import atexit
    import os
    import sys
    import threading

    try:
        main()
        code = 0
    except SystemExit as stop:
        code = 0 if stop.code is None else stop.code
        if not isinstance(code, int) or any(
            thread.is_alive() and not thread.daemon
            for thread in threading.enumerate()
            if thread is not threading.main_thread()
        ):
            raise
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except BaseException:  # noqa: BLE001 - the ordinary way says what went wrong, as before
        sys.exit(code)
    os._exit(code)
