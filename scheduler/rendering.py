"""What an output format receives and returns: ``OutputFormat`` and ``RenderContext``.

A format's render function takes one ``RenderContext`` (the plan, the scenario, the output
folder, options) and returns the paths of the files it wrote, all inside ``context.folder``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scheduler.domain import Scenario
from scheduler.plan import Plan


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

    @cached_property
    def templates(self):
        """A Jinja2 environment: the user's ``--templates`` folder first, then the built-ins."""
        from scheduler.templating import environment

        return environment(self.templates_dir)

    def render_template(self, name: str, **values: Any) -> str:
        return self.templates.get_template(name).render(**values)

    def path(self, relative: str) -> Path:
        """The path of a file inside the output folder; refuses anything that would leave it."""
        return Path(self._target(relative))

    def _target(self, relative: str) -> str:
        """``path`` as a string. A render writes thousands of files into a few folders: each
        folder is resolved, checked and created once (``_folders``), and a file's own name is
        checked without resolving its whole path again (unless it is a link, or not a name)."""
        head, name = os.path.split(relative)
        if name in ("", ".", "..") or os.path.isabs(relative):
            return str(self._resolved_path(relative))
        known = self._folders.get(head)
        if known is None or known[0] is not self.folder:
            known = self._folders[head] = (self.folder, str(self._resolved_path(os.path.join(head, "file")).parent))
        path = os.path.join(known[1], name)
        if os.path.islink(path):
            return str(self._resolved_path(relative))
        return path

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
        path = self._target(relative)
        with open(path, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        return Path(path)

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self._target(relative)
        with open(path, "wb") as stream:
            stream.write(data)
        return Path(path)
