"""The ``agenda`` output format: agendas/<occurrence>.html and .md, driven through ``scheduler render``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scheduler.plugins.agenda import markdown_text, programme_days, timezone_text

from scheduler import plan as plan_json
from scheduler.content.kinds import default_programme
from scheduler.content.languages import conventions_for
from scheduler.render.context import RenderContext
from scheduler.scenario.loader import load
from tests.support.calendar_outputs import NOW
from tests.support.html_tree import parse
from tests.support.solved_plans import render, solved

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example rendered once: (scenario, plan, output folder)."""
    scenario_file, plan_file = solved("example")
    out = tmp_path_factory.mktemp("agenda") / "out"
    result = render(plan_file, scenario_file, out, "--format", "agenda", env=EPOCH)
    assert result.exit_code == 0, result.output
    return load(scenario_file), plan_json.load(plan_file), out


def read_page(out, occurrence_id):
    return parse((out / "agendas" / f"{occurrence_id}.html").read_text(encoding="utf-8"))


def english_date(text: str) -> dt.date:
    """Parse babel's British English full date ("Tuesday, 1 March 2022") with an independent parser."""
    return dt.datetime.strptime(text, "%A, %d %B %Y").date()


def test_one_html_and_one_markdown_agenda_per_scheduled_occurrence_and_nothing_else(example):
    _, plan, out = example
    expected = {f"{o.id}.{ext}" for o in plan.scheduled for ext in ("html", "md")}
    assert {p.name for p in (out / "agendas").iterdir()} == expected


def test_left_out_occurrences_get_no_agenda(tmp_path):
    scenario_file, plan_file = solved("tight")
    plan = plan_json.load(plan_file)
    left_out = [o.id for o in plan.occurrences if not o.scheduled]
    assert left_out, "the tight variant must leave something out"
    assert render(plan_file, scenario_file, tmp_path / "out", "--format", "agenda").exit_code == 0
    written = {p.stem for p in (tmp_path / "out" / "agendas").glob("*.html")}
    assert written == {o.id for o in plan.scheduled}
    assert not written & set(left_out)


def test_html_is_self_contained_and_printable(example):
    _, plan, out = example
    for occurrence in plan.scheduled:
        page = read_page(out, occurrence.id)
        assert not page.find_all("script") and not page.find_all("link") and not page.find_all("img")
        for element in page.iter():
            for name in ("src", "srcset", "data", "background"):
                assert name not in element.attrs, (occurrence.id, element.tag, name)
            if "href" in element.attrs:
                assert element.attrs["href"].startswith(("mailto:", "#")), element.attrs["href"]
        style = page.find("style").text()
        assert "@media print" in style and "@page" in style
        assert "url(" not in style and "@import" not in style


