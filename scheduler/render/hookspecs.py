"""The plugin contract: every hook scheduler calls, in one module.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match the
specifications below; scheduler finds installed plugins through the entry-point group
``scheduler.plugins`` (the project name of the plugin manager is ``scheduler``). The built-in
formats are registered through the same entry points as a third-party plugin.

Plugin authors write::

    from scheduler import OutputFormat, hookimpl

    @hookimpl
    def register_output_formats():
        return [OutputFormat("xlsx", "The schedule as an Excel workbook", render_xlsx)]
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("scheduler")
hookimpl = pluggy.HookimplMarker("scheduler")


# --- set-up: called once when the plugin manager has loaded every plugin -----------------------


@hookspec
def register_output_formats():
    """Contribute output formats.

    Called once per command (``solve``, ``render``, ``formats``), after every plugin is loaded and
    before anything is rendered. Takes no arguments. Returns a list of ``scheduler.OutputFormat``
    (name, description, render function). The results of all plugins are concatenated; two formats
    with the same name are an error that names both plugins. Formats run in name order.
    """


# --- rendering: called once per run of ``solve`` or ``render`` -----------------------------------


@hookspec
def prepare_render(context):
    """Inspect or amend the shared render context before any format runs.

    Called once per ``solve`` or ``render``, after ``plan.json`` is written into the (temporary)
    output folder and before the first format's render function. ``context`` is the
    ``scheduler.RenderContext`` every format will receive (plan, scenario, folder, options); a
    plugin may add entries to ``context.extra`` for its formats. Returns nothing; every
    implementation is called.
    """
