"""Checks across a scenario's tables, once each table is read: every id referenced exists
(locations of venues and homes, venues, attendees, roles of seats, events named in ``after``),
preferred dates lie in the window, the occurrences stay countable, the order of events has no
circle, and the rates cover every country and journey the plan could need.

A mixin of ``scheduler.scenario.loader._Loader``: entries that are present but invalid are not reported
again as unknown (``invalid``, ``invalid_roles``), and places count every entry in the file
(``positions``)."""

from __future__ import annotations

from collections.abc import Callable

from scheduler.errors import Problem
from scheduler.scenario.domain import Event, Scenario
from scheduler.scenario.fields import suggest

MAX_OCCURRENCES = 20_000


class CrossReferences:
    problems: list[Problem]
    invalid: dict[str, set[str]]
    invalid_roles: set[str]
    positions: dict[str, dict[str, int]]
    problem: Callable[..., None]  # problem(place, message, ident=None): the loader's

    def check_references(self, project, locations, venues, people, events) -> None:
        index = self.positions  # an entry's place in the file, counting the invalid entries too
        invalid = self.invalid
        for vid, venue in venues.items():
            if venue.location not in locations and venue.location not in invalid.get("locations", ()):
                self.problem(
                    f"venues[{index['venues'][vid]}].location",
                    f'unknown location "{venue.location}"{suggest(venue.location, locations)}',
                    vid,
                )
        roles = {role for p in people.values() for role in p.roles}
        known_roles = roles | self.invalid_roles
        for pid, person in people.items():
            if person.home not in locations and person.home not in invalid.get("locations", ()):
                self.problem(
                    f"people[{index['people'][pid]}].home",
                    f'unknown location "{person.home}"{suggest(person.home, locations)}',
                    pid,
                )
        for eid, event in events.items():
            place = f"events[{index['events'][eid]}]"
            for i, vid in enumerate(event.venues):
                if vid not in venues and vid not in invalid.get("venues", ()):
                    self.problem(f"{place}.venues[{i}]", f'unknown venue "{vid}"{suggest(vid, venues)}', eid)
            for i, who in enumerate(event.attendees):
                if who.startswith("role:"):
                    role = who[5:]
                    if role not in known_roles:
                        self.problem(
                            f"{place}.attendees[{i}]",
                            f'no person has the role "{role}"{suggest(role, roles)}',
                            eid,
                        )
                elif who not in people and who not in invalid.get("people", ()):
                    self.problem(
                        f"{place}.attendees[{i}]",
                        f'unknown person "{who}"{suggest(who, people)}',
                        eid,
                    )
            for i, seat in enumerate(event.seats):
                if seat.role not in known_roles:
                    self.problem(
                        f"{place}.seats[{i}].role",
                        f'no person has the role "{seat.role}"{suggest(seat.role, roles)}',
                        eid,
                    )
            for i, order in enumerate(event.after):
                if order.event == eid:
                    self.problem(f"{place}.after[{i}].event", "an event cannot come after itself", eid)
                elif order.event not in events and order.event not in invalid.get("events", ()):
                    self.problem(
                        f"{place}.after[{i}].event",
                        f'unknown event "{order.event}"{suggest(order.event, events)}',
                        eid,
                    )
            for i, pref in enumerate(event.preferred):
                if pref.last < event.window.first or pref.first > event.window.last:
                    self.problem(
                        f"{place}.preferred[{i}]",
                        f"{pref} lies outside the window {event.window}",
                        eid,
                    )
        total = sum(e.occurrence_count for e in events.values())
        if total > MAX_OCCURRENCES:
            self.problem(
                "events",
                f"the events expand into {total:,} occurrences; at most {MAX_OCCURRENCES:,}",
            )
        self.check_cycles(events, index["events"])

    def check_cycles(self, events: dict[str, Event], index: dict[str, int]) -> None:
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(eid: str, trail: list[str]) -> None:
            state[eid] = 1
            for order in events[eid].after:
                other = order.event
                if other not in events or other == eid:
                    continue
                if state.get(other) == 1:
                    cycle = trail[trail.index(other) :] + [eid, other] if other in trail else [eid, other]
                    self.problem(
                        f"events[{index[eid]}].after",
                        "the order of events goes round in a circle: " + " → ".join(reversed(cycle)),
                        eid,
                    )
                elif other not in state:
                    visit(other, trail + [eid])
            state[eid] = 2

        for eid in events:
            if eid not in state:
                visit(eid, [])

    def check_rates_cover(self, s: Scenario) -> None:
        """No silent zero: every country an event could take place in has a per diem (and an
        accommodation rate where the scenario pays hotels apart), and every journey a funded
        person could make falls in a distance band or has an explicit fare."""
        from scheduler.scenario.costs import distance_km

        used_venues = {v for e in s.events.values() for v in e.venues}
        default_note = ""
        if "per_diem" in s.rates.sources:
            default_note = (
                f" (the shipped table, {s.rates.sources['per_diem']}, has only {', '.join(sorted(s.rates.per_diem))})"
            )
        for vid in sorted(used_venues):
            country = s.venue_location(vid).country
            if country not in s.rates.per_diem:
                self.problem(
                    "rates.per_diem",
                    f'no per diem for {country}, where venue "{vid}" is; add {country} = <EUR per night>{default_note}',
                )
                default_note = ""
            if s.rates.accommodation is not None and country not in s.rates.accommodation:
                self.problem(
                    "rates.accommodation",
                    f'no accommodation rate for {country}, where venue "{vid}" is; add {country} = <amount per night> (0 where the per diem covers hotels)',
                )
        homes = {p.home for p in s.people.values() if p.funded}
        venue_locations = {s.venues[v].location for v in used_venues}
        top = s.rates.distance_bands[-1][0]
        for home in sorted(homes):
            for loc in sorted(venue_locations):
                if home == loc or frozenset((home, loc)) in s.rates.fares:
                    continue
                km = distance_km(s.locations[home], s.locations[loc])
                if km > top:
                    self.problem(
                        "rates.distance_bands",
                        f"{home} to {loc} is {km:.0f} km, beyond the last band ({top} km); add a band or a fare",
                    )
        # A problem reported twice (same place and text) is said once.
        seen, unique = set(), []
        for p in self.problems:
            if (p.place, p.message) not in seen:
                seen.add((p.place, p.message))
                unique.append(p)
        self.problems[:] = unique
