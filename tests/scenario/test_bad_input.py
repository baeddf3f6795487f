"""Mistaken scenario files: each one gives exit 2 (3 where it is a plain infeasibility), one line
that names the place and quotes the value, no traceback, and nothing written.

The corpus is ``tests/bad_scenarios/NN-name.toml``: the same small scenario with one mistake each,
whose first line says what must happen::

    # expect: <exit code> <place> <fragment of the message>

The place is what the message names (``events[1].window``, ``line 12, column 8`` for TOML syntax,
``(file)`` for the file as a whole); for exit 3 it is the place the explanation cites in brackets.
Files that cannot be committed sensibly (empty, binary, not UTF-8, 100 MB, deeply nested) are made
here at test time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import BAD_SCENARIOS
from tests.support.scenarios import event, person, scenario, venue

CORPUS = BAD_SCENARIOS
EXPECT = re.compile(r"# expect: (?P<code>[23]) (?P<place>line \d+, column \d+|line \d+|\S+) (?P<fragment>.+)")


@dataclass(frozen=True)
class Expectation:
    code: int
    place: str
    fragment: str


def expectation(path: Path) -> Expectation:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = EXPECT.fullmatch(first)
    assert found, f"{path.name}: the first line must be '# expect: <code> <place> <fragment>', not {first!r}"
    return Expectation(int(found["code"]), found["place"], found["fragment"])


def names_place_and_value(output: str, path: Path, expected: Expectation) -> bool:
    """One line of the output says the place and the fragment: ``FILE: place (id "x"): …`` for
    invalid input, ``  - …  [place]`` in the explanation of an infeasible scenario."""
    for line in output.splitlines():
        if expected.fragment not in line:
            continue
        if expected.code == 2 and re.match(re.escape(f"{path}: {expected.place}") + r"( \(id \"[^\"]*\"\))?: ", line):
            return True
        if expected.code == 3 and line.rstrip().endswith(f"[{expected.place}]"):
            return True
    return False


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.toml"))


def test_the_corpus_is_large_and_well_formed():
    files = corpus()
    assert len(files) >= 40
    numbers = [int(p.name.split("-")[0]) for p in files]
    assert numbers == list(range(1, len(files) + 1)), "number the corpus files 01, 02, … without gaps"
    for path in files:
        expectation(path)
    assert sum(expectation(p).code == 3 for p in files) >= 3


def run_solve(cli, path: Path, out: Path):
    before = tree(path.parent)
    result = cli("solve", path, "-o", out, "--workers", "1", "--time-limit", "30")
    return result, tree(path.parent) - before


@pytest.mark.parametrize("case", corpus(), ids=lambda p: p.stem)
def test_a_mistaken_scenario_is_refused_with_its_place_and_value(cli, tmp_path, case):
    expected = expectation(case)
    path = tmp_path / case.name
    path.write_bytes(case.read_bytes())
    out = tmp_path / "out"
    result, created = run_solve(cli, path, out)
    assert result.exit_code == expected.code, result.output
    assert "Traceback" not in result.output
    assert all(line.isprintable() for line in result.output.splitlines()), "raw control characters in the output"
    assert names_place_and_value(result.output, path, expected), (
        f"expected a line naming {expected.place} with {expected.fragment!r}:\n{result.output}"
    )
    assert not out.exists() and created == set(), f"written: {created}"
    if expected.code == 2:
        check = cli("validate", path)
        assert check.exit_code == 2 and names_place_and_value(check.output, path, expected), check.output


# --- files made at test time ------------------------------------------------------------------

BASE = (CORPUS / "01-toml-unclosed-quote.toml").read_text(encoding="utf-8").replace('"Ion Rusu\n', '"Ion Rusu"\n')


def make_empty(path: Path) -> Expectation:
    path.write_bytes(b"")
    return Expectation(2, "(file)", "is empty")


def make_blank(path: Path) -> Expectation:
    path.write_text("\n   \n\t\n", encoding="utf-8")
    return Expectation(2, "(file)", "is empty")


def make_binary(path: Path) -> Expectation:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    return Expectation(2, "(file)", "is a binary file, not a TOML text file")


def make_utf16(path: Path) -> Expectation:
    path.write_bytes(BASE.encode("utf-16"))  # what some Windows editors save as "Unicode"
    return Expectation(2, "(file)", "is a binary file")


def make_latin1(path: Path) -> Expectation:
    path.write_bytes(BASE.replace("Chișinău", "Chisinau").replace("Munteanu", "Münteanu").encode("latin-1"))
    line = BASE.splitlines().index('name = "Elena Munteanu"') + 1
    return Expectation(2, f"line {line}", "is not UTF-8 text; save the file as UTF-8")


def make_deeply_nested(path: Path) -> Expectation:
    path.write_text(BASE.replace("[budget]", "notes = " + "[" * 50_000 + "]" * 50_000 + "\n[budget]"), encoding="utf-8")
    line = BASE.splitlines().index("[budget]") + 1
    return Expectation(2, f"line {line}", "nests arrays or tables too deeply")


def make_huge_number(path: Path) -> Expectation:
    path.write_text(BASE.replace("capacity = 30", "capacity = " + "9" * 5000, 1), encoding="utf-8")
    line = BASE.splitlines().index("capacity = 30") + 1
    return Expectation(2, f"line {line}", "has a number of 5,000 digits")


def make_100_mb(path: Path) -> Expectation:
    """A valid scenario padded with comments to 100 MB: refused by its size before it is read."""
    padding = b"# " + b"x" * 1021 + b"\n"
    with path.open("wb") as handle:
        handle.write(BASE.encode("utf-8"))
        for _ in range(100 * 1024):
            handle.write(padding)
    return Expectation(2, "(file)", "a scenario file is at most 10,485,760 bytes")


def make_many_occurrences(path: Path) -> Expectation:
    series = "".join(
        f'\n[[events]]\nid = "meeting-{i}"\nkind = "meeting"\ntitle = "Meeting {i}"\nduration_days = 1\n'
        f'venues = ["ro-academy"]\nrepeat = {{ count = 1000, every_months = 1 }}\n'
        for i in range(30)
    )
    path.write_text(BASE + series, encoding="utf-8")
    return Expectation(2, "events", "the events expand into 30,002 occurrences; at most 20,000")


def make_folder(path: Path) -> Expectation:
    path.mkdir()
    return Expectation(2, "(file)", "is a folder")


def make_nothing(path: Path) -> Expectation:
    return Expectation(2, "(file)", "no such file")


MADE = [
    make_empty,
    make_blank,
    make_binary,
    make_utf16,
    make_latin1,
    make_deeply_nested,
    make_huge_number,
    make_100_mb,
    make_many_occurrences,
    make_folder,
    make_nothing,
]


@pytest.mark.parametrize("make", MADE, ids=lambda f: f.__name__[5:])
def test_a_file_that_is_not_a_scenario_is_refused(cli, tmp_path, make):
    path = tmp_path / "scenario.toml"
    expected = make(path)
    out = tmp_path / "out"
    started = time.monotonic()
    result, created = run_solve(cli, path, out)
    assert time.monotonic() - started < 10
    assert result.exit_code == expected.code, result.output
    assert "Traceback" not in result.output
    assert names_place_and_value(result.output, path, expected), result.output
    assert not out.exists() and created == set()


# --- through a real process -------------------------------------------------------------------


def run_process(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "scheduler", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "source",
    [
        "01-toml-unclosed-quote.toml",
        "56-title-header-injection.toml",
        "69-seats-more-than-people.toml",
        make_100_mb,
        "72-series-of-five-million.toml",
    ],
    ids=lambda s: s if isinstance(s, str) else s.__name__[5:],
)
def test_a_real_process_exits_with_the_code_and_writes_nothing(tmp_path, source):
    work = tmp_path / "work"
    work.mkdir()
    path = work / "scenario.toml"
    if isinstance(source, str):
        path.write_bytes((CORPUS / source).read_bytes())
        expected = expectation(CORPUS / source)
    else:
        expected = source(path)
    started = time.monotonic()
    done = run_process("solve", path, "-o", work / "out", "--workers", "1", cwd=work)
    assert time.monotonic() - started < 15  # refused within seconds, the 100 MB file and the huge series too
    assert done.returncode == expected.code, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert names_place_and_value(done.stderr, path, expected), done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["scenario.toml"]


# --- what the loader fixes are about -----------------------------------------------------------


def test_places_count_the_broken_entries_before_them(cli, write_scenario):
    """A reference problem in events[2] is reported at events[2] even when events[0] is broken."""
    text = scenario(
        venues=[venue("hall", "bucharest")],
        people=[person("ana", "bucharest")],
        events=[
            event("first", ["hall"], kind="party"),
            event("second", ["hall"]),
            event("third", ["hal"], attendees=["anna"]),
        ],
    )
    path = write_scenario(text)
    result = cli("validate", path)
    assert result.exit_code == 2
    assert f'{path}: events[2].venues[0] (id "third"): unknown venue "hal"' in result.output
    assert f'{path}: events[2].attendees[0] (id "third"): unknown person "anna"' in result.output


def test_a_toml_syntax_error_names_its_line_and_shows_it(cli, write_scenario):
    path = write_scenario('[project]\nid = "x"\nname = "Unclosed\n')
    result = cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}: line 3, column 17: is not valid TOML" in result.output
    assert 'a text in quotes is not closed on this line; the line reads: name = "Unclosed' in result.output


def test_a_syntax_error_line_with_control_characters_is_shown_escaped(cli, write_scenario):
    path = write_scenario('[project]\nid = \x1b[2J"x" x\n')
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and r"\x1b[2J" in result.output


# --- valid but hostile text: escaped in every output, never a header, a tag or a path -----------

HOSTILE_TITLE = '<script>alert("title")</script> & Co'
HOSTILE_NAME = "Ana <b>O'Brien</b>"
HOSTILE_VENUE = '<img src=x onerror="alert(1)">'
HOSTILE_ADDRESS = "Str. </td></tr></table> 1"


def test_hostile_text_is_escaped_in_every_output(cli, tmp_path):
    """Text that is valid (one line, no control characters) but looks like markup or a header
    reaches the outputs as text: no element, attribute or header is made of it, and nothing is
    written outside the output folder."""
    import email
    import email.policy

    import icalendar

    from tests.support.html_tree import parse

    text = scenario(
        project={"name": "Project <style>body{display:none}</style>"},
        venues=[venue("hall", "bucharest", name=HOSTILE_VENUE, address=HOSTILE_ADDRESS)],
        people=[person("ana", "chisinau", name=HOSTILE_NAME, organisation='Police "A&B" <i>')],
        events=[event("ws", ["hall"], title=HOSTILE_TITLE, attendees=["ana"], window="2024-03-04/2024-03-08")],
    )
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("solve", path, "-o", out, "--workers", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.toml", "out"]
    written = [p for p in out.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in written)

    pages = [out / "report.html", *sorted((out / "agendas").glob("*.html"))]
    assert len(pages) >= 2
    for page in pages:
        root = parse(page.read_text(encoding="utf-8"))
        for script in root.find_all("script"):
            assert "alert" not in script.text(), page.name
        assert not [e for e in root.iter() if any(name.startswith("on") for name in e.attrs)], page.name
        assert not [e for e in root.iter("img") if e.attrs.get("src") == "x"], page.name
        assert not [e for e in root.iter("b") if "O'Brien" in e.text()], page.name
        assert HOSTILE_TITLE in root.text() or page.name == "report.html" and "left out" in root.text()
    agenda = parse((out / "agendas" / "ws-1.html").read_text(encoding="utf-8"))
    assert HOSTILE_TITLE in agenda.text() and HOSTILE_NAME in agenda.text() and HOSTILE_VENUE in agenda.text()

    markdown = (out / "agendas" / "ws-1.md").read_text(encoding="utf-8")
    # CommonMark passes an unescaped "<tag" through as raw HTML; a backslash makes it text.
    assert not re.search(r"(?<!\\)<(script|img|b|style|/?td)\b", markdown), markdown
    assert r"\<script\>" in markdown

    (mail_path,) = (out / "invitations" / "ws-1").glob("*.eml")
    message = email.message_from_bytes(mail_path.read_bytes(), policy=email.policy.default)
    assert str(message["Subject"]).count(HOSTILE_TITLE) == 1
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == (HOSTILE_NAME, "ana@example.org")
    assert not [k for k in message.keys() if k.lower() in ("bcc", "cc", "reply-to")]
    html_part = message.get_body(preferencelist=("html",))
    root = parse(html_part.get_content())
    assert HOSTILE_TITLE in root.text()
    assert not [s for s in root.find_all("script") if "alert" in s.text()]

    calendar = icalendar.Calendar.from_ical((out / "calendar" / "events" / "ws-1.ics").read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == HOSTILE_TITLE


# --- mistaken output folders: the folder is replaced whole, so nothing else may be in it -----------

GOOD = scenario(venues=[venue("hall", "bucharest")], events=[event("ws", ["hall"], window="2024-03-04/2024-03-08")])


@pytest.fixture
def project_folder(tmp_path, monkeypatch) -> Path:
    """A coordinator's folder: the scenario, a note, and the shell inside it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "plan.toml").write_text(GOOD, encoding="utf-8")
    (folder / "notes.txt").write_text("minutes of the steering committee\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        (".", "is the current folder or holds it"),
        ("..", "is the current folder or holds it"),
        ("{home}", "holds files but no plan.json, so it is not an earlier output"),
        ("{project}", "is the current folder or holds it"),
    ],
)
def test_an_output_folder_that_is_not_an_output_is_refused_before_solving(
    cli, tmp_path, project_folder, no_output_plugins, output, fragment
):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.odt").write_bytes(b"years of work")
    before = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    target = output.format(home=home, project=project_folder)
    result = cli("solve", "plan.toml", "-o", target, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "replaced whole" in result.output
    assert " best " not in result.output  # refused before the search, not after it
    after = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_an_output_folder_holding_the_scenario_is_refused(cli, tmp_path, no_output_plugins):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "plan.json").write_text("{}", encoding="utf-8")  # looks like an earlier output
    (folder / "plan.toml").write_text(GOOD, encoding="utf-8")
    result = cli("solve", folder / "plan.toml", "-o", folder, "--workers", "1")
    assert result.exit_code == 2
    assert f"holds {folder / 'plan.toml'}" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["plan.json", "plan.toml"]


def test_an_empty_folder_or_an_earlier_output_is_replaced(cli, tmp_path, project_folder, no_output_plugins):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("solve", "plan.toml", "-o", empty, "--workers", "1", "-q").exit_code == 0
    (empty / "stale.txt").write_text("from an older run", encoding="utf-8")
    assert cli("solve", "plan.toml", "-o", empty, "--workers", "1", "-q").exit_code == 0
    assert sorted(p.name for p in empty.iterdir()) == ["plan.json"]
    # Rendering the plan of an output folder into that same folder: read before it is replaced.
    result = cli("render", empty / "plan.json", "--scenario", "plan.toml", "-o", empty)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in empty.iterdir()) == ["plan.json"]
