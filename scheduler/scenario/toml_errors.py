"""Where a scenario file that is not TOML goes wrong, said at its line, with the line itself.

``tomllib`` reports syntax errors as "Expected ']' … (at line 12, column 8)"; a coordinator fixes
them faster seeing the place as the other problems show it (``line 12, column 8``) and the line as
written. Two failures of ``tomllib`` are not ``TOMLDecodeError``: a ``RecursionError`` on arrays or
inline tables nested thousands deep, and a ``ValueError`` on integers of more than 4300 digits
(Python's limit on converting text to int); the helpers below locate those lines.
"""

from __future__ import annotations

import re

from scheduler.errors import Problem
from scheduler.scenario.fields import show

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def syntax_problem(text: str, message: str) -> Problem:
    """A TOML syntax error at its line and column, with the line as the coordinator wrote it."""
    found = _TOML_POSITION.search(message)
    if not found:
        return Problem("", f"is not valid TOML: {message}")
    line, column = int(found.group(1)), int(found.group(2))
    lines = text.split("\n")  # tomllib counts "\n" only; splitlines() would split on more
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    hint = ""
    if written.count('"') % 2 == 1 and '"""' not in written:
        hint = "; a text in quotes is not closed on this line"
    elif message.startswith(("Cannot overwrite", "Cannot declare")):
        hint = "; this key or table is given twice"
    written = written.strip()
    shown = written if written.isprintable() and len(written) <= 80 else show(written)
    return Problem(f"line {line}, column {column}", f"is not valid TOML: {message}{hint}; the line reads: {shown}")


def line_of_deepest_nesting(text: str) -> int:
    """Roughly where brackets nest deepest (quotes are ignored: this only points at the line)."""
    depth = deepest = 0
    line = where = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
    return where


def line_of_longest_number(text: str) -> tuple[int, int]:
    longest = max(re.finditer(r"[0-9_]+", text), key=lambda m: len(m.group()), default=None)
    if longest is None:
        return 1, 0
    return text.count("\n", 0, longest.start()) + 1, len(longest.group().replace("_", ""))
