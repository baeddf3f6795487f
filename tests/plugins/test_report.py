"""The ``report`` output format: report.html, read back as HTML and SVG and opened in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from scheduler.scenario.loader import load
from tests.support.html_tree import parse
from tests.support.png_image import read_png
from tests.support.solved_plans import render, solved

SVG = "{http://www.w3.org/2000/svg}"
EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC, inside the example's horizon
CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if os.path.exists(p)), None)


@pytest.fixture(scope="module", params=["tight", "example"])
def report(request, tmp_path_factory):
    """(scenario, plan.json as JSON, report.html path): the tight variant leaves one occurrence out."""
    scenario_file, plan_file = solved(request.param)
    out = tmp_path_factory.mktemp(f"report-{request.param}") / "out"
    result = render(plan_file, scenario_file, out, "--format", "report", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.exit_code == 0, result.output
    return load(scenario_file), json.loads(plan_file.read_text(encoding="utf-8")), out / "report.html"


def svg_of(path):
    """The timeline's inline SVG, parsed as XML (it must be well-formed on its own)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index("<svg"), text.index("</svg>") + len("</svg>")
    assert text.count("<svg") == 1
    return ET.fromstring(text[start:end])


def amount(text: str) -> Decimal:
    """A displayed amount such as ``37,310.00``."""
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", text), text
    return Decimal(text.replace(",", ""))


def json_money(value) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def test_page_is_self_contained(report):
    _, _, path = report
    page = parse(path.read_text(encoding="utf-8"))
    assert not page.find_all("script") and not page.find_all("link") and not page.find_all("img")
    for element in page.iter():
        assert not {"src", "srcset", "href"} & set(element.attrs), (element.tag, element.attrs)
    style = page.find("style").text()
    assert "url(" not in style and "@import" not in style and "@media print" in style


def test_timeline_has_one_bar_per_scheduled_occurrence_in_its_country_row(report):
    scenario, plan, path = report
    svg = svg_of(path)
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    scheduled = {o["id"]: o for o in plan["occurrences"] if o["scheduled"]}
    assert sorted(b.get("data-occurrence") for b in bars) == sorted(scheduled)
    rows = {r.get("data-country"): r for r in svg.iter(f"{SVG}rect") if r.get("class") == "row"}
    for bar in bars:
        occurrence = scheduled[bar.get("data-occurrence")]
        assert bar.get("data-country") == occurrence["country"]
        row = rows[occurrence["country"]]
        y, height = float(row.get("y")), float(row.get("height"))
        assert y <= float(bar.get("y")) and float(bar.get("y")) + float(bar.get("height")) <= y + height
        tooltip = bar.find(f"{SVG}title").text
        assert occurrence["id"] in tooltip and occurrence["title"] in tooltip
        assert f"{len(occurrence['attendees'])} participants" in tooltip
    by_start = sorted(bars, key=lambda b: scheduled[b.get("data-occurrence")]["start"])
    xs = [float(b.get("x")) for b in by_start]
    assert xs == sorted(xs), "bars are placed left to right in date order"
    # The countries of every candidate venue have a row, hosting or not.
    candidates = {scenario.venue_location(v).country for e in scenario.events.values() for v in e.venues}
    assert set(rows) == candidates | {o["country"] for o in scheduled.values()}


def test_bar_positions_follow_the_dates(report):
    scenario, plan, path = report
    svg = svg_of(path)
    first, last = scenario.project.start, scenario.project.end
    years = {t.text: float(t.get("x")) - 4 for t in svg.iter(f"{SVG}text") if t.get("class") == "year"}
    assert sorted(years) == [str(y) for y in range(first.year, last.year + 1)]
    left, right = years[str(first.year)], years[str(last.year)]
    per_day = (right - left) / (dt.date(last.year, 1, 1) - first).days
    for bar in (r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"):
        occurrence = next(o for o in plan["occurrences"] if o["id"] == bar.get("data-occurrence"))
        start = dt.date.fromisoformat(occurrence["start"])
        assert float(bar.get("x")) == pytest.approx(left + (start - first).days * per_day, abs=0.05)


def test_public_holidays_are_marked_in_each_country_row(report):
    import holidays

    scenario, _, path = report
    svg = svg_of(path)
    marks = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "holiday"]
    assert marks
    countries = {r.get("data-country") for r in svg.iter(f"{SVG}rect") if r.get("class") == "row"}
    first, last = scenario.project.start, scenario.project.end
    for country in countries:
        calendar = holidays.country_holidays(country, years=range(first.year, last.year + 1))
        expected = {d.isoformat() for d in calendar if first <= d <= last}
        shown = {m.get("data-date") for m in marks if m.get("data-country") == country}
        assert shown == expected, country
    christmas = next(m for m in marks if m.get("data-country") == "RO" and m.get("data-date") == "2022-12-25")
    assert "Christmas" in christmas.find(f"{SVG}title").text