def test_programme_runs_from_arrival_to_departure_day_by_day(example):
    scenario, plan, out = example
    for occurrence in plan.scheduled:
        event = scenario.events[occurrence.event]
        first = occurrence.start - dt.timedelta(days=event.travel_days_before)
        last = occurrence.end + dt.timedelta(days=event.travel_days_after)
        days = read_page(out, occurrence.id).find("section", id="programme").find_all("article", cls="day")
        dates = [dt.date.fromisoformat(d.attrs["id"].removeprefix("day-")) for d in days]
        assert dates == [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        for day, date in zip(days, dates, strict=True):
            heading = day.find("h3")
            assert english_date(heading.find("span").text()) == date
            label = heading.find("span", cls="label").text()
            if date < occurrence.start:
                assert "arrival" in day.classes and label == "Arrival"
            elif date > occurrence.end:
                assert "departure" in day.classes and label == "Departure"
            else:
                assert "event" in day.classes and label == f"Day {(date - occurrence.start).days + 1}"
                assert day.find_all("tr"), f"{occurrence.id}: {date} has no sessions"


def test_sessions_come_from_the_events_agenda_on_their_day(example):
    scenario, plan, out = example
    kickoff = next(o for o in plan.scheduled if o.event == "kickoff")
    items = scenario.events["kickoff"].agenda
    assert items, "the example's kick-off has an agenda"
    page = read_page(out, kickoff.id)
    assert "Indicative" not in page.find("section", id="programme").text()
    for number in {item.day for item in items}:
        date = kickoff.start + dt.timedelta(days=number - 1)
        rows = page.find("article", id=f"day-{date.isoformat()}").find_all("tr")
        shown = [tuple(td.text() for td in row.find_all("td")) for row in rows]
        expected = [
            (f"{i.start:%H:%M}–{i.end:%H:%M}", i.title) for i in sorted(items, key=lambda i: i.start) if i.day == number
        ]
        assert shown == expected


def test_events_without_agenda_get_an_indicative_programme_of_their_kind(example):
    scenario, plan, out = example
    without = [o for o in plan.scheduled if not scenario.events[o.event].agenda]
    assert {scenario.events[o.event].kind for o in without} >= {"steering_committee", "training", "workshop"}
    for occurrence in without:
        event = scenario.events[occurrence.event]
        page = read_page(out, occurrence.id)
        assert "Indicative programme" in page.find("section", id="programme").text()
        expected = default_programme(event.kind, event.duration_days)
        shown = [td.text() for td in page.find("section", id="programme").find_all("td") if "time" not in td.classes]
        assert shown == [item.title for item in expected]


def test_venue_times_and_contacts(example):
    scenario, plan, out = example
    for occurrence in plan.scheduled:
        venue = scenario.venues[occurrence.venue]
        location = scenario.locations[venue.location]
        facts = read_page(out, occurrence.id).find("dl", cls="facts")
        values = {dt_.text(): dd.text() for dt_, dd in zip(facts.find_all("dt"), facts.find_all("dd"), strict=True)}
        assert venue.name in values["Where"] and venue.address in values["Where"]
        assert location.city in values["Where"]
        offset = dt.datetime.combine(occurrence.start, dt.time(12), ZoneInfo(location.timezone)).utcoffset()
        hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
        assert f"{location.timezone}, UTC+{hours:02d}:{rest:02d}" in values["Times"]
    contacts = read_page(out, plan.scheduled[0].id).find("section", id="contacts")
    link = contacts.find("a")
    assert link.attrs["href"] == f"mailto:{scenario.project.organizer.email}"
    assert scenario.project.organizer.name in contacts.text()


def test_participants_are_grouped_by_country_and_organisation(example):
    from scheduler.scenario.countries import country_name

    scenario, plan, out = example
    for occurrence in plan.scheduled:
        section = read_page(out, occurrence.id).find("section", id="participants")
        shown: dict[tuple[str, str], list[str]] = {}
        for country in section.find_all("div", cls="country"):
            name = country.find("h3").text().rsplit(" (", 1)[0]
            for organisation in country.find_all("div", cls="organisation"):
                people = [li.text().split(" · ")[0] for li in organisation.find_all("li")]
                shown[(name, organisation.find("h4").text())] = people
        expected: dict[tuple[str, str], list[str]] = {}
        for attendance in occurrence.attendees:
            person = scenario.people[attendance.person]
            expected.setdefault((country_name(person.country), person.organisation), []).append(person.name)
        assert {k: sorted(v) for k, v in shown.items()} == {k: sorted(v) for k, v in expected.items()}
        countries = [c.find("h3").text().rsplit(" (", 1)[0] for c in section.find_all("div", cls="country")]
        assert countries == sorted(countries)


def test_travelling_participants_show_their_own_travel_days(example):
    scenario, plan, out = example
    occurrence = next(o for o in plan.scheduled if o.event == "kickoff")
    venue_location = scenario.venues[occurrence.venue].location
    items = {
        li.text().split(" · ")[0]: li.text()
        for li in read_page(out, occurrence.id).find("section", id="participants").iter("li")
    }
    for attendance in occurrence.attendees:
        person = scenario.people[attendance.person]
        if person.home == venue_location:
            assert items[person.name].endswith(f"based in {scenario.locations[venue_location].city}")
        else:
            arrival = f"{attendance.first_away:%a} {attendance.first_away.day} {attendance.first_away:%b}"
            assert f"arrives {arrival}" in items[person.name]


def test_markdown_agenda_has_the_same_programme(example):
    _, plan, out = example
    for occurrence in plan.scheduled:
        html_sessions = [
            tuple(td.text() for td in row.find_all("td"))
            for row in read_page(out, occurrence.id).find("section", id="programme").find_all("tr")
        ]
        markdown = (out / "agendas" / f"{occurrence.id}.md").read_text(encoding="utf-8")
        rows = [line.strip("|").split(" | ") for line in markdown.splitlines() if line.startswith("| ")]
        md_sessions = [(time.strip(), title.strip()) for time, title in rows if time.strip() not in ("Time", "---")]
        assert md_sessions == [(t, markdown_text(title)) for t, title in html_sessions]
        headings = [line[4:] for line in markdown.splitlines() if line.startswith("### ") and " · " in line]
        day_headings = [h for h in headings if h.split(" · ")[1].startswith(("Arrival", "Day", "Departure"))]
        assert english_date(day_headings[0].split(" · ")[0]) <= occurrence.start
        assert markdown.startswith(f"# {markdown_text(occurrence.title)}\n")


def test_markdown_text_escapes_what_would_change_the_layout():
    assert markdown_text("A | B *bold* _x_ [link](y) <b>") == r"A \| B \*bold\* \_x\_ \[link\](y) \<b\>"
    assert markdown_text("two\nlines") == "two lines"


def test_scenario_text_is_escaped_in_html(tmp_path):
    scenario_file, plan_file = solved("example")
    data = json.loads(plan_file.read_text(encoding="utf-8"))
    first = next(o for o in data["occurrences"] if o["scheduled"])
    first["title"] = "R&D <b>session</b>"
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    assert render(edited, scenario_file, tmp_path / "out", "--format", "agenda").exit_code == 0
    page = read_page(tmp_path / "out", first["id"])
    heading = page.find("h1")
    assert heading.text().startswith("R&D <b>session</b>")
    assert not heading.find_all("b")


def days_of(scenario, event, occurrence, country):
    context = RenderContext(plan=None, scenario=scenario, folder=Path("unused"), now=NOW)
    return programme_days(context, event, occurrence, country, conventions_for(context, "en_GB"))


def test_holidays_on_travel_days_are_noted():
    scenario_file, _ = solved("example")
    scenario = load(scenario_file)
    # 1 December is Great Union Day in Romania: arriving the day before a 2 December start.
    event = dataclasses.replace(scenario.events["sc"], travel_days_before=1)
    occurrence = plan_json.PlannedOccurrence(
        "sc-1", "sc", 1, event.kind, event.title, True, dt.date(2022, 12, 2), dt.date(2022, 12, 2), "ro-igpr"
    )
    days = days_of(scenario, event, occurrence, "RO")
    assert [d.kind for d in days] == ["arrival", "event"]
    assert any("Public holiday in Romania" in note for note in days[0].notes)
    assert not any("Public holiday" in note for note in days[1].notes)


def test_locale_option_changes_the_date_style_and_a_bad_one_is_refused(tmp_path):
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "us", "--format", "agenda", "--option", "locale=en_US")
    assert result.exit_code == 0, result.output
    plan = plan_json.load(plan_file)
    occurrence = plan.scheduled[0]
    page = read_page(tmp_path / "us", occurrence.id)
    text = page.find("article", id=f"day-{occurrence.start.isoformat()}").find("h3").find("span").text()
    assert dt.datetime.strptime(text, "%A, %B %d, %Y").date() == occurrence.start
    result = render(plan_file, scenario_file, tmp_path / "bad", "--format", "agenda", "--option", "locale=xx_QQ")
    assert result.exit_code == 2
    assert "locale=xx_QQ" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "bad").exists()


