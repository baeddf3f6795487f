"""From a TOML file to a validated ``Scenario``; every problem is collected and reported at once.

This module reads the file (``read_toml``: size, encoding, TOML syntax) and runs the loading in
order: each table is read (``scheduler.scenario.tables``, with the composite values parsed by
``scheduler.scenario.composites``), then the references between tables are checked
(``scheduler.scenario.crossrefs``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from scheduler.errors import Problem, ScenarioError
from scheduler.scenario.crossrefs import MAX_OCCURRENCES, CrossReferences
from scheduler.scenario.domain import Scenario
from scheduler.scenario.fields import Table
from scheduler.scenario.tables import MAX_HORIZON_DAYS, TableReaders
from scheduler.scenario.toml_errors import line_of_deepest_nesting, line_of_longest_number, syntax_problem

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_HORIZON_DAYS",
    "MAX_OCCURRENCES",
    "TOP_LEVEL",
    "Problem",
    "ScenarioError",
    "load",
    "read_toml",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
TOP_LEVEL = ("project", "budget", "rates", "locations", "venues", "people", "events")


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ``ScenarioError`` listing every problem."""
    path = Path(path)
    data = read_toml(path)
    problems: list[Problem] = []
    scenario = _Loader(path, data, problems).load()
    if problems or scenario is None:
        raise ScenarioError(str(path), problems or [Problem("", "the scenario could not be read")])
    return scenario


