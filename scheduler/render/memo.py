"""Values that the formats of one render compute once and share: ``RenderContext.memo``.

Several formats need the same things: the languages of the readers, the iCalendar event of an
occurrence, a participant's briefing (``ical`` writes it into their feed, ``invitations`` into
their e-mail). The memo belongs to the render's context, so it lives exactly as long as the
render and nothing leaks into the next one. A forked worker process (``scheduler.render.pool``)
starts from a copy of it and fills its own copy: values must therefore be computed the same way
wherever they are computed, and shared values must not be changed by whoever receives them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()


class RenderMemo:
    """Values by key, for one render.

    A key names everything its value depends on besides the render itself, by value (ids, codes,
    dates), never by ``id()``: two formats asking for the same thing get the same object."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._item: Hashable = _MISSING
        self._item_values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it gave before in this render for ``key``."""
        found = self._values.get(key, _MISSING)
        if found is _MISSING:
            found = self._values[key] = compute()
        return found

    def for_item(self, item: Hashable, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it gave before for ``key`` while ``item`` is the latest item asked
        about; asking about another item forgets the values of the one before.

        For what is large and needed only while the formats are at one item: the pool runs every
        format's work on an item (an occurrence) one right after the other in the same process,
        so the second format finds what the first computed, and memory holds one item's values."""
        if item != self._item:
            self._item, self._item_values = item, {}
        found = self._item_values.get(key, _MISSING)
        if found is _MISSING:
            found = self._item_values[key] = compute()
        return found
