"""The plugin host: entry points, `scheduler formats`, `scheduler render`, --format, --templates,
failing plugins, every hook exercised and documented, and the sample third-party plugin.

Test plugins are registered on the real plugin manager (``scheduler.render.host.plugin_manager``
wrapped by monkeypatch), the way an installed plugin is, so they go through the same code path.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import subprocess
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path

from click.testing import CliRunner

import scheduler.render.host
from scheduler import OutputFormat, hookimpl
from scheduler.cli import main
from scheduler.render import hookspecs
from scheduler.scenario.loader import load
from tests.support import ROOT
from tests.support.solved_plans import render, solved

BUILT_INS = {"agenda": "agenda", "csv": "csv", "report": "report"}  # format -> plugin, the ones this suite owns
SAMPLE = "attendance-list"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def hook_names() -> list[str]:
    """Every hook specified in scheduler/render/hookspecs.py."""
    return sorted(
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "scheduler_spec")
    )


def formats_table() -> dict[str, tuple[str, str]]:
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 0, result.output
    table = {}
    for line in result.output.splitlines():
        name, plugin, description = re.split(r"\s{2,}", line.strip(), maxsplit=2)
        table[name] = (plugin, description)
    return table


def with_plugin(monkeypatch, plugin, name: str) -> None:
    """Make every command's plugin manager also hold ``plugin``, as if it were installed."""
    original = scheduler.render.host.plugin_manager

    def manager():
        m = original()
        m.register(plugin, name=name)
        return m

    monkeypatch.setattr(scheduler.render.host, "plugin_manager", manager)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- discovery ---------------------------------------------------------------------------------


def test_built_ins_are_registered_through_the_entry_point_group():
    registered = {e.name: e.value for e in entry_points(group="scheduler.plugins")}
    assert registered["agenda"] == "scheduler.plugins.agenda"
    assert registered["csv"] == "scheduler.plugins.csvfiles"
    assert registered["report"] == "scheduler.plugins.report"


def test_formats_lists_the_built_ins_and_the_sample_plugin_with_plugin_and_description():
    table = formats_table()
    for name, plugin in BUILT_INS.items():
        assert table[name][0] == plugin and table[name][1], name
    assert SAMPLE in table, "the sample plugin is not installed: pip install -e tests/sample_plugin (make does it)"
    assert table[SAMPLE] == ("attendance-list", "Who travels to which occurrence and when: attendance.txt")
    assert list(table) == sorted(table)


def test_a_format_registered_twice_names_both_plugins(monkeypatch):
    class Impostor:
        @hookimpl
        def register_output_formats(self):
            return [OutputFormat("report", "Another report", lambda context: [])]

    with_plugin(monkeypatch, Impostor(), "impostor")
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 2
    assert "'report'" in result.output and "'impostor'" in result.output and "Traceback" not in result.output


def test_a_plugin_that_cannot_be_imported_is_named(monkeypatch):
    import importlib.metadata
    from importlib.metadata import EntryPoint

    real = importlib.metadata.entry_points
    broken = EntryPoint("broken-plugin", "scheduler_no_such_module_xyz", "scheduler.plugins")

    def entry_points_with_a_broken_one(**kwargs):
        found = list(real(**kwargs))
        return found + [broken] if kwargs.get("group") == "scheduler.plugins" else found

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points_with_a_broken_one)
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 2
    assert "'broken-plugin'" in result.output and "ModuleNotFoundError" in result.output
    assert "Traceback" not in result.output


def test_specname_hookimpls_count_and_unmarked_functions_do_not(monkeypatch):
    class Plugin:
        @hookimpl(specname="register_output_formats")
        def formats(self):
            return [OutputFormat("by-specname", "Registered under another function name", lambda context: [])]

    class NotAPlugin:
        def register_output_formats(self):  # no @hookimpl: pluggy ignores it, and so must scheduler
            return [OutputFormat("unmarked", "Should not appear", lambda context: [])]

    original = scheduler.render.host.plugin_manager

    def manager():
        m = original()
        m.register(Plugin(), name="specname-plugin")
        m.register(NotAPlugin(), name="not-a-plugin")
        return m

    monkeypatch.setattr(scheduler.render.host, "plugin_manager", manager)
    table = formats_table()
    assert table["by-specname"][0] == "specname-plugin"
    assert "unmarked" not in table


