"""plan.json: the spec's shape exactly, money with at most two decimals, the objective's order,
left-out occurrences with a reason, and a lossless round trip through ``scheduler.plan``.

The second half shows that the independent checker (tests/plan_checker.py) catches a plan that
breaks a rule or miscounts money: each mutation of a valid plan must be reported.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest

from scheduler import plan as plan_json
from scheduler.errors import UsageError
from tests.support.plan_checker import broken_rules, check_plan
from tests.support.scenarios import event, person, scenario, venue

TOP = {"format", "project", "solver", "occurrences", "budget"}
SOLVER = {"status", "objective", "wall_seconds", "seed", "workers"}
SCHEDULED = {
    "id",
    "event",
    "index",
    "kind",
    "title",
    "scheduled",
    "start",
    "end",
    "venue",
    "location",
    "country",
    "attendees",
    "cost",
    "sequence",
}


def money_values(data: dict) -> list[tuple[str, Decimal]]:
    """Every amount of a plan as written in the file (parsed as Decimal, so the text is checked)."""
    out = [("budget.limit", data["budget"]["limit"]), ("budget.total", data["budget"]["total"])]
    for group in ("categories", "years"):
        for key, line in data["budget"][group].items():
            out += [(f"budget.{group}.{key}.{k}", v) for k, v in line.items()]
    for o in data["occurrences"]:
        out += [(f"{o['id']}.cost.{k}", v) for k, v in o.get("cost", {}).items()]
    return out


def test_the_shape_of_plan_json(ilecu_plan_file, ilecu_path):
    text = ilecu_plan_file.read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    assert set(data) == TOP
    assert data["format"] == "scheduler-plan/1"
    assert data["project"] == {"id": "ilecu-2022", "name": "ILECU network in SEE and EaP", "currency": "EUR"}
    assert set(data["solver"]) == SOLVER
    assert data["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert data["solver"]["seed"] == 0 and data["solver"]["workers"] == 2
    objective = data["solver"]["objective"]
    assert len(objective) == 4 and all(type(x) is int for x in objective)
    # [priority of optional events, changes to a previous plan, cost in cents, days outside preferred]
    assert objective[0] == sum(3 for o in data["occurrences"] if o["event"] == "induction" and o["scheduled"])
    assert objective[1] == 0
    assert objective[2] == int(data["budget"]["total"] * 100)
    for o in data["occurrences"]:
        assert o["scheduled"] is True
        assert set(o) == SCHEDULED, o["id"]
        assert o["id"] == f"{o['event']}-{o['index']}"
        assert dt.date.fromisoformat(o["start"]) <= dt.date.fromisoformat(o["end"])
        assert type(o["sequence"]) is int
        assert set(o["cost"]) >= {"travel", "per_diem", "accommodation", "venue", "total"}
        assert o["cost"]["total"] == sum(v for k, v in o["cost"].items() if k != "total")
        for a in o["attendees"]:
            assert set(a) == {"person", "away"} and len(a["away"]) == 2
            assert a["away"][0] <= o["start"] and a["away"][1] >= o["end"]
    for where, amount in money_values(data):
        assert isinstance(amount, Decimal | int), where
        if isinstance(amount, Decimal):
            assert amount.as_tuple().exponent >= -2, (where, amount)
    assert data["budget"]["limit"] == Decimal("409161.91")
    assert data["budget"]["categories"]["travel"]["limit"] == 60000
    assert "limit" not in data["budget"]["categories"]["venue"]
    assert data["budget"]["years"]["2022"]["limit"] == 150000
    assert set(data["budget"]["years"]) == {"2022", "2023", "2024"}
    # Occurrences in the scenario's order, series in index order.
    ids = [o["id"] for o in data["occurrences"]]
    assert ids[:3] == ["kickoff-1", "needs-assessment-1", "sv-interpol-1"]
    assert ids.index("sc-1") < ids.index("sc-2") < ids.index("sc-6")


LEFT_OUT = scenario(
    budget={"total": 1000},
    venues=[venue("hall", "bucharest")],
    people=[person("md-1", "chisinau")],
    events=[
        event("kept", ["hall"], attendees=["md-1"], window="2024-03-04/2024-03-08"),
        event("extra", ["hall"], optional=True, costs={"catering": 800}, window="2024-04-01/2024-04-05"),
        event("follow", ["hall"], optional=True, after=[{"event": "extra"}], window="2024-05-06/2024-05-10"),
        event(
            "series", ["hall"], optional=True, window="2024-06-03/2024-06-07", repeat={"count": 2, "every_months": 6}
        ),
    ],
)


def test_left_out_occurrences_carry_a_reason(solve_toml):
    plan, code, output = solve_toml(LEFT_OUT)
    assert code == 0, output
    by_id = {o["id"]: o for o in plan["occurrences"]}
    assert list(by_id) == ["kept-1", "extra-1", "follow-1", "series-1", "series-2"]
    assert by_id["kept-1"]["scheduled"] and by_id["series-1"]["scheduled"]
    for oid, reason in (("extra-1", "budget"), ("follow-1", "order"), ("series-2", "calendar")):
        o = by_id[oid]
        assert o["scheduled"] is False
        assert o["reason"] == reason, o
        assert not {"start", "end", "venue", "attendees", "cost"} & set(o)
        assert set(o) <= {"id", "event", "index", "kind", "title", "scheduled", "reason", "detail"}
    # extra-1 would cost 800 with 1000 − 409 (kept-1: 211 + 198) left.
    assert "budget" in by_id["extra-1"]["detail"] or "left" in by_id["extra-1"]["detail"]


def test_round_trip_through_scheduler_plan(ilecu_plan_file, tmp_path, solve_toml):
    text = ilecu_plan_file.read_text(encoding="utf-8")
    loaded = plan_json.load(ilecu_plan_file)
    assert plan_json.dumps(loaded) == text
    assert plan_json.from_dict(plan_json.to_dict(loaded)) == loaded
    plan, code, _ = solve_toml(LEFT_OUT)
    path = tmp_path / "left-out.json"
    path.write_text(json.dumps(plan, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert plan_json.to_dict(plan_json.load(path)) == plan


def test_amounts_are_exact_in_json():
    """The writer turns cents into JSON numbers with at most two decimals, exactly."""
    from scheduler.money import cents_to_number

    for cents in (0, 1, 10, 29, 40916191, 123456789012, 99999999999999):
        number = cents_to_number(cents)
        assert Decimal(repr(number)) * 100 == cents
        assert Decimal(json.dumps(number)).as_tuple().exponent >= -2


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not a plan.json"),
        ('{"format": "scheduler-plan/2"}', "scheduler-plan/1"),
        ('{"format": "scheduler-plan/1"}', "not a valid"),
        ("", "not a plan.json"),
    ],
)
def test_load_refuses_what_is_not_a_plan(tmp_path, content, fragment):
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        plan_json.load(path)
    assert fragment in str(info.value) and str(path) in str(info.value)


# --- the checker catches broken plans --------------------------------------------------------


def _occ(plan: dict, oid: str) -> dict:
    return next(o for o in plan["occurrences"] if o["id"] == oid)


def _shift(o: dict, days: int) -> None:
    def move(value: str) -> str:
        return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()

    o["start"], o["end"] = move(o["start"]), move(o["end"])
    for a in o["attendees"]:
        a["away"] = [move(a["away"][0]), move(a["away"][1])]


def mutate_weekend(plan):
    o = _occ(plan, "sc-1")
    _shift(o, (5 - dt.date.fromisoformat(o["start"]).weekday()) % 7 or 7)  # onto a Saturday


def mutate_window(plan):
    _shift(_occ(plan, "kickoff-1"), -60)


def mutate_missing_attendee(plan):
    o = _occ(plan, "kickoff-1")
    o["attendees"] = [a for a in o["attendees"] if a["person"] != "donor-isf"]


def mutate_away(plan):
    a = _occ(plan, "kickoff-1")["attendees"][0]
    a["away"][0] = a["away"][1]


def mutate_cost(plan):
    o = _occ(plan, "kickoff-1")
    o["cost"]["travel"] = round(o["cost"]["travel"] + 0.01, 2)
    o["cost"]["total"] = round(o["cost"]["total"] + 0.01, 2)


def mutate_three_decimals(plan):
    plan["budget"]["limit"] = 409161.915


def mutate_objective(plan):
    objective = plan["solver"]["objective"]
    objective[2], objective[3] = objective[3], objective[2]


def mutate_required(plan):
    o = _occ(plan, "final-conference-1")
    o.clear()
    o.update({"id": "final-conference-1", "event": "final-conference", "index": 1, "scheduled": False, "reason": "x"})


def mutate_no_reason(plan):
    mutate_required(plan)
    del _occ(plan, "final-conference-1")["reason"]


def mutate_series(plan):
    _shift(_occ(plan, "sc-2"), 63)


def mutate_drop_occurrence(plan):
    plan["occurrences"] = [o for o in plan["occurrences"] if o["id"] != "sc-6"]


def mutate_format(plan):
    plan["format"] = "scheduler-plan/0"


def mutate_double_booking(plan):
    a, b = _occ(plan, "sv-interpol-1"), _occ(plan, "sv-europol-1")
    _shift(b, (dt.date.fromisoformat(a["start"]) - dt.date.fromisoformat(b["start"])).days)


def mutate_budget_total(plan):
    plan["budget"]["total"] = round(plan["budget"]["total"] - 1, 2)


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (mutate_weekend, "event_days"),
        (mutate_window, "horizon_and_window"),
        (mutate_missing_attendee, "attendees"),
        (mutate_away, "structure"),
        (mutate_cost, "costs"),
        (mutate_three_decimals, "structure"),
        (mutate_objective, "objective"),
        (mutate_required, "required"),
        (mutate_no_reason, "structure"),
        (mutate_series, "series"),
        (mutate_drop_occurrence, "structure"),
        (mutate_format, "structure"),
        (mutate_double_booking, "attendance_days"),
        (mutate_budget_total, "costs"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_the_checker_catches_a_broken_plan(ilecu_path, ilecu_plan, mutate, rule):
    plan = copy.deepcopy(ilecu_plan)
    mutate(plan)
    violations = check_plan(ilecu_path, plan)
    assert rule in broken_rules(violations), violations
