"""Busy days from calendars shaped like Outlook, Google Calendar and Thunderbird exports.

Every test writes a file with ``calendar_exports``, reads it as the scheduler does and asserts the
exact set of blocked days, so a day blocked too many or too few fails the test.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler.calendars import expand, icsfile
from scheduler.calendars.busy import BusyDays, CalendarFileError, busy_days

from tests.support.calendar_exports import Entry, google, many_single_events, outlook, thunderbird

D = dt.date
T = dt.datetime
UTC = dt.UTC


YEAR_2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def blocked(tmp_path, content: bytes, home: str, first=YEAR_2024[0], last=YEAR_2024[1], name="busy.ics") -> set:
    path = tmp_path / name
    path.write_bytes(content)
    return set(busy_days(path, home, first, last).days)


# -- the cases ----------------------------------------------------------------------------


def weekly_steering(cancel_by_override: bool) -> list[Entry]:
    """Tuesdays 09:00-14:00 from 2 July, six times; 16 July cancelled, 23 July moved to Thursday."""
    cancelled = D(2024, 7, 16)
    entries = [
        Entry(
            "Steering group",
            T(2024, 7, 2, 9),
            T(2024, 7, 2, 14),
            rrule="FREQ=WEEKLY;COUNT=6;BYDAY=TU",
            uid="steering-1",
            exdates=() if cancel_by_override else (T(2024, 7, 16, 9),),
        ),
        Entry(
            "Steering group (moved)",
            T(2024, 7, 25, 9),
            T(2024, 7, 25, 14),
            uid="steering-1",
            recurrence_id=T(2024, 7, 23, 9),
            sequence=1,
        ),
    ]
    if cancel_by_override:
        entries.append(
            Entry(
                "Steering group",
                T(2024, 7, 16, 9),
                T(2024, 7, 16, 14),
                uid="steering-1",
                recurrence_id=T(2024, 7, 16, 9),
                status="CANCELLED",
                sequence=1,
            )
        )
    assert cancelled.weekday() == 1
    return entries


EXPECTED_STEERING = {D(2024, 7, 2), D(2024, 7, 9), D(2024, 7, 25), D(2024, 7, 30), D(2024, 8, 6)}


@pytest.mark.parametrize(
    ("export", "home", "cancel_by_override"),
    [
        (lambda e: thunderbird(e, "Europe/Berlin"), "Europe/Berlin", False),
        (lambda e: outlook(e, "W. Europe Standard Time"), "Europe/Berlin", False),
        (lambda e: google(e, "Europe/Bucharest"), "Europe/Bucharest", True),
    ],
    ids=["thunderbird-exdate", "outlook-exdate", "google-cancelled-instance"],
)
def test_weekly_meeting_with_one_cancelled_and_one_moved_instance(tmp_path, export, home, cancel_by_override):
    assert blocked(tmp_path, export(weekly_steering(cancel_by_override)), home) == EXPECTED_STEERING


def test_all_day_leave_week_blocks_its_five_days(tmp_path):
    leave = Entry("Annual leave", D(2024, 8, 5), D(2024, 8, 10))  # DTEND is exclusive: Mon to Fri
    assert blocked(tmp_path, outlook([leave]), "Europe/Chisinau") == {D(2024, 8, d) for d in range(5, 10)}


def test_three_hour_meeting_does_not_block_and_five_hour_one_does(tmp_path):
    zone = dt.timezone(dt.timedelta(hours=3))  # Bucharest in summer
    entries = [
        Entry("Three hours", T(2024, 7, 15, 9, tzinfo=zone), T(2024, 7, 15, 12, tzinfo=zone)),
        Entry("Five hours", T(2024, 7, 16, 9, tzinfo=zone), T(2024, 7, 16, 14, tzinfo=zone)),
    ]
    assert blocked(tmp_path, google(entries), "Europe/Bucharest") == {D(2024, 7, 16)}


def test_event_across_the_night_clocks_go_back_counts_the_repeated_hour(tmp_path):
    # Bucharest goes from 04:00 EEST back to 03:00 EET on 27 October 2024: the wall-clock span
    # 00:00-04:00 that night lasts five real hours, so the Sunday is blocked.
    entries = [Entry("Night operation", T(2024, 10, 26, 22), T(2024, 10, 27, 4))]
    assert blocked(tmp_path, thunderbird(entries, "Europe/Bucharest"), "Europe/Bucharest") == {D(2024, 10, 27)}


def test_event_across_the_night_clocks_go_forward_misses_the_lost_hour(tmp_path):
    # On 31 March 2024 Bucharest jumps from 03:00 to 04:00: 00:00-04:30 lasts 3.5 real hours.
    entries = [Entry("Night operation", T(2024, 3, 30, 22), T(2024, 3, 31, 4, 30))]
    assert blocked(tmp_path, thunderbird(entries, "Europe/Bucharest"), "Europe/Bucharest") == set()


def test_series_keeps_its_wall_clock_time_across_a_dst_change(tmp_path):
    # Mondays 20:00-24:00 in Berlin are 21:00-01:00 in Chisinau in both seasons (3 h + 1 h): never
    # blocking. Read with a fixed offset after the change, one side would reach 4 h.
    series = Entry("Evening shift", T(2024, 3, 18, 20), T(2024, 3, 19, 0), rrule="FREQ=WEEKLY;COUNT=4")
    longer = Entry("Long evening shift", T(2024, 3, 18, 19), T(2024, 3, 19, 0), rrule="FREQ=WEEKLY;COUNT=4")
    assert blocked(tmp_path, outlook([series]), "Europe/Chisinau") == set()
    mondays = {D(2024, 3, 18), D(2024, 3, 25), D(2024, 4, 1), D(2024, 4, 8)}
    assert blocked(tmp_path, outlook([longer]), "Europe/Chisinau", name="b.ics") == mondays


def test_outlook_windows_zone_name_lands_at_the_right_instant(tmp_path):
    # W. Europe Standard Time is one hour behind Chisinau, summer and winter.
    entries = [
        # 20:00-24:00 in Berlin = 21:00-01:00 in Chisinau: 3 h + 1 h, nothing blocked.
        Entry("Late call", T(2024, 7, 15, 20), T(2024, 7, 16, 0)),
        Entry("Late call", T(2024, 1, 15, 20), T(2024, 1, 16, 0)),
        # 19:00-23:30 in Berlin = 20:00-00:30 in Chisinau: 4 h on the first day.
        Entry("Evening exercise", T(2024, 7, 17, 19), T(2024, 7, 17, 23, 30)),
        # 05:00-09:00 in Berlin = 06:00-10:00 in Chisinau.
        Entry("Early exercise", T(2024, 12, 2, 5), T(2024, 12, 2, 9)),
    ]
    expected = {D(2024, 7, 17), D(2024, 12, 2)}
    assert blocked(tmp_path, outlook(entries), "Europe/Chisinau") == expected
    assert blocked(tmp_path, outlook(entries, custom_zone=True), "Europe/Chisinau", name="c.ics") == expected


def test_google_file_in_utc(tmp_path):
    entries = [
        # 21:00Z-02:00Z is 00:00-05:00 in Bucharest in July (UTC+3): the 16th, not the 15th.
        Entry("Night watch", T(2024, 7, 15, 21, tzinfo=UTC), T(2024, 7, 16, 2, tzinfo=UTC)),
        # In January (UTC+2) it is 23:00-04:00: one hour on the 15th, four on the 16th.
        Entry("Night watch", T(2024, 1, 15, 21, tzinfo=UTC), T(2024, 1, 16, 2, tzinfo=UTC)),
    ]
    content = google(entries)
    assert b"DTSTART:20240715T210000Z" in content  # the export really is in UTC
    assert blocked(tmp_path, content, "Europe/Bucharest") == {D(2024, 7, 16), D(2024, 1, 16)}


# -- more shapes of real files ---------------------------------------------------------------------


def test_duration_instead_of_dtend(tmp_path):
    entries = [
        Entry("Workshop", T(2024, 5, 13, 9), duration="PT5H"),
        Entry("Briefing", T(2024, 5, 14, 9), duration="PT3H30M"),
        Entry("Course", D(2024, 5, 20), duration="P3D"),
    ]
    expected = {D(2024, 5, 13), D(2024, 5, 20), D(2024, 5, 21), D(2024, 5, 22)}
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin") == expected


def test_multi_day_timed_events(tmp_path):
    entries = [
        Entry("Mission", T(2024, 6, 3, 14), T(2024, 6, 5, 11)),  # 10 h, 24 h, 11 h
        Entry("Overnight transfer", T(2024, 6, 10, 21), T(2024, 6, 12, 2)),  # 3 h, 24 h, 2 h
    ]
    expected = {D(2024, 6, 3), D(2024, 6, 4), D(2024, 6, 5), D(2024, 6, 11)}
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin") == expected


def test_all_day_events_without_dtend_and_over_several_days(tmp_path):
    entries = [
        Entry("Court hearing", D(2024, 9, 2)),  # no DTEND: that one day
        Entry("Conference abroad", D(2024, 9, 9), D(2024, 9, 14)),
        Entry("Public holiday note", D(2024, 9, 20), D(2024, 9, 21), busy=False),
    ]
    expected = {D(2024, 9, 2), D(2024, 9, 9), D(2024, 9, 10), D(2024, 9, 11), D(2024, 9, 12), D(2024, 9, 13)}
    assert blocked(tmp_path, google(entries), "Europe/Bucharest") == expected


def test_all_day_events_do_not_depend_on_the_home_zone(tmp_path):
    entries = [Entry("Leave", D(2024, 9, 2), D(2024, 9, 4))]
    for home in ("Pacific/Kiritimati", "America/Los_Angeles", "Europe/Chisinau"):
        assert blocked(tmp_path, outlook(entries), home, name=f"{home.replace('/', '-')}.ics") == {
            D(2024, 9, 2),
            D(2024, 9, 3),
        }


def test_transparent_cancelled_and_outlook_free_events_do_not_block(tmp_path):
    entries = [
        Entry("Shown as free", T(2024, 4, 8, 9), T(2024, 4, 8, 17), busy=False),
        Entry("Cancelled", T(2024, 4, 9, 9), T(2024, 4, 9, 17), status="CANCELLED"),
        Entry("Tentative", T(2024, 4, 10, 9), T(2024, 4, 10, 17), status="TENTATIVE"),
        Entry("Free but opaque", T(2024, 4, 11, 9), T(2024, 4, 11, 17), extra=("X-MICROSOFT-CDO-BUSYSTATUS:FREE",)),
        Entry(
            "Cancelled series", T(2024, 4, 15, 9), T(2024, 4, 15, 17), rrule="FREQ=DAILY;COUNT=3", status="CANCELLED"
        ),
    ]
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin") == {D(2024, 4, 10)}


def test_overlapping_meetings_count_once(tmp_path):
    entries = [
        Entry("A", T(2024, 2, 5, 9), T(2024, 2, 5, 12)),
        Entry("B", T(2024, 2, 5, 11), T(2024, 2, 5, 14)),  # union 09-14: 5 h
        Entry("C", T(2024, 2, 6, 9), T(2024, 2, 6, 12)),
        Entry("D", T(2024, 2, 6, 9, 30), T(2024, 2, 6, 12, 30)),  # union 09-12:30: 3.5 h
        Entry("E", T(2024, 2, 7, 8), T(2024, 2, 7, 10)),
        Entry("F", T(2024, 2, 7, 13), T(2024, 2, 7, 15)),  # apart, 4 h in all: exactly the threshold
    ]
    days = busy_days_of(tmp_path, thunderbird(entries), "Europe/Berlin")
    assert set(days) == {D(2024, 2, 5), D(2024, 2, 7)}
    assert days[D(2024, 2, 5)] == "A; B"  # the reason names the events


def busy_days_of(tmp_path, content: bytes, home: str) -> dict:
    path = tmp_path / "named.ics"
    path.write_bytes(content)
    return busy_days(path, home, D(2024, 1, 1), D(2024, 12, 31)).days


def test_exdate_written_in_another_zone_removes_the_instance(tmp_path):
    # Outlook series at 09:00 Berlin; the exception was written by another tool in UTC.
    series = Entry(
        "Daily stand-up",
        T(2024, 7, 15, 9),
        T(2024, 7, 15, 14),
        rrule="FREQ=DAILY;COUNT=4",
        exdates=("EXDATE:20240716T070000Z", "EXDATE;TZID=Europe/Chisinau:20240717T100000"),
    )
    assert blocked(tmp_path, outlook([series]), "Europe/Berlin") == {D(2024, 7, 15), D(2024, 7, 18)}


def test_rdate_lists_and_periods(tmp_path):
    entries = [
        Entry("Trial", T(2024, 8, 1, 9), T(2024, 8, 1, 15), rdates=(T(2024, 8, 8, 9), T(2024, 8, 15, 9))),
        Entry(
            "Visits",
            T(2024, 8, 19, 9),
            T(2024, 8, 19, 10),
            extra=("RDATE;VALUE=PERIOD:20240820T070000Z/PT5H,20240821T070000Z/20240821T080000Z",),
        ),
    ]
    expected = {D(2024, 8, 1), D(2024, 8, 8), D(2024, 8, 15), D(2024, 8, 20)}
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin") == expected


def test_this_and_future_change_applies_to_later_instances(tmp_path):
    entries = [
        Entry("Weekly review", T(2024, 7, 2, 9), T(2024, 7, 2, 14), rrule="FREQ=WEEKLY;COUNT=5", uid="review"),
        Entry(
            "Weekly review (shorter)",
            T(2024, 7, 16, 9),
            T(2024, 7, 16, 11),
            uid="review",
            sequence=1,
            extra=("RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20240716T090000",),
        ),
    ]
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin") == {D(2024, 7, 2), D(2024, 7, 9)}


def test_floating_times_are_read_on_the_home_clock(tmp_path):
    entries = [Entry("Shift", T(2024, 3, 4, 20), T(2024, 3, 5, 1), floating=True)]  # 4 h then 1 h at home
    assert blocked(tmp_path, thunderbird(entries), "Asia/Tbilisi") == {D(2024, 3, 4)}
    assert blocked(tmp_path, thunderbird(entries), "Europe/Berlin", name="b.ics") == {D(2024, 3, 4)}


def test_windows_zone_name_without_vtimezone_uses_the_cldr_mapping(tmp_path):
    # "Romance Standard Time" is Paris; 20:00-24:00 there is 21:00-01:00 in Chisinau.
    entries = [
        Entry("Call", T(2024, 7, 15, 20), T(2024, 7, 16, 0), tzid="Romance Standard Time"),
        Entry("Exercise", T(2024, 7, 17, 19), T(2024, 7, 17, 23, 30), tzid="Romance Standard Time"),
    ]
    result = busy_days_with_notes(tmp_path, outlook(entries), "Europe/Chisinau")
    assert set(result.days) == {D(2024, 7, 17)}
    assert result.notes == ()


def test_globally_unique_tzid_without_vtimezone_uses_the_iana_name_at_its_end(tmp_path):
    zone = "/mozilla.org/20070129_1/Europe/Berlin"
    entries = [
        Entry("Call", T(2024, 7, 15, 20), T(2024, 7, 16, 0), tzid=zone),  # 21:00-01:00 in Chisinau
        Entry("Exercise", T(2024, 7, 17, 19), T(2024, 7, 17, 23, 30), tzid=zone),  # 20:00-00:30
    ]
    result = busy_days_with_notes(tmp_path, outlook(entries), "Europe/Chisinau")
    assert set(result.days) == {D(2024, 7, 17)} and result.notes == ()


def busy_days_with_notes(tmp_path, content: bytes, home: str) -> BusyDays:
    path = tmp_path / "notes.ics"
    path.write_bytes(content)
    return busy_days(path, home, D(2024, 1, 1), D(2024, 12, 31))


def test_unknown_zone_is_read_at_home_and_noted(tmp_path):
    entries = [Entry("Call", T(2024, 7, 15, 20), T(2024, 7, 16, 0), tzid="Mars Standard Time")]
    result = busy_days_with_notes(tmp_path, outlook(entries), "Europe/Chisinau")
    assert set(result.days) == {D(2024, 7, 15)}  # 20:00-24:00 on the home clock
    assert len(result.notes) == 1 and result.notes[0].startswith("line ")
    assert "'Mars Standard Time' is neither a known zone nor defined in the file" in result.notes[0]


def test_google_series_in_utc_follows_x_wr_timezone_across_dst(tmp_path):
    # A published Google feed writes a series in UTC; it repeats at 23:00-03:00 Bucharest time in
    # winter and summer alike, so no day ever gets 4 hours. Read as fixed UTC, the summer
    # instances would be 00:00-04:00 and block.
    series = Entry(
        "Night shift",
        T(2024, 3, 18, 21, tzinfo=UTC),
        T(2024, 3, 19, 1, tzinfo=UTC),
        rrule="FREQ=WEEKLY;COUNT=4",
        tzid="UTC",
    )
    content = google([series]).replace(b"DTSTART;TZID=UTC:20240318T210000", b"DTSTART:20240318T210000Z")
    content = content.replace(b"DTEND;TZID=UTC:20240319T010000", b"DTEND:20240319T010000Z")
    assert b"DTSTART:20240318T210000Z" in content
    assert blocked(tmp_path, content, "Europe/Bucharest") == set()


def test_only_days_inside_the_window_are_reported(tmp_path):
    leave = Entry("Long leave", D(2023, 12, 20), D(2024, 1, 10))
    assert blocked(tmp_path, outlook([leave]), "Europe/Berlin", first=D(2024, 1, 1), last=D(2024, 1, 5)) == {
        D(2024, 1, d) for d in range(1, 6)
    }


def test_byte_order_marks_and_utf16_files_are_read(tmp_path):
    entries = [Entry("Operaţiune comună", T(2024, 7, 15, 9), T(2024, 7, 15, 14))]
    content = thunderbird(entries)
    assert blocked(tmp_path, b"\xef\xbb\xbf" + content, "Europe/Berlin", name="bom.ics") == {D(2024, 7, 15)}
    utf16 = content.decode("utf-8").encode("utf-16")
    days = busy_days_of(tmp_path, utf16, "Europe/Berlin")
    assert days == {D(2024, 7, 15): "Operaţiune comună"}


def test_changed_file_is_read_again(tmp_path):
    path = tmp_path / "changing.ics"
    path.write_bytes(thunderbird([Entry("A", D(2024, 7, 15))]))
    assert set(busy_days(path, "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31)).days) == {D(2024, 7, 15)}
    path.write_bytes(thunderbird([Entry("B", D(2024, 7, 16)), Entry("C", D(2024, 7, 17))]))
    assert set(busy_days(path, "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31)).days) == {
        D(2024, 7, 16),
        D(2024, 7, 17),
    }


# -- files that cannot be used ---------------------------------------------------------------------


def refused(tmp_path, content: bytes, name: str = "broken.ics") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CalendarFileError) as caught:
        busy_days(path, "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31))
    message = str(caught.value)
    assert str(path) in message  # every message names the file
    return message


GOOD = thunderbird([Entry("Meeting", T(2024, 7, 15, 9), T(2024, 7, 15, 14))])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "is not an iCalendar file"),
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is not an iCalendar file"),
        (GOOD.replace(b"END:VCALENDAR\r\n", b""), "is cut short: BEGIN:VCALENDAR of line 1 is never closed"),
        (GOOD.replace(b"END:VEVENT", b"END:VTODO"), "END:VTODO closes BEGIN:VEVENT of line"),
        (GOOD.replace(b"DTSTART;TZID=Europe/Berlin:20240715T090000", b"DTSTART:2024-07-15 09:00"), "is not a date"),
        (GOOD.replace(b"DTSTART;TZID=Europe/Berlin:20240715T090000", b"DTSTART:20241315T090000"), "not a moment"),
        (GOOD.replace(b"TRANSP:OPAQUE", b"RRULE:FREQ=WEEKLY;UNTL=20241231"), "UNTL is not a part of a recurrence rule"),
        (GOOD.replace(b"TRANSP:OPAQUE", b"RRULE:RSCALE=CHINESE;FREQ=YEARLY"), "only Gregorian rules are read"),
        (
            GOOD.replace(b"DTEND;TZID=Europe/Berlin:20240715T140000", b"DURATION:P999999999999W"),
            "is longer than ten years",
        ),
        (GOOD.replace(b"TRANSP:OPAQUE", b"RRULE:FREQ=SOMETIMES"), "FREQ should be one of"),
        (
            GOOD.replace(b"TRANSP:OPAQUE", b"RRULE:FREQ=WEEKLY;BYDAY=XX"),
            "RRULE 'FREQ=WEEKLY;BYDAY=XX' is not a recurrence rule",
        ),
        (
            GOOD.replace(b"DTEND;TZID=Europe/Berlin:20240715T140000", b"DURATION:five hours"),
            "is not an iCalendar duration",
        ),
        (GOOD.replace(b"TRANSP:OPAQUE", b"TRANSP OPAQUE"), "'TRANSP OPAQUE' is not an iCalendar content line"),
    ],
    ids=[
        "html",
        "empty",
        "binary",
        "cut-short",
        "unbalanced",
        "bad-date",
        "impossible-date",
        "misspelt-rule-part",
        "rscale",
        "endless-duration",
        "bad-freq",
        "bad-byday",
        "bad-duration",
        "no-colon",
    ],
)
def test_unusable_files_are_refused_with_the_reason(tmp_path, content, expected):
    assert expected in refused(tmp_path, content)


def test_debris_in_vendor_properties_and_after_the_end_is_tolerated(tmp_path):
    # As Apple and calendar proxies write them: a broken X- line, a comment after END:VCALENDAR.
    content = GOOD.replace(b"TRANSP:OPAQUE", b"X-APPLE-RADIUS=49.91307046514149\r\nTRANSP:OPAQUE")
    content += b"X-COMMENT:Cached from 2024-02-20 14:28:21\r\n"
    assert blocked(tmp_path, content, "Europe/Berlin") == {D(2024, 7, 15)}


def test_what_real_exports_get_slightly_wrong_is_read_as_they_mean_it_with_notes(tmp_path):
    entries = [
        Entry("No start", T(2024, 7, 1, 9), extra=()),  # DTSTART removed below
        Entry("Swapped", T(2024, 7, 2, 14), T(2024, 7, 2, 9)),  # ends before it starts: five hours
        Entry("Spaces", T(2024, 7, 3, 9), T(2024, 7, 3, 14), rrule="FREQ=WEEKLY;COUNT=2;BYDAY=WE, TH"),
        Entry("For ever", T(2024, 7, 8, 9), T(2024, 7, 8, 14), rrule="FREQ=WEEKLY;COUNT=-1;INTERVAL=52"),
    ]
    content = thunderbird(entries).replace(b"DTSTART;TZID=Europe/Berlin:20240701T090000\r\n", b"")
    result = busy_days_with_notes(tmp_path, content, "Europe/Berlin")
    assert set(result.days) == {D(2024, 7, 2), D(2024, 7, 3), D(2024, 7, 4), D(2024, 7, 8)}
    assert any("'No start'" in note and "has no DTSTART and is ignored" in note for note in result.notes)
    assert any("'Swapped'" in note and "read the other way round" in note for note in result.notes)


def test_error_names_the_line(tmp_path):
    content = GOOD.replace(b"DTSTART;TZID=Europe/Berlin:20240715T090000", b"DTSTART:2024-07-15")
    line = content.split(b"\r\n").index(b"DTSTART:2024-07-15") + 1
    assert f"line {line}: DTSTART '2024-07-15'" in refused(tmp_path, content)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(CalendarFileError, match="cannot be read"):
        busy_days(tmp_path / "nowhere.ics", "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31))
    (tmp_path / "folder.ics").mkdir()
    with pytest.raises(CalendarFileError, match="cannot be read"):
        busy_days(tmp_path / "folder.ics", "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31))


# -- bounded time and memory -----------------------------------------------------------------------


def test_daily_meeting_from_2015_to_2030_is_quick(tmp_path):
    daily = Entry("Daily briefing", T(2015, 1, 5, 8), T(2015, 1, 5, 12, 30), rrule="FREQ=DAILY;UNTIL=20301231T000000Z")
    path = tmp_path / "daily.ics"
    path.write_bytes(outlook([daily], "W. Europe Standard Time"))
    started = time.perf_counter()
    days = busy_days(path, "Europe/Chisinau", D(2022, 1, 1), D(2024, 12, 31)).days
    elapsed = time.perf_counter() - started
    assert len(days) == (D(2024, 12, 31) - D(2022, 1, 1)).days + 1  # every day, weekends too
    assert elapsed < 4, f"{elapsed:.2f}s"


def test_ten_thousand_single_events_are_quick(tmp_path):
    path = tmp_path / "many.ics"
    path.write_bytes(many_single_events(10_000, D(2021, 1, 4)))  # five 1-hour meetings a working day
    started = time.perf_counter()
    days = busy_days(path, "Europe/Berlin", D(2021, 1, 1), D(2028, 12, 31)).days
    elapsed = time.perf_counter() - started
    assert len(days) == 2_000  # 10,000 / 5 a day, each day 5 hours
    assert all(day.weekday() < 5 for day in days)
    assert elapsed < 4, f"{elapsed:.2f}s"


def test_a_rule_repeating_every_minute_for_years_is_refused(tmp_path):
    absurd = Entry("Ping", T(2010, 1, 1, 0), T(2010, 1, 1, 0, 1), rrule="FREQ=MINUTELY")
    message = refused(tmp_path, thunderbird([absurd]))
    assert "FREQ=MINUTELY" in message and "too many repetitions" in message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.ics"
    with path.open("wb") as handle:
        handle.truncate(icsfile.MAX_ICS_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(CalendarFileError, match="bytes; a busy calendar may have at most"):
        busy_days(path, "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31))


def test_too_many_events_near_the_horizon_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(icsfile, "MAX_KEPT_EVENTS", 50)
    path = tmp_path / "crowded.ics"
    path.write_bytes(many_single_events(60, D(2024, 3, 4)))
    with pytest.raises(CalendarFileError, match="more than 50 events"):
        busy_days(path, "Europe/Berlin", D(2024, 1, 1), D(2024, 12, 31))


def test_events_far_from_the_horizon_are_not_kept(tmp_path):
    entries = [Entry(f"Old {n}", T(2010, 3, 1 + n, 9), T(2010, 3, 1 + n, 17)) for n in range(20)]
    entries.append(Entry("Now", T(2024, 3, 4, 9), T(2024, 3, 4, 17)))
    path = tmp_path / "old.ics"
    path.write_bytes(thunderbird(entries))
    ics = icsfile.read_ics(path, keep=expand.near_window(D(2024, 1, 1), D(2024, 12, 31)))
    assert ics.event_count == 21
    assert [event.text("SUMMARY") for event in ics.events] == ["Now"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL should be a whole number of at least 1"),
        ("FREQ=DAILY;BYHOUR=25", "BYHOUR values should be between 0 and 23"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values should be between 1 and 31"),
        ("FREQ=WEEKLY;BYDAY=XX", "is not a recurrence rule"),
    ],
)
def test_rules_with_values_out_of_range_are_refused(tmp_path, rule, expected):
    series = Entry("Meeting", T(2024, 7, 15, 9), T(2024, 7, 15, 14), rrule=rule)
    message = refused(tmp_path, thunderbird([series]))
    assert f"RRULE {rule!r}" in message and expected in message


def test_a_rule_that_never_occurs_is_skipped_with_a_note_and_quickly(tmp_path):
    # dateutil would look for a 30 February hour by hour up to the year 9999.
    series = Entry("Never", T(2024, 7, 15, 9), T(2024, 7, 15, 14), rrule="FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30")
    started = time.perf_counter()
    result = busy_days_with_notes(tmp_path, thunderbird([series]), "Europe/Berlin")
    assert time.perf_counter() - started < 2
    assert set(result.days) == {D(2024, 7, 15)}  # DTSTART is still an occurrence
    assert len(result.notes) == 1 and "can never occur" in result.notes[0]


# -- the pieces: zones and the blocking rule ------------------------------------------------------


def test_outlook_vtimezone_table_agrees_with_the_tz_database_hour_by_hour():
    from zoneinfo import ZoneInfo

    from scheduler.calendars.icsfile import Component, Property
    from scheduler.calendars.zones import DefinedZone

    from tests.support.calendar_exports import WINDOWS_ZONES

    for windows_name, (iana, lines) in WINDOWS_ZONES.items():
        component = Component("VTIMEZONE", 1)
        part = None
        for number, line in enumerate(lines, start=2):
            if line.startswith("BEGIN:"):
                part = Component(line[6:], number)
            elif line.startswith("END:"):
                component.parts.append(part)
            else:
                name, _, value = line.partition(":")
                part.properties.setdefault(name, []).append(Property(name, {}, value, number))
        defined, reference = DefinedZone.from_component("x.ics", windows_name, component), ZoneInfo(iana)
        moment = dt.datetime(2023, 1, 1, tzinfo=UTC)
        while moment < dt.datetime(2025, 1, 1, tzinfo=UTC):
            local = moment.astimezone(defined)
            assert local.replace(tzinfo=None) == moment.astimezone(reference).replace(tzinfo=None), moment
            assert local.astimezone(UTC) == moment  # round trip, folds included
            wall = moment.astimezone(reference).replace(tzinfo=None)
            for fold in (0, 1):
                assert (
                    wall.replace(tzinfo=defined, fold=fold).utcoffset()
                    == wall.replace(tzinfo=reference, fold=fold).utcoffset()
                ), (wall, fold)
            moment += dt.timedelta(minutes=30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-300, max_value=1700), st.integers(min_value=0, max_value=600)),
        min_size=1,
        max_size=6,
    )
)
def test_blocking_rule_matches_counting_minutes(pieces):
    """Timed spans given in minutes from midnight of 15 July 2024 (Berlin): a day is blocked
    exactly when at least 240 of its minutes are covered by some span."""
    from zoneinfo import ZoneInfo

    from scheduler.calendars.busy import blocked_days
    from scheduler.calendars.expand import Span

    berlin = ZoneInfo("Europe/Berlin")
    midnight = dt.datetime(2024, 7, 15, tzinfo=berlin)
    spans = [
        Span(midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=start + length), f"s{n}")
        for n, (start, length) in enumerate(pieces)
    ]
    covered: dict[dt.date, set[int]] = {}
    for start, length in pieces:
        for minute in range(start, start + length):
            day = D(2024, 7, 15) + dt.timedelta(days=minute // 1440)
            covered.setdefault(day, set()).add(minute)
    expected = {day for day, minutes in covered.items() if len(minutes) >= 240}
    first, last = D(2024, 7, 14), D(2024, 7, 17)
    assert set(blocked_days(spans, berlin, first, last)) == {day for day in expected if first <= day <= last}
