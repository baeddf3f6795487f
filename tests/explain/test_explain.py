"""`scheduler explain`: one scenario per known reason of infeasibility; the explanation must name
that reason with its facts and nothing irrelevant, and independent conflicts must all be found."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.explain import explain
from scheduler.scenario.loader import load
from tests.support.scenarios import event, person, scenario, venue


@pytest.fixture
def explain_text(write_scenario):
    def run(text: str):
        return explain(load(write_scenario(text)), time_limit=60)

    return run


def kinds(conflict) -> set[str]:
    return {fact.key[0] for fact in conflict.facts}


def only_conflict(explanation):
    assert not explanation.feasible
    assert len(explanation.conflicts) == 1, explanation.render()
    return explanation.conflicts[0]


def test_feasible_scenario_says_so(explain_text, cli, write_scenario):
    text = scenario(events=[event("ws", ["rs"], window="2024-03-01/2024-03-31")], venues=[venue("rs", "belgrade")])
    assert explain_text(text).feasible
    result = cli("explain", write_scenario(text))
    assert result.exit_code == 0
    assert "feasible" in result.output


def test_total_budget_shortfall_is_told_in_money(explain_text):
    # One 2-day event at a venue that costs 500 a day, only a local attendee: 1,000.00 EUR.
    text = scenario(
        events=[event("ws", ["rs"], duration_days=2, attendees=["local"], window="2024-03-01/2024-03-31")],
        venues=[venue("rs", "belgrade", cost_per_day=500)],
        people=[person("local", "belgrade")],
        budget={"total": 800},
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"budget_total"}
    fact = conflict.facts[0]
    assert "800.00 EUR" in fact.text and "1,000.00 EUR" in fact.text and "short by 200.00 EUR" in fact.text
    assert any("raise budget.total by 200.00 EUR" in s for s in conflict.suggestions)


def test_category_cap_shortfall(explain_text):
    text = scenario(
        events=[event("ws", ["rs"], duration_days=2, window="2024-03-01/2024-03-31")],
        venues=[venue("rs", "belgrade", cost_per_day=500)],
        budget={"total": 100000, "categories": {"venue": 600}},
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"budget_category"}
    assert "short by 400.00 EUR" in conflict.facts[0].text
    assert conflict.facts[0].place == "budget.categories.venue"


def test_year_cap_shortfall(explain_text):
    text = scenario(
        project={"end": dt.date(2025, 12, 31)},
        events=[event("ws", ["rs"], duration_days=1, window="2025-03-01/2025-03-31")],
        venues=[venue("rs", "belgrade", cost_per_day=700)],
        budget={"total": 100000, "years": {"2025": 500}},
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"budget_year"}
    assert "2025" in conflict.facts[0].text and "short by 200.00 EUR" in conflict.facts[0].text


def test_public_holiday_names_the_holiday(explain_text):
    # 25 and 26 December 2024 are public holidays in Romania; the window holds nothing else.
    text = scenario(events=[event("conf", ["ro"], window="2024-12-25/2024-12-26")], venues=[venue("ro", "bucharest")])
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"required", "window", "holiday"}
    texts = " ".join(f.text for f in conflict.facts)
    assert "Christmas Day, 25 December 2024, Romania" in texts
    assert "26 December 2024, Romania" in texts
    assert any("widen the window of conf by 1 day" in s for s in conflict.suggestions)
    assert any("make conf optional" in s for s in conflict.suggestions)


def test_leave_names_the_person(explain_text):
    text = scenario(
        events=[event("sv", ["rs"], window="2024-05-06/2024-05-10", attendees=["ion"])],
        venues=[venue("rs", "belgrade")],
        people=[person("ion", "chisinau", name="Ion Rusu", unavailable=["2024-05-01/2024-05-15"])],
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"required", "window", "leave"}
    leave = next(f for f in conflict.facts if f.key[0] == "leave")
    assert "Ion Rusu (ion)" in leave.text and "2024-05-01/2024-05-15" in leave.text
    assert leave.place == "people[0].unavailable"


def test_venue_closure(explain_text):
    text = scenario(
        events=[event("ws", ["md"], window="2024-08-05/2024-08-16")],
        venues=[venue("md", "chisinau", unavailable=["2024-08-01/2024-08-31"])],
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"required", "window", "closure"}
    assert "2024-08-01/2024-08-31" in next(f.text for f in conflict.facts if f.key[0] == "closure")


def test_order_with_gap(explain_text):
    text = scenario(
        events=[
            event("a", ["rs"], window="2024-03-01/2024-03-29"),
            event("b", ["rs"], window="2024-04-01/2024-04-30", after=[{"event": "a", "min_gap_days": 60}]),
        ],
        venues=[venue("rs", "belgrade")],
    )
    conflict = only_conflict(explain_text(text))
    assert "order" in kinds(conflict)
    assert kinds(conflict) <= {"order", "window", "required"}
    order = next(f for f in conflict.facts if f.key[0] == "order")
    assert "at least 60 days" in order.text


def test_series_tolerance(explain_text):
    # Two occurrences a month apart, exactly (tolerance 0): the first must fall in February (the
    # venue is closed in March and April would push the second out of the window).
    text = scenario(
        events=[
            event(
                "sc",
                ["ro"],
                kind="steering_committee",
                window="2024-02-01/2024-04-30",
                repeat={"count": 2, "every_months": 1, "tolerance_days": 0},
            )
        ],
        venues=[venue("ro", "bucharest", unavailable=["2024-03-01/2024-03-31"])],
    )
    conflict = only_conflict(explain_text(text))
    assert {"series", "closure"} <= kinds(conflict)
    assert kinds(conflict) <= {"series", "closure", "window", "required", "holiday", "days_of_week"}


def test_seats_more_than_holders_caught_before_the_solver(explain_text):
    text = scenario(
        events=[
            event(
                "ws",
                ["rs"],
                window="2024-03-01/2024-03-31",
                seats=[{"role": "staff", "per_country": 3, "countries": ["MD"]}],
            )
        ],
        venues=[venue("rs", "belgrade")],
        people=[person("md1", "chisinau", roles=["staff"]), person("md2", "chisinau", roles=["staff"])],
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"required", "seats"}
    seats = next(f for f in conflict.facts if f.key[0] == "seats")
    assert "needs 3 staff from Moldova" in seats.text and "only 2" in seats.text


def test_team_load(explain_text):
    text = scenario(
        project={"max_concurrent_events": 1},
        events=[event("a", ["rs"], window="2024-03-04/2024-03-04"), event("b", ["md"], window="2024-03-04/2024-03-04")],
        venues=[venue("rs", "belgrade"), venue("md", "chisinau")],
    )
    conflict = only_conflict(explain_text(text))
    assert "team_load" in kinds(conflict)
    assert kinds(conflict) <= {"team_load", "window", "required"}
    assert any("max_concurrent_events to 2" in s for s in conflict.suggestions)


def test_capacity_caught_before_the_solver(explain_text):
    text = scenario(
        events=[event("ws", ["small"], window="2024-03-01/2024-03-31", attendees=["a", "b", "c"])],
        venues=[venue("small", "belgrade", capacity=2)],
        people=[person(p, "belgrade") for p in "abc"],
    )
    conflict = only_conflict(explain_text(text))
    assert kinds(conflict) == {"required", "capacity"}
    assert "seats 2" in next(f.text for f in conflict.facts if f.key[0] == "capacity")


def test_two_independent_conflicts_are_both_reported(explain_text):
    text = scenario(
        events=[
            event("xmas", ["ro"], window="2024-12-25/2024-12-26"),
            event("sv", ["rs"], window="2024-05-06/2024-05-10", attendees=["ion"]),
            event("fine", ["rs"], window="2024-06-03/2024-06-28"),
        ],
        venues=[venue("ro", "bucharest"), venue("rs", "belgrade")],
        people=[person("ion", "chisinau", unavailable=["2024-05-01/2024-05-15"])],
    )
    explanation = explain_text(text)
    assert len(explanation.conflicts) == 2, explanation.render()
    by_event = {next(f.key[1] for f in c.facts if f.key[0] == "required"): kinds(c) for c in explanation.conflicts}
    assert by_event == {"xmas": {"required", "window", "holiday"}, "sv": {"required", "window", "leave"}}
    assert "fine" not in explanation.render()


def test_solve_exit_3_prints_the_explanation(cli, write_scenario, no_output_plugins, tmp_path):
    text = scenario(events=[event("conf", ["ro"], window="2024-12-25/2024-12-26")], venues=[venue("ro", "bucharest")])
    result = cli("solve", write_scenario(text), "-o", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 3
    assert "Christmas Day, 25 December 2024, Romania" in result.output
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.output


def test_explain_command_exit_3(cli, write_scenario):
    text = scenario(events=[event("conf", ["ro"], window="2024-12-25/2024-12-26")], venues=[venue("ro", "bucharest")])
    result = cli("explain", write_scenario(text))
    assert result.exit_code == 3
    assert "Conflict 1" in result.output and "[events[0].window]" in result.output
