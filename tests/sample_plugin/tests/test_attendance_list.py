"""Tests of the attendance-list format, driven from outside through scheduler's command line.

They need the package installed (``pip install -e tests/sample_plugin``), so that scheduler finds
it through its entry point, exactly as a user's installation would.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from scheduler.cli import main

pytest.importorskip("scheduler_attendance_list", reason="install it: pip install -e tests/sample_plugin")


@pytest.fixture
def solved(tmp_path):
    """The starter scenario of ``scheduler init``, solved with only this format; returns the output folder."""
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "project")]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["solve", str(tmp_path / "project" / "plan.toml"), "-o", str(out), "--format", "attendance-list", "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_format_is_listed():
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("attendance-list "))
    assert "attendance.txt" in line


def test_every_attendance_is_listed_under_its_person(solved):
    plan = json.loads((solved / "plan.json").read_text(encoding="utf-8"))
    text = (solved / "attendance.txt").read_text(encoding="utf-8")
    # After the heading, one block per person; its first line is "Name (person-id), organisation, country".
    blocks = {re.search(r"\(([a-z0-9_-]+)\),", block).group(1): block for block in text.split("\n\n")[1:]}
    expected: dict[str, list[str]] = {}
    for occurrence in plan["occurrences"]:
        for attendance in occurrence.get("attendees", []):
            first, last = attendance["away"]
            expected.setdefault(attendance["person"], []).append(f"  {first} to {last}  {occurrence['id']}  ")
    assert set(blocks) == set(expected)
    for person, lines in expected.items():
        for line in lines:
            assert line in blocks[person], (person, line)
    assert {p.name for p in solved.iterdir()} == {"plan.json", "attendance.txt"}
