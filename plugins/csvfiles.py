"""Built-in output format ``csv``: ``schedule.csv`` and ``budget.csv`` for spreadsheets.

``schedule.csv`` has one row per occurrence, scheduled or left out, so a spreadsheet's sum of a
cost column is exactly the plan's cost of that category (one row per attendee would repeat the
occurrence's venue and fixed costs on every row). Who attends which occurrence is in the agendas,
the calendars and ``plan.json``. Left-out occurrences keep their row, with status ``left out``,
the reason and its explanation, and empty dates, venue and costs. Cost columns are named
``cost_<category>`` (``cost_travel``, ``cost_per_diem``, …, ``cost_venue`` beside the ``venue``
column that names the place) and ``cost_total``.

``budget.csv`` has the line ``total`` (the plan's total against ``budget.total``), one line per
cost category and one per year of the occurrences' start, each with its total, its cap (empty where
the scenario sets none) and what remains under the cap.

Both are RFC 4180 CSV (comma, CRLF line ends, quotes where needed) in UTF-8 with a byte-order mark,
so Excel opens them with the right characters (Chișinău, Jovanović); amounts are decimal numbers
with a dot and exactly two decimals (``1234.50``, no thousands separator), the form every
spreadsheet and ``float()`` reads. The currency is a column of its own.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from scheduler import OutputFormat, RenderContext, hookimpl
from scheduler.content.budget import category_totals, cost_categories
from scheduler.plan import Plan

ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel reads files without it in the system's code page


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "csv",
            "The schedule (one row per occurrence) and the budget lines for spreadsheets: schedule.csv, budget.csv",
            render,
        )
    ]


def render(context: RenderContext) -> list[Path]:
    return [
        context.write_text("schedule.csv", schedule_csv(context), encoding=ENCODING),
        context.write_text(
            "budget.csv", budget_csv(context.plan, context.plan.project.get("currency", "")), encoding=ENCODING
        ),
    ]


def amount(cents: int | None) -> str:
    """``123450`` -> ``1234.50``; ``None`` -> empty (no cap, no cost)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def schedule_csv(context: RenderContext) -> str:
    plan, scenario = context.plan, context.scenario
    currency = plan.project.get("currency", "")
    categories = cost_categories(plan)
    header = [
        "id",
        "event",
        "index",
        "title",
        "kind",
        "status",
        "start",
        "end",
        "days",
        "venue",
        "venue_name",
        "city",
        "country",
        "attendees",
        *(f"cost_{c}" for c in categories),
        "cost_total",
        "currency",
        "reason",
        "detail",
    ]
    rows = []
    for o in plan.occurrences:
        row = {"id": o.id, "event": o.event, "index": o.index, "title": o.title, "kind": o.kind}
        if o.scheduled:
            venue = scenario.venues[o.venue]
            row.update(
                status="scheduled",
                start=o.start.isoformat(),
                end=o.end.isoformat(),
                days=(o.end - o.start).days + 1,
                venue=o.venue,
                venue_name=venue.name,
                city=scenario.locations[venue.location].city,
                country=o.country,
                attendees=len(o.attendees),
                cost_total=amount(o.total_cost),
                currency=currency,
            )
            row.update({f"cost_{c}": amount(o.cost.get(c, 0)) for c in categories})
        else:
            row.update(status="left out", reason=o.reason or "", detail=o.detail or "")
        rows.append(row)
    return _csv(header, rows)


def budget_csv(plan: Plan, currency: str) -> str:
    header = ["line", "name", "total", "cap", "remaining", "currency"]
    lines = [_budget_line("total", "total", plan.total_cost, plan.budget_limit, currency)]
    for category, total, cap in category_totals(plan):
        lines.append(_budget_line("category", category, total, cap, currency))
    for year, line in sorted(plan.years.items()):
        lines.append(_budget_line("year", str(year), line.total, line.limit, currency))
    return _csv(header, lines)


def _budget_line(kind: str, name: str, total: int, cap: int | None, currency: str) -> dict[str, str]:
    return {
        "line": kind,
        "name": name,
        "total": amount(total),
        "cap": amount(cap),
        "remaining": amount(None if cap is None else cap - total),
        "currency": currency,
    }


def _csv(header: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: _inert(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """A text cell that a spreadsheet would run as a formula (a title starting with "=") gets a
    leading apostrophe, as OWASP advises against CSV injection; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
