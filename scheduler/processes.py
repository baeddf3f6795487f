"""Whether this platform can fork worker processes safely: the search runs its ejection moves in a
forked child, and the render pool forks its workers."""

from __future__ import annotations

import multiprocessing
import sys


def can_fork() -> bool:
    """Whether child processes can be forked safely here (not on Windows, which has no ``fork``,
    nor on macOS, where system libraries may not survive it)."""
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()
