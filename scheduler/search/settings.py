"""What the search is told about one solve (the solver's options satisfy it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class SearchSettings(Protocol):
    time_limit: float | None  # seconds for the whole solve
    workers: int
    seed: int
    progress: Callable[[str], None] | None  # receives one line per better plan
    skip_rules: tuple[str, ...]  # rules left out of the model, and so of the search's checks
    stats: dict | None  # filled with what a benchmark reads
    interrupt: object | None  # ``scheduler.interrupt.Interrupt``: a stop request from outside
    previous: object | None  # the published plan (``--previous``)
