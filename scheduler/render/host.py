"""The plugin manager: loads the ``scheduler.plugins`` entry points and runs the output formats."""

from __future__ import annotations

import os
from pathlib import Path

import pluggy

from scheduler.errors import UsageError
from scheduler.render import hookspecs
from scheduler.render.context import OutputFormat, RenderContext
from scheduler.render.pool import drive, failed_before, stages_of

ENTRY_POINT_GROUP = "scheduler.plugins"


class PluginError(UsageError):
    """A plugin that cannot be loaded, or a format that failed; names the plugin and the format."""


def plugin_manager() -> pluggy.PluginManager:
    """A fresh manager with every installed plugin (built-ins included) loaded."""
    manager = pluggy.PluginManager("scheduler")
    manager.add_hookspecs(hookspecs)
    from importlib.metadata import entry_points

    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if manager.get_plugin(entry_point.name) is not None:
            continue
        try:
            plugin = entry_point.load()
        except Exception as error:  # noqa: BLE001 - any import failure of a third-party package
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}) cannot be loaded: {type(error).__name__}: {error}"
            ) from error
        try:
            manager.register(plugin, name=entry_point.name)
        except Exception as error:  # noqa: BLE001 - pluggy's validation errors
            raise PluginError(f"plugin {entry_point.name!r} cannot be registered: {error}") from None
    return manager


def output_formats(manager: pluggy.PluginManager) -> dict[str, OutputFormat]:
    """Every format by name, in name order."""
    found: dict[str, OutputFormat] = {}
    # Ask pluggy for the registered implementations (not getattr on each plugin), so hookimpls with
    # specname= count and unmarked functions of the same name do not.
    impls = sorted(manager.hook.register_output_formats.get_hookimpls(), key=lambda impl: impl.plugin_name or "")
    for impl in impls:
        plugin_name = impl.plugin_name
        try:
            formats = impl.function() or []
        except Exception as error:  # noqa: BLE001
            raise PluginError(
                f"plugin {plugin_name!r} failed to register its formats: {type(error).__name__}: {error}"
            ) from error
        for fmt in formats:
            if not isinstance(fmt, OutputFormat):
                raise PluginError(f"plugin {plugin_name!r} registered {fmt!r}, which is not a scheduler.OutputFormat")
            if fmt.name in found:
                raise PluginError(
                    f"format {fmt.name!r} is registered by both {found[fmt.name].plugin!r} and {plugin_name!r}"
                )
            found[fmt.name] = OutputFormat(fmt.name, fmt.description, fmt.render, plugin_name)
    return dict(sorted(found.items()))


def select(formats: dict[str, OutputFormat], names: tuple[str, ...]) -> list[OutputFormat]:
    from scheduler.scenario.fields import suggest

    if not names:
        return list(formats.values())
    chosen = []
    for name in names:
        if name not in formats:
            raise UsageError(f"unknown format {name!r}{suggest(name, formats)}; `scheduler formats` lists them")
        if formats[name] not in chosen:
            chosen.append(formats[name])
    return chosen


def render_all(manager: pluggy.PluginManager, chosen: list[OutputFormat], context: RenderContext) -> list[Path]:
    """Run ``prepare_render`` and then the chosen formats; returns every file written, format by
    format in the order of ``chosen``.

    Formats run at the same time (``scheduler.render.pool``): the built-ins' work on worker
    processes, every other format in this process, one after the other in the order of ``chosen``.
    A format that fails is reported as if the formats had run one after the other: the first one
    in ``chosen`` that fails (a plugin's ``UsageError`` as it is, anything else as a
    ``PluginError`` naming the format and its plugin)."""
    try:
        manager.hook.prepare_render(context=context)
    except Exception as error:  # noqa: BLE001
        culprit = _failed_plugin(manager.hook.prepare_render.get_hookimpls(), error)
        raise PluginError(f"{culprit}'s prepare_render failed: {type(error).__name__}: {error}") from error
    order = [fmt.name for fmt in chosen]
    outcomes: dict[str, list | BaseException] = {}
    staged = {fmt.name: stages_of(fmt.render) for fmt in chosen if stages_of(fmt.render) is not None}

    def run_plain_formats() -> None:
        for fmt in chosen:
            if fmt.name in staged or failed_before(fmt.name, outcomes, order):
                continue
            try:
                outcomes[fmt.name] = fmt.render(context) or []
            except Exception as error:  # noqa: BLE001 - a plugin's bug must not look like ours
                outcomes[fmt.name] = error

    generators = {name: stages(context) for name, stages in staged.items()}
    drive(context, generators, outcomes, while_waiting=run_plain_formats, order=order)
    written: list[Path] = []
    inside = _InsideCheck(context.folder)
    for fmt in chosen:
        files = outcomes[fmt.name]
        if isinstance(files, UsageError):
            raise files
        if isinstance(files, BaseException):
            raise PluginError(
                f"format {fmt.name!r} (plugin {fmt.plugin!r}) failed: {type(files).__name__}: {files}"
            ) from files
        for path in files:
            if not inside(path):
                raise PluginError(
                    f"format {fmt.name!r} (plugin {fmt.plugin!r}) wrote {path}, outside the output folder"
                )
        written.extend(p if type(p) is _PATH else Path(p) for p in files)
    return written


_PATH = type(Path())  # what Path() makes here (PosixPath): such paths are taken as they are


class _InsideCheck:
    """Whether a written path is inside the output folder once every link is followed.

    A format writes thousands of files into thousands of folders: a folder is inside when its
    parent is and its own name in the parent is not a link, and only otherwise resolved in full
    (resolving each folder in full looks at every folder above it, again and again); which names of a
    folder are links is read once per folder (``os.scandir``). A file is inside when its folder
    is and its name there is not a link; a link, or anything that is not a plain name, is
    resolved in full."""

    def __init__(self, folder: Path) -> None:
        self.root = folder.resolve()
        self.folders: dict[str, bool] = {}
        self.links: dict[str, frozenset[str]] = {}

    def __call__(self, path) -> bool:
        text = os.fspath(path)
        head, name = os.path.split(text)
        if os.path.isabs(text) and name not in ("", ".", "..") and self._inside(head) and not self._link(head, name):
            return True
        return Path(text).resolve().is_relative_to(self.root)

    def _inside(self, folder: str) -> bool:
        inside = self.folders.get(folder)
        if inside is None:
            parent, name = os.path.split(folder)
            if (
                parent != folder
                and name not in ("", ".", "..")
                and self._inside(parent)
                and not self._link(parent, name)
            ):
                inside = True
            else:
                inside = Path(folder).resolve().is_relative_to(self.root)
            self.folders[folder] = inside
        return inside

    def _link(self, folder: str, name: str) -> bool:
        """Whether ``name`` in ``folder`` is a link (False where the folder cannot be read: nothing
        in it is then a link either, as ``os.path.islink`` would say)."""
        links = self.links.get(folder)
        if links is None:
            try:
                with os.scandir(folder) as entries:
                    links = frozenset(entry.name for entry in entries if entry.is_symlink())
            except OSError:
                links = frozenset()
            self.links[folder] = links
        return name in links


def _failed_plugin(impls, error: BaseException) -> str:
    """``plugin 'name'`` of the hook implementation the exception came through, else ``a plugin``."""
    codes = {getattr(impl.function, "__code__", None): impl.plugin_name for impl in impls}
    traceback, culprit = error.__traceback__, "a plugin"
    while traceback is not None:
        if traceback.tb_frame.f_code in codes:
            culprit = f"plugin {codes[traceback.tb_frame.f_code]!r}"
        traceback = traceback.tb_next
    return culprit