# --- render ------------------------------------------------------------------------------------


def test_render_works_from_plan_json_without_the_solver(tmp_path):
    """OR-Tools made unimportable: render must not need it."""
    scenario_file, plan_file = solved("example")
    out = tmp_path / "out"
    code = (
        "import sys; sys.modules['ortools'] = None\n"
        "from scheduler.cli import main\n"
        f"main(['render', {str(plan_file)!r}, '--scenario', {str(scenario_file)!r}, '-o', {str(out)!r},"
        " '--format', 'csv', '--format', 'report', '--format', 'agenda'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").is_file() and (out / "schedule.csv").is_file() and (out / "agendas").is_dir()
    assert (out / "plan.json").read_bytes() == plan_file.read_bytes()


def test_format_selects_what_is_written(tmp_path):
    scenario_file, plan_file = solved("example")
    assert render(plan_file, scenario_file, tmp_path / "one", "--format", "csv").exit_code == 0
    assert set(files_under(tmp_path / "one")) == {"plan.json", "schedule.csv", "budget.csv"}
    result = render(plan_file, scenario_file, tmp_path / "two", "--format", "report", "--format", SAMPLE)
    assert result.exit_code == 0, result.output
    assert set(files_under(tmp_path / "two")) == {"plan.json", "report.html", "attendance.txt"}
    assert "wrote 2 files of 2 formats" in result.output  # plan.json is copied, not rendered


def test_an_unknown_format_is_exit_2_with_a_suggestion(tmp_path):
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "reprot")
    assert result.exit_code == 2
    assert "unknown format 'reprot'" in result.output and 'did you mean "report"' in result.output
    assert not (tmp_path / "out").exists()


def test_the_sample_plugin_writes_its_file(tmp_path):
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", SAMPLE)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "attendance.txt").read_text(encoding="utf-8")
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    attendances = [(a["person"], o["id"]) for o in plan["occurrences"] for a in o.get("attendees", [])]
    trip_lines = [line for line in text.splitlines() if re.match(r"  \d{4}-\d\d-\d\d to ", line)]
    assert len(trip_lines) == len(attendances)


def test_templates_folder_overrides_a_built_in_template(tmp_path):
    scenario_file, plan_file = solved("example")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "agenda.md.j2").write_text(
        "{{ agenda.occurrence_id }}: {{ agenda.title }} at {{ agenda.venue_name }}\n", encoding="utf-8"
    )
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "agenda", "--templates", str(templates))
    assert result.exit_code == 0, result.output
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    first = next(o for o in plan["occurrences"] if o["scheduled"])
    markdown = (tmp_path / "out" / "agendas" / f"{first['id']}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"{first['id']}: {first['title']} at ")
    assert markdown.count("\n") == 1
    # agenda.html has no override: the built-in one is used.
    assert "<!DOCTYPE html>" in (tmp_path / "out" / "agendas" / f"{first['id']}.html").read_text(encoding="utf-8")


def test_a_template_override_with_a_mistake_is_a_clear_error(tmp_path):
    scenario_file, plan_file = solved("example")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html").write_text("{{ report.no_such_value }}\n", encoding="utf-8")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "report", "--templates", str(templates))
    assert result.exit_code == 2
    assert "format 'report' (plugin 'report') failed" in result.output and "no_such_value" in result.output
    assert "Traceback" not in result.output


class Broken:
    @hookimpl
    def register_output_formats(self):
        return [OutputFormat("fragile", "Fails on every plan", self.render)]

    def render(self, context):
        context.write_text("fragile.txt", "half written")
        raise KeyError("no-such-person")


def test_a_failing_plugin_is_named_without_traceback_and_writes_nothing(monkeypatch, tmp_path):
    with_plugin(monkeypatch, Broken(), "fragile-plugin")
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "csv", "--format", "fragile")
    assert result.exit_code == 2
    assert "format 'fragile' (plugin 'fragile-plugin') failed: KeyError: 'no-such-person'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_debug_shows_the_plugins_own_traceback(monkeypatch, tmp_path):
    with_plugin(monkeypatch, Broken(), "fragile-plugin")
    scenario_file, plan_file = solved("example")
    args = ["--debug", "render", str(plan_file), "--scenario", str(scenario_file), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--format", "fragile"])
    assert isinstance(result.exception, scheduler.render.host.PluginError)
    assert isinstance(result.exception.__cause__, KeyError)


def test_a_failing_prepare_render_names_its_plugin(monkeypatch, tmp_path):
    class Careless:
        @hookimpl
        def prepare_render(self, context):
            raise ValueError("cannot prepare")

    with_plugin(monkeypatch, Careless(), "careless")
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "csv")
    assert result.exit_code == 2
    assert "plugin 'careless''s prepare_render failed: ValueError: cannot prepare" in result.output


