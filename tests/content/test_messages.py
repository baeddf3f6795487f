"""iMIP messages (``scheduler.content.messages``): a render's policy shares header objects between
messages, and every message is still the bytes ``email.policy.SMTP`` writes; ids and boundaries
come from the message's key."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from email.headerregistry import Address
from types import SimpleNamespace

import pytest

from scheduler.content import messages
from scheduler.render.memo import RenderMemo
from tests.support.calendar_outputs import NOW, render, replanned


def standard_bytes(values: messages.MessageValues) -> bytes:
    return messages.build_message(values, email.policy.SMTP).as_bytes(policy=email.policy.SMTP)


@pytest.mark.parametrize("replan", [False, True])
def test_every_message_is_what_the_standard_policy_writes(plan, scenario, tmp_path, monkeypatch, replan):
    """Invitations (and, re-planned, updates and cancellations) written with the render's policy,
    each compared with the same message written by the stock ``email.policy.SMTP``."""
    built = []
    original = messages.message_bytes

    def keeping(context, values):
        data = original(context, values)
        built.append((values, data))
        return data

    monkeypatch.setattr(messages, "message_bytes", keeping)
    previous = None
    if replan:
        previous, plan = plan, replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
    written = render(plan, scenario, tmp_path, "invitations", previous=previous, options={"workers": "1"})
    assert len(built) == len(written) > 50
    assert {values.method for values, _ in built} == ({"REQUEST", "CANCEL"} if replan else {"REQUEST"})
    for values, data in built:
        assert data == standard_bytes(values), values.message_id


ODD = [
    {"subject": "Invitation: " + "a very long title " * 8},
    {"subject": "Invitación: reunión en São Paulo, 1–2 marzo"},
    {"message_id": "<" + "x" * 90 + "@example.org>"},
    {"recipient": Address('Zoë Ångström-Ñúñez, "the" chair', addr_spec="zoe@example.org")},
    {"text": "line one\r\nline two =?utf-8?q?x?=\n\n" + "é" * 200, "html": "<p>" + "word " * 60 + "</p>"},
    {"calendar": b"BEGIN:VCALENDAR\r\n" + bytes(range(256)) * 3},
    {"method": "CANCEL", "language": "pt-BR"},
]


@pytest.mark.parametrize("changes", ODD)
def test_odd_values_are_written_as_the_standard_policy_writes_them_every_time(changes):
    values = messages.MessageValues(
        sender=Address("Programme team", addr_spec="programme@example.org"),
        recipient=Address("Ana Pop", addr_spec="ana@example.org"),
        subject="Invitation: Study visit, 1–2 March",
        date="Tue, 14 Nov 2023 22:13:20 +0000",
        message_id="<p.o-1.ana.request.0@example.org>",
        language="en",
        boundaries=("=_" + "0123456789abcdef" * 2, "=_" + "fedcba9876543210" * 2),
        text="Dear Ana,\n\nsee you in Bucureşti.\n",
        html="<p>Dear Ana,</p>\n",
        calendar=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        method="REQUEST",
    )
    values = dataclasses.replace(values, **changes)
    context = SimpleNamespace(memo=RenderMemo())
    expected = standard_bytes(values)
    assert messages.message_bytes(context, values) == expected
    assert messages.message_bytes(context, values) == expected  # again, from the headers it shares


def test_a_renders_policy_shares_its_headers_but_not_those_of_one_message():
    context = SimpleNamespace(memo=RenderMemo())
    policy = messages.policy(context)
    assert messages.policy(context) is policy and messages.policy(SimpleNamespace(memo=RenderMemo())) is not policy
    factory = policy.header_factory
    assert factory("Content-Type", 'text/plain; charset="utf-8"') is factory(
        "Content-Type", 'text/plain; charset="utf-8"'
    )
    person = Address("Ana Pop", addr_spec="ana@example.org")
    assert factory("To", person) is factory("To", Address("Ana Pop", "ana", "example.org"))
    assert factory("To", person) is not factory("From", person)
    assert factory("Message-ID", "<a@b.org>") is not factory("Message-ID", "<a@b.org>")
    mixed = 'multipart/mixed; boundary="=_1"'
    assert factory("Content-Type", mixed) is not factory("Content-Type", mixed)
    assert factory["to"] is factory["To"]


def test_ids_and_boundaries_come_from_the_key(scenario):
    context = SimpleNamespace(scenario=scenario, now=NOW, memo=RenderMemo())
    common = {"language": "ro_MD", "subject": "S", "text": "t", "html": "h", "calendar": b"c", "method": "REQUEST"}
    person = messages.address(context, "Ana Pop", "ana@example.org")
    first = messages.imip_values(context, recipient=person, key=("o-1", "ana", "request", 0), **common)
    again = messages.imip_values(context, recipient=person, key=("o-1", "ana", "request", 0), **common)
    other = messages.imip_values(context, recipient=person, key=("o-1", "ana", "request", 1), **common)
    organizer = scenario.project.organizer
    assert first == again and first.message_id != other.message_id and first.boundaries != other.boundaries
    assert first.message_id == f"<{scenario.project.id}.o-1.ana.request.0@{organizer.email.split('@')[1]}>"
    assert all(b.startswith("=_") and len(b) == 34 for b in first.boundaries)
    assert first.language == "ro-MD" and first.date == email.utils.format_datetime(NOW)
    assert first.sender.addr_spec == organizer.email
    parsed = email.message_from_bytes(standard_bytes(first), policy=email.policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
