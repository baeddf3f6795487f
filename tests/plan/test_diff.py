"""``scheduler diff OLD.json NEW.json`` and ``scheduler.plan.diff`` on a constructed pair of plans.

The pair holds one occurrence of every kind of change (moved, venue changed, seat holder
swapped, dropped, gone from the scenario, added, renamed, travel days only, unchanged), with
ILECU's ids so that ``--scenario examples/ilecu.toml`` can name the people.
"""

from __future__ import annotations

import copy
import json

import pytest

from scheduler import plan as plan_json
from scheduler.plan.diff import Names, carry_sequences, compare, notices, render_text


def occurrence(oid, start, end, venue, people, *, title=None, away=None, sequence=0, location="budapest"):
    event, _, index = oid.rpartition("-")
    away = away or {}
    return {
        "id": oid,
        "event": event,
        "index": int(index),
        "kind": "workshop",
        "title": title or f"Title of {event}",
        "scheduled": True,
        "start": start,
        "end": end,
        "venue": venue,
        "location": location,
        "country": "HU",
        "attendees": [{"person": p, "away": list(away.get(p, (start, end)))} for p in people],
        "cost": {"travel": 0.0, "per_diem": 0.0, "accommodation": 0.0, "venue": 0.0, "total": 0.0},
        "sequence": sequence,
    }


def left_out(oid, reason="budget", detail="it costs too much", sequence=0):
    event, _, index = oid.rpartition("-")
    item = {"id": oid, "event": event, "index": int(index), "kind": "workshop", "title": f"Title of {event}"}
    item.update(scheduled=False, reason=reason, detail=detail)
    if sequence:
        item["sequence"] = sequence
    return item


def plan_dict(occurrences, project="ilecu-2022"):
    return {
        "format": "scheduler-plan/1",
        "project": {"id": project, "name": "ILECU", "currency": "EUR"},
        "solver": {"status": "OPTIMAL", "objective": [0, 0, 0, 0], "wall_seconds": 0.1, "seed": 0, "workers": 1},
        "occurrences": occurrences,
        "budget": {"limit": 1000.0, "total": 0.0, "categories": {}, "years": {}},
    }


OLD = plan_dict(
    [
        occurrence("moved-1", "2023-03-01", "2023-03-02", "hu-ilecc", ["hu-head", "md-ilecu-1"], sequence=2),
        occurrence("venue-1", "2023-04-03", "2023-04-03", "hu-ilecc", ["ro-head"]),
        occurrence("swap-1", "2023-05-08", "2023-05-10", "rs-mup", ["po-icmpd", "md-ilecu-1"]),
        occurrence("dropped-1", "2023-06-05", "2023-06-05", "hu-ilecc", ["md-ilecu-1", "ro-head"]),
        occurrence("vanished-1", "2023-07-03", "2023-07-03", "hu-ilecc", ["donor-isf"]),
        left_out("added-1"),
        occurrence("renamed-1", "2023-09-04", "2023-09-04", "hu-ilecc", ["hu-head"], title="Old name"),
        occurrence(
            "travel-1",
            "2023-10-02",
            "2023-10-03",
            "hu-ilecc",
            ["ge-head"],
            away={"ge-head": ("2023-10-01", "2023-10-03")},
        ),  # fmt: skip
        occurrence("same-1", "2023-11-06", "2023-11-06", "hu-ilecc", ["hu-head"], sequence=1),
        left_out("again-1", sequence=1),  # cancelled in an earlier round
        left_out("never-1"),
    ]
)
NEW = plan_dict(
    [
        occurrence("moved-1", "2023-03-08", "2023-03-09", "hu-ilecc", ["hu-head", "md-ilecu-1"]),
        occurrence("venue-1", "2023-04-03", "2023-04-03", "ro-igpr", ["ro-head"], location="bucharest"),
        occurrence("swap-1", "2023-05-08", "2023-05-10", "rs-mup", ["po-icmpd", "md-ilecu-2"]),
        left_out("dropped-1"),
        occurrence("added-1", "2023-08-01", "2023-08-01", "hu-ilecc", ["ua-head"]),
        occurrence("renamed-1", "2023-09-04", "2023-09-04", "hu-ilecc", ["hu-head"], title="New name"),
        occurrence(
            "travel-1",
            "2023-10-02",
            "2023-10-03",
            "hu-ilecc",
            ["ge-head"],
            away={"ge-head": ("2023-10-02", "2023-10-04")},
        ),  # fmt: skip
        occurrence("same-1", "2023-11-06", "2023-11-06", "hu-ilecc", ["hu-head"]),
        occurrence("again-1", "2023-12-04", "2023-12-04", "hu-ilecc", ["hu-head"]),
        left_out("never-1"),
    ]
)


