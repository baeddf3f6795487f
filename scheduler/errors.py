"""Typed failures. Each maps to one exit code of the command line (see ``scheduler.cli``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario: where it is, which value, and what would be right."""

    place: str  # e.g. "events[3].window"; "" for the file as a whole
    message: str  # what is wrong and what would be right
    ident: str | None = None  # the id of the table entry, where it has one

    def render(self, file: str) -> str:
        where = _printable(self.place) or "(file)"
        ident = f' (id "{_printable(self.ident)}")' if self.ident else ""
        return f"{file}: {where}{ident}: {_printable(self.message)}"


def _printable(text: str | None) -> str:
    """Control characters that came from the file (a key or an id holding an escape sequence)
    shown escaped, as ``\\x1b``: an error message must not drive the coordinator's terminal."""
    text = text or ""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class ScenarioError(Exception):
    """The scenario file is not valid: every problem found, not only the first. Exit code 2."""

    exit_code = 2

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        lines = [p.render(self.file) for p in self.problems]
        noun = "problem" if len(lines) == 1 else "problems"
        return "\n".join(lines + [f"{len(lines)} {noun} in {self.file}"])


class UsageError(Exception):
    """A mistake on the command line or in a file other than the scenario. Exit code 2."""

    exit_code = 2


class InfeasibleError(Exception):
    """No plan satisfies every rule. Exit code 3."""

    exit_code = 3

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("\n".join(reasons))


class NoPlanError(Exception):
    """The time limit ran out before any plan was found. Exit code 4."""

    exit_code = 4