def test_budget_numbers_equal_plan_json(report):
    _, plan, path = report
    page = parse(path.read_text(encoding="utf-8"))
    budget = plan["budget"]
    for section, key in (("budget-categories", "categories"), ("budget-years", "years")):
        lines = {
            tr.attrs["data-key"]: tr
            for tr in page.find("section", id=section).find_all("tr", cls="budget-line")
            if tr.attrs["data-key"] != "total"
        }
        assert set(lines) == set(budget[key])
        for name, expected in budget[key].items():
            assert amount(lines[name].find("td", cls="total").text()) == json_money(expected["total"])
            cap = lines[name].find("td", cls="cap").text()
            if "limit" in expected:
                assert amount(cap) == json_money(expected["limit"])
                share = round(Decimal(repr(expected["total"])) / Decimal(repr(expected["limit"])) * 100)
                assert lines[name].find("small", cls="share").text() == f"{share} % of cap"
            else:
                assert cap == "no cap"
    total = page.find("tr", cls="sum")
    assert amount(total.find("td", cls="total").text()) == json_money(budget["total"])
    assert amount(total.find("td", cls="cap").text()) == json_money(budget["limit"])
    remaining = page.find("div", id="card-remaining").find("div", cls="value").text()
    assert amount(remaining) == json_money(budget["limit"]) - json_money(budget["total"])


def test_countries_add_up_to_the_plan(report):
    _, plan, path = report
    rows = parse(path.read_text(encoding="utf-8")).find("section", id="countries").find("tbody").find_all("tr")
    scheduled = [o for o in plan["occurrences"] if o["scheduled"]]

    def column(cls):
        return [row.find("td", cls=cls).text() for row in rows]

    assert sum(int(v) for v in column("hosted")) == len(scheduled)
    hosted = {row.attrs["data-country"]: int(row.find("td", cls="hosted").text()) for row in rows}
    for country in {o["country"] for o in scheduled}:
        assert hosted[country] == sum(1 for o in scheduled if o["country"] == country)
    participant_days = sum(
        len(o["attendees"]) * ((dt.date.fromisoformat(o["end"]) - dt.date.fromisoformat(o["start"])).days + 1)
        for o in scheduled
    )
    assert sum(int(v.replace(",", "")) for v in column("participant-days")) == participant_days
    cost = sum(amount(v) for v in column("participant-cost")) + sum(amount(v) for v in column("hosting-cost"))
    assert cost == json_money(plan["budget"]["total"])


def test_left_out_occurrences_are_listed_with_reason_and_detail(report):
    _, plan, path = report
    section = parse(path.read_text(encoding="utf-8")).find("section", id="left-out")
    left_out = [o for o in plan["occurrences"] if not o["scheduled"]]
    rows = section.find_all("tr")[1:]
    assert [(r.attrs["data-occurrence"], r.attrs["data-reason"]) for r in rows] == [
        (o["id"], o["reason"]) for o in left_out
    ]
    for row, occurrence in zip(rows, left_out, strict=True):
        assert row.find("td", cls="detail").text() == occurrence.get("detail", "")
    if not left_out:
        assert "Nothing was left out" in section.text()


def test_solver_status_objective_and_timestamp(report):
    _, plan, path = report
    page = parse(path.read_text(encoding="utf-8"))
    solver = page.find("section", id="solver")
    assert solver.find("dd", cls="status-text").text() == "optimal (proven)" == page.find("span", cls="status").text()
    objective = [dd.text() for dd in solver.find_all("dd", cls="objective")]
    priority, changes, cost_cents, preferred = plan["solver"]["objective"]
    assert objective[0] == str(priority) and objective[1] == str(changes) and objective[3] == str(preferred)
    assert amount(objective[2].removesuffix(" EUR")) == Decimal(cost_cents) / 100
    stamp = solver.find("time").attrs["datetime"]
    assert dt.datetime.fromisoformat(stamp) == dt.datetime.fromtimestamp(int(EPOCH), dt.UTC)


def test_two_renders_with_source_date_epoch_are_byte_identical(report, tmp_path):
    scenario, _, path = report
    scenario_file, plan_file = solved("tight" if "tight" in str(path) else "example")
    again = tmp_path / "again"
    assert (
        render(plan_file, scenario_file, again, "--format", "report", env={"SOURCE_DATE_EPOCH": EPOCH}).exit_code == 0
    )
    assert (again / "report.html").read_bytes() == path.read_bytes()
    later = tmp_path / "later"
    assert (
        render(plan_file, scenario_file, later, "--format", "report", env={"SOURCE_DATE_EPOCH": "1700086400"}).exit_code
        == 0
    )
    assert (later / "report.html").read_bytes() != path.read_bytes(), "the timestamp comes from SOURCE_DATE_EPOCH"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (tests/setup_system.sh installs it)")
def test_chromium_renders_the_report_without_errors(report, tmp_path):
    _, plan, path = report
    screenshot = tmp_path / "report.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        path.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    log = done.stderr + done.stdout
    assert screenshot.exists(), log[-2000:]
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    image = read_png(screenshot)
    assert (image.width, image.height) == (1280, 2000)
    colours = image.colours(step=2)
    assert len(colours) > 50, f"the screenshot looks blank: {len(colours)} colours"
    # The bars are drawn: the colour of each kind scheduled appears on screen (bars are at least 5 px wide).
    from scheduler.plugins.report.timeline import KIND_COLOURS

    for kind in {o["kind"] for o in plan["occurrences"] if o["scheduled"]}:
        rgb = tuple(int(KIND_COLOURS[kind][i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"no {kind} bar ({KIND_COLOURS[kind]}) on the screenshot"
