"""How one solve runs: time, processors, seed, progress, the search, and what it re-plans."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.interrupt import Interrupt
from scheduler.plan import Plan

SEARCHES = ("full", "plain")


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


@dataclass
class SolveOptions:
    time_limit: float | None = None  # seconds for the whole solve, all stages together
    workers: int = field(default_factory=default_workers)
    seed: int = 0
    progress: Callable[[str], None] | None = None  # receives one line per improvement
    skip_rules: tuple[str, ...] = ()  # for tests that show a rule binds: left out of model and search
    stats: dict | None = None  # filled with the model's size and each stage's values and bounds (benchmarks)
    interrupt: Interrupt | None = None  # lets a signal handler stop the search (Ctrl-C)
    previous: Plan | None = None  # the published plan (--previous): stage 2 keeps changes to it few
    # "full": the search's warm start (scheduler.search) before CP-SAT; "plain": CP-SAT alone on the model
    search: str = "full"

    def __post_init__(self) -> None:
        if self.search not in SEARCHES:
            raise ValueError(f"search {self.search!r}: one of {', '.join(SEARCHES)}")
