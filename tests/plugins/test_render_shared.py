"""What the built-in formats compute once and share, or take shortcuts for, must give what the plain
way gives: the formats together and each alone (``plugins.shared``), the events serialised with slots
open and filled in (``ical``), templates translated ahead (``templating.translated_template``),
quoted-printable by line (``mailbuild.quoted_printable``) and content lines folded by octets
(``icalbuild.component_bytes``)."""

from __future__ import annotations

import datetime as dt
import email.policy
from email import contentmanager
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler.plugins import ical, icalbuild, invitations, mailbuild, mailpolicy, shared
from scheduler.plugins.briefing import attendee_briefing
from scheduler.plugins.i18n import language_for

from scheduler.render.context import RenderContext
from scheduler.render.templating import environment, translated_template
from tests.support.calendar_outputs import NOW, render, replanned


def files_of(folder: Path, written) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in written}


@pytest.mark.parametrize("replan", [False, True])
def test_formats_together_write_what_each_writes_alone(plan, scenario, tmp_path, replan):
    """``ical`` leaves an occurrence's briefings and event for ``invitations``, which runs right
    after it on the same occurrence: together (one process, or workers) or alone, the same files;
    with a previous plan too, where the two formats ask for briefings of different changes."""
    current, previous = plan, None
    if replan:
        current = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
        previous = plan
    alone: dict[str, bytes] = {}
    for name in ("ical", "invitations"):
        shared.forget()
        folder = tmp_path / f"alone-{name}"
        alone.update(
            files_of(folder, render(current, scenario, folder, name, previous=previous, options={"workers": "1"}))
        )
    for workers in ("1", "2"):
        folder = tmp_path / f"together-{workers}"
        together = files_of(
            folder,
            render(current, scenario, folder, "ical", "invitations", previous=previous, options={"workers": workers}),
        )
        assert together.keys() == alone.keys()
        for name, data in alone.items():
            assert together[name] == data, name


@pytest.mark.parametrize("with_attendees", [True, False])
def test_the_ical_events_and_templates_are_the_ones_built_plainly(plan, scenario, tmp_path, with_attendees):
    """``ical`` serialises each occurrence's event once with ``ATTENDEE`` and ``DESCRIPTION`` open:
    filled in, it is the event the icalendar API builds for the plan; its template and the request
    template it leaves for the invitations are the ones built with the slots open."""
    context = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    attendees = None if with_attendees else ()
    for occurrence in plan.scheduled:
        shared.forget()
        events, template = ical._occurrence_events(context, occurrence, with_attendees)
        sessions = icalbuild.session_events(context, occurrence)
        plain = icalbuild.occurrence_event(context, occurrence, attendees=attendees)
        assert events == icalbuild.serialised(plain, *sessions), occurrence.id
        plain.pop("DESCRIPTION")
        assert template == icalbuild.event_template(plain, ["DESCRIPTION"], sessions), occurrence.id
        request = icalbuild.occurrence_event(context, occurrence, attendees=(), description="", rsvp=True)
        expected = icalbuild.event_template(request, ["ATTENDEE", "DESCRIPTION"])
        assert invitations.request_template(context, occurrence) == expected, occurrence.id
        shared.forget()
        assert invitations.request_template(context, occurrence) == expected  # and without ical's
    assert any(icalbuild.session_events(context, o) for o in plan.scheduled)  # sessions were cut off


def test_a_remembered_value_serves_the_same_context_and_occurrence_only():
    first, second, context, other = object(), object(), object(), object()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert shared.remembered(context, first, "k", compute) == 1
    assert shared.remembered(context, first, "k", compute) == 1
    assert shared.known(context, first, "k") == 1
    assert shared.known(other, first, "k") is None
    assert shared.remembered(context, second, "k", compute) == 2
    assert shared.known(context, first, "k") is None  # one occurrence at a time
    shared.forget()
    assert shared.known(context, second, "k") is None


@pytest.mark.parametrize("name", ["invitation.txt.j2", "invitation.html", "cancellation.txt.j2", "cancellation.html"])
def test_a_template_translated_ahead_renders_what_the_template_renders(plan, scenario, tmp_path, name):
    context = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    env = environment(None)
    occurrence = next(o for o in plan.scheduled if o.attendees)
    seen = set()
    for person in scenario.people.values():
        language = language_for(context, person.language)
        briefing = attendee_briefing(scenario, occurrence, person, language)
        for flags in ({}, {"updated": True}, {"dropped": True}):
            flags = {"updated": False, "cancelled": False, "dropped": False, **flags}
            # What the invitations give their templates, from the plugin itself.
            values = invitations._template_values(context, person, briefing, language, **flags)
            translated = translated_template(env, name, language.code, language.gettext)
            assert translated.render(**values) == env.get_template(name).render(**values)
        seen.add(language.code)
    assert {"en", "ro"} <= seen


