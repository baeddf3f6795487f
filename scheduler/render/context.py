"""What an output format receives and returns: ``OutputFormat`` and ``RenderContext``.

A format's render function takes one ``RenderContext`` (the plan, the scenario, the output
folder, options) and returns the paths of the files it wrote, all inside ``context.folder``.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scheduler.plan import Plan
from scheduler.render.memo import RenderMemo
from scheduler.scenario.domain import Scenario


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its name (``--format NAME``), a one-line description, and the function
    that renders it."""

    name: str
    description: str
    render: Callable[[RenderContext], list[Path]]
    plugin: str = ""  # filled in by the host: the plugin that registered it


@dataclass
class RenderContext:
    plan: Plan
    scenario: Scenario
    folder: Path  # the output folder being written (a temporary folder, swapped in at the end)
    now: dt.datetime  # aware UTC; SOURCE_DATE_EPOCH where set, for DTSTAMP, Date: and timestamps
    templates_dir: Path | None = None  # the user's --templates folder, searched before the built-ins
    previous: Plan | None = None  # the previously published plan, where --previous was given
    options: dict[str, str] = field(default_factory=dict)  # --option KEY=VALUE pairs
    extra: dict[str, Any] = field(default_factory=dict)  # for plugins, filled in prepare_render
    # what the formats of this render compute once and share (scheduler.render.memo)
    memo: RenderMemo = field(default_factory=RenderMemo, repr=False, compare=False)

    @cached_property
    def templates(self):
        """A Jinja2 environment: the user's ``--templates`` folder first, then the built-ins."""
        from scheduler.render.templating import environment

        return environment(self.templates_dir)

    def render_template(self, name: str, **values: Any) -> str:
        return self.templates.get_template(name).render(**values)

    def path(self, relative: str) -> Path:
        """The path of a file inside the output folder; refuses anything that would leave it."""
        path = self._target(relative)
        if os.path.islink(path):  # where a plugin writes for itself: resolved in full
            return self._resolved_path(relative)
        return Path(path)

    def _target(self, relative: str) -> str:
        """``path`` as a string. A render writes thousands of files into a few folders: each
        folder is resolved, checked and created once (``_folders``), and a file's own name is
        checked without resolving its whole path again (``_write`` refuses to follow a link there,
        and such a file, or anything that is not a plain name, is resolved in full)."""
        head, name = os.path.split(relative)
        if name in ("", ".", "..") or os.path.isabs(relative):
            return str(self._resolved_path(relative))
        return os.path.join(self._folder(head), name)

    def _folder(self, head: str) -> str:
        """Where the folder ``head`` (relative) is, created; each folder is found once. A folder
        named plainly inside one already found is that one's path and its name, once it is made
        sure to be a directory and not a link (a render makes thousands, e.g. one per
        occurrence); anything else is resolved in full."""
        known = self._folders.get(head)
        if known is not None and known[0] is self.folder:
            return known[1]
        parent, name = os.path.split(head)
        found = None
        if head and name not in ("", ".", "..") and not os.path.isabs(head):
            path = os.path.join(self._folder(parent), name)
            try:
                os.mkdir(path)
            except FileExistsError:
                pass
            if stat.S_ISDIR(os.lstat(path).st_mode):
                found = path
        if found is None:
            found = str(self._resolved_path(os.path.join(head, "file")).parent)
        self._folders[head] = (self.folder, found)
        return found

    def _resolved_path(self, relative: str) -> Path:
        path = (self.folder / relative).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            raise ValueError(f"refusing to write outside the output folder: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def _folders(self) -> dict[str, tuple[Path, str]]:
        """Per folder named in a relative path: the output folder it was resolved in, and where it is."""
        return {}

    def write_text(self, relative: str, text: str, encoding: str = "utf-8") -> Path:
        # What a text stream opened with this encoding and newline="" writes.
        return self.write_bytes(relative, text.encode(encoding))

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self._target(relative)
        try:
            if not _NO_FOLLOW and os.path.islink(path):
                raise OSError(errno.ELOOP, "a link", path)
            _write(path, data, _NO_FOLLOW)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            # A link where the file goes: follow it, if it stays inside the output folder.
            path = str(self._resolved_path(relative))
            _write(path, data, 0)
            return Path(path)
        return self._written_path(path)

    def _written_path(self, path: str) -> Path:
        """``Path(path)`` for a path ``_target`` made: its folder's ``Path`` (made once per folder)
        and the file's plain name, rather than the whole path parsed again for each file."""
        head, name = os.path.split(path)
        folder = self._folder_paths.get(head)
        if folder is None:
            folder = self._folder_paths[head] = Path(head)
        return folder / name

    @cached_property
    def _folder_paths(self) -> dict[str, Path]:
        return {}


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # opening a link fails (ELOOP) rather than following it


def _write(path: str, data: bytes, flags: int) -> None:
    """The file's whole content, with three system calls (open, write, close) where a file object
    also asks for the file's status and whether it is a terminal: a render writes thousands."""
    descriptor = os.open(
        path,
        os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | flags,
        0o666,
    )
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)
