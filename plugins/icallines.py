"""Single iCalendar content lines as icalendar writes them, without a component for each.

Split from ``icalbuild`` (which re-exports them; the formats call them as ``icalbuild.text_line``
and so on): a large plan writes thousands of lines that differ per reader (their ``DESCRIPTION``,
their ``ATTENDEE``), and building and serialising a component for each is most of their cost.
``property_line`` is the reference, built and serialised by icalendar whole; ``typed_line``,
``text_line`` and ``fold_line`` give the same bytes for less (``tests/test_render_reuse.py`` holds them to it).
"""

from __future__ import annotations

from functools import lru_cache

import icalendar


def property_line(name: str, value, parameters: dict | None = None) -> bytes:
    """One property as icalendar writes it in a ``VEVENT`` (folded, escaped, with its CRLF)."""
    holder = icalendar.Event()
    holder.add(name, value, parameters=parameters)
    data = holder.to_ical(sorted=True)
    return data[len(b"BEGIN:VEVENT\r\n") : -len(b"END:VEVENT\r\n")]


def typed_line(name: str, value) -> bytes:
    """``property_line(name, value)`` for a value icalendar has typed already (a ``vCalAddress``
    with its parameters, a ``vText``): ``Component.add`` keeps such a value as it is, and its line
    is made as ``content_lines`` makes it (``content_line``, under the upper-case name the event
    keeps) and folded by ``fold_line``, without an event built and walked for it (a large plan
    writes an ``ATTENDEE`` line for each of thousands of people; 200 -> 45 us a line)."""
    if not isinstance(value, icalendar.Event.types_factory.all_types):
        return property_line(name, value)
    line = _LINE_HOLDER.content_line(name.upper(), value, sorted=True)
    return fold_line(str(line).encode("utf-8")) + b"\r\n"


_LINE_HOLDER = icalendar.Event()  # content_line is the component's, though it uses none of it


@lru_cache(maxsize=16384)
def text_line(name: str, text: str) -> bytes:
    """``property_line`` of a text property without parameters: the value escaped by icalendar
    (``vText``) and the line folded as icalendar folds it (``fold_line``), without building and
    walking a component for each line. Readers who live in the same place and speak the same
    language read the same briefing, so their line is made once."""
    value = icalendar.vText(text).to_ical().decode("utf-8")
    return fold_line(f"{name.upper()}:{value}".encode()) + b"\r\n"


def fold_line(line: bytes, limit: int = 75) -> bytes:
    """A UTF-8 content line folded as icalendar 7 folds it (``_foldline``), in octets rather than
    character by character: pieces of at most ``limit - 1`` octets, never cutting a character,
    joined by CRLF and a space; a piece does not end in a backslash or a caret, which starts the
    next piece instead. ``tests/test_render_reuse.py`` holds it to ``property_line``."""
    pieces, start, size, length = [], 0, limit - 1, len(line)
    while length - start > size:
        end = start + size
        while 0x80 <= line[end] < 0xC0:  # inside a character: cut before it
            end -= 1
        if line[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def component_bytes(component: icalendar.Component) -> bytes:
    """``component.to_ical(sorted=True)``: icalendar's content lines (names, parameters, values,
    escaping: all icalendar's), each folded by ``fold_line`` (icalendar's folding, in octets)
    rather than by icalendar's character-by-character loop, which is most of the time it takes."""
    return b"".join(
        fold_line(str(line).encode("utf-8")) + b"\r\n" for line in component.content_lines(sorted=True) if line
    )


def used_tzids(*components: icalendar.Component) -> frozenset[str]:
    """The time zones (``TZID``) the components use, as a calendar holding them reports them
    (``Calendar.get_used_tzids``): the ``TZID`` parameter of every property value, in the
    components and their subcomponents. Walked here rather than through ``property_items``,
    which makes and encodes a ``BEGIN`` and an ``END`` value per component on the way (each
    occurrence's events are asked twice: a quarter of the time of serialising them)."""
    found: set[str | None] = set()
    stack = list(components)
    while stack:
        component = stack.pop()
        for values in component.values():
            for value in values if isinstance(values, list) else (values,):
                if hasattr(value, "params"):
                    found.add(value.params.get("TZID"))
        stack.extend(component.subcomponents)
    found.discard(None)
    return frozenset(found)
