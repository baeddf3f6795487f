"""Single iCalendar content lines as icalendar writes them, without a component for each.

Split from ``icalbuild`` (which re-exports them; the formats call them as ``icalbuild.text_line``
and so on): a large plan writes thousands of lines that differ per reader (their ``DESCRIPTION``,
their ``ATTENDEE``), and building and serialising a component for each is most of their cost.
``property_line`` is the reference, built and serialised by icalendar whole; ``text_line`` and
``fold_line`` give the same bytes for less (``tests/test_render_reuse.py`` holds them to it).
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
