"""What the rendering reuses, it must reuse correctly: every output that is put together from
pieces serialised once (feeds, invitations), written with the remembering e-mail policy, or
rendered in worker processes is compared with the same output built the plain way, one object at
a time, with the icalendar and e-mail APIs."""

from __future__ import annotations

import copy
import dataclasses
import email
import email.policy
import pickle
from email.headerregistry import Address
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler.plugins import fanout, icalbuild, invitations, mailbuild, mailpolicy
from scheduler.plugins.briefing import attendee_briefing, description_text
from scheduler.plugins.i18n import language_for

from scheduler.errors import UsageError
from scheduler.render.context import RenderContext
from scheduler.render.host import PluginError
from tests.support.calendar_outputs import NOW, render, replanned


@pytest.fixture(scope="module")
def crowded_plan(plan, scenario):
    """The plan with a second occurrence at the same venue on the same days, for other people
    (speaking other languages, living elsewhere): nothing of the first may leak into the second."""
    plan = copy.deepcopy(plan)
    first = next(o for o in plan.scheduled if o.attendees)
    others = [p for p in scenario.people.values() if p.id not in {a.person for a in first.attendees}]
    others = sorted(others, key=lambda p: (p.language == scenario.people[first.attendees[0].person].language, p.id))
    twin = copy.deepcopy(first)
    twin.id, twin.index = f"{first.id}-twin", first.index + 100
    twin.attendees = [type(a)(p.id, a.first_away, a.last_away) for a, p in zip(first.attendees, others, strict=False)]
    plan.occurrences.append(twin)
    return plan


def context_for(plan, scenario, folder: Path, **options) -> RenderContext:
    return RenderContext(plan=plan, scenario=scenario, folder=folder, now=NOW, options=options)


def plain_event(context, occurrence, reader=None, *, with_attendees=True, rsvp=False):
    """The occurrence's event as the plugins built it before anything was reused."""
    description = None
    if reader is not None:
        language = language_for(context, reader.language)
        description = description_text(attendee_briefing(context.scenario, occurrence, reader, language))
    if rsvp:
        return icalbuild.occurrence_event(
            context, occurrence, attendees=[reader.id], description=description, rsvp=True
        )
    attendees = None if with_attendees else ()
    return icalbuild.occurrence_event(context, occurrence, attendees=attendees, description=description)


@pytest.mark.parametrize("with_attendees", [True, False])
def test_every_feed_is_the_calendar_of_its_events_built_one_by_one(crowded_plan, scenario, tmp_path, with_attendees):
    options = {} if with_attendees else {"ical.attendees": "false"}
    render(crowded_plan, scenario, tmp_path, "ical", options=options)
    context = context_for(crowded_plan, scenario, tmp_path)
    scheduled = sorted(crowded_plan.scheduled, key=lambda o: (o.start, o.id))
    readers: dict[str, list] = {}
    for occurrence in scheduled:
        for attendance in occurrence.attendees:
            readers.setdefault(attendance.person, []).append(occurrence)
    assert {p.stem for p in (tmp_path / "calendar" / "people").glob("*.ics")} == set(readers)
    for person_id, occurrences in readers.items():
        person = scenario.people[person_id]
        calendar = icalbuild.new_calendar("PUBLISH", f"{scenario.project.name}: {person.name}")
        for occurrence in occurrences:
            calendar.add_component(plain_event(context, occurrence, person, with_attendees=with_attendees))
            for session in icalbuild.session_events(context, occurrence):
                calendar.add_component(session)
        expected = icalbuild.serialize(calendar, context)
        assert (tmp_path / "calendar" / "people" / f"{person_id}.ics").read_bytes() == expected, person_id
    whole = icalbuild.new_calendar("PUBLISH", scenario.project.name)
    for occurrence in scheduled:
        whole.add_component(plain_event(context, occurrence, with_attendees=with_attendees))
        for session in icalbuild.session_events(context, occurrence):
            whole.add_component(session)
    assert (tmp_path / "calendar" / "plan.ics").read_bytes() == icalbuild.serialize(whole, context)


def test_every_invitation_carries_its_recipients_own_event(crowded_plan, scenario, tmp_path):
    render(crowded_plan, scenario, tmp_path, "invitations")
    context = context_for(crowded_plan, scenario, tmp_path)
    twin = crowded_plan.occurrences[-1]
    languages = {scenario.people[a.person].language for o in crowded_plan.scheduled for a in o.attendees}
    assert len(languages) > 1
    for occurrence in (twin, *crowded_plan.scheduled[:4]):
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            message = email.message_from_bytes(
                (tmp_path / "invitations" / occurrence.id / f"{person.id}.eml").read_bytes(),
                policy=email.policy.default,
            )
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            expected = icalbuild.new_calendar("REQUEST")
            expected.add_component(plain_event(context, occurrence, person, rsvp=True))
            assert part.get_payload(decode=True) == icalbuild.serialize(expected, context)
            event = icalendar.Calendar.from_ical(part.get_payload(decode=True)).events[0]
            assert str(event["attendee"]) == f"mailto:{person.email}"
            assert str(event["uid"]) == f"{occurrence.id}@{scenario.project.id}"


