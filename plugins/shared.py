"""What several formats compute for the same occurrence, computed once where they run together.

``ical`` and ``invitations`` both need, for each scheduled occurrence, its event and each
attendee's briefing in their language. The plugin host runs both formats' work for an occurrence
in the same process, one right after the other (``scheduler.render.pool``: batches over the same
items run item by item), so what the first computes can serve the second: ``remembered`` keeps
the values computed for the occurrence at hand, and forgets them when another occurrence (or
another render) comes. One occurrence at a time keeps the memory small, and nothing leaks between
occurrences, runs or contexts.

A value is remembered under a key that names everything it depends on besides the render and the
occurrence (the reader, the language, the previous plan's occurrence); values must be immutable
(frozen dataclasses, bytes), since whoever asks next gets the same object.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

# ical: the occurrence's template with ATTENDEE and DESCRIPTION open, followed by the sessions,
# and the time zones of the event alone
REQUEST_TEMPLATE = "request-template"

_latest: tuple[Any, Any, dict] | None = None  # (context, occurrence, values) of the occurrence at hand


def remembered(context, occurrence, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave before for the same context, occurrence and key."""
    global _latest
    if _latest is None or _latest[0] is not context or _latest[1] is not occurrence:
        _latest = (context, occurrence, {})
    values = _latest[2]
    found = values.get(key, _MISSING)
    if found is _MISSING:
        found = values[key] = compute()
    return found


def known(context, occurrence, key: Hashable) -> Any:
    """What was remembered for the occurrence at hand under ``key``, or None."""
    if _latest is None or _latest[0] is not context or _latest[1] is not occurrence:
        return None
    return _latest[2].get(key)


def forget() -> None:
    """Drop what is remembered (a render that ends, a test that starts afresh)."""
    global _latest
    _latest = None


_MISSING = object()
