"""scheduler: plans the events of international cooperation projects.

Conferences, study visits, workshops, trainings and steering committees are placed across partner
countries under budget and availability limits with a CP-SAT model; output formats are plugins.
Heavy modules (OR-Tools, icalendar, jinja2) are imported lazily so ``scheduler --help`` stays fast.

Plugin authors import ``hookimpl``, ``OutputFormat`` and ``RenderContext`` from here.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["OutputFormat", "RenderContext", "hookimpl", "__version__"]


def __getattr__(name: str):
    if name == "hookimpl":
        from scheduler.render.hookspecs import hookimpl

        return hookimpl
    if name in ("OutputFormat", "RenderContext"):
        from scheduler.render import context as rendering

        return getattr(rendering, name)
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
