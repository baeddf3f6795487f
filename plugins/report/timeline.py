"""The report's timeline: every scheduled occurrence as a bar, by host country and month.

Only geometry is computed here (plain numbers and texts); the ``report.html`` template draws it
as inline SVG, so a user who overrides the template can restyle it without redoing the layout.

Layout: x is the planning horizon, one column per month (years marked above), y one row per
country that hosts or could host an occurrence (the countries of every venue an event names),
so a country that hosts nothing shows as an empty row rather than vanishing. Public holidays of
each country are thin marks across its row, each with its name as a tooltip. Occurrences last a
few days in a horizon of years, so a bar is at least ``MIN_BAR`` wide and carries its occurrence
id beside it; bars whose labels would collide go to a further lane of the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.content.kinds import kind_name
from scheduler.content.languages import Conventions
from scheduler.money import format_money
from scheduler.plan import Plan
from scheduler.scenario.countries import country_name
from scheduler.scenario.domain import Scenario

WIDTH = 1200
LEFT = 150  # country names
RIGHT = 14
TOP = 46  # year and month labels
LANE = 22
BAR = 14
ROW_PADDING = 8
LEGEND = 40
MIN_BAR = 5.0
LABEL_CHAR = 6.1  # average width of a label character at 11px, for collision checks
LABEL_GAP = 3.0

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
KIND_COLOURS = {
    "conference": "#0072B2",
    "study_visit": "#009E73",
    "workshop": "#E69F00",
    "training": "#CC79A7",
    "steering_committee": "#56B4E9",
    "meeting": "#D55E00",
}
OTHER_COLOUR = "#777777"
HOLIDAY_COLOUR = "#C0392B"


@dataclass
class Month:
    x: float
    width: float
    label: str
    shaded: bool


@dataclass
class Year:
    x: float
    width: float
    label: str


@dataclass
class Row:
    country: str
    name: str
    y: float
    height: float
    shaded: bool
    hosted: int


@dataclass
class Bar:
    occurrence_id: str
    country: str
    kind: str
    x: float
    y: float
    width: float
    colour: str
    label: str
    label_x: float
    label_anchor: str  # "start" (right of the bar) or "end" (left of it, near the horizon's end)
    tooltip: str


@dataclass
class HolidayMark:
    country: str
    date: dt.date
    x: float
    y: float
    width: float
    height: float
    tooltip: str


@dataclass
class LegendEntry:
    label: str
    colour: str


@dataclass
class Timeline:
    width: int
    height: float
    plot_left: float
    plot_right: float
    top: float
    bottom: float
    months: list[Month]
    years: list[Year]
    rows: list[Row]
    bars: list[Bar]
    holidays: list[HolidayMark]
    legend: list[LegendEntry]
    legend_y: float
    now_x: float | None = None
    now_label: str = ""
    bar_height: int = BAR
    lane_height: int = LANE
    missing_calendars: list[str] = field(default_factory=list)


def build_timeline(plan: Plan, scenario: Scenario, now: dt.date, dates: Conventions) -> Timeline:
    first, last = scenario.project.start, scenario.project.end
    span = (last - first).days + 1
    plot_left, plot_right = float(LEFT), float(WIDTH - RIGHT)
    day_width = (plot_right - plot_left) / span

    def x_of(day: dt.date) -> float:
        return round(plot_left + (day - first).days * day_width, 2)

    countries = _countries(plan, scenario)
    placed: dict[str, list[tuple[int, Bar]]] = {c: [] for c in countries}
    lanes: dict[str, list[float]] = {c: [] for c in countries}  # right-most x taken in each lane
    currency = plan.project.get("currency", "")
    for o in sorted(plan.scheduled, key=lambda o: (o.start, o.id)):
        x = x_of(o.start)
        width = round(max(MIN_BAR, ((o.end - o.start).days + 1) * day_width), 2)
        label_width = len(o.id) * LABEL_CHAR
        if x + width + LABEL_GAP + label_width <= plot_right:
            anchor, label_x, extent = "start", x + width + LABEL_GAP, (x, x + width + LABEL_GAP + label_width)
        else:
            anchor, label_x, extent = "end", x - LABEL_GAP, (x - LABEL_GAP - label_width, x + width)
        taken = lanes[o.country]
        lane = next((i for i, right in enumerate(taken) if right + LABEL_GAP <= extent[0]), len(taken))
        if lane == len(taken):
            taken.append(extent[1])
        else:
            taken[lane] = extent[1]
        venue = scenario.venues[o.venue]
        city = scenario.locations[venue.location].city
        tooltip = (
            f"{o.id} · {o.title}\n"
            f"{dates.interval(o.start, o.end, 'yMMMEd')} · {venue.name}, {city}\n"
            f"{kind_name(o.kind)} · {len(o.attendees)} participants · {format_money(o.total_cost, currency)}"
        )
        bar = Bar(
            o.id,
            o.country,
            o.kind,
            x,
            0,
            width,
            KIND_COLOURS.get(o.kind, OTHER_COLOUR),
            o.id,
            round(label_x, 2),
            anchor,
            tooltip,
        )
        placed[o.country].append((lane, bar))

    rows, bars, holidays, missing = [], [], [], []
    y = float(TOP)
    for index, country in enumerate(countries):
        height = max(1, len(lanes[country])) * LANE + ROW_PADDING
        rows.append(Row(country, country_name(country), y, height, index % 2 == 1, len(placed[country])))
        for lane, bar in placed[country]:
            bar.y = y + ROW_PADDING / 2 + lane * LANE + (LANE - BAR) / 2
            bars.append(bar)
        days = _holidays(country, first, last)
        if days is None:
            missing.append(country)
        for day, name in (days or {}).items():
            tooltip = f"{dates.date(day, 'EEE d MMM y')} · {name} ({country_name(country)})"
            holidays.append(HolidayMark(country, day, x_of(day), y, round(max(day_width, 1.5), 2), height, tooltip))
        y += height
    bottom = y
    kinds = sorted({b.kind for b in bars}, key=lambda k: list(KIND_COLOURS).index(k) if k in KIND_COLOURS else 99)
    legend = [LegendEntry(kind_name(k), KIND_COLOURS.get(k, OTHER_COLOUR)) for k in kinds]
    timeline = Timeline(
        WIDTH,
        bottom + LEGEND,
        plot_left,
        plot_right,
        float(TOP),
        bottom,
        _months(first, last, x_of, day_width, dates),
        _years(first, last, x_of),
        rows,
        sorted(bars, key=lambda b: b.occurrence_id),
        holidays,
        legend,
        bottom + 24,
        missing_calendars=missing,
    )
    if first <= now <= last:
        timeline.now_x = x_of(now)
        timeline.now_label = dates.date(now, "d MMM y")
    return timeline


def _countries(plan: Plan, scenario: Scenario) -> list[str]:
    """Host countries and the countries of every candidate venue, by English name."""
    codes = {o.country for o in plan.scheduled}
    for event in scenario.events.values():
        codes |= {scenario.venue_location(v).country for v in event.venues}
    return sorted(codes, key=country_name)


def _months(first: dt.date, last: dt.date, x_of, day_width: float, dates: Conventions) -> list[Month]:
    months = []
    month = first.replace(day=1)
    index = 0
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        start, end = max(month, first), min(following, last + dt.timedelta(days=1))
        width = round((end - start).days * day_width, 2)
        label = dates.date(month, "MMM" if width >= 22 else "MMMMM") if width >= 8 else ""
        months.append(Month(x_of(start), width, label, index % 2 == 1))
        month, index = following, index + 1
    return months


def _years(first: dt.date, last: dt.date, x_of) -> list[Year]:
    years = []
    for year in range(first.year, last.year + 1):
        start, end = max(dt.date(year, 1, 1), first), min(dt.date(year + 1, 1, 1), last + dt.timedelta(days=1))
        x = x_of(start)
        years.append(Year(x, round(x_of(end) - x, 2), str(year)))
    return years


def _holidays(country: str, first: dt.date, last: dt.date) -> dict[dt.date, str] | None:
    from scheduler.calendars.holidays import UnknownCountryCalendar, public_holidays

    try:
        return public_holidays(country, first, last)
    except UnknownCountryCalendar:
        return None