def read_toml(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ScenarioError(name, [Problem("", "is a folder; give the scenario's .toml file")])
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                name,
                [
                    Problem(
                        "",
                        f"is {size:,} bytes; a scenario file is at most {MAX_FILE_BYTES:,} bytes",
                    )
                ],
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(name, [Problem("", "no such file")]) from None
    except OSError as error:
        raise ScenarioError(name, [Problem("", f"cannot be read: {error.strerror}")]) from None
    if not raw.strip():
        raise ScenarioError(name, [Problem("", "is empty; `scheduler init DIR` writes a working example")])
    if b"\0" in raw:
        raise ScenarioError(name, [Problem("", "is a binary file, not a TOML text file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(name, [Problem(f"line {line}", "is not UTF-8 text; save the file as UTF-8")]) from None
    data = fast_toml(text)
    if data is not None:
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(name, [syntax_problem(text, str(error))]) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        line = line_of_deepest_nesting(text)
        raise ScenarioError(
            name, [Problem(f"line {line}", "nests arrays or tables too deeply to be a scenario")]
        ) from None
    except ValueError as error:
        # tomllib lets int() refuse numbers of thousands of digits (Python's own limit).
        line, digits = line_of_longest_number(text)
        if "digits" not in str(error):
            raise ScenarioError(name, [Problem("", f"is not valid TOML: {error}")]) from None
        raise ScenarioError(
            name, [Problem(f"line {line}", f"has a number of {digits:,} digits; no value of a scenario is that long")]
        ) from None


def fast_toml(text: str) -> dict[str, Any] | None:
    """What ``tomllib.loads(text)`` gives, parsed by the compiled ``tomli`` where it is installed
    (about twice as fast on a large scenario); None where ``tomllib`` must answer itself.

    ``tomli`` 2.1–2.2 is the parser ``tomllib`` was taken from (TOML 1.0, the same messages),
    compiled with mypyc; later versions read TOML 1.1, which ``tomllib`` refuses, so they are not
    used. The two differ only in how deep inline arrays and tables may nest (``tomllib`` runs out
    of Python's stack, ``tomli`` counts levels): a file ``tomli`` refuses for any reason, or whose
    values nest deeper than any scenario does, is left to ``tomllib``, so a broken file gets the
    answer it always got."""
    if _tomli is None:
        return None
    try:
        data = _tomli.loads(text)
    except Exception:  # noqa: BLE001 - tomllib says what is wrong, as before
        return None
    return data if _depth_at_most(data, _MAX_FAST_DEPTH) else None


def _compiled_tomli():
    try:
        import tomli
    except ImportError:
        return None
    version = tuple(int(part) for part in re.findall(r"\d+", getattr(tomli, "__version__", ""))[:2])
    return tomli if (2, 1) <= version < (2, 3) else None


_tomli = _compiled_tomli()
_MAX_FAST_DEPTH = 32  # nested arrays and tables; a scenario's values nest 4 deep at most


def _depth_at_most(data: Any, limit: int) -> bool:
    """Whether no value in ``data`` sits more than ``limit`` arrays and tables deep (level by level:
    a large scenario holds a hundred thousand values, nearly all of them text and dates)."""
    level, depth = [data], 0
    while level:
        if depth > limit:
            return False
        below = []
        for value in level:
            children = value.values() if type(value) is dict else value
            below += [child for child in children if type(child) is dict or type(child) is list]
        level, depth = below, depth + 1
    return True


class _Loader(TableReaders, CrossReferences):
    """One scenario file being loaded: the problems found so far and what the checks across tables
    need to know of the entries read. Reads the tables (``TableReaders``), then checks them
    against each other (``CrossReferences``)."""

    def __init__(self, path: Path, data: dict[str, Any], problems: list[Problem]):
        self.path = path
        self.data = data
        self.problems = problems
        self.root = Table(data, "", problems)
        # Ids (and roles) of entries that are present but have a problem of their own: references
        # to them are not reported again as "unknown".
        self.invalid: dict[str, set[str]] = {}
        self.invalid_roles: set[str] = set()
        # Where each accepted entry is in its array (events[3]), for the places of later problems.
        self.positions: dict[str, dict[str, int]] = {key: {} for key in ("locations", "venues", "people", "events")}

    def problem(self, place: str, message: str, ident: str | None = None) -> None:
        self.problems.append(Problem(place, message, ident))

    def load(self) -> Scenario | None:
        root = self.root
        project = self.project(root.table("project", required=True))
        budget_table = root.table("budget", required=True)
        rates_table = root.table("rates")
        locations = self.entries("locations", self.location)
        venues = self.entries("venues", self.venue)
        people = self.entries("people", self.person)
        events = self.entries("events", self.event, project=project)
        root.finish()
        if project is None:
            return None
        self.check_references(project, locations, venues, people, events)
        budget = self.budget(budget_table, project, events)
        rates = self.rates(rates_table, locations)
        if budget is None or rates is None:
            return None
        scenario = Scenario(self.path, project, budget, rates, locations, venues, people, events)
        if not self.problems:
            self.check_rates_cover(scenario)
        return scenario

    def entries(self, key: str, read, **extra) -> dict[str, Any]:
        self.root.seen.add(key)
        raw = self.data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
            self.problem(key, f"should be an array of tables ([[{key}]] entries)")
            return {}
        if not raw and key in ("locations", "venues", "events"):
            self.problem(key, f"is required: at least one [[{key}]] entry")
        out: dict[str, Any] = {}
        first_place: dict[str, str] = {}
        for i, entry in enumerate(raw):
            place = f"{key}[{i}]"
            raw_id = entry.get("id")
            table = Table(entry, place, self.problems, raw_id if isinstance(raw_id, str) else None)
            item = read(table, **extra)
            table.finish()
            if item is None:
                if isinstance(raw_id, str):
                    self.invalid.setdefault(key, set()).add(raw_id)
                roles = entry.get("roles") if key == "people" else None
                if isinstance(roles, list):
                    self.invalid_roles.update(r for r in roles if isinstance(r, str))
                continue
            if item.id in out:
                self.problem(
                    f"{place}.id",
                    f'"{item.id}" is used twice in {key}; the first is {first_place[item.id]}',
                    item.id,
                )
                continue
            out[item.id] = item
            first_place[item.id] = place
            self.positions[key][item.id] = i
        return out
