"""Atomic output: a run that fails leaves the previous output folder exactly as it was, leaves no
temporary folder beside it, and writes nothing outside ``-o DIR``; a run that succeeds replaces the
folder whole.

The formats here are small test plugins registered on the real plugin manager (the way an
installed third-party plugin is), so these tests do not depend on the built-in formats.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scheduler.render.host
from scheduler import OutputFormat, hookimpl
from tests.support.scenarios import event, scenario, venue

GOOD = scenario(venues=[venue("hall", "bucharest")], events=[event("ws", ["hall"], window="2024-03-04/2024-03-08")])
INFEASIBLE = scenario(
    venues=[venue("hall", "bucharest")], events=[event("ws", ["hall"], window="2024-03-09/2024-03-10")]
)


class FormatsForTests:
    """``notes`` writes two files; ``boom`` writes one and fails; ``escape`` writes beside the
    output folder; ``interrupt`` is stopped by Ctrl-C halfway."""

    @hookimpl
    def register_output_formats(self):
        return [
            OutputFormat("notes", "Two small files", self.notes),
            OutputFormat("boom", "Fails halfway", self.boom),
            OutputFormat("escape", "Writes outside the output folder", self.escape),
            OutputFormat("interrupt", "Interrupted halfway", self.interrupt),
        ]

    def notes(self, context):
        scheduled = [o.id for o in context.plan.occurrences if o.scheduled]
        return [
            context.write_text("notes/scheduled.txt", "\n".join(scheduled) + "\n"),
            context.write_text("notes/project.txt", context.scenario.project.name + "\n"),
        ]

    def boom(self, context):
        context.write_text("half.txt", "half")
        raise RuntimeError("disk on fire")

    def escape(self, context):
        outside = context.folder.parent / "escaped.txt"
        outside.write_text("should not be here", encoding="utf-8")
        return [outside]

    def interrupt(self, context):
        context.write_text("half.txt", "half")
        raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def register_test_formats(monkeypatch):
    original = scheduler.render.host.plugin_manager

    def manager_with_test_formats():
        manager = original()
        manager.register(FormatsForTests(), name="test-formats")
        return manager

    monkeypatch.setattr(scheduler.render.host, "plugin_manager", manager_with_test_formats)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def workspace(tmp_path, monkeypatch, write_scenario):
    """A scenario, a first good output in ``out/``, and the current directory somewhere empty."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    good = write_scenario(GOOD, "good.toml")
    bad = write_scenario(INFEASIBLE, "infeasible.toml")
    return tmp_path, good, bad, tmp_path / "out"


def entries(tmp_path: Path) -> set[str]:
    """Everything under tmp_path except the output folder's contents."""
    return {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if "out" not in p.relative_to(tmp_path).parts[:1]}


def first_solve(cli, good: Path, out: Path) -> dict[str, bytes]:
    result = cli("solve", good, "-o", out, "--workers", "1", "--format", "notes")
    assert result.exit_code == 0, result.output
    files = snapshot(out)
    assert set(files) == {"plan.json", "notes/scheduled.txt", "notes/project.txt"}
    assert files["notes/scheduled.txt"] == b"ws-1\n"
    return files


@pytest.mark.parametrize("failing", ["boom", "escape", "interrupt", "infeasible"])
def test_a_failed_run_leaves_the_previous_output_as_it_was(cli, workspace, failing):
    tmp_path, good, bad, out = workspace
    before = first_solve(cli, good, out)
    around = entries(tmp_path)
    if failing == "infeasible":
        result = cli("solve", bad, "-o", out, "--workers", "1", "--format", "notes")
        assert result.exit_code == 3
    else:
        result = cli("solve", good, "-o", out, "--workers", "1", "--format", "notes", "--format", failing)
        assert result.exit_code == (130 if failing == "interrupt" else 2), result.output
        assert "Traceback" not in result.output
        if failing == "boom":
            assert "boom" in result.output and "test-formats" in result.output and "disk on fire" in result.output
        if failing == "escape":
            assert "outside the output folder" in result.output
            (tmp_path / "escaped.txt").unlink()  # the plugin wrote it itself; the run was refused
    assert snapshot(out) == before
    assert entries(tmp_path) == around  # no temporary folder beside it, nothing else written
    assert list((tmp_path / "cwd").iterdir()) == []


def test_a_failed_render_leaves_the_previous_output_as_it_was(cli, workspace):
    tmp_path, good, _bad, out = workspace
    before = first_solve(cli, good, out)
    saved = tmp_path / "saved-plan.json"
    saved.write_bytes(before["plan.json"])
    around = entries(tmp_path)
    result = cli("render", saved, "--scenario", good, "-o", out, "--format", "boom")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert snapshot(out) == before
    assert entries(tmp_path) == around


def test_a_successful_run_replaces_the_folder_whole(cli, workspace):
    tmp_path, good, _bad, out = workspace
    first_solve(cli, good, out)
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    around = entries(tmp_path)
    result = cli("render", out / "plan.json", "--scenario", good, "-o", tmp_path / "rendered", "--format", "notes")
    assert result.exit_code == 0, result.output
    result = cli("solve", good, "-o", out, "--workers", "1", "--format", "notes")
    assert result.exit_code == 0, result.output
    assert set(snapshot(out)) == {"plan.json", "notes/scheduled.txt", "notes/project.txt"}
    assert entries(tmp_path) - around == {
        "rendered",
        "rendered/plan.json",
        "rendered/notes",
        "rendered/notes/scheduled.txt",
        "rendered/notes/project.txt",
    }
    assert json.loads((tmp_path / "rendered" / "plan.json").read_text(encoding="utf-8"))["format"] == "scheduler-plan/1"
    assert list((tmp_path / "cwd").iterdir()) == []


def test_the_output_path_must_be_a_folder(cli, workspace):
    tmp_path, good, _bad, _out = workspace
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    result = cli("solve", good, "-o", target, "--workers", "1", "--format", "notes")
    assert result.exit_code == 2 and "not a folder" in result.output
    assert target.read_text(encoding="utf-8") == "keep me"