@pytest.fixture
def pair():
    return plan_json.from_dict(copy.deepcopy(OLD)), plan_json.from_dict(copy.deepcopy(NEW))


@pytest.fixture
def files(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(OLD), encoding="utf-8")
    new.write_text(json.dumps(NEW), encoding="utf-8")
    return old, new


def test_every_kind_of_change_is_told_apart(pair):
    diff = compare(*pair)
    status = {c.id: c.status for c in diff.changes}
    assert status == {
        "moved-1": "changed",
        "venue-1": "changed",
        "swap-1": "changed",
        "dropped-1": "dropped",
        "vanished-1": "dropped",
        "added-1": "added",
        "renamed-1": "revised",
        "travel-1": "revised",
        "same-1": "unchanged",
        "again-1": "added",
    }
    assert [c.id for c in diff.changes][:3] == ["moved-1", "venue-1", "swap-1"]  # by date
    by_id = {c.id: c for c in diff.changes}
    assert by_id["moved-1"].dates_moved and not by_id["moved-1"].venue_changed
    assert by_id["venue-1"].venue_changed and not by_id["venue-1"].dates_moved
    assert (by_id["swap-1"].attendees_added, by_id["swap-1"].attendees_removed) == (("md-ilecu-2",), ("md-ilecu-1",))
    assert by_id["travel-1"].travel_changed == ("ge-head",)
    # moved, venue, swap, dropped, vanished: a rename or new travel days alone are no change of dates,
    # venue or attendees
    assert diff.published_changes == 5


def test_sequences_are_carried_and_raised(pair):
    old, new = pair
    carry_sequences(new, old)
    sequences = {o.id: o.sequence for o in new.occurrences}
    assert sequences == {
        "moved-1": 3,  # published at 2, moved
        "venue-1": 1,
        "swap-1": 1,
        "dropped-1": 1,  # the cancellation's SEQUENCE, kept in plan.json
        "added-1": 0,  # first published now
        "renamed-1": 1,  # SUMMARY changed
        "travel-1": 1,  # the arrival and departure days in the invitation changed
        "same-1": 1,  # unchanged: stays where it was
        "again-1": 2,  # above its earlier cancellation
        "never-1": 0,
    }
    assert new.objective[1] == 5
    written = json.loads(plan_json.dumps(new))
    item = next(o for o in written["occurrences"] if o["id"] == "dropped-1")
    assert item["sequence"] == 1 and plan_json.from_dict(written).occurrence("dropped-1").sequence == 1
    assert "sequence" not in next(o for o in written["occurrences"] if o["id"] == "never-1")


def test_who_must_be_told(pair):
    told = notices(compare(*pair))
    what = {person: [(n.occurrence.id, n.what) for n in items] for person, items in told.items()}
    assert what == {
        "hu-head": [("moved-1", "moved"), ("renamed-1", "renamed"), ("again-1", "invited")],
        "md-ilecu-1": [("moved-1", "moved"), ("swap-1", "removed"), ("dropped-1", "cancelled")],
        "ro-head": [("venue-1", "moved"), ("dropped-1", "cancelled")],
        "md-ilecu-2": [("swap-1", "invited")],
        "donor-isf": [("vanished-1", "cancelled")],
        "ua-head": [("added-1", "invited")],
        "ge-head": [("travel-1", "travel")],
    }  # po-icmpd stays on swap-1 as it was: a colleague's swap is not theirs to hear about
    assert "po-icmpd" not in told
    assert list(told) == sorted(told)


