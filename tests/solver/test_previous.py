"""Re-planning against a published plan: ``scheduler solve --previous`` and ``render --previous``.

The ILECU example solved once (the session's plan) is "published"; each test changes the scenario
the way a coordinator's world changes (an officer's leave, a venue's new price, a smaller budget
and one steering committee fewer) and solves again through the command line. What changed is
counted here from the two ``plan.json`` files, independently of ``scheduler.plan.diff``; messages are
read back with the ``email`` package and their calendars with ``icalendar``.
"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import icalendar
import pytest
from scheduler.plugins.icalbuild import occurrence_uid

from tests.support.plan_checker import check_plan

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def changed_ids(old: dict, new: dict) -> set[str]:
    """Published (scheduled) occurrences of ``old`` that ``new`` drops, or holds on other dates,
    at another venue or with other attendees."""
    after = {o["id"]: o for o in new["occurrences"]}
    out = set()
    for before in old["occurrences"]:
        if not before["scheduled"]:
            continue
        now = after.get(before["id"])
        if now is None or not now["scheduled"] or _shape(now) != _shape(before):
            out.add(before["id"])
    return out


def _shape(o: dict) -> tuple:
    return o["start"], o["end"], o["venue"], frozenset(a["person"] for a in o["attendees"])


def scenario_with(ilecu_path: Path, folder: Path, *replacements: tuple[str, str]) -> Path:
    text = ilecu_path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / "changed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def read_plan(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def read_message(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def itip(message) -> tuple[str, icalendar.Event]:
    """The iMIP part's METHOD and its one VEVENT."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert part.get_param("method") == str(calendar["method"])
    return str(calendar["method"]), event


# --- an officer's leave now covers two published study visits ------------------------------------

LEAVE = (
    'unavailable = ["2022-07-18/2022-08-05"]',
    'unavailable = ["2022-05-30/2022-06-10", "2022-07-18/2022-08-05"]',
)


@pytest.fixture(scope="module")
def on_leave(ilecu_path, ilecu_plan_file, ilecu_plan, tmp_path_factory, monkeypatch_module):
    """md-ilecu-1 (Ion Rusu) is on leave over the published INTERPOL and Europol visits."""
    from click.testing import CliRunner

    from scheduler.cli import main

    for key, value in EPOCH.items():
        monkeypatch_module.setenv(key, value)
    folder = tmp_path_factory.mktemp("leave")
    scenario = scenario_with(ilecu_path, folder, LEAVE)
    out = folder / "out"
    args = ["solve", scenario, "-o", out, "--workers", "2", "--previous", ilecu_plan_file]
    args += ["--format", "invitations", "--format", "ical"]
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    published = folder / "published"
    args = ["render", ilecu_plan_file, "--scenario", ilecu_path, "-o", published, "--format", "invitations"]
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return scenario, out, published, result


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_only_the_visits_the_leave_touches_change(on_leave, ilecu_plan):
    scenario, out, _published, _ = on_leave
    plan = read_plan(out)
    changed = changed_ids(ilecu_plan, plan)
    assert changed == {"sv-interpol-1", "sv-europol-1"}
    assert plan["solver"]["objective"][1] == len(changed) == 2
    assert check_plan(scenario, plan, previous_changes=2) == []
    new = {o["id"]: o for o in plan["occurrences"]}
    for oid in changed:
        people = {a["person"] for a in new[oid]["attendees"]}
        assert "md-ilecu-1" not in people and people & {"md-ilecu-2", "md-ilecu-3"}  # another Moldovan goes
    old = {o["id"]: o for o in ilecu_plan["occurrences"]}
    for oid in changed:  # the leave is met by a change of seat holder, not of dates
        assert (new[oid]["start"], new[oid]["venue"]) == (old[oid]["start"], old[oid]["venue"])
        # ... and by that one alone: nobody else is swapped while the visit changes anyway
        before = {a["person"] for a in old[oid]["attendees"]}
        after = {a["person"] for a in new[oid]["attendees"]}
        assert before - after == {"md-ilecu-1"} and len(after - before) == 1


def test_sequences_rise_exactly_for_the_changed_occurrences(on_leave, ilecu_plan):
    _scenario, out, _published, _ = on_leave
    plan = read_plan(out)
    changed = changed_ids(ilecu_plan, plan)
    old = {o["id"]: o for o in ilecu_plan["occurrences"]}
    for o in plan["occurrences"]:
        expected = old[o["id"]]["sequence"] + (1 if o["id"] in changed else 0)
        assert o["sequence"] == expected, o["id"]


