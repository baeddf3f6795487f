"""Built-in output format ``agenda``: one printable programme per scheduled occurrence.

Writes ``agendas/<occurrence>.html`` (one self-contained page: inline CSS with print rules, no
scripts, no external resources, so it can be mailed or printed as it is) and
``agendas/<occurrence>.md`` (the same content for wikis and e-mail bodies), from the templates
``agenda.html`` and ``agenda.md.j2``, which a user may override with ``--templates DIR``.

The programme runs day by day from the first arrival day to the last departure day: travel days
come from the event's ``travel_days_before``/``travel_days_after``, sessions from its ``agenda``
items or, where it has none, an indicative programme for its kind (``scheduler.content.kinds``). Times
are the venue's local times, as the scenario writes them, and the page names that time zone.
Participants are grouped by country and organisation with their own travel days (people based in
the venue's city do not travel). Dates are written in English (British style, as the EU
institutions write it: "Tuesday, 1 March 2022"); ``--option locale=en_US`` or any other locale
known to babel changes that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler import OutputFormat, RenderContext, hookimpl
from scheduler.content.kinds import kind_name, programme
from scheduler.content.languages import Conventions, conventions_for, locale_option
from scheduler.plan import PlannedOccurrence
from scheduler.render.pool import Batch, staged
from scheduler.scenario.countries import country_name
from scheduler.scenario.domain import Event


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "agenda",
            "A printable programme per occurrence: agendas/<occurrence>.html and .md",
            render,
        )
    ]


@dataclass
class Session:
    start: str  # "09:30", the venue's local time
    end: str
    title: str


@dataclass
class ProgrammeDay:
    date: dt.date
    date_text: str  # "Tuesday, 1 March 2022"
    label: str  # "Arrival", "Day 1", "Departure"
    kind: str  # "arrival", "event" or "departure"
    sessions: list[Session] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Participant:
    name: str
    travels: bool  # False for people based in the venue's city
    arrival_text: str
    departure_text: str


@dataclass
class Organisation:
    name: str
    participants: list[Participant]


@dataclass
class CountryGroup:
    code: str
    name: str
    organisations: list[Organisation]

    @property
    def count(self) -> int:
        return sum(len(o.participants) for o in self.organisations)


@dataclass
class Agenda:
    """Everything the agenda templates show for one occurrence, already worded and formatted."""

    occurrence_id: str
    title: str
    kind: str
    kind_name: str
    project_name: str
    description: str
    dates_text: str  # "Tuesday 1 March – Wednesday 2 March 2022"
    travel_text: str  # "arrival Monday, 28 February 2022; departure after the close"
    venue_name: str
    address: str
    place_text: str  # "Bd. Nicolae Bălcescu 4, Bucharest, Romania": the city only where the address lacks it
    city: str
    country: str
    timezone_text: str  # "Europe/Bucharest, UTC+02:00"
    days: list[ProgrammeDay]
    indicative: bool  # the programme is the default of its kind, not the event's own
    countries: list[CountryGroup]
    participant_count: int
    organizer_name: str
    organizer_email: str
    generated_text: str


def _stages(context: RenderContext):
    """One batch: the two files of each occurrence (see ``scheduler.render.pool``)."""
    dates = conventions_for(context, locale_option(context))
    for name in ("agenda.html", "agenda.md.j2") if context.plan.scheduled else ():
        context.templates.get_template(name)  # loaded here, once, rather than in every worker
    _load_holidays(context.scenario, context.plan.scheduled)
    return (yield Batch(context.plan.scheduled, lambda context, occurrences: _write(context, occurrences, dates)))


render = staged(_stages)


def _write(context: RenderContext, occurrences: list[PlannedOccurrence], dates: Conventions) -> list[Path]:
    written = []
    for occurrence in occurrences:
        agenda = build_agenda(context, occurrence, dates)
        values = {"agenda": agenda, "md": markdown_text}
        written.append(
            context.write_text(f"agendas/{occurrence.id}.html", context.render_template("agenda.html", **values))
        )
        written.append(
            context.write_text(f"agendas/{occurrence.id}.md", context.render_template("agenda.md.j2", **values))
        )
    return written


def build_agenda(context: RenderContext, occurrence: PlannedOccurrence, dates: Conventions) -> Agenda:
    """The agenda of one scheduled occurrence, its dates written as ``dates`` writes them."""
    scenario = context.scenario
    event = scenario.events[occurrence.event]
    venue = scenario.venues[occurrence.venue]
    location = scenario.locations[venue.location]
    start, end = occurrence.start, occurrence.end
    days = programme_days(context, event, occurrence, location.country, dates)
    return Agenda(
        occurrence_id=occurrence.id,
        title=occurrence.title or event.title,
        kind=event.kind,
        kind_name=kind_name(event.kind),
        project_name=scenario.project.name,
        description=event.description,
        dates_text=dates.interval(start, end, "yMMMMEEEEd"),
        travel_text=_travel_text(event, start, end, dates),
        venue_name=venue.name,
        address=venue.address,
        place_text=_place_text(venue.address, location.city, country_name(location.country)),
        city=location.city,
        country=country_name(location.country),
        timezone_text=context.memo.get(
            ("scheduler.plugins.agenda.timezone", location.timezone, start, end),
            lambda: timezone_text(location.timezone, start, end),
        ),
        days=days,
        indicative=not event.agenda,
        countries=participant_groups(scenario, occurrence, dates),
        participant_count=len(occurrence.attendees),
        organizer_name=scenario.project.organizer.name,
        organizer_email=scenario.project.organizer.email,
        generated_text=dates.date(context.now.date(), "long"),
    )


Times = dict[int, tuple[tuple[str, str, str], ...]]  # per day: start, end and title of each session


def programme_days(context, event: Event, occurrence: PlannedOccurrence, country: str, dates: Conventions):
    """Arrival days, event days with their sessions, departure days; holidays on travel days noted."""
    sessions = _sessions_by_day(context, event)
    start, end = occurrence.start, occurrence.end
    first = start - dt.timedelta(days=event.travel_days_before)
    last = end + dt.timedelta(days=event.travel_days_after)
    holidays = _holidays(country, first, last)
    days: list[ProgrammeDay] = []
    day = first
    while day <= last:
        text = dates.date(day, "full")
        if day < start:
            entry = ProgrammeDay(day, text, "Arrival", "arrival", notes=["Arrival of participants and check-in"])
        elif day > end:
            entry = ProgrammeDay(day, text, "Departure", "departure", notes=["Departure of participants"])
        else:
            number = (day - start).days + 1
            entry = ProgrammeDay(day, text, f"Day {number}", "event")
            entry.sessions = [Session(*times) for times in sessions.get(number, ())]
            if day == start and event.travel_days_before == 0:
                entry.notes.append("Participants travel in the morning")
            if day == end and event.travel_days_after == 0:
                entry.notes.append("Departure of participants after the close of the programme")
        if day in holidays and entry.kind != "event":
            entry.notes.append(f"Public holiday in {country_name(country)}: {holidays[day]}")
        days.append(entry)
        day += dt.timedelta(days=1)
    return days


def _sessions_by_day(context: RenderContext, event: Event) -> Times:
    """The sessions of the event's programme by day, made once per event in a render."""

    def times() -> Times:
        by_day: dict[int, list[tuple[str, str, str]]] = {}
        for item in programme(context, event)[0]:
            by_day.setdefault(item.day, []).append((f"{item.start:%H:%M}", f"{item.end:%H:%M}", item.title))
        return {day: tuple(sessions) for day, sessions in by_day.items()}

    return context.memo.get(("scheduler.plugins.agenda.sessions", event.id), times)


