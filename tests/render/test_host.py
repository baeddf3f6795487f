"""The plugin host's check of the files a format returns (``scheduler.render.host``): every path
inside the output folder once every link is followed, and nothing else."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from scheduler.render.context import OutputFormat, RenderContext
from scheduler.render.host import PluginError, _InsideCheck, render_all
from tests.support.calendar_outputs import NOW


def test_the_host_refuses_a_returned_path_that_leaves_the_output_folder(tmp_path):
    """``render_all`` resolves each folder once: a returned file that is a link out of the folder,
    or that lies in a linked folder, in a folder beside it or under ``..``, is still refused."""
    out, beside = tmp_path / "out", tmp_path / "beside"
    (out / "a").mkdir(parents=True)
    beside.mkdir()
    (beside / "x.txt").write_text("x")
    (out / "a" / "fine.txt").write_text("fine")
    (out / "a" / "link.txt").symlink_to(beside / "x.txt")
    (out / "linked").symlink_to(beside)
    (out / "a" / "inner.txt").symlink_to(out / "a" / "fine.txt")
    manager = SimpleNamespace(hook=SimpleNamespace(prepare_render=lambda context: None))
    context = RenderContext(plan=None, scenario=None, folder=out, now=NOW)

    def returning(*paths):
        return [OutputFormat("f", "returns paths", lambda context: list(paths), "test")]

    fine = [out / "a" / "fine.txt", out / "a" / "inner.txt", str(out / "a" / "fine.txt")]
    assert render_all(manager, returning(*fine), context) == [Path(p) for p in fine]
    for outside in (out / "a" / "link.txt", out / "linked" / "x.txt", out / "a" / ".." / ".." / "beside" / "x.txt"):
        with pytest.raises(PluginError, match="outside the output folder"):
            render_all(manager, returning(out / "a" / "fine.txt", outside), context)


@pytest.mark.parametrize("through_link", [False, True])
def test_the_inside_check_says_what_resolving_each_path_says(tmp_path, through_link):
    """Folders and files that are links (to inside and to outside the output folder), paths with
    ``..`` and ``.``, folders that do not exist, relative paths, the output folder itself named
    through a link: the check by folders agrees with each path resolved in full."""
    real = tmp_path / "real-out"
    outside = tmp_path / "elsewhere"
    for folder in (real / "a" / "b", real / "c", outside / "d"):
        folder.mkdir(parents=True)
    (real / "a" / "b" / "file.txt").write_text("x")
    (outside / "d" / "secret.txt").write_text("x")
    (real / "to-outside").symlink_to(outside)
    (real / "to-inside").symlink_to(real / "a")
    (real / "a" / "b" / "file-out.txt").symlink_to(outside / "d" / "secret.txt")
    (real / "a" / "b" / "file-in.txt").symlink_to(real / "c")
    (real / "c" / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    root = real
    if through_link:
        root = tmp_path / "out-link"
        root.symlink_to(real)
    names = [
        "a/b/file.txt",
        "a/b/file-out.txt",
        "a/b/file-in.txt",
        "a/b/new.txt",
        "to-outside/d/secret.txt",
        "to-outside/new.txt",
        "to-inside/b/file.txt",
        "c/dangling",
        "c/../a/b/file.txt",
        "c/../../elsewhere/d/secret.txt",
        "./c/x",
        "a/./b/x",
        "missing/deeper/x.txt",
        "a/b/",
        "a/b/.",
        "a/b/..",
    ]
    paths = [os.path.join(str(root), name) for name in names]
    paths += [str(outside / "d" / "secret.txt"), str(tmp_path / "real-out-sibling" / "x"), "relative/x.txt", "/"]
    check = _InsideCheck(root)
    resolved_root = root.resolve()
    answers = [(path, check(path), Path(path).resolve().is_relative_to(resolved_root)) for path in paths]
    assert [(path, mine) for path, mine, _plain in answers] == [(path, plain) for path, _mine, plain in answers]
    assert sum(mine for _path, mine, _plain in answers) >= 6 and not all(mine for _p, mine, _q in answers)