def test_the_changed_visit_is_an_update_with_the_same_uid_and_a_higher_sequence(on_leave):
    _scenario, out, published, _ = on_leave
    before_method, before = itip(read_message(published / "invitations" / "sv-interpol-1" / "pm-icmpd.eml"))
    method, event = itip(read_message(out / "invitations" / "sv-interpol-1" / "pm-icmpd.eml"))
    assert before_method == method == "REQUEST"
    assert str(event["uid"]) == str(before["uid"]) == occurrence_uid("ilecu-2022", "sv-interpol-1")
    assert (before.decoded("sequence"), event.decoded("sequence")) == (0, 1)
    newcomer = read_message(out / "invitations" / "sv-interpol-1" / "md-ilecu-2.eml")
    assert itip(newcomer)[0] == "REQUEST" and itip(newcomer)[1].decoded("sequence") == 1


def test_the_officer_on_leave_is_told_he_is_no_longer_expected(on_leave):
    _scenario, out, _published, _ = on_leave
    message = read_message(out / "invitations" / "sv-interpol-1" / "md-ilecu-1.eml")
    method, event = itip(message)
    assert method == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == occurrence_uid("ilecu-2022", "sv-interpol-1")
    assert event.decoded("sequence") == 1
    assert message["To"].addresses[0].addr_spec == "ion.rusu@example.md"


def test_an_unchanged_occurrence_keeps_its_sequence(on_leave):
    _scenario, out, _published, _ = on_leave
    method, event = itip(read_message(out / "invitations" / "kickoff-1" / "md-ilecu-1.eml"))
    assert method == "REQUEST" and event.decoded("sequence") == 0


def test_render_with_the_same_previous_plan_gives_the_same_messages(on_leave, ilecu_plan_file, cli, tmp_path):
    scenario, out, _published, _ = on_leave
    again = tmp_path / "again"
    result = cli(
        "render", out / "plan.json", "--scenario", scenario, "-o", again, "--previous", ilecu_plan_file,
        "--format", "invitations",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(again / "invitations") for p in (again / "invitations").rglob("*.eml"))
    assert written == sorted(p.relative_to(out / "invitations") for p in (out / "invitations").rglob("*.eml"))
    for relative in written:
        assert (again / "invitations" / relative).read_bytes() == (out / "invitations" / relative).read_bytes()


def test_render_refuses_a_previous_plan_the_plan_was_not_solved_against(on_leave, ilecu_plan_file, cli, tmp_path):
    """The published plan rendered "against" the re-plan (the wrong way round): its changed
    occurrences would carry a SEQUENCE below the one clients already hold."""
    scenario, out, _published, _ = on_leave
    result = cli("render", ilecu_plan_file, "--scenario", scenario, "-o", tmp_path / "x", "--previous",
                 out / "plan.json")  # fmt: skip
    assert result.exit_code == 2
    assert "'sv-interpol-1' has sequence 0" in result.output and "would have 2" in result.output
    assert not (tmp_path / "x").exists()


# --- a cheaper venue is not worth moving published meetings -------------------------------------


def test_a_saving_alone_does_not_move_a_published_occurrence(
    ilecu_path, ilecu_plan_file, ilecu_plan, cli, tmp_path, no_output_plugins
):
    """The Budapest centre now charges 900 a day: a fresh plan moves meetings to Bucharest to save
    money; against the published plan nothing moves (changes come before cost)."""
    budapest = 'address = "Teve utca 4-6, 1139 Budapest"\ncapacity = 40\ncost_per_day = 0'
    scenario = scenario_with(ilecu_path, tmp_path, (budapest, budapest[:-1] + "900"))
    assert cli("solve", scenario, "-o", tmp_path / "fresh", "--workers", "2", "-q").exit_code == 0
    result = cli("solve", scenario, "-o", tmp_path / "kept", "--workers", "2", "-q", "--previous", ilecu_plan_file)
    assert result.exit_code == 0, result.output
    fresh, kept = read_plan(tmp_path / "fresh"), read_plan(tmp_path / "kept")
    assert len(changed_ids(ilecu_plan, fresh)) >= 3  # the steering committees at least
    assert changed_ids(ilecu_plan, kept) == set()
    assert kept["solver"]["objective"][1] == 0
    assert kept["budget"]["total"] > fresh["budget"]["total"]
    assert check_plan(scenario, kept) == []
    assert [o.get("sequence") for o in kept["occurrences"]] == [o.get("sequence") for o in ilecu_plan["occurrences"]]
    assert "0 of 21 published occurrences change" in result.output
    # The fresh plan was not solved against the published one: rendering it so would send changed
    # occurrences at the SEQUENCE clients already hold.
    result = cli("render", tmp_path / "fresh" / "plan.json", "--scenario", scenario, "-o", tmp_path / "r",
                 "--previous", ilecu_plan_file)  # fmt: skip
    assert result.exit_code == 2 and "was not solved with --previous" in result.output


