"""A busy generated scenario and its plan by hand, for the tests of the neighbourhood search
(tests/test_neighbourhood.py, tests/test_submodel.py).

Small enough for CP-SAT to prove its optimum in seconds; busy enough (two events a day at most,
shared venues and officers) that planning by hand is far from it.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.generate import Size  # noqa: E402
from scheduler.model.instance import Instance  # noqa: E402
from scheduler.model.objectives import objective_stages
from scheduler.model.planmodel import PlanModel  # noqa: E402
from scheduler.model.rules import add_rules  # noqa: E402
from scheduler.scenario.loader import load  # noqa: E402
from scheduler.search.firstfit import FirstFit, Policy  # noqa: E402
from scheduler.search.warmstart import complete_plan  # noqa: E402
from scheduler.solver import SolveOptions

SIZE = Size(occurrences=36, people=80, countries=4, years=2, tightness=1.0, seed=11)


def by_hand_start(path: Path):
    """The model, its objective stages and the by-hand plan (first fit, lowest hire cost, first
    free people) as the current plan of a neighbourhood search (a CP-SAT solver holding it)."""
    instance = Instance(load(path))
    pm = PlanModel(instance)
    add_rules(pm)
    stages = objective_stages(pm)
    fit = FirstFit(instance, Policy())
    solved = complete_plan(pm, fit.run(), SolveOptions(workers=1), time.monotonic())
    assert solved is not None, "the by-hand plan breaks a rule of the model"
    return pm, stages, solved