def test_the_text_names_people_and_venues_from_the_scenario(pair, ilecu_path):
    from scheduler.scenario.loader import load

    text = render_text(compare(*pair), Names.from_scenario(load(ilecu_path)), "old.json", "new.json")
    lines = text.splitlines()
    assert lines[0] == ("old.json -> new.json: 5 of 8 published occurrences change (2 dropped, 3 changed), 2 added.")
    assert "    dates: 2023-03-01 to 2023-03-02 -> 2023-03-08 to 2023-03-09" in lines
    assert any(line.startswith("    venue: International Law Enforcement Cooperation Centre") for line in lines)
    assert "    attendees removed: Ion Rusu <ion.rusu@example.md> (md-ilecu-1)" in lines
    assert "  vanished-1 (Title of vanished): dropped, no longer in the scenario" in lines
    assert "  dropped-1 (Title of dropped): dropped, budget: it costs too much" in lines
    told = lines.index("Who must be told (7 people):")
    assert lines[told + 1 :].count("  Ion Rusu <ion.rusu@example.md> (md-ilecu-1)") == 1
    assert "same-1" not in text and "never-1" not in text


def test_diff_command_prints_what_moved(files, cli):
    old, new = files
    result = cli("diff", old, new)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{old} -> {new}: 5 of 8 published occurrences change")
    assert "  md-ilecu-1\n    moved-1: dates 2023-03-01 to 2023-03-02 -> 2023-03-08 to 2023-03-09\n" in result.stdout


def test_diff_json_for_programs(files, cli, ilecu_path):
    old, new = files
    result = cli("diff", old, new, "--json", "--scenario", ilecu_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["published"], data["published_changes"], data["added"]) == (8, 5, 2)
    swap = next(o for o in data["occurrences"] if o["id"] == "swap-1")
    assert swap["attendees_added"] == ["md-ilecu-2"] and swap["attendees_removed"] == ["md-ilecu-1"]
    assert swap["old"]["attendees"] == ["po-icmpd", "md-ilecu-1"] and swap["new"]["venue"] == "rs-mup"
    dropped = next(o for o in data["occurrences"] if o["id"] == "dropped-1")
    assert dropped["new"] is None and dropped["old"]["start"] == "2023-06-05"
    ion = next(p for p in data["people"] if p["person"] == "md-ilecu-1")
    assert (ion["name"], ion["email"]) == ("Ion Rusu", "ion.rusu@example.md")
    assert [n["what"] for n in ion["notices"]] == ["moved", "removed", "cancelled"]


def test_identical_plans_need_no_telling(files, cli):
    old, _new = files
    result = cli("diff", old, old)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "Nothing moved: nobody needs to be told."


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("[1, 2", "is not a plan.json file"),
        ('{"format": "scheduler-plan/1"}', "is not a valid scheduler-plan/1 file"),
    ],
)
def test_a_file_that_is_not_a_plan_is_refused(files, cli, tmp_path, content, says):
    old, _new = files
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for args in ((old, bad), (bad, old)):
        result = cli("diff", *args)
        assert result.exit_code == 2
        assert result.output.startswith(f"error: {bad}: ") and says in result.output


def test_plans_of_two_projects_are_refused(files, cli, tmp_path, ilecu_path):
    old, _new = files
    other = tmp_path / "other.json"
    other.write_text(json.dumps(plan_dict([], project="other-project")), encoding="utf-8")
    result = cli("diff", old, other)
    assert result.exit_code == 2 and "is a plan of project 'other-project'" in result.output
    result = cli("diff", other, other, "--scenario", ilecu_path)
    assert result.exit_code == 2 and "'ilecu-2022'" in result.output