def _messages_and_files(monkeypatch, *render_args, **render_kwargs):
    """Render invitations, keeping what each message was built from beside the file written."""
    built = []
    write = invitations._write

    def keeping(context, occurrence_id, person_id, message):
        path = write(context, occurrence_id, person_id, message)
        built.append((message, path))
        return path

    monkeypatch.setattr(invitations, "_write", keeping)
    render(*render_args, **render_kwargs)
    monkeypatch.setattr(invitations, "_write", write)
    return built


@pytest.mark.parametrize("replan", [False, True])
def test_every_message_is_what_the_email_package_writes_with_the_standard_policy(
    plan, crowded_plan, scenario, tmp_path, monkeypatch, replan
):
    """Each message is put together from a skeleton with the remembering policy; built the plain
    way (``mailbuild.plain_message``, part by part) and written by ``email.policy.SMTP``, it is the
    same bytes. With a previous plan, updates and cancellations too."""
    if replan:
        new = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
        built = _messages_and_files(monkeypatch, new, scenario, tmp_path, "invitations", previous=plan)
    else:
        built = _messages_and_files(monkeypatch, crowded_plan, scenario, tmp_path, "invitations")
    methods = {message.method for message, _ in built}
    assert len(built) > 50 and methods == ({"REQUEST", "CANCEL"} if replan else {"REQUEST"})
    for message, path in built:
        expected = mailbuild.plain_message(message, email.policy.SMTP).as_bytes(policy=email.policy.SMTP)
        assert path.read_bytes() == expected, path


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Invitation: " + "a very long title " * 8},
        {"subject": "Invitación: reunión en São Paulo, 1–2 marzo"},
        {"message_id": "<" + "x" * 90 + "@example.org>"},
        {"message_id": "<odd id with spaces@example.org>"},
        {"recipient": Address('Zoë Ångström-Ñúñez, "the" chair', addr_spec="zoe@example.org")},
        {"text": "line one\r\nline two =?utf-8?q?x?=\n\n" + "é" * 200, "html": "<p>" + "word " * 60 + "</p>"},
        {"calendar": b"BEGIN:VCALENDAR\r\n" + bytes(range(256)) * 3},
        {"boundaries": ("boundary-of-another-form", "=_" + "a" * 32)},
        {"method": "CANCEL", "language": "pt-BR"},
    ],
)
def test_a_message_from_the_skeleton_is_the_plain_one_for_odd_values_too(changes):
    values = mailbuild.MessageValues(
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
    for policy in (email.policy.SMTP, mailpolicy.smtp_policy()):
        expected = mailbuild.plain_message(values, email.policy.SMTP).as_bytes(policy=email.policy.SMTP)
        assert mailbuild.message_bytes(values, policy) == expected
        assert mailbuild.message_bytes(values, policy) == expected  # and again, from what it remembered


def test_worker_processes_write_the_same_files(plan, scenario, tmp_path):
    alone = render(plan, scenario, tmp_path / "one", options={"workers": "1"})
    shared = render(plan, scenario, tmp_path / "three", options={"workers": "3"})
    assert [p.relative_to(tmp_path / "one") for p in alone] == [p.relative_to(tmp_path / "three") for p in shared]
    for path in alone:
        assert (tmp_path / "three" / path.relative_to(tmp_path / "one")).read_bytes() == path.read_bytes()


def _fails_on_seven(context, items):
    if 7 in items:
        raise KeyError("seven")
    return [item * 2 for item in items]


class Unsendable(Exception):
    def __reduce__(self):
        raise TypeError("cannot be pickled")


def _fails_unsendably(context, items):
    raise Unsendable("a lock inside")


def test_fan_out_keeps_the_order_and_raises_what_a_worker_raised():
    context = SimpleNamespace(options={"workers": "2"})
    assert fanout.fan_out(context, list(range(20)), lambda c, items: [i * 2 for i in items]) == list(range(0, 40, 2))
    with pytest.raises(KeyError, match="seven"):
        fanout.fan_out(context, list(range(20)), _fails_on_seven)
    with pytest.raises(RuntimeError, match="Unsendable: a lock inside"):
        fanout.fan_out(context, list(range(20)), _fails_unsendably)
    with pytest.raises(TypeError):
        pickle.dumps(Unsendable("x"))


def test_a_failing_worker_is_a_plugin_error_not_a_traceback(plan, scenario, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("no agenda today")

    monkeypatch.setattr("scheduler.plugins.agenda.build_agenda", broken)
    with pytest.raises(PluginError, match=r"format 'agenda' .*failed: ValueError: no agenda today"):
        render(plan, scenario, tmp_path, "agenda", options={"workers": "2"})


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_a_usage_error(value):
    with pytest.raises(UsageError, match="--option workers"):
        fanout.workers(SimpleNamespace(options={"workers": value}), 100)


def test_files_are_written_inside_the_output_folder_only(tmp_path):
    context = RenderContext(plan=None, scenario=None, folder=tmp_path / "out", now=NOW)
    (tmp_path / "out").mkdir()
    assert context.write_text("a/b/c.txt", "x") == (tmp_path / "out" / "a" / "b" / "c.txt").resolve()
    assert context.write_bytes("a/b/d.txt", b"y").read_bytes() == b"y"
    for outside in ("../x", "a/../../x", str(tmp_path / "x")):
        with pytest.raises(ValueError, match="outside the output folder"):
            context.write_text(outside, "x")
    (tmp_path / "out" / "a" / "b" / "link.txt").symlink_to(tmp_path / "target.txt")
    with pytest.raises(ValueError, match="outside the output folder"):
        context.write_text("a/b/link.txt", "x")
    assert not (tmp_path / "target.txt").exists()


def test_the_host_refuses_a_returned_path_that_leaves_the_output_folder(tmp_path):
    """``render_all`` resolves each folder once: a returned file that is a link out of the folder,
    or that lies in a linked folder, in a folder beside it or under ``..``, is still refused."""
    from scheduler.render.context import OutputFormat
    from scheduler.render.host import render_all

    out, beside = tmp_path / "out", tmp_path / "beside"
    (out / "a").mkdir(parents=True)
    beside.mkdir()
    (beside / "x.txt").write_text("x")
    (out / "a" / "fine.txt").write_text("fine")
    (out / "a" / "link.txt").symlink_to(beside / "x.txt")
    (out / "linked").symlink_to(beside)
    (out / "a" / "inner.txt").symlink_to(out / "a" / "fine.txt")
    manager = SimpleNamespace(hook=SimpleNamespace(prepare_render=lambda context: None))
    context = RenderContext(plan=None, scenario=None, folder=out, now=NOW)

    def returning(*paths):
        return [OutputFormat("f", "returns paths", lambda context: list(paths), "test")]

    fine = [out / "a" / "fine.txt", out / "a" / "inner.txt", str(out / "a" / "fine.txt")]
    assert render_all(manager, returning(*fine), context) == [Path(p) for p in fine]
    for outside in (out / "a" / "link.txt", out / "linked" / "x.txt", out / "a" / ".." / ".." / "beside" / "x.txt"):
        with pytest.raises(PluginError, match="outside the output folder"):
            render_all(manager, returning(out / "a" / "fine.txt", outside), context)


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab \\^;,:\n\r\t\"'") + ["é", "€", "×", "–", "😀", "ß", "\u0301"]),
        min_size=1,
        max_size=400,
    )
)
def test_a_text_line_is_the_property_line_icalendar_writes(text):
    """``text_line`` escapes with icalendar and folds by octets itself: the same bytes as a
    component holding the property, serialised by icalendar (backslashes and carets at the
    folding points, characters of 1 to 4 octets, long and empty values)."""
    icalbuild.text_line.cache_clear()
    for value in (text, text * 3, "x" * 62 + text):
        assert icalbuild.text_line("DESCRIPTION", value) == icalbuild.property_line("DESCRIPTION", value)


