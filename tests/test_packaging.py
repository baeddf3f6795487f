"""The wheel works outside the source tree: built with ``python -m build``, installed with pip into
a fresh virtual environment, and run there from a folder where the repository is not importable.

Templates, the built-in plugins (found through their entry points, like a third-party plugin),
the Romanian catalog, the starter scenario and the default rates must all come from the installed
package. The strongest check: the installed package writes the same bytes as the source tree for
the ILECU example (same seed and workers, ``SOURCE_DATE_EPOCH`` set), in every built-in format.

Installing the dependencies into the fresh venv uses pip's cache; it takes about half a minute.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.plan_checker import check_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ilecu.toml"
NOT_SHIPPED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache"
)


def builtin_formats() -> dict[str, str]:
    """The built-in plugins as setup.cfg declares them: name -> module."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options.entry_points"]["scheduler.plugins"].strip().splitlines()
    return dict(tuple(part.strip() for part in line.split("=")) for line in lines if "=" in line)


def run(command: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point Python back at the source tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the tree (the build leaves build/ and egg-info behind)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    shutil.rmtree(source / "tests")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", source], cwd=work, env=clean_env())
    (found,) = (work / "dist").glob("scheduler-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment (no system site-packages) with the wheel installed by pip."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", folder], cwd=folder.parent, env=clean_env())
    run([folder / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=folder.parent, env=clean_env())
    return folder


@pytest.fixture
def outside(tmp_path) -> Path:
    """A working folder far from the repository, holding a copy of the example."""
    shutil.copyfile(EXAMPLE, tmp_path / "ilecu.toml")
    return tmp_path


def test_the_wheel_holds_the_package_its_data_and_entry_points(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
        top_level = archive.read(next(n for n in names if n.endswith(".dist-info/top_level.txt"))).decode().split()
    assert top_level == ["scheduler"]  # plugins/, calendars/, templates/ live inside the namespace
    assert not any(n.split("/")[0] in ("plugins", "calendars", "templates", "tests") for n in names)
    for template in (ROOT / "templates").rglob("*"):
        # Every template and catalog; the .pot is the translators' source, not read at run time.
        if template.is_file() and template.suffix not in (".py", ".pyc", ".pot"):
            assert f"scheduler/templates/{template.relative_to(ROOT / 'templates')}" in names, template
    assert "scheduler/examples/starter.toml" in names
    for module in (
        "scheduler/cli/__init__.py",
        "scheduler/model/rules/attendance.py",
        "scheduler/cli/planning.py",
        "scheduler/explain/__init__.py",
        "scheduler/scenario/rates.py",
        "scheduler/solver/lexicographic.py",
        "scheduler/calendars/__init__.py",
    ):
        assert module in names
    config = configparser.ConfigParser()
    config.read_string(entry_points)
    assert config["console_scripts"]["scheduler"] == "scheduler.cli:run"
    assert dict(config["scheduler.plugins"]) == builtin_formats()
    for module in builtin_formats().values():
        path = module.replace(".", "/")
        assert f"{path}.py" in names or f"{path}/__init__.py" in names, module  # a module or a package
    assert "scheduler/content/events.py" in names and "scheduler/plugins/report/timeline.py" in names


def test_the_installed_package_is_the_one_that_runs(venv, outside):
    code = "import scheduler, scheduler.templates, scheduler.plugins; print(scheduler.__file__)"
    done = run([venv / "bin" / "python", "-c", code], cwd=outside, env=clean_env())
    location = Path(done.stdout.strip())
    assert location.is_relative_to(venv) and not location.is_relative_to(ROOT)


def test_formats_lists_every_built_in(venv, outside):
    done = run([venv / "bin" / "scheduler", "formats"], cwd=outside, env=clean_env())
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert listed == set(builtin_formats())  # the sample third-party plugin is not in this venv


def test_init_writes_a_starter_that_validates_with_the_default_rates(venv, outside):
    scheduler = venv / "bin" / "scheduler"
    run([scheduler, "init", "starter"], cwd=outside, env=clean_env())
    done = run([scheduler, "validate", outside / "starter" / "plan.toml"], cwd=outside, env=clean_env())
    assert "valid" in done.stdout
    assert "default per_diem: European Commission" in done.stdout
    assert "default distance_bands: Erasmus+" in done.stdout


def test_solve_in_the_venv_writes_what_the_source_tree_writes(venv, outside, tmp_path):
    """Every built-in format from the installed package, byte for byte the source tree's output."""
    formats = [arg for name in sorted(builtin_formats()) for arg in ("--format", name)]
    common = ["--workers", "2", "--seed", "0", "--quiet", *formats]
    env = clean_env(SOURCE_DATE_EPOCH="1700000000")
    run([venv / "bin" / "scheduler", "solve", "ilecu.toml", "-o", "installed", *common], cwd=outside, env=env)
    installed = outside / "installed"
    plan = json.loads((installed / "plan.json").read_text(encoding="utf-8"))
    assert plan["solver"]["status"] == "OPTIMAL"
    assert check_plan(EXAMPLE, plan) == []  # the default per diem and distance bands, counted right
    assert (installed / "report.html").stat().st_size > 0
    assert (installed / "schedule.csv").is_file() and (installed / "calendar" / "plan.ics").is_file()
    assert list((installed / "agendas").glob("*.html")) and list((installed / "agendas").glob("*.md"))
    assert list((installed / "invitations").glob("*/*.eml"))

    source = tmp_path / "source-tree"
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve", EXAMPLE, "-o", source, *common],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert tree(installed) == tree(source)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
