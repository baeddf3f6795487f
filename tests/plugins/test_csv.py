"""The ``csv`` output format: schedule.csv and budget.csv, read back with the csv module."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from scheduler.plugins.csvfiles import amount

from tests.support.solved_plans import render, solved


@pytest.fixture(scope="module", params=["example", "tight"])
def rendered(request, tmp_path_factory):
    """(plan.json as parsed JSON, output folder) for the example and for a variant with a left-out occurrence."""
    scenario_file, plan_file = solved(request.param)
    out = tmp_path_factory.mktemp(f"csv-{request.param}") / "out"
    result = render(plan_file, scenario_file, out, "--format", "csv")
    assert result.exit_code == 0, result.output
    return json.loads(plan_file.read_text(encoding="utf-8")), out


def read_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def money(text: str) -> Decimal:
    """Amounts are plain decimals: a dot, exactly two decimals, no thousands separator."""
    assert text.replace(".", "", 1).lstrip("-").isdigit() and text[-3] == ".", text
    return Decimal(text)


def json_money(value) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def test_schedule_has_one_row_per_occurrence_in_plan_order(rendered):
    plan, out = rendered
    rows = read_rows(out / "schedule.csv")
    assert [r["id"] for r in rows] == [o["id"] for o in plan["occurrences"]]
    for row, occurrence in zip(rows, plan["occurrences"], strict=True):
        assert row["event"] == occurrence["event"] and row["title"] == occurrence["title"]
        assert row["kind"] == occurrence["kind"] and int(row["index"]) == occurrence["index"]
        if occurrence["scheduled"]:
            assert row["status"] == "scheduled"
            assert (row["start"], row["end"]) == (occurrence["start"], occurrence["end"])
            assert (row["venue"], row["country"]) == (occurrence["venue"], occurrence["country"])
            assert int(row["attendees"]) == len(occurrence["attendees"])
            assert row["currency"] == plan["project"]["currency"]
        else:
            assert row["status"] == "left out"
            assert row["reason"] == occurrence["reason"] and row["detail"] == occurrence.get("detail", "")
            assert row["start"] == row["venue"] == row["cost_total"] == ""


def test_schedule_costs_add_up_to_the_plan(rendered):
    plan, out = rendered
    rows = read_rows(out / "schedule.csv")
    categories = list(plan["budget"]["categories"])
    for category in categories:
        column = sum((money(r[f"cost_{category}"]) for r in rows if r["status"] == "scheduled"), Decimal(0))
        assert column == json_money(plan["budget"]["categories"][category]["total"]), category
    for row, occurrence in zip(rows, plan["occurrences"], strict=True):
        if occurrence["scheduled"]:
            assert money(row["cost_total"]) == json_money(occurrence["cost"]["total"])
            assert sum(money(row[f"cost_{c}"]) for c in categories) == money(row["cost_total"])
    total = sum((money(r["cost_total"]) for r in rows if r["cost_total"]), Decimal(0))
    assert total == json_money(plan["budget"]["total"])


def test_schedule_names_venue_and_city_in_utf8(rendered):
    _, out = rendered
    rows = read_rows(out / "schedule.csv")
    cities = {r["city"] for r in rows if r["status"] == "scheduled"}
    assert cities <= {
        "Vienna",
        "Budapest",
        "Bucharest",
        "Chișinău",
        "Tbilisi",
        "Kyiv",
        "Skopje",
        "Belgrade",
        "Lyon",
        "The Hague",
    }
    assert all(r["venue_name"] for r in rows if r["status"] == "scheduled")


def test_budget_lines_equal_plan_json(rendered):
    plan, out = rendered
    rows = read_rows(out / "budget.csv")
    budget = plan["budget"]
    total = next(r for r in rows if r["line"] == "total")
    assert money(total["total"]) == json_money(budget["total"])
    assert money(total["cap"]) == json_money(budget["limit"])
    assert money(total["remaining"]) == json_money(budget["limit"]) - json_money(budget["total"])
    for kind, key in (("category", "categories"), ("year", "years")):
        lines = {r["name"]: r for r in rows if r["line"] == kind}
        assert set(lines) == set(budget[key])
        for name, expected in budget[key].items():
            assert money(lines[name]["total"]) == json_money(expected["total"])
            if "limit" in expected:
                assert money(lines[name]["cap"]) == json_money(expected["limit"])
                assert money(lines[name]["remaining"]) == json_money(expected["limit"]) - json_money(expected["total"])
            else:
                assert lines[name]["cap"] == lines[name]["remaining"] == ""
    categories = sum((money(r["total"]) for r in rows if r["line"] == "category"), Decimal(0))
    years = sum((money(r["total"]) for r in rows if r["line"] == "year"), Decimal(0))
    assert categories == years == money(total["total"])


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "0.00"), (5, "0.05"), (123450, "1234.50"), (40916191, "409161.91"), (None, "")]
)
def test_amounts_have_a_dot_and_two_decimals(cents, text):
    assert amount(cents) == text


def test_two_renders_are_byte_identical(tmp_path):
    scenario_file, plan_file = solved("tight")
    for name in ("a", "b"):
        assert render(plan_file, scenario_file, tmp_path / name, "--format", "csv").exit_code == 0
    for file in ("schedule.csv", "budget.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_a_title_a_spreadsheet_would_run_as_a_formula_is_made_inert(tmp_path):
    import csv as csv_module

    from scheduler.plugins.csvfiles import _csv

    text = _csv(
        ["title", "total"],
        [{"title": '=HYPERLINK("http://x")', "total": "-12.50"}, {"title": "@SUM(A1)", "total": "3.00"}],
    )
    rows = list(csv_module.DictReader(text.splitlines()))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["total"] == "-12.50"
    assert rows[1]["title"] == "'@SUM(A1)"
