"""What every command of the command line shares: the application object, the exit codes and the
error handling that turns the project's typed errors into a message and an exit code.

Kept light (click and the standard library only), like every module ``scheduler.cli`` imports, so
that ``scheduler --help`` stays fast; the commands import the heavy modules inside their bodies.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass

import click

from scheduler.cli.signals import exit_code_of, terminate_on_sigterm, word_for

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 2, 3, 4


@dataclass
class App:
    debug: bool = False


pass_app = click.make_pass_decorator(App, ensure=True)


def handles_errors(command):
    """Turn the project's typed errors into a message and their exit code (no traceback unless
    ``--debug``); anything unexpected is an internal error with exit code 1. Ctrl-C and SIGTERM
    end the command with a one-line message and exit 130 or 143 (see ``scheduler.cli.signals``)."""

    @functools.wraps(command)
    def wrapper(app: App, *args, **kwargs):
        from scheduler.errors import InfeasibleError, NoPlanError, ScenarioError, UsageError

        try:
            with terminate_on_sigterm():
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
            word = word_for(error)
            click.echo(f"{word}: {error}" if str(error) else word, err=True)
            sys.exit(exit_code_of(error))
        except BrokenPipeError:
            # The reader went away (`scheduler formats | head`): stop quietly, as Unix tools do.
            sys.stderr.close()
            sys.exit(141)
        except click.exceptions.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence
            stop = _stop_behind(error)
            if stop is not None:
                click.echo(word_for(stop), err=True)
                sys.exit(exit_code_of(stop))
            if app.debug:
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(1)

    return wrapper


def _stop_behind(error: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM that caused ``error``, if one did. A signal that comes while a compiled
    extension (OR-Tools' pybind11 modules) initialises is turned by it into ``ImportError:
    initialization failed`` raised from the ``KeyboardInterrupt``: that is a stop, not a fault."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
