"""The command line as a coordinator uses it: help, init, validate, solve, exit codes, progress,
determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scheduler.cli import main
from tests.support.plan_checker import check_plan
from tests.support.scenarios import event, scenario, venue


def test_help_of_every_subcommand(cli):
    result = cli("--help")
    assert result.exit_code == 0 and "Usage" in result.output
    assert set(main.commands) >= {"init", "validate", "solve", "render", "formats"}
    for name in sorted(main.commands):
        result = cli(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert f"Usage: main {name}" in result.output or f"{name} [OPTIONS]" in result.output


def test_version(cli):
    from scheduler import __version__

    result = cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_m_scheduler_help():
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for name in ("init", "validate", "solve"):
        assert name in result.stdout


def test_init_writes_a_scenario_that_validates_and_solves(cli, tmp_path, no_output_plugins):
    folder = tmp_path / "project"
    result = cli("init", folder)
    assert result.exit_code == 0, result.output
    scenario_file = folder / "plan.toml"
    assert scenario_file.is_file()
    assert cli("validate", scenario_file).exit_code == 0
    out = folder / "out"
    result = cli("solve", scenario_file, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert check_plan(scenario_file, plan) == []
    assert any(o["scheduled"] for o in plan["occurrences"])
    # A second init does not overwrite the coordinator's file.
    scenario_file.write_text(scenario_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    result = cli("init", folder)
    assert result.exit_code == 2 and "already exists" in result.output
    assert scenario_file.read_text(encoding="utf-8").endswith("# edited\n")


def test_validate_exit_codes(cli, ilecu_path, write_scenario):
    result = cli("validate", ilecu_path)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    broken = write_scenario(ilecu_path.read_text(encoding="utf-8").replace('country = "MD"', 'country = "Moldova"', 1))
    result = cli("validate", broken)
    assert result.exit_code == 2
    assert 'locations[3].country (id "chisinau")' in result.output


def test_solve_writes_plan_json_and_reports(solve_toml):
    text = scenario(venues=[venue("hall", "bucharest")], events=[event("ws", ["hall"], window="2024-03-04/2024-03-08")])
    plan, code, output = solve_toml(text)
    assert code == 0
    assert plan["occurrences"][0]["scheduled"]
    assert "optimal plan: 1 of 1 occurrences scheduled" in output


def test_solve_exit_3_when_infeasible(solve_toml, tmp_path):
    text = scenario(
        budget={"total": 10},
        venues=[venue("hall", "bucharest", cost_per_day=100)],
        events=[event("ws", ["hall"], window="2024-03-04/2024-03-08")],
    )
    plan, code, output = solve_toml(text)
    assert code == 3 and plan is None
    assert "infeasible" in output
    assert not (tmp_path / "out-1").exists()


# Two events of the same person on the same first day, the one with the wider window first: first
# fit (the solver's quick first plan) gives the wide one that day and cannot place the narrow one,
# so the first plan must come from the search.
FIRST_FIT_TRAP = """
[[events]]
id = "trap-wide"
kind = "meeting"
title = "Wide window"
duration_days = 1
venues = ["hu-ilecc"]
window = "2022-03-01/2022-03-31"
attendees = ["hu-head"]

[[events]]
id = "trap-narrow"
kind = "meeting"
title = "Narrow window"
duration_days = 1
venues = ["hu-ilecc"]
window = "2022-03-01/2022-03-01"
attendees = ["hu-head"]
"""


def test_solve_exit_4_when_no_plan_within_the_time_limit(cli, ilecu_path, tmp_path, no_output_plugins):
    # The search needs over a tenth of a second for the first plan of the ILECU example when first
    # fit cannot give one.
    trapped = tmp_path / "trapped.toml"
    trapped.write_text(ilecu_path.read_text(encoding="utf-8") + FIRST_FIT_TRAP, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("solve", trapped, "-o", out, "--workers", "1", "--time-limit", "0.1")
    assert result.exit_code == 4, result.output
    assert "time limit" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_progress_lines_on_stderr(cli, write_scenario, tmp_path, no_output_plugins):
    text = scenario(
        venues=[venue("a", "bucharest"), venue("b", "bucharest", cost_per_day=10)],
        events=[event(f"e{i}", ["a", "b"], preferred=["2024-03-04/2024-03-08"]) for i in range(6)],
    )
    result = cli("solve", write_scenario(text), "-o", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if " best " in line]
    assert lines, result.stderr
    for line in lines:
        elapsed = line.split()[0]
        assert elapsed.endswith("s") and float(elapsed[:-1]) >= 0
        assert "bound" in line and "gap" in line and line.rstrip().endswith("%")
        assert "cost" in line and "EUR" in line
    assert " best " not in result.stdout  # progress goes to stderr only
    quiet = cli("solve", write_scenario(text), "-o", tmp_path / "out2", "--workers", "1", "--quiet")
    assert " best " not in quiet.stderr


def test_same_seed_and_workers_give_byte_identical_plans(cli, ilecu_path, ilecu_plan_file, tmp_path, no_output_plugins):
    """The session's plan (Python API, seed 0, 2 workers) and a CLI solve with the same settings."""
    out = tmp_path / "out"
    result = cli("solve", ilecu_path, "-o", out, "--workers", "2", "--seed", "0", "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "plan.json").read_bytes() == ilecu_plan_file.read_bytes()


@pytest.mark.parametrize("args", [("--workers", "0"), ("--time-limit", "0"), ("--seed", "-1")])
def test_bad_options_exit_2(cli, ilecu_path, tmp_path, args):
    result = cli("solve", ilecu_path, "-o", tmp_path / "out", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_format_exit_2(cli, ilecu_path, tmp_path):
    result = cli("solve", ilecu_path, "-o", tmp_path / "out", "--format", "icall")
    assert result.exit_code == 2 and "unknown format" in result.output
    assert not (tmp_path / "out").exists()


def test_formats_lists_the_built_ins(cli):
    result = cli("formats")
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.output.splitlines() if line.strip()}
    assert names >= {"csv", "report", "agenda"}
