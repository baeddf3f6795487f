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
    env.template_class = _template_class()
    return env


def _template_class():
    """Jinja's ``Template``, but a render's context starts from the template's globals copied
    once into a dict instead of from the ``ChainMap`` of the template's and the environment's
    globals, which Jinja copies key by key for every render (a large plan renders its templates
    tens of thousands of times). The copy is made again where either map has gained or lost a
    name since; an environment whose globals are changed in place after its templates rendered
    (none of ours) is not supported."""
    from collections import ChainMap

    import jinja2
    from jinja2.runtime import new_context

    class Template(jinja2.Template):
        def new_context(self, vars=None, shared=False, locals=None):  # noqa: A002 - Jinja's names
            names = self.globals
            if not isinstance(names, ChainMap):
                return super().new_context(vars, shared, locals)
            sizes = tuple(len(layer) for layer in names.maps)
            flat = self.__dict__.get("_flat_globals")
            if flat is None or flat[0] != sizes:
                flat = self._flat_globals = (sizes, dict(names))
            return new_context(self.environment, self.name, self.blocks, vars, shared, flat[1], locals)

    return Template


# Names under which the plugins hand a template its language's ``gettext`` (see plugins.invitations).
GETTEXT_NAMES = ("_", "gettext")


def translated_template(env, name: str, catalog: str, gettext):
    """``env.get_template(name)`` for readers of one language: each ``_("words")`` (or
    ``gettext("words")``) whose argument is a constant replaced by ``gettext("words")``.

    The invitation templates call ``_()`` a dozen times each, and a large plan renders them tens of
    thousands of times, each call going through Jinja's call protocol: translating once per
    template and catalog saves that, with the same output, provided the template is rendered with
    ``_`` and ``gettext`` being a ``gettext`` of this catalog (the caller's promise; ``catalog``
    names the words, e.g. a language code, and is the key: ``gettext`` is used for the first
    template of each name and catalog). A template (the user's own included, from
    ``--templates``) that binds ``_`` or ``gettext`` itself (``set``, ``for``, ``with``, a macro's
    argument, an import) is left as it is. Errors in a template come from ``get_template`` first,
    as they would without this."""
    plain = env.get_template(name)
    kept: dict = env.__dict__.setdefault("_scheduler_translated", {})
    found = kept.get((name, catalog))
    if found is not None:
        return found
    source, filename, _uptodate = env.loader.get_source(env, name)
    tree = env.parse(source, name, filename)
    template = plain
    if not _binds_gettext(tree):
        tree = _translator(gettext).visit(tree)
        tree.set_environment(env)
        template = env.template_class.from_code(env, env.compile(tree, name, filename), env.make_globals(None), None)
    kept[(name, catalog)] = template
    return template


def _binds_gettext(tree) -> bool:
    from jinja2 import nodes

    for node in tree.find_all((nodes.Name, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Name) and node.ctx != "load" and node.name in GETTEXT_NAMES:
            return True
        if isinstance(node, nodes.Import) and node.target in GETTEXT_NAMES:
            return True
        if isinstance(node, nodes.FromImport):
            for item in node.names:
                if (item[1] if isinstance(item, tuple) else item) in GETTEXT_NAMES:
                    return True
    return False


def _translator(gettext):
    from jinja2 import nodes
    from jinja2.visitor import NodeTransformer

    class Translator(NodeTransformer):
        """Replaces ``_("constant")`` and ``gettext("constant")`` by the translation, a constant."""

        def visit_Call(self, node):  # noqa: N802 - Jinja's visitor naming
            node = self.generic_visit(node)
            if (
                isinstance(node.node, nodes.Name)
                and node.node.name in GETTEXT_NAMES
                and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
                and not node.kwargs
                and node.dyn_args is None
                and node.dyn_kwargs is None
            ):
                return nodes.Const(gettext(node.args[0].value), lineno=node.lineno)
            return node

    return Translator()
