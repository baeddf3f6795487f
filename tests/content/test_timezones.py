"""``VTIMEZONE`` components from the zoneinfo database (``scheduler.content.timezones``), read back
by vobject: the right offset at every instant, and each onset written in the offset before it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import vobject

from scheduler.content.timezones import vtimezone


@pytest.mark.parametrize(
    ("tzid", "first_year", "last_year"),
    [
        ("Europe/Bucharest", 2022, 2025),
        ("Europe/Chisinau", 2022, 2025),
        ("Asia/Tbilisi", 2022, 2025),
        ("Europe/Kyiv", 2022, 2025),
        ("America/New_York", 2022, 2025),
        ("Europe/Dublin", 2022, 2025),  # a negative DST in winter
        ("Europe/Istanbul", 2014, 2018),  # left daylight saving time in 2016: the rule ends
    ],
)
def test_generated_vtimezones_agree_with_zoneinfo_every_half_hour(tzid, first_year, last_year):
    component = vtimezone(tzid, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + component.to_ical().decode() + "END:VCALENDAR\r\n"
    )
    theirs = vobject.readOne(text).vtimezone.gettzinfo()
    zone = ZoneInfo(tzid)
    instant = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    wrong = []
    while instant < dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC):
        if instant.astimezone(zone).utcoffset() != instant.astimezone(theirs).utcoffset():
            wrong.append(instant)
        instant += dt.timedelta(minutes=30)
    assert wrong == []


def test_daylight_saving_onset_is_written_in_the_offset_before_it():
    """RFC 5545: an observance's DTSTART is local time in TZOFFSETFROM (Bucharest: 03:00 EET)."""
    daylight = vtimezone("Europe/Bucharest", dt.date(2022, 1, 1), dt.date(2024, 12, 31)).walk("DAYLIGHT")[0]
    assert daylight.decoded("dtstart") == dt.datetime(2022, 3, 27, 3, 0)
    assert daylight.decoded("tzoffsetfrom") == dt.timedelta(hours=2)
    assert daylight["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
