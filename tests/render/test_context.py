"""What a format receives (``scheduler.render.context``): files are written inside the output
folder only, and the path a write returns is the path of the file written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.render.context import RenderContext
from tests.support.calendar_outputs import NOW


def test_files_are_written_inside_the_output_folder_only(tmp_path):
    context = RenderContext(plan=None, scenario=None, folder=tmp_path / "out", now=NOW)
    (tmp_path / "out").mkdir()
    assert context.write_text("a/b/c.txt", "x") == (tmp_path / "out" / "a" / "b" / "c.txt").resolve()
    assert context.write_bytes("a/b/d.txt", b"y").read_bytes() == b"y"
    for outside in ("../x", "a/../../x", str(tmp_path / "x")):
        with pytest.raises(ValueError, match="outside the output folder"):
            context.write_text(outside, "x")
    (tmp_path / "out" / "a" / "b" / "link.txt").symlink_to(tmp_path / "target.txt")
    with pytest.raises(ValueError, match="outside the output folder"):
        context.write_text("a/b/link.txt", "x")
    assert not (tmp_path / "target.txt").exists()


@pytest.mark.parametrize("relative_folder", [False, True])
def test_a_written_path_is_the_path_of_the_file(tmp_path, monkeypatch, relative_folder):
    """``write_bytes`` gives the written file's path made from its folder's ``Path`` and its name:
    the same ``Path`` as the whole path parsed, for files in the folder, in new and known folders,
    names with dots and spaces, and an output folder given relative to the working folder."""
    monkeypatch.chdir(tmp_path)
    folder = Path("out") if relative_folder else tmp_path / "out"
    folder.mkdir()
    context = RenderContext(plan=None, scenario=None, folder=folder, now=NOW)
    for relative in ["plan.ics", "calendar/people/a.ics", "calendar/people/b c.ics", "x/y/z/..ics", "a/b/.hidden"]:
        written = context.write_bytes(relative, b"data")
        expected = Path(context._target(relative))  # what it gave before: the whole path parsed
        assert os.path.samefile(expected, os.path.join(folder, relative))
        assert written == expected and str(written) == str(expected) and type(written) is type(expected)
        assert written.read_bytes() == b"data"