def participant_groups(scenario, occurrence: PlannedOccurrence, dates: Conventions) -> list[CountryGroup]:
    """Attendees by country (by name), then organisation (by name), then person (by name)."""
    by_country: dict[str, dict[str, list[Participant]]] = {}
    for attendance in occurrence.attendees:
        person = scenario.people[attendance.person]
        travels = person.home != scenario.venues[occurrence.venue].location
        participant = Participant(
            person.name,
            travels,
            dates.date(attendance.first_away, "EEE d MMM"),
            dates.date(attendance.last_away, "EEE d MMM"),
        )
        by_country.setdefault(person.country, {}).setdefault(person.organisation, []).append(participant)
    groups = []
    for code, organisations in by_country.items():
        groups.append(
            CountryGroup(
                code,
                country_name(code),
                [
                    Organisation(name, sorted(people, key=lambda p: p.name))
                    for name, people in sorted(organisations.items())
                ],
            )
        )
    return sorted(groups, key=lambda g: g.name)


def timezone_text(zone: str, first: dt.date, last: dt.date) -> str:
    """``Europe/Bucharest, UTC+02:00``; both offsets where the clocks change during the event."""
    tz = ZoneInfo(zone)
    offsets = []
    day = first
    while day <= last:
        offset = dt.datetime.combine(day, dt.time(12), tz).utcoffset() or dt.timedelta(0)
        if offset not in offsets:
            offsets.append(offset)
        day += dt.timedelta(days=1)
    return f"{zone}, " + " then ".join(_utc_offset(o) for o in offsets)


def markdown_text(value: object) -> str:
    """Text with Markdown's special characters escaped, safe in paragraphs and table cells."""
    return " ".join(str(value).split()).translate(_MARKDOWN_ESCAPES)


_MARKDOWN_ESCAPES = str.maketrans({char: "\\" + char for char in "\\`*_{}[]<>#|!"})


def _place_text(address: str, city: str, country: str) -> str:
    parts = [address] if city.casefold() in address.casefold() else [address, city]
    return ", ".join([*parts, country])


def _utc_offset(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _travel_text(event: Event, start: dt.date, end: dt.date, dates: Conventions) -> str:
    if event.travel_days_before:
        arrival = "arrival " + dates.date(start - dt.timedelta(days=event.travel_days_before), "full")
    else:
        arrival = "arrival on the morning of the first day"
    if event.travel_days_after:
        departure = "departure " + dates.date(end + dt.timedelta(days=event.travel_days_after), "full")
    else:
        departure = "departure after the close"
    return f"{arrival}; {departure}"


def _load_holidays(scenario, occurrences: list[PlannedOccurrence]) -> None:
    """The holiday calendars the agendas ask for (per country and years of each programme),
    loaded here once rather than in every worker process (``scheduler.calendars.holidays``
    keeps them)."""
    spans = set()
    for occurrence in occurrences:
        event, venue = scenario.events.get(occurrence.event), scenario.venues.get(occurrence.venue or "")
        location = scenario.locations.get(venue.location) if venue is not None else None
        if event is None or location is None:
            continue
        first = occurrence.start - dt.timedelta(days=event.travel_days_before)
        last = occurrence.end + dt.timedelta(days=event.travel_days_after)
        spans.add((location.country, first.year, last.year))
    for country, first_year, last_year in sorted(spans):
        _holidays(country, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))


def _holidays(country: str, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    from scheduler.calendars.holidays import UnknownCountryCalendar, public_holidays

    try:
        return public_holidays(country, first, last)
    except UnknownCountryCalendar:
        return {}
