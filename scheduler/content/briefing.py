"""What a participant (or a coordinator) needs to know about one occurrence, in their language.

A ``Briefing`` is the content shared by the invitation e-mails (text and HTML templates) and by
the ``DESCRIPTION`` of calendar events: what, when (with the travel days), where, what the project
pays, the agenda in short and whom to contact. Every string in it is already localised, so a
template only arranges it.

Two views exist: ``attendee_briefing`` for one person (their own away days and what is paid for
them, from the cost model) and ``occurrence_briefing`` for the plan as a whole (the event's travel
days and the occurrence's costs, from the plan). ``planned_attendee_briefing`` is the first for an
occurrence of the plan being rendered, made once for every format that asks (``ical`` writes it
into the person's feed, ``invitations`` into their e-mail).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from scheduler.content.kinds import kind_label
from scheduler.content.languages import N_, Language
from scheduler.plan import PlannedOccurrence
from scheduler.scenario.costs import CostTable, nights_away
from scheduler.scenario.domain import Person

COST_LABELS = {
    "travel": N_("Travel (return ticket)"),
    "per_diem": N_("Per diem"),
    "accommodation": N_("Accommodation"),
    "venue": N_("Venue"),
    # Common extra categories of `costs`; any other category is shown as written, capitalised.
    "interpretation": N_("Interpretation"),
    "catering": N_("Catering"),
    "training_materials": N_("Training materials"),
}

PER_NIGHT = ("per_diem", "accommodation")


@dataclass(frozen=True)
class CostLine:
    label: str
    amount: str
    detail: str = ""  # "4 nights × €198.00"


@dataclass(frozen=True)
class Session:
    time: str  # "09:30–10:30"
    title: str


@dataclass(frozen=True)
class AgendaDay:
    label: str  # "Tuesday, 1 March 2022"
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Briefing:
    language: Language
    title: str
    kind: str
    what: str  # "Study visit to ILECU Serbia (Study visit)"; the title alone where it names the kind
    dates: str
    travel: str  # "" where nobody travels (or the person lives there)
    venue: str
    address: str
    city: str
    country: str
    locality: str  # "Bucharest, Romania", or "Romania" where the address names the city
    place: str  # venue, address, city, country on one line
    costs: tuple[CostLine, ...]
    cost_total: str
    cost_note: str  # why nothing is paid, or what the per diem covers
    agenda: tuple[AgendaDay, ...]
    timezone_note: str
    contact_name: str
    contact_email: str
    changes: tuple[str, ...] = field(default=())  # what moved since the previous plan, for this reader
    personal: bool = False  # written for one attendee (their costs) rather than for the plan


def attendee_briefing(
    context,
    occurrence: PlannedOccurrence,
    person: Person,
    language: Language,
    previous: PlannedOccurrence | None = None,
) -> Briefing:
    """The occurrence as ``person`` lives it: their travel days and what the project pays for them;
    ``previous`` is the occurrence as last sent to them, where it was, so that the briefing says
    what moved."""
    _ = language.gettext
    scenario = context.scenario
    # Their first attendance, where a person is listed twice.
    attendance = next((a for a in occurrence.attendees if a.person == person.id), None)
    travel = ""
    if attendance is not None and (attendance.first_away, attendance.last_away) != (occurrence.start, occurrence.end):
        travel = _("arrive %(arrival)s, depart %(departure)s") % {
            "arrival": language.date(attendance.first_away),
            "departure": language.date(attendance.last_away),
        }
    costs, total, note = _attendee_costs(context, occurrence, person, language)
    changes = _changes(scenario, previous, occurrence, language) if previous is not None else ()
    common = _briefing(scenario, occurrence, language, "", (), "", "", ())
    return replace(common, travel=travel, costs=costs, cost_total=total, cost_note=note, changes=changes, personal=True)


def planned_attendee_briefing(context, occurrence, person, language, previous=None) -> Briefing:
    """``attendee_briefing`` of an occurrence of ``context.plan``, made once for the formats that
    work on that occurrence one after the other (``context.memo.for_item``)."""
    before = None if previous is None else (previous.scheduled, previous.start, previous.end, previous.venue)
    key = ("scheduler.content.briefing", person.id, language.code, str(language.locale), before)
    return context.memo.for_item(
        occurrence.id, key, lambda: attendee_briefing(context, occurrence, person, language, previous)
    )


def occurrence_briefing(context, occurrence: PlannedOccurrence, language: Language) -> Briefing:
    """The occurrence as the plan has it: the event's travel days and the occurrence's whole cost."""
    _ = language.gettext
    scenario = context.scenario
    event = scenario.events.get(occurrence.event)
    travel = ""
    if event is not None and (event.travel_days_before or event.travel_days_after):
        travel = _("travelling participants arrive %(arrival)s and depart %(departure)s") % {
            "arrival": language.date(occurrence.start - dt.timedelta(days=event.travel_days_before)),
            "departure": language.date(occurrence.end + dt.timedelta(days=event.travel_days_after)),
        }
    currency = scenario.project.currency
    order = _categories(context)
    categories = sorted(occurrence.cost, key=lambda c: (order.index(c) if c in order else len(order), c))
    costs = tuple(
        CostLine(cost_label(c, language), language.money(occurrence.cost[c], currency))
        for c in categories
        if occurrence.cost[c]
    )
    total = language.money(occurrence.total_cost, currency) if costs else ""
    note = "" if costs else _("This event costs the project nothing.")
    return _briefing(scenario, occurrence, language, travel, costs, total, note, ())


def _categories(context) -> list[str]:
    """``CostTable(scenario).categories()``, which looks at every event: once per render."""
    return context.memo.get("scheduler.content.briefing.categories", lambda: _cost_table(context).categories())


def cost_label(category: str, language: Language) -> str:
    return language.gettext(COST_LABELS.get(category, category.replace("_", " ").capitalize()))


def _attendee_costs(context, occurrence: PlannedOccurrence, person: Person, language: Language):
    """Cost lines, total and note for one person, from the cost model the solver used."""
    _ = language.gettext
    scenario = context.scenario
    event = scenario.events.get(occurrence.event)
    if not person.funded:
        return (), "", _("The project does not cover your costs for this event.")
    if event is None or occurrence.venue not in scenario.venues:
        return (), "", ""
    if person.home == scenario.venues[occurrence.venue].location:
        return (), "", _("The event takes place where you live: there is no travel or per diem to claim.")
    currency = scenario.project.currency
    paid = _cost_table(context).attendee(person, event, occurrence.venue)
    nights = nights_away(event)
    country = scenario.venue_location(occurrence.venue).country
    per_night = {"per_diem": scenario.rates.per_diem, "accommodation": scenario.rates.accommodation or {}}
    lines = []
    for category in ("travel", "per_diem", "accommodation"):
        if category not in paid:
            continue
        detail = ""
        if category in PER_NIGHT and nights:
            detail = language.ngettext("%(num)d night × %(rate)s", "%(num)d nights × %(rate)s", nights) % {
                "num": nights,
                "rate": language.money(per_night[category][country], currency),
            }
        lines.append(CostLine(cost_label(category, language), language.money(paid[category], currency), detail))
    note = ""
    if scenario.rates.accommodation is None:
        note = _("The per diem covers your hotel, meals and local transport.")
    return tuple(lines), language.money(sum(paid.values()), currency), note


def _cost_table(context) -> CostTable:
    return context.memo.get("scheduler.content.briefing.costs", lambda: CostTable(context.scenario))


def _changes(scenario, previous: PlannedOccurrence, current: PlannedOccurrence, language: Language):
    """What moved since the previously published plan, as sentences ("The dates changed: …")."""
    _ = language.gettext
    if not previous.scheduled:
        return ()
    changes = []
    if (previous.start, previous.end) != (current.start, current.end):
        changes.append(
            _("The dates changed: it was planned for %(dates)s.")
            % {"dates": language.date_range(previous.start, previous.end)}
        )
    if previous.venue != current.venue:
        venue = scenario.venues.get(previous.venue)
        changes.append(
            _("The venue changed: it was planned at %(venue)s.") % {"venue": venue.name if venue else previous.venue}
        )
    return tuple(changes)


def _briefing(scenario, occurrence, language, travel, costs, total, note, changes) -> Briefing:
    _ = language.gettext
    venue = scenario.venues.get(occurrence.venue)
    location = scenario.locations.get(venue.location if venue else occurrence.location)
    event = scenario.events.get(occurrence.event)
    city = location.city if location else ""
    country = language.country(occurrence.country or (location.country if location else ""))
    name, address = (venue.name, venue.address) if venue else (occurrence.venue or "", "")
    organizer = scenario.project.organizer
    kind = kind_label(occurrence.kind, language)
    timezone_note = ""
    if location is not None:
        timezone_note = _("Times are local time in %(city)s (%(timezone)s).") % {
            "city": location.city,
            "timezone": location.timezone,
        }
    return Briefing(
        language=language,
        title=occurrence.title,
        kind=kind,
        what=occurrence.title if kind.lower() in occurrence.title.lower() else f"{occurrence.title} ({kind})",
        dates=language.date_range(occurrence.start, occurrence.end),
        travel=travel,
        venue=name,
        address=address,
        city=city,
        country=country,
        locality=", ".join(p for p in (city if city and city not in address else "", country) if p),
        place=place_line(name, address, city, country),
        costs=costs,
        cost_total=total,
        cost_note=note,
        agenda=_agenda(event, occurrence.start, language),
        timezone_note=timezone_note,
        contact_name=organizer.name,
        contact_email=organizer.email,
        changes=changes,
    )


def place_line(venue: str, address: str, city: str, country: str) -> str:
    """``Venue, address, city, country``, without repeating a city the address already names."""
    parts = [venue, address]
    if city and city not in address:
        parts.append(city)
    parts.append(country)
    return ", ".join(p for p in parts if p)


def _agenda(event, start: dt.date, language: Language) -> tuple[AgendaDay, ...]:
    if event is None or not event.agenda:
        return ()
    days: dict[int, list[Session]] = {}
    for item in sorted(event.agenda, key=lambda i: (i.day, i.start, i.end, i.title)):
        span = f"{language.time(item.start)}–{language.time(item.end)}"
        days.setdefault(item.day, []).append(Session(span, item.title))
    return tuple(
        AgendaDay(language.date(start + dt.timedelta(days=day - 1)), tuple(sessions))
        for day, sessions in sorted(days.items())
    )


def description_text(briefing: Briefing) -> str:
    """The plain-text ``DESCRIPTION`` of a calendar event: the briefing in a dozen lines."""
    _ = briefing.language.gettext
    # Labels are looked up outside f-strings, where the message extractor can see them.
    when, travel, where, total, agenda, contact = (
        _("When"),
        _("Travel"),
        _("Where"),
        _("Total"),
        _("Agenda"),
        _("Contact"),
    )
    pays = _("What the project pays for you") if briefing.personal else _("What the project pays")
    lines = [briefing.what, f"{when}: {briefing.dates}"]
    if briefing.travel:
        lines.append(f"{travel}: {briefing.travel}")
    lines.append(f"{where}: {briefing.place}")
    lines.extend(briefing.changes)
    if briefing.costs:
        lines.append(f"{pays}:")
        for cost in briefing.costs:
            detail = f" ({cost.detail})" if cost.detail else ""
            lines.append(f"- {cost.label}{detail}: {cost.amount}")
        lines.append(f"- {total}: {briefing.cost_total}")
    if briefing.cost_note:
        lines.append(briefing.cost_note)
    if briefing.agenda:
        lines.append(f"{agenda}: {briefing.timezone_note}")
        for day in briefing.agenda:
            lines.append(day.label)
            lines.extend(f"- {s.time} {s.title}" for s in day.sessions)
    lines.append(f"{contact}: {briefing.contact_name} <{briefing.contact_email}>")
    return "\n".join(lines)
