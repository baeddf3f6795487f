"""Built-in output format ``report``: ``report.html``, the plan on one page for the coordinator.

One self-contained page (inline CSS and SVG, no scripts, no external resources) from the template
``report.html``: the headline figures; a timeline of every occurrence by host country and month
with public holidays marked (``timeline``); the budget by category and by year against the
caps; hosting and participation per country; what was left out and why; the solver's status,
objective and the report's timestamp (``SOURCE_DATE_EPOCH`` where set, so renders are
reproducible).

Per country, *participants' cost* is what the project pays for the people of that country
(travel, per diem, accommodation, from the same cost model as the solver) and *hosting cost* what
the occurrences held there cost once (venue and the events' fixed costs); over all countries the
two add up to the plan's total. *Participant-days* are days of programme attended (occurrence
days × participants), the usual output indicator of EU-funded projects; travel days are not
counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from scheduler import OutputFormat, RenderContext, hookimpl
from scheduler.content.budget import category_totals
from scheduler.content.kinds import kind_name
from scheduler.content.languages import Conventions, conventions_for, locale_option
from scheduler.money import format_money
from scheduler.plan import Plan
from scheduler.scenario.countries import country_name
from scheduler.scenario.domain import Scenario

from .timeline import Timeline, build_timeline

PERSON_CATEGORIES = ("travel", "per_diem", "accommodation")  # paid per attendee; the rest per occurrence
REASONS = {
    "budget": "Budget",
    "calendar": "No suitable dates",
    "order": "Depends on an event left out",
    "series": "Earlier occurrence of its series left out",
}
OBJECTIVES = (
    "Priority of optional occurrences scheduled (maximised)",
    "Published occurrences changed (minimised, with --previous)",
    "Total cost (minimised)",
    "Event days outside preferred ranges (minimised)",
)
NEAR_CAP = 0.9  # a line at 90 % of its cap or more is flagged


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "report",
            "One-page HTML report: timeline, budget against caps, countries, what was left out: report.html",
            render,
        )
    ]


@dataclass
class BudgetRow:
    key: str  # "travel", "2022", "total"
    name: str  # "Travel", "2022", "Total"
    total: int  # cents
    cap: int | None
    total_text: str  # "40,219.00"
    cap_text: str  # "" without a cap
    remaining_text: str
    fill: float  # width of the proportion bar, 0-100
    share_text: str  # "67 % of cap", "24 % of spending"
    state: str  # "ok", "near", "over" (of the cap) or "uncapped"


@dataclass
class CountryRow:
    code: str
    name: str
    hosted: int
    hosted_days: int
    participants: int  # distinct people
    participant_days: int
    participant_cost: int  # cents
    hosting_cost: int
    participant_cost_text: str
    hosting_cost_text: str
    share: float  # of the plan's total cost, 0-100


@dataclass
class LeftOutRow:
    occurrence_id: str
    title: str
    kind_name: str
    reason: str
    reason_text: str
    detail: str


@dataclass
class ObjectiveEntry:
    label: str
    value_text: str


@dataclass
class Report:
    project_name: str
    project_id: str
    currency: str
    horizon_text: str
    generated_text: str  # "14 November 2023, 22:13 UTC"
    generated_iso: str
    occurrence_count: int
    scheduled_count: int
    total: BudgetRow
    categories: list[BudgetRow]
    years: list[BudgetRow]
    countries: list[CountryRow]
    host_count: int
    participant_count: int
    participant_days: int
    left_out: list[LeftOutRow]
    timeline: Timeline
    status: str
    status_text: str
    objective: list[ObjectiveEntry]
    wall_seconds: float
    seed: int
    workers: int


def render(context: RenderContext) -> list[Path]:
    dates = conventions_for(context, locale_option(context))
    report = build_report(context.plan, context.scenario, context.now, dates)
    return [context.write_text("report.html", context.render_template("report.html", report=report))]


def build_report(plan: Plan, scenario: Scenario, now: dt.datetime, dates: Conventions) -> Report:
    currency = plan.project.get("currency", scenario.project.currency)
    countries = country_rows(plan, scenario)
    attendances = [(o, a) for o in plan.scheduled for a in o.attendees]
    left_out = [
        LeftOutRow(
            o.id,
            o.title,
            kind_name(o.kind),
            o.reason or "",
            REASONS.get(o.reason or "", o.reason or ""),
            o.detail or "",
        )
        for o in plan.occurrences
        if not o.scheduled
    ]
    return Report(
        project_name=plan.project.get("name", scenario.project.name),
        project_id=plan.project.get("id", scenario.project.id),
        currency=currency,
        horizon_text=dates.interval(scenario.project.start, scenario.project.end, "yMMMd"),
        generated_text=f"{dates.date(now.date(), 'long')}, {now:%H:%M} UTC",
        generated_iso=now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        occurrence_count=len(plan.occurrences),
        scheduled_count=len(plan.scheduled),
        total=budget_row("total", "Total", plan.total_cost, plan.budget_limit, plan.total_cost),
        categories=category_rows(plan),
        years=[
            budget_row(str(year), str(year), line.total, line.limit, plan.total_cost)
            for year, line in sorted(plan.years.items())
        ],
        countries=countries,
        host_count=sum(1 for c in countries if c.hosted),
        participant_count=len({a.person for _, a in attendances}),
        participant_days=sum(c.participant_days for c in countries),
        left_out=left_out,
        timeline=build_timeline(plan, scenario, now.date(), dates),
        status=plan.status,
        status_text={"OPTIMAL": "optimal (proven)", "FEASIBLE": "feasible (not proven optimal)"}.get(
            plan.status, plan.status.lower()
        ),
        objective=objective_entries(plan.objective, currency),
        wall_seconds=plan.wall_seconds,
        seed=plan.seed,
        workers=plan.workers,
    )


def budget_row(key: str, name: str, total: int, cap: int | None, spending: int) -> BudgetRow:
    """One line against its cap; an uncapped line shows its share of the plan's spending instead."""
    if cap is not None:
        ratio = total / cap if cap else (1.0 if total == 0 else float("inf"))
        state = "over" if total > cap else "near" if ratio >= NEAR_CAP else "ok"
        return BudgetRow(
            key,
            name,
            total,
            cap,
            format_money(total),
            format_money(cap),
            format_money(cap - total),
            round(min(ratio, 1.0) * 100, 1),
            f"{ratio * 100:.0f} % of cap" if cap else "no funds",
            state,
        )
    share = total / spending if spending else 0.0
    return BudgetRow(
        key,
        name,
        total,
        None,
        format_money(total),
        "",
        "",
        round(share * 100, 1),
        f"{share * 100:.0f} % of spending",
        "uncapped",
    )


