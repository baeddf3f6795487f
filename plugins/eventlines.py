"""An event's bytes put together from lines remembered per property value, as icalendar writes them.

A large plan serialises thousands of events that share most of their property values: the stamp,
the status, the organizer, the kind, each venue's location and place, each event's title, the
days. Building each event with the icalendar API and serialising it costs about 0.5 ms, most of
it typing the same values (``Component.add``) and writing the same lines again
(``content_line``). Here each property is written once per distinct value, by icalendar itself
(an event holding that property alone, serialised as ``icallines.component_bytes`` serialises a
component; a text without parameters by ``icallines.text_line``), and remembered; an event is its ``BEGIN`` line, its properties' lines in the order
icalendar writes them (``Event.sorted_keys``: the canonical names first, then the others in
alphabetical order; the values of one name in the order they were added), and its ``END`` line.
That is what serialising the whole event gives, since icalendar writes each property's line
from its name and value alone.

A value is remembered under a key that tells apart everything that could be written differently:
its type, and for a time of day its zone as well as its instant (two times in different zones
can be the same instant, and equal); values of other types than those known here are written
each time.

``tests/test_render_shortcuts.py`` holds ``event_pieces`` to icalendar's own serialisation, for
every occurrence of a plan and for odd values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import icalendar
from scheduler.plugins.icallines import component_bytes, text_line, used_tzids

Property = tuple[str, Any, dict | None]  # name, value, parameters, as ``Component.add`` takes them

BEGIN, END = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
MAX_REMEMBERED = 100_000  # distinct property values; beyond that the memory starts afresh


def event_pieces(properties: Iterable[Property], slots: Iterable[str] = ()) -> tuple[list[bytes], list[str], frozenset]:
    """What an ``icalendar.Event`` with ``properties`` added in this order gives serialised, with
    the properties named in ``slots`` left open: the bytes around the open slots, the slots in the
    order they are written, and the time zones (``TZID``) the values use (``used_tzids``)."""
    lines: dict[str, list[bytes]] = {}
    zones: set[str] = set()
    for name, value, parameters in properties:
        data, used = property_bytes(name, value, parameters)
        lines.setdefault(name.upper(), []).append(data)
        zones.update(used)
    open_slots = [slot.upper() for slot in slots]
    for slot in open_slots:
        if slot in lines:
            raise ValueError(f"{slot} is to be left open but the event has it")
    pieces, order, current = [], [], [BEGIN]
    for name in _order(frozenset(lines).union(open_slots)):
        if name in open_slots:
            pieces.append(b"".join(current))
            order.append(name)
            current = []
        else:
            current += lines[name]
    current.append(END)
    pieces.append(b"".join(current))
    return pieces, order, frozenset(zones)


def property_bytes(name: str, value: Any, parameters: dict | None = None) -> tuple[bytes, frozenset]:
    """The lines of one property as icalendar writes them in an event, and the time zones of its
    value; remembered per name, value and parameters where the key tells them apart."""
    key = _key(name, value, parameters)
    if key is None:
        return _written(name, value, parameters)
    found = _remembered.get(key)
    if found is None:
        if len(_remembered) >= MAX_REMEMBERED:
            _remembered.clear()
        found = _remembered[key] = _written(name, value, parameters)
    return found


_remembered: dict[tuple, tuple[bytes, frozenset]] = {}


def _written(name: str, value: Any, parameters: dict | None) -> tuple[bytes, frozenset]:
    if type(value) is str and not parameters and _is_text(name):
        # What the event writes for a text without parameters (UIDs, titles, places: most of the
        # values met once), without an event built and walked for it: ``icallines.text_line``.
        return text_line(name, value), frozenset()
    holder = icalendar.Event()
    holder.add(name, value, parameters=dict(parameters) if parameters is not None else None)
    data = component_bytes(holder)
    if not (data.startswith(BEGIN) and data.endswith(END)):
        raise ValueError("icalendar wrote an event that does not begin and end as expected")
    return data[len(BEGIN) : -len(END)], used_tzids(holder)


@lru_cache(maxsize=256)
def _is_text(name: str) -> bool:
    """Whether an event types a text value of this property as text (``vText``), as
    ``Component.add`` does when no ``VALUE`` parameter is given."""
    return (
        icalendar.Event._infer_value_type("text") is None
        and icalendar.Event.types_factory.for_property(name) is icalendar.vText
    )


@lru_cache(maxsize=256)
def _order(names: frozenset[str]) -> tuple[str, ...]:
    """The order in which icalendar writes an event's properties of these names."""
    holder = icalendar.Event()
    for name in names:
        holder[name] = ""
    return tuple(holder.sorted_keys())


_UNKNOWN = object()
_PLAIN = (str, int, float, bool, dt.date, dt.time, dt.timedelta)  # by type and value


def _key(name: str, value: Any, parameters: dict | None) -> tuple | None:
    typed = _value_key(value)
    if typed is _UNKNOWN:
        return None
    if parameters is None:
        return (name, typed, None)
    given = []
    for parameter, item in parameters.items():
        item_key = _value_key(item)
        if item_key is _UNKNOWN or type(parameter) is not str:
            return None
        given.append((parameter, item_key))
    return (name, typed, tuple(given))


def _value_key(value: Any):
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is dt.datetime:
        # Aware times are equal when they are the same instant, whatever their zones: the zone is
        # part of the key (and the offset, for zones that are not ZoneInfo).
        zone = value.tzinfo
        return (kind, value.replace(tzinfo=None), type(zone), str(zone), value.utcoffset(), value.fold)
    if kind is tuple or kind is list:
        items = tuple(_value_key(item) for item in value)
        return _UNKNOWN if any(item is _UNKNOWN for item in items) else (kind, items)
    if kind is icalendar.vCalAddress or kind is icalendar.vText:
        parameters = []
        for parameter, item in value.params.items():
            item_key = _value_key(item)
            if item_key is _UNKNOWN:
                return _UNKNOWN
            parameters.append((parameter, item_key))
        return (kind, str(value), tuple(parameters))
    return _UNKNOWN
