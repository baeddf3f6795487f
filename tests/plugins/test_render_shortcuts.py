"""Shortcuts of the render against the plain way they replace: each gives the same bytes.

- ``templating``: a render's context built from the template's globals copied once, not from
  Jinja's ``ChainMap`` for every render.
- ``eventlines``: an event put together from lines remembered per property value, not built and
  serialised with the icalendar API (``icalbuild.occurrence_template``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy as email_policy
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler.plugins import eventlines, icalbuild

from scheduler.render import templating
from scheduler.render.context import RenderContext
from tests.support.calendar_outputs import NOW, render, replanned


def files_of(folder: Path, written) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in written}


@pytest.mark.parametrize("replan", [False, True])
def test_templates_render_what_jinjas_own_template_class_renders(plan, scenario, tmp_path, monkeypatch, replan):
    current, previous = plan, None
    if replan:
        current = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
        previous = plan
    options = {"workers": "1"}
    ours = files_of(tmp_path / "ours", render(current, scenario, tmp_path / "ours", previous=previous, options=options))
    monkeypatch.setattr(templating, "_template_class", lambda: jinja2.Template)
    plain = files_of(
        tmp_path / "plain", render(current, scenario, tmp_path / "plain", previous=previous, options=options)
    )
    assert sorted(ours) == sorted(plain)
    assert [name for name in ours if ours[name] != plain[name]] == []
    assert any(name.endswith(".eml") for name in ours) and any(name.endswith(".html") for name in ours)


def test_a_global_added_after_a_render_is_seen_by_the_next():
    env = templating.environment(None)
    template = env.from_string("{{ greeting | default('none') }} {{ range(2) | list }}")
    assert type(template).__name__ == "Template" and type(template) is not jinja2.Template
    assert template.render() == "none [0, 1]"
    env.globals["greeting"] = "hello"
    assert template.render() == "hello [0, 1]"
    template.globals["greeting"] = "own"  # a template's own globals come before the environment's
    template.globals["other"] = 1
    assert template.render() == "own [0, 1]"
    assert template.render(greeting="given") == "given [0, 1]"


# --- eventlines ---------------------------------------------------------------------------------


def plain_template(context, occurrence, slots, sessions=True):
    event = icalbuild.occurrence_event(context, occurrence, attendees=(), description="")
    following = icalbuild.session_events(context, occurrence) if sessions else []
    return icalbuild.event_template(event, slots, following), icalbuild.used_tzids(event)


@pytest.mark.parametrize("slots", [["ATTENDEE", "DESCRIPTION"], ["DESCRIPTION"], []])
def test_every_occurrences_template_is_the_one_icalendar_serialises(plan, scenario, tmp_path, slots):
    context = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    eventlines._remembered.clear()
    for occurrence in plan.scheduled:
        for sessions in (True, False):
            expected = plain_template(context, occurrence, slots, sessions)
            assert icalbuild.occurrence_template(context, occurrence, slots, sessions=sessions) == expected
            # and again, from the lines remembered the first time
            assert icalbuild.occurrence_template(context, occurrence, slots, sessions=sessions) == expected
    assert any(icalbuild.session_events(context, o) for o in plan.scheduled)
    assert any(template.tzids for template, _zones in (plain_template(context, o, slots) for o in plan.scheduled))


def test_odd_values_of_the_scenario_are_written_as_icalendar_writes_them(plan, scenario, tmp_path):
    """Titles, places and names that icalendar escapes and folds; a venue in another zone whose
    sessions fall at the same instants as those of the example's venues; coordinates that are whole
    numbers; an organizer of the same address with another name."""
    odd = 'Ședința; a, b\\c: "quoted" ' + "long " * 30 + "ünïcödé 🙂"
    occurrence = next(
        o
        for o in plan.scheduled
        if icalbuild.session_events(RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW), o)
    )
    venue = scenario.venues[occurrence.venue]
    location = scenario.locations[venue.location]
    changes = [
        ("title", dataclasses.replace(occurrence, title=odd), {}),
        ("venue", occurrence, {"venues": {venue.id: dataclasses.replace(venue, name=odd, address=odd[:40])}}),
        ("zone", occurrence, {"locations": {location.id: dataclasses.replace(location, timezone="Asia/Tokyo")}}),
        ("whole", occurrence, {"locations": {location.id: dataclasses.replace(location, lat=45.0, lon=26.0)}}),
        (
            "organizer",
            occurrence,
            {
                "project": dataclasses.replace(
                    scenario.project, organizer=dataclasses.replace(scenario.project.organizer, name=odd)
                )
            },
        ),
        ("sequence", dataclasses.replace(occurrence, sequence=7), {}),
    ]
    eventlines._remembered.clear()
    for _what, changed, replaced in [("as it is", occurrence, {})] + changes:
        fields = {}
        for key, value in replaced.items():
            fields[key] = {**getattr(scenario, key), **value} if isinstance(value, dict) else value
        odd_scenario = dataclasses.replace(scenario, **fields)
        context = RenderContext(plan=plan, scenario=odd_scenario, folder=tmp_path, now=NOW)
        slots = ["ATTENDEE", "DESCRIPTION"]
        assert icalbuild.occurrence_template(context, changed, slots) == plain_template(context, changed, slots), _what


ZONES = [ZoneInfo("Europe/Bucharest"), ZoneInfo("Europe/Vienna"), ZoneInfo("Asia/Tokyo"), dt.UTC]
DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
TIMES = st.builds(
    lambda day, minutes, zone: dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(minutes=minutes),
    DAYS,
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(ZONES),
)
VALUES = st.one_of(
    st.text(max_size=120), st.integers(-5, 5), st.floats(-100, 100, allow_nan=False), st.booleans(), DAYS, TIMES
)
PROPERTIES = st.one_of(
    st.tuples(
        st.sampled_from(["summary", "location", "uid", "x-note", "comment", "description"]), st.text(max_size=150)
    ),
    st.tuples(st.sampled_from(["dtstart", "dtend", "dtstamp"]), DAYS | TIMES),
    st.tuples(st.just("sequence"), st.integers(0, 12)),
    st.tuples(
        st.just("geo"),
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)) | st.tuples(st.integers(-90, 90), st.integers(-180, 180)),
    ),
    st.tuples(st.just("categories"), st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=3)),
    st.tuples(
        st.just("attendee"),
        st.builds(
            lambda address, name, rsvp: icalendar.vCalAddress.new(f"mailto:{address}@example.org", cn=name, rsvp=rsvp),
            st.sampled_from(["a", "b"]),
            st.text(max_size=40),
            st.booleans(),
        ),
    ),
    st.tuples(st.just("x-value"), VALUES),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(PROPERTIES, st.booleans()), max_size=12),
    st.lists(st.sampled_from(["DESCRIPTION", "ATTENDEE", "CONTACT"]), unique=True),
)
def test_an_event_of_remembered_lines_is_the_one_icalendar_serialises(properties, slots):
    """Any properties, some of them twice, with parameters or not; values alike to Python but not
    to iCalendar (the same instant in two zones, 1 and 1.0 and True) come in turn, so that a line
    remembered for one is asked for the other."""
    added = []
    for (name, value), with_parameters in properties:
        added.append((name, value, {"X-FLAG": "yes"} if with_parameters and name.startswith("x-") else None))
    slots = [slot for slot in slots if slot.lower() not in {name for name, _v, _p in added}]
    event = icalendar.Event()
    for name, value, parameters in added:
        event.add(name, value, parameters=dict(parameters) if parameters else None)
    try:
        expected = icalbuild.event_template(event, slots)
    except (AssertionError, ValueError) as error:  # icalendar refuses an X- value with a line break
        with pytest.raises(type(error)):
            eventlines.event_pieces(added, slots)
        return
    for _twice in range(2):
        pieces, order, zones = eventlines.event_pieces(added, slots)
        assert (tuple(pieces), tuple(order)) == (expected.pieces, expected.slots)
        assert zones == icalbuild.used_tzids(event) == expected.tzids


def test_values_equal_in_python_but_written_differently_are_remembered_apart():
    bucharest = dt.datetime(2024, 3, 1, 10, tzinfo=ZoneInfo("Europe/Bucharest"))
    vienna = bucharest.astimezone(ZoneInfo("Europe/Vienna"))
    assert bucharest == vienna
    pairs = [
        (("dtstart", bucharest, None), ("dtstart", vienna, None)),
        (("x-value", 1, None), ("x-value", 1.0, None)),
        (("x-value", 1, None), ("x-value", True, None)),
        (
            ("attendee", icalendar.vCalAddress.new("mailto:a@example.org", cn="A"), None),
            ("attendee", icalendar.vCalAddress.new("mailto:a@example.org", cn="B"), None),
        ),
        (("related-to", "x", {"RELTYPE": "PARENT"}), ("related-to", "x", {"RELTYPE": "CHILD"})),
    ]
    for first, second in pairs:
        written = [eventlines.property_bytes(*first)[0], eventlines.property_bytes(*second)[0]]
        assert written[0] != written[1], first
        for (name, value, parameters), data in zip((first, second), written, strict=True):
            assert data == icalbuild.property_line(name, value, dict(parameters) if parameters else None)


# --- icallines.typed_line -------------------------------------------------------------------------

NAMES = st.text(alphabet=st.sampled_from(list("abXY09 ,;:\"'\\.-^") + ["é", "ș", "–", "🙂", "\t"]), max_size=90)


@settings(max_examples=300, deadline=None)
@given(NAMES, st.sampled_from(["ion.rusu@example.md", "a" * 70 + "@example.org"]), st.booleans())
def test_an_attendee_line_is_the_property_line_icalendar_writes(name, email, rsvp):
    person = type("Person", (), {"name": name, "email": email})()
    address = icalbuild.attendee_address(person, rsvp=rsvp)
    assert icalbuild.typed_line("attendee", address) == icalbuild.property_line("attendee", address)


@settings(max_examples=100, deadline=None)
@given(NAMES)
def test_a_typed_text_line_is_the_property_line_icalendar_writes(text):
    for name in ("summary", "x-note", "organizer"):
        value = icalendar.vText(text) if name != "organizer" else icalendar.vCalAddress.new("mailto:x@y.org", cn=text)
        assert icalbuild.typed_line(name, value) == icalbuild.property_line(name, value), name
    assert icalbuild.typed_line("summary", text) == icalbuild.property_line("summary", text)  # not typed: the plain way


# --- rendering: written paths ---------------------------------------------------------------------


@pytest.mark.parametrize("relative_folder", [False, True])
def test_a_written_path_is_the_path_of_the_file(tmp_path, monkeypatch, relative_folder):
    """``write_bytes`` gives the written file's path made from its folder's ``Path`` and its name:
    the same ``Path`` as the whole path parsed, for files in the folder, in new and known folders,
    names with dots and spaces, and an output folder given relative to the working folder."""
    monkeypatch.chdir(tmp_path)
    folder = Path("out") if relative_folder else tmp_path / "out"
    folder.mkdir()
    context = RenderContext(plan=None, scenario=None, folder=folder, now=NOW)
    for relative in ["plan.ics", "calendar/people/a.ics", "calendar/people/b c.ics", "x/y/z/..ics", "a/b/.hidden"]:
        written = context.write_bytes(relative, b"data")
        expected = Path(context._target(relative))  # what it gave before: the whole path parsed
        assert os.path.samefile(expected, os.path.join(folder, relative))
        assert written == expected and str(written) == str(expected) and type(written) is type(expected)
        assert written.read_bytes() == b"data"


# --- pluginhost: written paths inside the output folder ------------------------------------------


@pytest.mark.parametrize("through_link", [False, True])
def test_the_inside_check_says_what_resolving_each_path_says(tmp_path, through_link):
    """Folders and files that are links (to inside and to outside the output folder), paths with
    ``..`` and ``.``, folders that do not exist, relative paths, the output folder itself named
    through a link: the check by folders agrees with each path resolved in full."""
    from scheduler.render.host import _InsideCheck

    real = tmp_path / "real-out"
    outside = tmp_path / "elsewhere"
    for folder in (real / "a" / "b", real / "c", outside / "d"):
        folder.mkdir(parents=True)
    (real / "a" / "b" / "file.txt").write_text("x")
    (outside / "d" / "secret.txt").write_text("x")
    (real / "to-outside").symlink_to(outside)
    (real / "to-inside").symlink_to(real / "a")
    (real / "a" / "b" / "file-out.txt").symlink_to(outside / "d" / "secret.txt")
    (real / "a" / "b" / "file-in.txt").symlink_to(real / "c")
    (real / "c" / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    root = real
    if through_link:
        root = tmp_path / "out-link"
        root.symlink_to(real)
    names = [
        "a/b/file.txt",
        "a/b/file-out.txt",
        "a/b/file-in.txt",
        "a/b/new.txt",
        "to-outside/d/secret.txt",
        "to-outside/new.txt",
        "to-inside/b/file.txt",
        "c/dangling",
        "c/../a/b/file.txt",
        "c/../../elsewhere/d/secret.txt",
        "./c/x",
        "a/./b/x",
        "missing/deeper/x.txt",
        "a/b/",
        "a/b/.",
        "a/b/..",
    ]
    paths = [os.path.join(str(root), name) for name in names]
    paths += [str(outside / "d" / "secret.txt"), str(tmp_path / "real-out-sibling" / "x"), "relative/x.txt", "/"]
    check = _InsideCheck(root)
    resolved_root = root.resolve()
    answers = [(path, check(path), Path(path).resolve().is_relative_to(resolved_root)) for path in paths]
    assert [(path, mine) for path, mine, _plain in answers] == [(path, plain) for path, _mine, plain in answers]
    assert sum(mine for _path, mine, _plain in answers) >= 6 and not all(mine for _p, mine, _q in answers)


# --- cli.run: the end of the process -------------------------------------------------------------


def run_program(code: str, *args: str) -> subprocess.CompletedProcess:
    program = f"import sys; sys.argv = ['scheduler', *{list(args)!r}]\n{code}\nfrom scheduler.cli import run\nrun()\n"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)


def test_the_program_ends_with_its_exit_code_its_output_and_its_atexit_functions(tmp_path):
    """What the ordinary end of a process gives: the exit code (0, 2 for a mistake), everything
    written to the (piped, so buffered) output streams, and the functions registered with atexit
    run, after the command."""
    said = "import atexit; atexit.register(lambda: print('atexit ran', flush=False))"
    done = run_program(said, "formats")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "atexit ran" and "ical" in done.stdout
    missing = tmp_path / "missing.toml"
    done = run_program(said, "validate", str(missing))
    assert done.returncode == 2 and "no such file" in done.stderr and done.stdout == "atexit ran\n"
    done = run_program("", "--version")
    assert done.returncode == 0 and "scheduler" in done.stdout


def test_a_thread_still_running_is_waited_for_as_the_interpreter_would():
    started = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), print('thread done', flush=True))).start()"
    )
    done = run_program(started, "formats")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "thread done", done.stdout


def test_python_dash_m_scheduler_runs_the_program(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "validate", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no such file" in done.stderr


# --- invitations: addresses, quoted-printable ----------------------------------------------------

ODD_ADDRESSES = [
    "ion.rusu@example.md",
    "a@b.co",
    "o'brien+tag@mail.example.org",
    "x_y-z@sub-domain.example.com",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    '"quoted name"@example.org',
    "a b@example.org",
    "ion@localhost",
    "ion@-bad.example.org",
    "ion@example..org",
    "ión@example.org",
    "ion@exámple.org",
    "a(comment)@example.org",
    "@example.org",
    "ion@",
]


@pytest.mark.parametrize("email", ODD_ADDRESSES)
@pytest.mark.parametrize("name", ["Ion Rusu", "Ștefan O'Brien, Jr.", "", 'A "quoted" name'])
def test_an_address_is_the_one_the_email_package_parses(name, email):
    from email.headerregistry import Address

    from scheduler.plugins import invitations

    invitations._address.cache_clear()
    try:
        parsed = Address(name, addr_spec=email)
    except Exception as error:  # noqa: BLE001 - whatever the package raises, ours raises too
        with pytest.raises(type(error)):
            invitations._address(name, email)
        return
    ours = invitations._address(name, email)
    assert (ours.display_name, ours.username, ours.domain, ours.addr_spec, str(ours)) == (
        parsed.display_name,
        parsed.username,
        parsed.domain,
        parsed.addr_spec,
        str(parsed),
    )
    from scheduler.plugins import mailbuild

    assert mailbuild._header(email_policy.SMTP, "To", ours) == mailbuild._header(email_policy.SMTP, "To", parsed)


def test_an_attendees_briefing_takes_their_first_attendance_as_the_search_did(plan):
    from scheduler.plugins import briefing

    occurrence = dataclasses.replace(plan.scheduled[0])
    first = occurrence.attendees[0]
    later = dataclasses.replace(first, first_away=first.first_away - dt.timedelta(days=3))
    occurrence.attendees = [*occurrence.attendees, later]  # the same person twice: the first counts
    for attendance in occurrence.attendees:
        expected = next(a for a in occurrence.attendees if a.person == attendance.person)
        assert briefing._attendances(occurrence)[attendance.person] is expected
    occurrence.attendees.append(dataclasses.replace(first, person="someone-new"))  # the list changed
    assert briefing._attendances(occurrence)["someone-new"] is occurrence.attendees[-1]
    occurrence.attendees = occurrence.attendees[1:]  # another list
    assert briefing._attendances(occurrence)[first.person] is later


# --- renderpool: the order of a round's tasks ----------------------------------------------------


def test_a_rounds_longer_tasks_are_queued_first_and_its_results_stay_in_order():
    from scheduler.render import pool as renderpool
    from scheduler.render.pool import Batch

    shared_items, own_items = list(range(40)), list(range(30))
    batches = [
        Batch(shared_items, lambda context, chunk: [("first", item) for item in chunk]),
        Batch(own_items, lambda context, chunk: [("alone", item) for item in chunk]),
        Batch(shared_items, lambda context, chunk: [("second", item) for item in chunk]),
    ]
    groups = renderpool._groups(batches)
    assert groups == [(0, 2), (1,)]
    tasks = renderpool._tasks(batches, groups, 2)
    sizes = [len(group) for group, _start, _stop in tasks]
    assert sizes == sorted(sizes, reverse=True) and sizes.count(2) == sizes.count(1) == 2 * renderpool.CHUNKS_PER_WORKER
    for group in groups:
        starts = [start for g, start, _stop in tasks if g == group]
        assert starts == sorted(starts)
    assert [task[0] for task in renderpool._tasks(batches, groups, 1)] == [(0, 2), (1,)]
    pieces = [renderpool._execute(None, batches, task, here=True) for task in tasks]
    results = renderpool._assemble(batches, tasks, pieces)
    assert results == [
        [("first", item) for item in shared_items],
        [("alone", item) for item in own_items],
        [("second", item) for item in shared_items],
    ]
