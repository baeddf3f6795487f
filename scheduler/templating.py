"""Jinja2 environment for the built-in templates, with the user's overrides first.

Any template can be replaced by putting a file of the same name in the folder given with
``--templates DIR``. HTML and XML templates are autoescaped; text templates are not. An
environment serves one render (``RenderContext.templates``), in which the templates do not
change: it loads each once, rather than checking its file again every time it is used.
"""

from __future__ import annotations

from pathlib import Path


def environment(user_dir: Path | None = None):
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    # The templates are the package ``scheduler.templates`` (setup.cfg maps it from the top-level
    # templates/ folder), not a folder inside ``scheduler/``: load them from that package.
    loaders.append(jinja2.PackageLoader("scheduler.templates", "."))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "svg"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    return env