def test_a_users_template_that_binds_gettext_itself_is_left_as_it_is(plan, scenario, tmp_path):
    (tmp_path / "binds.txt.j2").write_text('{% set _ = gettext %}{{ _("When") }}\n', encoding="utf-8")
    (tmp_path / "loops.txt.j2").write_text('{% for _ in ["x"] %}{{ _ }}{% endfor %} {{ gettext("When") }}\n')
    (tmp_path / "folds.txt.j2").write_text('{{ _("When") }} {{ _("Where") | upper }} {{ _(person) }}\n')
    env = environment(tmp_path)
    english = language_for(RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW), "en")
    for name in ("binds.txt.j2", "loops.txt.j2"):
        assert translated_template(env, name, "words", lambda text: "NOT " + text) is env.get_template(name)
    folded = translated_template(env, "folds.txt.j2", "shouting", str.upper)
    assert folded is not env.get_template("folds.txt.j2")
    # Constants are translated ahead (by the catalog given); anything else is left to the call.
    assert folded.render(_=english.gettext, person="Ana") == "WHEN WHERE Ana\n"
    assert env.get_template("folds.txt.j2").render(_=str.upper, person="Ana") == "WHEN WHERE ANA\n"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab =\t.\n\r") + ["é", "€", "\x0b", "\x85", "\u2028", " " * 80, "x" * 90, "=" * 77])
    ).map("".join)
)
def test_quoted_printable_by_line_is_what_the_email_package_encodes(text):
    for policy in (email.policy.SMTP, mailpolicy.smtp_policy(), email.policy.default):
        plain = contentmanager._encode_text(text, "utf-8", "quoted-printable", policy)[1]
        assert mailbuild.quoted_printable(policy, text) == mailbuild._written(policy, plain)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab \\^;,:\"'\n") + ["é", "€", "×", "–", "😀", "ß", "\u0301"]), max_size=300
    ),
    name=st.text(alphabet=st.sampled_from(list('ab ,;:"') + ["é", "😀"]), min_size=1, max_size=90),
)
def test_content_lines_folded_by_octets_are_what_icalendar_writes(text, name):
    event = icalendar.Event()
    event.add("summary", text)
    event.add("description", text[::-1])
    event.add("attendee", icalendar.vCalAddress.new("mailto:a@example.org", cn=name, role="REQ-PARTICIPANT"))
    event.add("dtstart", dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC))
    event.add("categories", [text[:20] or "x", "study_visit"])
    assert icalbuild.component_bytes(event) == event.to_ical(sorted=True)


def test_invitations_use_the_template_translated_ahead(plan, scenario, tmp_path, monkeypatch):
    """The invitations ask for templates by catalog: one per template and language code."""
    asked = []
    original = invitations.translated_template

    def recording(env, name, catalog, gettext):
        asked.append((name, catalog))
        return original(env, name, catalog, gettext)

    monkeypatch.setattr(invitations, "translated_template", recording)
    render(plan, scenario, tmp_path, "invitations", options={"workers": "1"})
    assert {catalog for _name, catalog in asked} == {"en", "ro"}


def test_together_each_briefing_and_request_event_is_made_once(plan, scenario, tmp_path, monkeypatch):
    from scheduler.plugins import briefing

    briefings, requests = [], []
    original_briefing, original_template = briefing.attendee_briefing, icalbuild.occurrence_template

    def counting_briefing(*args, **kwargs):
        briefings.append(args[2].id)
        return original_briefing(*args, **kwargs)

    def counting_template(context, occurrence, slots, **kwargs):
        requests.append(kwargs.get("sessions", True))
        return original_template(context, occurrence, slots, **kwargs)

    monkeypatch.setattr(briefing, "attendee_briefing", counting_briefing)
    monkeypatch.setattr(icalbuild, "occurrence_template", counting_template)
    render(plan, scenario, tmp_path, "ical", "invitations", options={"workers": "1"})
    attendances = sum(len(o.attendees) for o in plan.scheduled)
    assert len(briefings) == attendances  # not twice: ical's serve the invitations
    # once per occurrence, by ical (with the sessions): the invitations' request template is cut from it
    assert requests == [True] * len(plan.scheduled)


ALPHANUMERIC_SWAPS = st.lists(st.sampled_from("abcxyzXYZ0189"), min_size=200, max_size=200)


@settings(max_examples=300, deadline=None)
@given(
    subject=st.lists(
        st.sampled_from(list("abXY09 ,.-():;'\"_=?") + ["é", "–", "ș", "word ", "  ", "Invitation: "]), min_size=1
    ).map("".join),
    name=st.text(alphabet=st.sampled_from(list("abXY09 .-'\",") + ["é", "ș"]), max_size=60),
    swaps=st.lists(ALPHANUMERIC_SWAPS, min_size=3, max_size=3),
)
def test_headers_folded_by_shape_are_what_the_policy_folds(subject, name, swaps):
    """``To`` and ``Subject`` of the same shape (letters and digits swapped for others) are put
    together from the first one's folded shape: each must be what the policy folds itself."""
    import re

    def swapped(text, swap):
        letters = iter(swap * 10)
        return re.sub(r"[A-Za-z0-9]", lambda m: next(letters), text)

    for policy in (email.policy.SMTP, mailpolicy.smtp_policy()):
        for swap in [None, *swaps]:
            value = subject if swap is None else swapped(subject, swap)
            assert mailbuild._shaped_header(policy, "Subject", value) == mailbuild._header(policy, "Subject", value)
            display = name if swap is None else swapped(name, swap)
            user, domain = ("it-2", "example.org") if swap is None else (swapped("it-2", swap), swapped("ex.org", swap))
            address = mailbuild.Address(display, username=user, domain=domain)
            assert mailbuild._shaped_header(policy, "To", address) == mailbuild._header(policy, "To", address)


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from(list("ab \\^;,:\"'") + ["é", "€", "×", "–", "😀", "ß", "\u0301"]), min_size=1)
)
def test_a_calendar_head_with_its_name_filled_in_is_the_one_icalendar_writes(name):
    for method in ("PUBLISH", "REQUEST", "CANCEL"):
        assert icalbuild._calendar_head(method, name) == icalbuild._plain_calendar_head(method, name)
