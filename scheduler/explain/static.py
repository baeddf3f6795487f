"""Impossibilities found before any search: arithmetic on the scenario alone.

Each check concerns a required event (an optional one is simply left out) and returns a
``Conflict`` in the same words as the solver-based explanation, with the guard keys it covers so
the search does not report it a second time.
"""

from __future__ import annotations

from scheduler.explain.words import Conflict, Fact, Words
from scheduler.model.instance import Instance


def static_conflicts(instance: Instance, words: Words) -> list[Conflict]:
    out: list[Conflict] = []
    for event in instance.scenario.events.values():
        if event.optional:
            continue
        occurrences = instance.by_event[event.id]
        first_occurrence = occurrences[0]
        first, last = instance.window_starts(first_occurrence)
        required = words.fact(("required", event.id))
        if last < first:
            out.append(_window_too_short(instance, words, event, required))
            continue
        if event.repeat and event.repeat.count > 1:
            conflict = _series_cannot_fit(instance, words, event, required)
            if conflict:
                out.append(conflict)
                continue
        for group in first_occurrence.seat_groups:
            if len(group.candidates) < group.need:
                seat = event.seats[group.seat_index]
                where = f" from {words.country(group.country)}" if group.country else ""
                holders = ", ".join(group.candidates) or "nobody"
                fact = Fact(
                    ("seats", event.id, group.seat_index, group.country),
                    f"{words.event(event.id)} needs {group.need} {seat.role}{where}, but only {len(group.candidates)} "
                    f"{'person holds' if len(group.candidates) == 1 else 'people hold'} that role there and are not already attendees ({holders})",
                    words.place("events", event.id, f"seats[{group.seat_index}]"),
                )
                out.append(
                    Conflict(
                        [required, fact],
                        [
                            f"lower the seats to {len(group.candidates)} or give the role {seat.role} to more people{where}",
                            words.make_optional(event.id),
                        ],
                    )
                )
        size = first_occurrence.size
        capacities = {v: instance.scenario.venues[v].capacity for v in event.venues}
        if all(size > c for c in capacities.values()):
            facts = [required] + [
                Fact(
                    ("capacity", event.id, v),
                    f"venue {words.venue(v)} seats {c}, but {words.event(event.id)} has {size} attendees",
                    words.place("venues", v, "capacity"),
                )
                for v, c in sorted(capacities.items())
            ]
            out.append(
                Conflict(
                    facts,
                    [
                        f"add a venue with at least {size} seats to {event.id}.venues, or invite fewer people",
                        words.make_optional(event.id),
                    ],
                )
            )
    return out


def _window_too_short(instance: Instance, words: Words, event, required: Fact) -> Conflict:
    window = event.window
    horizon = instance.project.horizon
    inside_first, inside_last = max(window.first, horizon.first), min(window.last, horizon.last)
    days = max(0, (inside_last - inside_first).days + 1)
    if days == 0:
        text = f"the window of {words.event(event.id)} is {window}, entirely outside the project's horizon {horizon}"
    else:
        text = f"{words.event(event.id)} lasts {event.duration_days} days, but its window {window} has only {days} days inside the horizon {horizon}"
    fact = Fact(("window", event.id), text, words.place("events", event.id, "window"))
    widen = event.duration_days - days
    hint = (
        f"widen the window of {event.id} by at least {widen} days"
        if days
        else f"move the window of {event.id} inside {horizon}"
    )
    return Conflict([required, fact], [hint, words.make_optional(event.id)])


def _series_cannot_fit(instance: Instance, words: Words, event, required: Fact) -> Conflict | None:
    """The shortest span a series can have: each step is at least ``every_months`` months of 28
    days less the tolerance."""
    repeat = event.repeat
    first, last = instance.window_starts(instance.by_event[event.id][0])
    shortest_step = max(0, repeat.every_months * 28 - repeat.tolerance_days)
    needed = shortest_step * (repeat.count - 1)
    available = last - first
    if needed <= available:
        return None
    fact = Fact(
        ("series", event.id),
        f"{words.event(event.id)} repeats {repeat.count} times every {repeat.every_months} months (± {repeat.tolerance_days} days): "
        f"that takes at least {needed} days between the first and last start, but its window {event.window} allows {max(0, available)}",
        words.place("events", event.id, "repeat"),
    )
    window = Fact(
        ("window", event.id),
        f"the window of {words.event(event.id)} is {event.window}",
        words.place("events", event.id, "window"),
    )
    return Conflict(
        [required, fact, window],
        [
            f"widen the window of {event.id} by {needed - available} days, or lower repeat.count",
            words.make_optional(event.id),
        ],
    )
