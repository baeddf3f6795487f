"""The ``invitations`` format: every message parsed back with Python's e-mail parser, its calendar
with icalendar, vobject and libical (RFC 5546 restrictions), its text checked for the language,
the dates, the travel days and the amounts the cost model gives."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections import Counter
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
import vobject
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from scheduler.plugins import invitations

from scheduler.content.briefing import attendee_briefing, description_text
from scheduler.content.languages import Language, language_for
from scheduler.render.memo import RenderMemo
from scheduler.scenario.costs import CostTable
from tests.support.calendar_outputs import NOW, crowded, libical_available, libical_read, render, replanned


@pytest.fixture(scope="module")
def outbox(plan, scenario, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("invitations")
    render(plan, scenario, folder, "invitations")
    return folder / "invitations"


def read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "exactly one text/calendar part"
    return parts[0]


def calendar_text(message) -> str:
    return calendar_part(message).get_payload(decode=True).decode("utf-8")


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def words(code: str) -> Language:
    """The language a message to a person speaking ``code`` is written in (catalog or English)."""
    return language_for(SimpleNamespace(templates_dir=None, memo=RenderMemo()), code)


# --- one message per attendee, well formed -------------------------------------------------------


def test_one_message_per_attendee_of_every_scheduled_occurrence(outbox, plan):
    expected = {f"{o.id}/{a.person}.eml" for o in plan.scheduled for a in o.attendees}
    written = {str(p.relative_to(outbox)) for p in outbox.rglob("*") if p.is_file()}
    assert written == expected


def test_messages_are_rfc5322_with_the_imip_structure(outbox, plan, scenario):
    organizer = scenario.project.organizer
    message_ids = set()
    for path in sorted(outbox.rglob("*.eml")):
        raw = path.read_bytes()
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), f"{path}: CRLF line ends"
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        raw.decode("ascii")  # 7-bit clean: encoded words, quoted-printable and base64 only
        message = read(path)
        person = scenario.people[path.stem]
        assert message["MIME-Version"] == "1.0"
        assert message["From"].addresses[0].addr_spec == organizer.email
        assert message["From"].addresses[0].display_name == organizer.name
        assert message["To"].addresses[0].addr_spec == person.email
        assert message["To"].addresses[0].display_name == person.name  # Zoltán Kovács survives
        assert parsedate_to_datetime(message["Date"]) == NOW
        assert message["Date"] == format_datetime(NOW)
        assert message["Subject"]
        message_ids.add(message["Message-ID"])
        assert message["Message-ID"].endswith("@example.org>")
        assert message.get_content_type() == "multipart/mixed"
        alternative, attachment = message.get_payload()
        assert alternative.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
        assert attachment.get_content_type() == "application/ics"
        assert attachment.get_filename() == "invite.ics"
        part = calendar_part(message)
        assert part.get_content_charset() == "utf-8"
        body = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        assert part.get_param("method") == str(body["method"]) == "REQUEST"
        assert attachment.get_payload(decode=True) == part.get_payload(decode=True)
    assert len(message_ids) == sum(len(o.attendees) for o in plan.scheduled)


def test_a_non_ascii_name_is_an_encoded_word_on_the_wire(outbox):
    raw = (outbox / "kickoff-1" / "hu-head.eml").read_bytes()
    to = next(line for line in raw.split(b"\r\n") if line.startswith(b"To: "))
    assert b"=?utf-8?" in to.lower()
    assert read(outbox / "kickoff-1" / "hu-head.eml")["To"].addresses[0].display_name == "Zoltán Kovács"


# --- the calendar inside ---------------------------------------------------------------------------


def test_each_request_holds_the_recipients_event_only(outbox, plan, scenario):
    for occurrence in plan.scheduled:
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            text = calendar_text(read(outbox / occurrence.id / f"{person.id}.eml"))
            calendar = icalendar.Calendar.from_ical(text)
            events = calendar.walk("VEVENT")
            assert len(events) == 1
            event = events[0]
            assert str(event["uid"]) == f"{occurrence.id}@{scenario.project.id}"
            assert event.decoded("sequence") == occurrence.sequence
            assert event.decoded("dtstart") == occurrence.start
            assert event.decoded("dtend") == occurrence.end + dt.timedelta(days=1)
            assert event.decoded("dtstamp") == NOW
            assert str(event["organizer"]) == f"mailto:{scenario.project.organizer.email}"
            attendee = event["attendee"]
            assert not isinstance(attendee, list), "only the recipient is listed"
            assert str(attendee) == f"mailto:{person.email}"
            assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
            assert attendee.params["CN"] == person.name
            used = {event[n].params.get("TZID") for n in ("dtstart", "dtend")} - {None}
            assert used == {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
            independent = vobject.readOne(text)
            assert independent.method.value == "REQUEST"
            assert [e.uid.value for e in independent.vevent_list] == [str(event["uid"])]
            assert independent.vevent.attendee.value == f"mailto:{person.email}"
            assert independent.vevent.dtend.value == occurrence.end + dt.timedelta(days=1)


def test_every_invitation_carries_its_recipients_own_event(plan, scenario, tmp_path):
    """Two occurrences at the same place on the same days, for different people who speak other
    languages: each message's event is its recipient's, described for them."""
    busy = crowded(plan, scenario)
    render(busy, scenario, tmp_path, "invitations")
    context = SimpleNamespace(scenario=scenario, templates_dir=None, memo=RenderMemo())
    twin = busy.occurrences[-1]
    assert len({scenario.people[a.person].language for a in twin.attendees}) > 1
    for occurrence in (twin, *busy.scheduled[:4]):
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            text = calendar_text(read(tmp_path / "invitations" / occurrence.id / f"{person.id}.eml"))
            (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
            assert str(event["uid"]) == f"{occurrence.id}@{scenario.project.id}"
            assert str(event["attendee"]) == f"mailto:{person.email}"
            briefing = attendee_briefing(context, occurrence, person, language_for(context, person.language))
            assert str(event["description"]) == description_text(briefing)


def test_libical_accepts_every_request(outbox):
    if not libical_available():
        pytest.skip("libical's Python binding (gir1.2-ical-3.0, python3-gi) is not importable by /usr/bin/python3")
    texts = {str(p.relative_to(outbox)): calendar_text(read(p)) for p in sorted(outbox.rglob("*.eml"))}
    results = libical_read(texts)
    assert {name: r for name, r in results.items() if not r["parsed"] or r["errors"]} == {}
    assert all(r["checked"] == len(r["events"]) == 1 for r in results.values())


# --- the text: language, dates, travel, money --------------------------------------------------------


def test_a_romanian_speaker_reads_romanian(outbox, plan, scenario):
    person = scenario.people["md-head"]
    assert person.language == "ro"
    occurrence = plan.occurrence("kickoff-1")
    message = read(outbox / "kickoff-1" / "md-head.eml")
    text = plain_text(message)
    assert message["Content-Language"] == "ro"
    assert message["Subject"].startswith("Invitație: ")
    assert format_date(occurrence.start, "full", locale="ro") in text  # "marți, 1 martie 2022"
    assert "martie" in text and "March" not in text
    assert "Ce plătește proiectul pentru dumneavoastră" in text
    assert 'lang="ro"' in message.get_body(("html",)).get_content()
    assert "martie" in str(icalendar.Calendar.from_ical(calendar_text(message)).walk("VEVENT")[0]["description"])


def test_a_language_without_a_catalog_falls_back_to_english(outbox, plan, scenario):
    person = scenario.people["ge-head"]
    assert person.language == "ka"
    occurrence = plan.occurrence("kickoff-1")
    message = read(outbox / "kickoff-1" / "ge-head.eml")
    text = plain_text(message)
    assert message["Content-Language"] == "en"
    assert text.startswith(f"Dear {person.name},")
    assert format_date(occurrence.start, "full", locale="en_GB") in text  # "Tuesday, 1 March 2022"
    assert format_date(occurrence.start, "full", locale="ka") not in text  # no Georgian dates in English


def test_travellers_read_their_arrival_and_departure_days(outbox, plan, scenario):
    for occurrence in plan.scheduled:
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            language = words(person.language)
            text = plain_text(read(outbox / occurrence.id / f"{person.id}.eml"))
            arrive = language.date(attendance.first_away)
            depart = language.date(attendance.last_away)
            travel_line = language.gettext("arrive %(arrival)s, depart %(departure)s") % {
                "arrival": arrive,
                "departure": depart,
            }
            if (attendance.first_away, attendance.last_away) != (occurrence.start, occurrence.end):
                assert travel_line in text, (occurrence.id, person.id)
            else:  # lives there: no travel
                assert language.gettext("Travel") + ":" not in text


def test_amounts_are_what_the_cost_model_pays_and_add_up_to_the_plan(outbox, plan, scenario):
    table = CostTable(scenario)
    currency = scenario.project.currency
    for occurrence in plan.scheduled:
        event = scenario.events[occurrence.event]
        totals: Counter = Counter()
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            language = words(person.language)
            paid = table.attendee(person, event, occurrence.venue)
            totals.update(paid)
            text = plain_text(read(outbox / occurrence.id / f"{person.id}.eml"))
            if not person.funded:
                assert language.gettext("The project does not cover your costs for this event.") in text
                assert currency not in text and "€" not in text
            elif not paid:  # funded, living where the event takes place
                local = "The event takes place where you live: there is no travel or per diem to claim."
                assert person.home == scenario.venues[occurrence.venue].location
                assert language.gettext(local) in text
                assert language.gettext("What the project pays for you") not in text
            else:
                for category, cents in paid.items():
                    assert language.money(cents, currency) in text, (occurrence.id, person.id, category)
                assert f"{language.gettext('Total')}: {language.money(sum(paid.values()), currency)}" in text
        for category in ("travel", "per_diem", "accommodation"):
            assert totals[category] == occurrence.cost.get(category, 0), (occurrence.id, category)


def test_the_agenda_is_in_the_text_in_the_venues_local_time(outbox, plan, scenario):
    occurrence = plan.occurrence("kickoff-1")
    text = plain_text(read(outbox / "kickoff-1" / "pm-icmpd.eml"))
    for item in scenario.events["kickoff"].agenda:
        assert f"{item.start:%H:%M}–{item.end:%H:%M}  {item.title}" in text
    assert scenario.locations[occurrence.location].timezone in text


# --- updates and cancellations -------------------------------------------------------------------


@pytest.fixture(scope="module")
def replanned_outbox(plan, scenario, tmp_path_factory):
    new = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
    folder = tmp_path_factory.mktemp("replanned")
    render(new, scenario, folder, "invitations", previous=plan)
    return new, folder / "invitations"


def test_a_dropped_occurrence_is_cancelled_to_everyone_invited(replanned_outbox, plan, scenario):
    _, outbox = replanned_outbox
    before = plan.occurrence("sv-serbia-1")
    assert {p.stem for p in (outbox / "sv-serbia-1").glob("*.eml")} == {a.person for a in before.attendees}
    for attendance in before.attendees:
        message = read(outbox / "sv-serbia-1" / f"{attendance.person}.eml")
        part = calendar_part(message)
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        assert part.get_param("method") == str(calendar["method"]) == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert str(event["uid"]) == f"sv-serbia-1@{scenario.project.id}"
        assert str(event["status"]) == "CANCELLED"
        assert event.decoded("sequence") == before.sequence + 1
        assert str(event["attendee"]) == f"mailto:{scenario.people[attendance.person].email}"
        assert message.get_payload()[1].get_filename() == "cancel.ics"


def test_a_person_taken_off_an_occurrence_is_told_and_the_others_are_updated(replanned_outbox, plan, scenario):
    new, outbox = replanned_outbox
    message = read(outbox / "sc-2" / "donor-isf.eml")
    calendar = icalendar.Calendar.from_ical(calendar_part(message).get_payload(decode=True))
    assert str(calendar["method"]) == "CANCEL"
    assert calendar.walk("VEVENT")[0].decoded("sequence") == plan.occurrence("sc-2").sequence + 1
    assert "no longer expected" in plain_text(message)
    staying = next(a.person for a in new.occurrence("sc-2").attendees)
    event = icalendar.Calendar.from_ical(calendar_text(read(outbox / "sc-2" / f"{staying}.eml"))).walk("VEVENT")[0]
    assert event.decoded("sequence") == new.occurrence("sc-2").sequence


def test_a_moved_occurrence_is_an_update_with_the_same_uid(replanned_outbox, plan, scenario):
    new, outbox = replanned_outbox
    moved = new.occurrence("crm-2")
    for attendance in moved.attendees:
        person = scenario.people[attendance.person]
        language = words(person.language)
        message = read(outbox / "crm-2" / f"{person.id}.eml")
        event = icalendar.Calendar.from_ical(calendar_text(message)).walk("VEVENT")[0]
        assert str(event["uid"]) == f"crm-2@{scenario.project.id}"
        assert event.decoded("sequence") == plan.occurrence("crm-2").sequence + 1
        assert event.decoded("dtstart") == moved.start
        assert message["Subject"].startswith(language.gettext("Updated invitation: %(title)s, %(dates)s").split("%")[0])
        before = plan.occurrence("crm-2")
        assert language.date_range(before.start, before.end) in plain_text(message)  # "it was planned for …"


def test_libical_accepts_the_cancellations(replanned_outbox):
    if not libical_available():
        pytest.skip("libical's Python binding (gir1.2-ical-3.0, python3-gi) is not importable by /usr/bin/python3")
    _, outbox = replanned_outbox
    texts = {str(p.relative_to(outbox)): calendar_text(read(p)) for p in sorted(outbox.rglob("*.eml"))}
    results = libical_read(texts)
    assert {name: r for name, r in results.items() if not r["parsed"] or r["errors"]} == {}


# --- templates, catalogs and reproducibility -------------------------------------------------------


def test_a_users_template_and_catalog_replace_the_built_in_ones(plan, scenario, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "invitation.txt.j2").write_text(
        "{{ _('Dear %(name)s,') | format(name=person.name) }} {{ briefing.dates }}\n", encoding="utf-8"
    )
    catalog = Catalog(locale="ro", domain="scheduler")
    catalog.add("Dear %(name)s,", "Stimate %(name)s,")
    (templates / "locale" / "ro" / "LC_MESSAGES").mkdir(parents=True)
    with (templates / "locale" / "ro" / "LC_MESSAGES" / "scheduler.mo").open("wb") as stream:
        write_mo(stream, catalog)
    render(plan, scenario, tmp_path / "out", "invitations", templates_dir=templates)
    message = read(tmp_path / "out" / "invitations" / "kickoff-1" / "md-head.eml")
    start = plan.occurrence("kickoff-1").start
    assert plain_text(message).startswith(f"Stimate Vasile Ceban, {format_date(start, 'full', locale='ro')}")
    assert message["Subject"].startswith("Invitație: ")  # the rest still comes from the built-in catalog


def test_the_templates_are_translated_once_per_template_and_catalog(plan, scenario, tmp_path, monkeypatch):
    """The invitations ask for templates by catalog (``templating.translated_template``)."""
    asked = []
    original = invitations.translated_template

    def recording(env, name, catalog, gettext):
        asked.append((name, catalog))
        return original(env, name, catalog, gettext)

    monkeypatch.setattr(invitations, "translated_template", recording)
    render(plan, scenario, tmp_path, "invitations", options={"workers": "1"})
    assert {catalog for _name, catalog in asked} == {"en", "ro"}


def test_two_renders_are_byte_identical(plan, scenario, tmp_path, outbox):
    render(plan, scenario, tmp_path, "invitations")
    again = {
        str(p.relative_to(tmp_path / "invitations")): p.read_bytes() for p in (tmp_path / "invitations").rglob("*.eml")
    }
    first = {str(p.relative_to(outbox)): p.read_bytes() for p in outbox.rglob("*.eml")}
    assert again == first
