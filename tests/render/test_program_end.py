"""The end of the program (``scheduler.cli.run``): after a large render it ends with ``os._exit``
instead of the interpreter's teardown, and must still end as an ordinary process does.

These were kept with the render's other tests, from which they came; they belong in
``tests/cli`` beside the command line's own tests."""

from __future__ import annotations

import subprocess
import sys


def run_program(code: str, *args: str) -> subprocess.CompletedProcess:
    program = f"import sys; sys.argv = ['scheduler', *{list(args)!r}]\n{code}\nfrom scheduler.cli import run\nrun()\n"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)


def test_the_program_ends_with_its_exit_code_its_output_and_its_atexit_functions(tmp_path):
    """What the ordinary end of a process gives: the exit code (0, 2 for a mistake), everything
    written to the (piped, so buffered) output streams, and the functions registered with atexit
    run, after the command."""
    said = "import atexit; atexit.register(lambda: print('atexit ran', flush=False))"
    done = run_program(said, "formats")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "atexit ran" and "ical" in done.stdout
    missing = tmp_path / "missing.toml"
    done = run_program(said, "validate", str(missing))
    assert done.returncode == 2 and "no such file" in done.stderr and done.stdout == "atexit ran\n"
    done = run_program("", "--version")
    assert done.returncode == 0 and "scheduler" in done.stdout


def test_a_thread_still_running_is_waited_for_as_the_interpreter_would():
    started = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), print('thread done', flush=True))).start()"
    )
    done = run_program(started, "formats")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "thread done", done.stdout


def test_python_dash_m_scheduler_runs_the_program(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "validate", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no such file" in done.stderr