def test_render_against_another_scenario_is_refused(tmp_path):
    _, plan_file = solved("example")
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "other")]).exit_code == 0
    result = render(plan_file, tmp_path / "other" / "plan.toml", tmp_path / "out")
    assert result.exit_code == 2
    assert "is a plan of project 'ilecu-2022'" in result.output and "'starter'" in result.output
    # Same project id, but an event the scenario does not have.
    scenario_file, _ = solved("example")
    data = json.loads(plan_file.read_text(encoding="utf-8"))
    data["occurrences"][0]["event"] = "no-such-event"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = render(edited, scenario_file, tmp_path / "out")
    assert result.exit_code == 2 and "'no-such-event'" in result.output
    assert not (tmp_path / "out").exists()


def test_two_renders_with_source_date_epoch_are_byte_identical(tmp_path):
    scenario_file, plan_file = solved("tight")
    formats = ["--format", "agenda", "--format", "report", "--format", "csv", "--format", SAMPLE]
    for name in ("a", "b"):
        assert render(plan_file, scenario_file, tmp_path / name, *formats, env=EPOCH).exit_code == 0
    first, second = files_under(tmp_path / "a"), files_under(tmp_path / "b")
    assert len(first) > 10 and first == second


# --- hooks: exercised and documented -------------------------------------------------------------


class Spy:
    """Implements every hook and records the calls; a format reads what prepare_render left."""

    def __init__(self):
        self.calls: list[str] = []

    @hookimpl
    def register_output_formats(self):
        self.calls.append("register_output_formats")
        return [OutputFormat("spy", "Writes what prepare_render computed", self.render)]

    @hookimpl
    def prepare_render(self, context):
        self.calls.append("prepare_render")
        context.extra["spy.scheduled"] = len(context.plan.scheduled)

    def render(self, context):
        self.calls.append("render")
        return [context.write_text("spy.txt", f"{context.extra['spy.scheduled']} scheduled\n")]


def test_every_hook_is_called_by_a_render(monkeypatch, tmp_path):
    spy = Spy()
    missing = [name for name in hook_names() if not hasattr(spy, name)]
    assert not missing, f"hooks no test exercises (add them to Spy): {missing}"
    with_plugin(monkeypatch, spy, "spy")
    scenario_file, plan_file = solved("example")
    assert render(plan_file, scenario_file, tmp_path / "out", "--format", "spy").exit_code == 0
    assert spy.calls == ["register_output_formats", "prepare_render", "render"]
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    scheduled = sum(o["scheduled"] for o in plan["occurrences"])
    assert (tmp_path / "out" / "spy.txt").read_text(encoding="utf-8") == f"{scheduled} scheduled\n"


DOCS = ROOT / "docs" / "plugins.md"