def test_two_renders_with_source_date_epoch_are_byte_identical(example, tmp_path):
    scenario_file, plan_file = solved("example")
    _, plan, out = example
    assert render(plan_file, scenario_file, tmp_path / "again", "--format", "agenda", env=EPOCH).exit_code == 0
    for occurrence in plan.scheduled:
        for ext in ("html", "md"):
            name = f"agendas/{occurrence.id}.{ext}"
            assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    issued = read_page(out, plan.scheduled[0].id).find("footer").text()
    assert issued.endswith("issued 14 November 2023")  # SOURCE_DATE_EPOCH 1700000000


def test_departure_days_and_morning_arrival():
    scenario_file, _ = solved("example")
    scenario = load(scenario_file)
    event = dataclasses.replace(scenario.events["crm"], travel_days_before=0, travel_days_after=2)
    start = dt.date(2023, 5, 24)
    occurrence = plan_json.PlannedOccurrence(
        "crm-2", "crm", 2, event.kind, event.title, True, start, start + dt.timedelta(days=1), "rs-mup"
    )
    days = days_of(scenario, event, occurrence, "RS")
    assert [(d.kind, d.label) for d in days] == [
        ("event", "Day 1"),
        ("event", "Day 2"),
        ("departure", "Departure"),
        ("departure", "Departure"),
    ]
    assert [d.date for d in days] == [start + dt.timedelta(days=i) for i in range(4)]
    assert "Participants travel in the morning" in days[0].notes
    assert not any("after the close" in note for d in days for note in d.notes)


def test_time_zone_text_names_both_offsets_when_the_clocks_change():
    # Summer time in the EU starts on the last Sunday of March: 26 March 2023.
    assert timezone_text("Europe/Bucharest", dt.date(2023, 3, 24), dt.date(2023, 3, 27)) == (
        "Europe/Bucharest, UTC+02:00 then UTC+03:00"
    )
    assert timezone_text("Asia/Tbilisi", dt.date(2023, 3, 24), dt.date(2023, 3, 27)) == "Asia/Tbilisi, UTC+04:00"