def category_rows(plan: Plan) -> list[BudgetRow]:
    return [
        budget_row(category, category.replace("_", " ").capitalize(), total, cap, plan.total_cost)
        for category, total, cap in category_totals(plan)
    ]


def country_rows(plan: Plan, scenario: Scenario) -> list[CountryRow]:
    """Hosting and participation per country, for every country that hosts or sends someone."""
    from scheduler.scenario.costs import CostTable

    costs = CostTable(scenario)
    hosted: Counter = Counter()
    hosted_days: Counter = Counter()
    hosting_cost: Counter = Counter()
    people: dict[str, set[str]] = {}
    participant_days: Counter = Counter()
    participant_cost: Counter = Counter()
    for o in plan.scheduled:
        days = (o.end - o.start).days + 1
        hosted[o.country] += 1
        hosted_days[o.country] += days
        hosting_cost[o.country] += sum(v for c, v in o.cost.items() if c not in PERSON_CATEGORIES)
        event = scenario.events[o.event]
        for attendance in o.attendees:
            person = scenario.people[attendance.person]
            people.setdefault(person.country, set()).add(person.id)
            participant_days[person.country] += days
            participant_cost[person.country] += sum(costs.attendee(person, event, o.venue).values())
    total = plan.total_cost
    rows = []
    for code in sorted(set(hosted) | set(people), key=country_name):
        spent = participant_cost[code] + hosting_cost[code]
        rows.append(
            CountryRow(
                code,
                country_name(code),
                hosted[code],
                hosted_days[code],
                len(people.get(code, ())),
                participant_days[code],
                participant_cost[code],
                hosting_cost[code],
                format_money(participant_cost[code]),
                format_money(hosting_cost[code]),
                round(spent / total * 100, 1) if total else 0.0,
            )
        )
    return rows


def objective_entries(objective: list[int], currency: str) -> list[ObjectiveEntry]:
    """The plan's objective vector in words; the cost entry is in cents and shown as money."""
    if len(objective) != len(OBJECTIVES):
        return [ObjectiveEntry(f"Objective {i + 1}", str(v)) for i, v in enumerate(objective)]
    entries = []
    for index, (label, value) in enumerate(zip(OBJECTIVES, objective, strict=True)):
        text = format_money(value, currency) if index == 2 else f"{value:,}"
        entries.append(ObjectiveEntry(label, text))
    return entries