# --- dropped occurrences: left out by the budget, or gone from the scenario -----------------------


@pytest.fixture(scope="module")
def dropped(ilecu_path, ilecu_plan_file, tmp_path_factory, monkeypatch_module):
    from click.testing import CliRunner

    from scheduler.cli import main

    folder = tmp_path_factory.mktemp("dropped")
    scenario = scenario_with(
        ilecu_path,
        folder,
        ("total = 409161.91", "total = 150000"),
        ("count = 6, every_months = 6", "count = 5, every_months = 6"),
    )
    out = folder / "out"
    args = ["solve", scenario, "-o", out, "--workers", "2", "--previous", ilecu_plan_file]
    args += ["--format", "invitations", "--format", "ical"]
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return scenario, out


def test_dropped_occurrences_count_and_keep_their_cancellations_sequence(dropped, ilecu_plan):
    scenario, out = dropped
    plan = read_plan(out)
    changed = changed_ids(ilecu_plan, plan)
    assert {"induction-2", "sc-6"} <= changed
    assert plan["solver"]["objective"][1] == len(changed)
    assert check_plan(scenario, plan, previous_changes=len(changed)) == []
    induction = next(o for o in plan["occurrences"] if o["id"] == "induction-2")
    assert induction["scheduled"] is False and induction["reason"] == "budget" and induction["sequence"] == 1
    assert "sc-6" not in {o["id"] for o in plan["occurrences"]}


@pytest.mark.parametrize("occurrence", ["induction-2", "sc-6"])
def test_everyone_invited_to_a_dropped_occurrence_gets_a_cancel(dropped, ilecu_plan, occurrence):
    _scenario, out = dropped
    before = next(o for o in ilecu_plan["occurrences"] if o["id"] == occurrence)
    folder = out / "invitations" / occurrence
    assert sorted(p.stem for p in folder.glob("*.eml")) == sorted(a["person"] for a in before["attendees"])
    for path in folder.glob("*.eml"):
        method, event = itip(read_message(path))
        assert method == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == occurrence_uid("ilecu-2022", occurrence)
        assert event.decoded("sequence") == before["sequence"] + 1
        assert event.decoded("dtstart").isoformat() == before["start"]  # the entry the participant holds


def test_the_plan_feed_keeps_the_dropped_occurrence_as_cancelled(dropped):
    _scenario, out = dropped
    feed = icalendar.Calendar.from_ical((out / "calendar" / "plan.ics").read_bytes())
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    event = events[occurrence_uid("ilecu-2022", "induction-2")]
    assert str(event["status"]) == "CANCELLED" and event.decoded("sequence") == 1


def test_scheduling_it_again_goes_above_the_cancellation(dropped, ilecu_path, cli, tmp_path, no_output_plugins):
    """Back to the full budget, against the plan that cancelled induction-2 (SEQUENCE 1): it is
    scheduled again with SEQUENCE 2, so clients take it over the cancellation."""
    _scenario, out = dropped
    result = cli("solve", ilecu_path, "-o", tmp_path / "back", "--workers", "2", "-q", "--previous", out / "plan.json")
    assert result.exit_code == 0, result.output
    plan = read_plan(tmp_path / "back")
    induction = next(o for o in plan["occurrences"] if o["id"] == "induction-2")
    assert induction["scheduled"] is True and induction["sequence"] == 2
    assert plan["solver"]["objective"][1] == len(changed_ids(read_plan(out), plan))


# --- a --previous that is not a published plan of this project ----------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("not json at all", "is not a plan.json file"),
        ('{"format": "something-else"}', "is not a valid scheduler-plan/1 file"),
        ("OTHER-PROJECT", "is a plan of project 'other-project'"),
    ],
)
def test_a_bad_previous_plan_is_refused_before_solving(
    ilecu_path, ilecu_plan_file, cli, tmp_path, no_output_plugins, content, says
):
    previous = tmp_path / "previous.json"
    if content == "OTHER-PROJECT":
        data = json.loads(ilecu_plan_file.read_text(encoding="utf-8"))
        data["project"]["id"] = "other-project"
        previous.write_text(json.dumps(data), encoding="utf-8")
    elif content is not None:
        previous.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("solve", ilecu_path, "-o", out, "--previous", previous, "-q")
    assert result.exit_code == 2
    assert f"error: {previous}: " in result.output and says in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    result = cli("render", ilecu_plan_file, "--scenario", ilecu_path, "-o", out, "--previous", previous)
    assert result.exit_code == 2 and says in result.output and not out.exists()
