"""The search's feasibility check names a check for every rule of the model, and leaves a rule
out exactly where the model does (``skip``)."""

from __future__ import annotations

import pytest

from scheduler.model.instance import Instance
from scheduler.model.rules import RULE_NAMES
from scheduler.scenario.loader import load
from scheduler.search.feasibility import CHECKS, Feasibility
from scheduler.search.firstfit import FirstFit
from tests.support.scenarios import event, scenario, venue


def test_every_rule_of_the_model_has_its_checks_in_the_search():
    assert tuple(CHECKS) == RULE_NAMES
    for rule, methods in CHECKS.items():
        for name in methods:
            assert callable(getattr(Feasibility, name, None)), (rule, name)


def test_an_unknown_rule_to_skip_is_refused():
    with pytest.raises(ValueError, match="no such rule: venu"):
        Feasibility(None, skip=("venu",))


ONE_HALL = scenario(
    venues=[venue("hall", "bucharest")],
    events=[
        event("first", ["hall"], duration_days=2, window="2024-03-04/2024-03-05"),
        event("second", ["hall"], duration_days=2, window="2024-03-04/2024-03-05", optional=True),
    ],
)


@pytest.mark.parametrize("skip", [(), ("venue",)], ids=["checked", "skipped"])
def test_first_fit_keeps_a_venue_to_one_occurrence_a_day_unless_the_rule_is_left_out(write_scenario, skip):
    fit = FirstFit(Instance(load(write_scenario(ONE_HALL))), skip=skip)
    placed = fit.run()
    assert "first-1" in placed
    assert ("second-1" in placed) == bool(skip)
