"""The ``ical`` events published to a real CalDAV server (Radicale) and found again by date.

Each ``calendar/events/<occurrence>.ics`` is cut into one resource per UID (CalDAV stores one UID
per resource and no ``METHOD``, RFC 4791 section 4.1) and ``PUT`` into a fresh calendar; then a
``calendar-query`` REPORT with a ``time-range`` must find every occurrence on its days and every
agenda session at its instant, computed by the server from the ``VTIMEZONE`` we sent, and must
not find them just outside.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.content.calendars import split_by_uid
from tests.support.calendar_outputs import render

USER = "coordinator"
CALENDAR = f"/{USER}/ilecu/"
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CalDAV:
    """A minimal CalDAV client over http.client, authenticated as ``USER`` (Radicale's ``auth = none``
    takes any password)."""

    def __init__(self, port: int):
        self.port = port
        token = base64.b64encode(f"{USER}:secret".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}

    def request(self, method: str, path: str, body: str | bytes = b"", **headers) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, path, body=data, headers={**self.headers, **headers})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def query(self, start: dt.datetime, end: dt.datetime) -> set[str]:
        """UIDs of the events overlapping [start, end), by the server's own reckoning."""
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"""
        status, reply = self.request("REPORT", CALENDAR, body, Depth="1", **{"Content-Type": "application/xml"})
        assert status == 207, reply
        uids = set()
        for data in ET.fromstring(reply).iterfind(".//C:calendar-data", NS):
            calendar = icalendar.Calendar.from_ical(data.text)
            uids.update(str(event["uid"]) for event in calendar.walk("VEVENT"))
        return uids


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("radicale")
    port = free_port()
    config = folder / "config"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = none

[storage]
filesystem_folder = {folder / "collections"}

[web]
type = none

[logging]
level = warning
""",
        encoding="utf-8",
    )
    log = (folder / "radicale.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    client = CalDAV(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"radicale exited: {(folder / 'radicale.log').read_text(errors='replace')}")
            try:
                client.request("OPTIONS", "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("radicale did not start within 60 s")
                time.sleep(0.2)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def published(server, plan, scenario, tmp_path_factory):
    """Every event of every calendar/events/*.ics PUT into a new calendar; returns the UIDs."""
    folder = tmp_path_factory.mktemp("feeds")
    render(plan, scenario, folder, "ical")
    body = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>ILECU</D:displayname></D:prop></D:set>
</C:mkcalendar>"""
    status, reply = server.request("MKCALENDAR", CALENDAR, body, **{"Content-Type": "application/xml"})
    assert status == 201, reply
    uids = []
    for path in sorted((folder / "calendar" / "events").glob("*.ics")):
        for uid, resource in split_by_uid(icalendar.Calendar.from_ical(path.read_bytes())).items():
            name = quote(uid.replace("@", "_at_")) + ".ics"
            status, reply = server.request(
                "PUT", CALENDAR + name, resource.to_ical(), **{"Content-Type": "text/calendar; charset=utf-8"}
            )
            assert status == 201, (uid, reply)
            uids.append(uid)
    return uids


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def test_every_event_is_stored(server, published, plan, scenario):
    sessions = sum(len(scenario.events[o.event].agenda) for o in plan.scheduled)
    assert len(published) == len(set(published)) == len(plan.scheduled) + sessions
    status, reply = server.request("PROPFIND", CALENDAR, Depth="1")
    assert status == 207
    hrefs = [h.text for h in ET.fromstring(reply).iterfind(".//D:href", NS)]
    assert len([h for h in hrefs if h.endswith(".ics")]) == len(published)


def test_occurrences_are_found_on_their_days_and_not_beside_them(server, published, plan, scenario):
    day = dt.timedelta(days=1)
    for occurrence in plan.scheduled:
        uid = f"{occurrence.id}@{scenario.project.id}"
        assert uid in server.query(midnight(occurrence.start), midnight(occurrence.end + day)), uid
        assert uid in server.query(midnight(occurrence.end), midnight(occurrence.end + day)), f"{uid}: last day"
        assert uid not in server.query(midnight(occurrence.start - day), midnight(occurrence.start)), (
            f"{uid}: day before"
        )
        assert uid not in server.query(midnight(occurrence.end + day), midnight(occurrence.end + 2 * day)), (
            f"{uid}: DTEND must be exclusive"
        )


def test_sessions_are_found_at_their_instant_in_the_venues_zone(server, published, plan, scenario):
    checked = 0
    for occurrence in plan.scheduled:
        zone = ZoneInfo(scenario.locations[occurrence.location].timezone)
        for item in scenario.events[occurrence.event].agenda:
            uid = f"{occurrence.id}-d{item.day}-{item.start:%H%M}@{scenario.project.id}"
            day = occurrence.start + dt.timedelta(days=item.day - 1)
            start = dt.datetime.combine(day, item.start, tzinfo=zone).astimezone(dt.UTC)
            end = dt.datetime.combine(day, item.end, tzinfo=zone).astimezone(dt.UTC)
            minute = dt.timedelta(minutes=1)
            assert uid in server.query(start, start + minute), uid
            assert uid in server.query(end - minute, end), uid
            assert uid not in server.query(start - dt.timedelta(hours=2), start), f"{uid}: before its start"
            assert uid not in server.query(end, end + dt.timedelta(hours=2)), f"{uid}: after its end"
            checked += 1
    assert checked > 0, "the example has agenda sessions"
