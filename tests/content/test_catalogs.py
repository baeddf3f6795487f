"""The translators' tool (``scheduler.content.catalogs``): the messages come from the helpers, the
plugins and the templates, and every catalog shipped is complete and compiled."""

from __future__ import annotations

from scheduler.content import catalogs


def test_the_catalogs_are_complete_and_compiled():
    assert catalogs.problems() == []


def test_messages_are_found_in_the_helpers_the_plugins_and_the_templates():
    places = {place for message in catalogs.extract() for place, _line in message.locations}
    folders = {place.rsplit("/", 1)[0] for place in places}
    assert {"scheduler/content", "plugins", "templates"} <= folders
    assert "scheduler/content/kinds.py" in places and "plugins/invitations.py" in places
