"""The scenario's TOML read by the compiled ``tomli`` (``loader.fast_toml``) gives what ``tomllib``
gives: the same values for a good file, the same answer (``ScenarioError`` and its problems) for a
broken one, the corpus of mistakes, TOML 1.1 syntax that ``tomllib`` refuses, numbers too long,
and arrays and tables nested deeper than ``tomllib`` can follow."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.errors import ScenarioError
from scheduler.scenario import loader
from tests.support import BAD_SCENARIOS, ILECU

CORPUS = BAD_SCENARIOS
EXAMPLE = ILECU


def test_the_compiled_parser_is_the_one_used():
    """setup.cfg asks for tomli 2.1–2.2 (TOML 1.0, as tomllib): if another version came in, this
    says so rather than letting the render lose its faster start without notice."""
    assert loader._tomli is not None
    assert loader.fast_toml('a = 1\nb = ["x", {c = 2024-01-01}]\n') == tomllib.loads(
        'a = 1\nb = ["x", {c = 2024-01-01}]\n'
    )


def answer(path: Path, *, fast: bool, monkeypatch) -> object:
    """What ``read_toml`` gives for the file: its values, or the problems it raises."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(loader, "_tomli", None)
        try:
            return ("values", loader.read_toml(path))
        except ScenarioError as error:
            return ("refused", [(p.place, p.message, p.ident) for p in error.problems])


def same_answer(path: Path, monkeypatch) -> None:
    fast, plain = answer(path, fast=True, monkeypatch=monkeypatch), answer(path, fast=False, monkeypatch=monkeypatch)
    assert alike(fast, plain)


def alike(a, b) -> bool:
    """The same values of the same types, keys in the same order; nan alike to nan (walked without
    recursion: some of these files nest thousands deep)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if list(x) != list(y):
                return False
            stack += [(x[key], y[key]) for key in x]
        elif isinstance(x, list | tuple):
            if len(x) != len(y):
                return False
            stack += list(zip(x, y, strict=True))
        elif isinstance(x, float) and x != x:
            if y == y:
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("case", sorted(CORPUS.glob("*.toml")) + [EXAMPLE], ids=lambda p: p.stem)
def test_every_file_of_the_corpus_reads_the_same(case, monkeypatch):
    same_answer(case, monkeypatch)


TEXTS = {
    # TOML 1.1, which tomllib (TOML 1.0) refuses and tomli 2.3 and later accept
    "trailing comma in an inline table": "a = {x = 1,}\n",
    "newline in an inline table": "a = {\n  x = 1\n}\n",
    "escape \\e": 'a = "\\e"\n',
    "escape \\x": 'a = "\\x41"\n',
    "time without seconds": "a = 12:30\n",
    "datetime without seconds": "a = 1979-05-27T07:32Z\n",
    # Python's own limits and tomllib's messages
    "5,000 digits": "a = " + "9" * 5000 + "\n",
    "hex of 5,000 digits": "a = 0x" + "f" * 5000 + "\n",
    "4,300 digits": "a = " + "9" * 4300 + "\n",
    "a key twice": "a = 1\nb = 2\na = 3\n",
    "a table twice": "[a]\n[a]\n",
    "unclosed string": 'a = "abc\n',
    "unclosed array": "x = [1, 2\n",
    "nul": 'a = "\\u0000"\n',
    "CRLF": "a = 1\r\nb = 2\r\n",
    "bare CR": "a = 1\rb = 2\n",
    "byte order mark": "\ufeffa = 1\n",
    "dotted keys 2,000 deep": ".".join(["k"] * 2000) + " = 1\n",
    "table header 500 deep": "[" + ".".join(["k"] * 500) + "]\nv = 1\n",
}
for depth in (31, 32, 33, 100, 300, 330, 398, 401, 600, 999, 1001, 5000, 50_000):
    TEXTS[f"arrays {depth} deep"] = "a = " + "[" * depth + "]" * depth + "\n"
    TEXTS[f"inline tables {depth} deep"] = "a = " + "{b = " * depth + "1" + "}" * depth + "\n"
    TEXTS[f"arrays and tables {depth} deep, with siblings"] = "a = " + "[[], {b = " * depth + "1" + "}]" * depth + "\n"


@pytest.mark.parametrize("name", list(TEXTS))
def test_odd_files_read_the_same(name, tmp_path, monkeypatch):
    path = tmp_path / "scenario.toml"
    path.write_bytes(TEXTS[name].encode("utf-8"))
    same_answer(path, monkeypatch)


def test_values_nested_deeper_than_any_scenario_are_left_to_tomllib(monkeypatch):
    deep = "a = " + "[" * 40 + "]" * 40 + "\n"
    assert loader.fast_toml(deep) is None
    shallow = "a = " + "[" * 20 + "]" * 20 + "\n"
    assert loader.fast_toml(shallow) == tomllib.loads(shallow)
    assert loader._depth_at_most({"a": [[{"b": 1}]]}, 3) and not loader._depth_at_most({"a": [[{"b": [1]}]]}, 3)


BASE = EXAMPLE.read_text(encoding="utf-8")


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(BASE.encode("utf-8")) - 1),
            st.integers(0, 40),
            st.sampled_from(
                ["", "[", "]", "{", "}", ",", "=", '"', "'", "\n", "\\", "#", ".", " ", "x", "1", "\x00", "é"]
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_damaged_example_reads_the_same(tmp_path, monkeypatch, edits):
    """Bytes of the example cut out and replaced by TOML's punctuation, here and there."""
    data = BASE.encode("utf-8")
    for at, cut, put in edits:
        data = data[:at] + put.encode("utf-8") + data[at + cut :]
    path = tmp_path / "damaged.toml"
    path.write_bytes(data)
    same_answer(path, monkeypatch)