def test_every_hook_is_documented_with_its_signature():
    docs = DOCS.read_text(encoding="utf-8")
    headings = re.findall(r"^### `(.+)`$", docs, flags=re.MULTILINE)
    for name in hook_names():
        signature = f"{name}{inspect.signature(getattr(hookspecs, name))}"
        assert signature in headings, f"docs/plugins.md has no heading for {signature}"
        assert f"def {signature}:" in docs, f"docs/plugins.md shows no implementation of {signature}"


def test_docs_include_the_sample_plugin_exactly():
    """The tutorial's listings are the sample plugin's files, so the docs cannot drift from code that is tested."""
    docs = DOCS.read_text(encoding="utf-8")
    included = re.findall(r"<!-- included from (\S+); [^>]*-->\n```\w*\n(.*?)```", docs, flags=re.DOTALL)
    assert {path for path, _ in included} == {
        "tests/sample_plugin/pyproject.toml",
        "tests/sample_plugin/src/scheduler_attendance_list/__init__.py",
        "tests/sample_plugin/tests/test_attendance_list.py",
    }
    for path, body in included:
        assert body == (ROOT / path).read_text(encoding="utf-8"), f"docs/plugins.md is out of date with {path}"


def test_docs_hook_examples_run(monkeypatch, tmp_path):
    """The hook examples in the docs are real code: load them as plugins and render with them."""
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## Hooks") : docs.index("## Reference")]
    examples = [b for b in re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL) if "..." not in b]
    assert len(examples) == len(hook_names())
    modules = []
    for index, code in enumerate(examples):
        module = types.ModuleType(f"docs_example_{index}")
        exec(compile(code, str(DOCS), "exec"), module.__dict__)  # the docs' own example
        modules.append(module)
    seen: dict = {}

    class Reader:
        @hookimpl
        def register_output_formats(self):
            return [OutputFormat("reader", "Keeps what prepare_render left in context.extra", self.render)]

        def render(self, context):
            seen.update(context.extra)
            return []

    original = scheduler.render.host.plugin_manager

    def manager():
        m = original()
        for index, module in enumerate(modules):
            m.register(module, name=f"docs-example-{index}")
        m.register(Reader(), name="reader")
        return m

    monkeypatch.setattr(scheduler.render.host, "plugin_manager", manager)
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "venues", "--format", "reader")
    assert result.exit_code == 0, result.output
    scenario = load(scenario_file)
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    scheduled = [o for o in plan["occurrences"] if o["scheduled"]]
    venues = (tmp_path / "out" / "venues.txt").read_text(encoding="utf-8").splitlines()
    assert venues == sorted({scenario.venues[o["venue"]].name for o in scheduled})
    days_away = seen["travel-office.days-away"]
    expected = sum(
        (dt.date.fromisoformat(a["away"][1]) - dt.date.fromisoformat(a["away"][0])).days + 1
        for o in scheduled
        for a in o["attendees"]
    )
    assert sum(days_away.values()) == expected


def test_docs_helper_example_runs(monkeypatch, tmp_path):
    """The example of "The helper API" is real code: as a format, it writes one calendar per
    attendance, each the occurrence's event with the built-ins' UID, described for its reader."""
    import icalendar

    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## The helper API") : docs.index("## Tutorial")]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    module = types.ModuleType("docs_helper_example")
    exec(compile(code, str(DOCS), "exec"), module.__dict__)  # the docs' own example

    class Personal:
        @hookimpl
        def register_output_formats(self):
            return [OutputFormat("personal", "One file per attendance", module.render_personal_files)]

    with_plugin(monkeypatch, Personal(), "personal")
    scenario_file, plan_file = solved("example")
    result = render(plan_file, scenario_file, tmp_path / "out", "--format", "personal")
    assert result.exit_code == 0, result.output
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    project = plan["project"]["id"]
    attendances = [(o["id"], a["person"]) for o in plan["occurrences"] for a in o.get("attendees", [])]
    assert len(attendances) > 20
    for occurrence_id, person in attendances:
        path = tmp_path / "out" / "personal" / person / f"{occurrence_id}.ics"
        (event,) = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        assert str(event["uid"]) == f"{occurrence_id}@{project}"
        assert str(event["attendee"]).endswith(load(scenario_file).people[person].email)