@pytest.mark.parametrize("special", [",", ";", "\\", "\n", "^", "é", "€", "😀", "e\u0301"])
def test_a_text_line_folds_where_icalendar_folds_at_every_offset(special):
    """A special character (escaped, a caret, two to four octets) at each place around the folds."""
    for offset in range(0, 160):
        value = "x" * offset + special + "y" * 90 + special * 40
        assert icalbuild.text_line("DESCRIPTION", value) == icalbuild.property_line("DESCRIPTION", value), offset


def test_a_template_cut_from_the_serialised_event_is_the_one_built_with_the_slot_open(plan, scenario, tmp_path):
    context = context_for(plan, scenario, tmp_path)
    for occurrence in plan.scheduled:
        event = icalbuild.occurrence_event(context, occurrence)
        sessions = icalbuild.session_events(context, occurrence)
        whole = icalbuild.serialised(event, *sessions)
        line = icalbuild.text_line("DESCRIPTION", str(event["DESCRIPTION"]))
        cut = icalbuild.opened(whole, "DESCRIPTION", line)
        event.pop("DESCRIPTION")
        assert cut == icalbuild.event_template(event, ["DESCRIPTION"], sessions), occurrence.id
        assert cut.fill({"DESCRIPTION": line}) == whole
    assert icalbuild.opened(whole, "DESCRIPTION", b"DESCRIPTION:not there\r\n") is None
