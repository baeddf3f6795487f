"""The solved plan as domain objects, and ``plan.json`` (format ``scheduler-plan/1``) both ways.

``plan.json`` is the input of every plugin and of ``render``; it is written with sorted, stable
content so the same solve gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.errors import UsageError
from scheduler.money import cents_to_number, to_cents

FORMAT = "scheduler-plan/1"


@dataclass(frozen=True)
class Attendance:
    person: str
    first_away: dt.date
    last_away: dt.date


@dataclass
class PlannedOccurrence:
    id: str
    event: str
    index: int
    kind: str
    title: str
    scheduled: bool
    start: dt.date | None = None
    end: dt.date | None = None
    venue: str | None = None
    location: str | None = None
    country: str | None = None
    attendees: list[Attendance] = field(default_factory=list)
    cost: dict[str, int] = field(default_factory=dict)  # category -> cents, without "total"
    sequence: int = 0
    reason: str | None = None
    detail: str | None = None

    @property
    def total_cost(self) -> int:
        return sum(self.cost.values())


@dataclass
class BudgetLine:
    total: int
    limit: int | None = None


@dataclass
class Plan:
    project: dict[str, str]
    status: str  # OPTIMAL | FEASIBLE
    objective: list[int]
    wall_seconds: float
    seed: int
    workers: int
    occurrences: list[PlannedOccurrence]
    budget_limit: int
    categories: dict[str, BudgetLine]
    years: dict[int, BudgetLine]

    @property
    def total_cost(self) -> int:
        return sum(o.total_cost for o in self.occurrences if o.scheduled)

    @property
    def scheduled(self) -> list[PlannedOccurrence]:
        return [o for o in self.occurrences if o.scheduled]

    def occurrence(self, occurrence_id: str) -> PlannedOccurrence:
        return next(o for o in self.occurrences if o.id == occurrence_id)


# --- writing ----------------------------------------------------------------------------------


def to_dict(plan: Plan) -> dict[str, Any]:
    money = cents_to_number
    occurrences = []
    for o in plan.occurrences:
        item: dict[str, Any] = {
            "id": o.id,
            "event": o.event,
            "index": o.index,
            "kind": o.kind,
            "title": o.title,
            "scheduled": o.scheduled,
        }
        if o.scheduled:
            item.update(
                start=o.start.isoformat(),
                end=o.end.isoformat(),
                venue=o.venue,
                location=o.location,
                country=o.country,
                attendees=[
                    {
                        "person": a.person,
                        "away": [a.first_away.isoformat(), a.last_away.isoformat()],
                    }
                    for a in o.attendees
                ],
                cost={**{c: money(v) for c, v in o.cost.items()}, "total": money(o.total_cost)},
                sequence=o.sequence,
            )
        else:
            item["reason"] = o.reason
            if o.detail:
                item["detail"] = o.detail
            if o.sequence:  # the SEQUENCE of its cancellation, so that scheduling it again goes above
                item["sequence"] = o.sequence
        occurrences.append(item)

    def line(b: BudgetLine) -> dict[str, Any]:
        out: dict[str, Any] = {"total": money(b.total)}
        if b.limit is not None:
            out["limit"] = money(b.limit)
        return out

    return {
        "format": FORMAT,
        "project": dict(plan.project),
        "solver": {
            "status": plan.status,
            "objective": list(plan.objective),
            "wall_seconds": plan.wall_seconds,
            "seed": plan.seed,
            "workers": plan.workers,
        },
        "occurrences": occurrences,
        "budget": {
            "limit": money(plan.budget_limit),
            "total": money(plan.total_cost),
            "categories": {c: line(b) for c, b in plan.categories.items()},
            "years": {str(y): line(b) for y, b in sorted(plan.years.items())},
        },
    }


def dumps(plan: Plan) -> str:
    return json.dumps(to_dict(plan), indent=2, ensure_ascii=False) + "\n"


# --- reading ----------------------------------------------------------------------------------


def load(path: str | Path) -> Plan:
    """Read a ``plan.json``; a file that is not one is a ``UsageError`` naming what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: is not a plan.json file: {error}") from None
    try:
        return from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UsageError(f"{path}: is not a valid {FORMAT} file: {error!r}") from None


def from_dict(data: dict[str, Any]) -> Plan:
    if data.get("format") != FORMAT:
        raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    cents = to_cents
    occurrences = []
    for item in data["occurrences"]:
        o = PlannedOccurrence(
            item["id"],
            item["event"],
            int(item["index"]),
            item.get("kind", ""),
            item.get("title", ""),
            bool(item["scheduled"]),
        )
        if o.scheduled:
            o.start = dt.date.fromisoformat(item["start"])
            o.end = dt.date.fromisoformat(item["end"])
            o.venue, o.location, o.country = item["venue"], item["location"], item["country"]
            o.attendees = [
                Attendance(
                    a["person"],
                    dt.date.fromisoformat(a["away"][0]),
                    dt.date.fromisoformat(a["away"][1]),
                )
                for a in item["attendees"]
            ]
            o.cost = {c: cents(v) for c, v in item["cost"].items() if c != "total"}
            o.sequence = int(item.get("sequence", 0))
        else:
            o.reason, o.detail = item.get("reason"), item.get("detail")
            o.sequence = int(item.get("sequence", 0))
        occurrences.append(o)
    budget = data["budget"]

    def line(b: dict[str, Any]) -> BudgetLine:
        return BudgetLine(cents(b["total"]), cents(b["limit"]) if "limit" in b else None)

    solver = data["solver"]
    return Plan(
        project=dict(data["project"]),
        status=solver["status"],
        objective=list(solver["objective"]),
        wall_seconds=solver.get("wall_seconds", 0.0),
        seed=solver.get("seed", 0),
        workers=solver.get("workers", 1),
        occurrences=occurrences,
        budget_limit=cents(budget["limit"]),
        categories={c: line(b) for c, b in budget.get("categories", {}).items()},
        years={int(y): line(b) for y, b in budget.get("years", {}).items()},
    )
