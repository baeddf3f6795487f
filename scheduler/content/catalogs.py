"""The translation workflow for the participant-facing outputs, with babel's message APIs.

Run from a source checkout (editable install)::

    python -m scheduler.content.catalogs extract        # templates/locale/scheduler.pot from the sources
    python -m scheduler.content.catalogs init hu        # start templates/locale/hu/LC_MESSAGES/scheduler.po
    python -m scheduler.content.catalogs update         # merge new messages into every .po
    python -m scheduler.content.catalogs compile        # .po -> .mo (both are committed)
    python -m scheduler.content.catalogs check          # every message translated, every .mo current

Messages are the ``_()``/``gettext``/``ngettext`` calls in ``scheduler/content/*.py``, in the
plugins (``plugins/**/*.py``) and in the Jinja templates (``templates/*.j2``, ``templates/*.html``),
and strings marked with ``N_()``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import scheduler.content
import scheduler.plugins
import scheduler.templates
from scheduler import __version__
from scheduler.content.languages import DOMAIN

CONTENT_DIR = Path(scheduler.content.__path__[0])
PLUGINS_DIR = Path(scheduler.plugins.__path__[0])
TEMPLATES_DIR = Path(scheduler.templates.__path__[0])
LOCALE_DIR = TEMPLATES_DIR / "locale"
TEMPLATE_FILE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
JINJA = "jinja2.ext:babel_extract"
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "silent": "false"}


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC).replace(microsecond=0)


def sources() -> list[tuple[str, Path]]:
    """(extraction method, file) for every file that may hold messages, in a stable order."""
    found = [("python", path) for path in sorted(CONTENT_DIR.glob("*.py"))]
    found += [("python", path) for path in sorted(PLUGINS_DIR.rglob("*.py"))]
    for pattern in ("*.j2", "*.html"):
        # Only templates that translate anything: the others may use tags the extractor cannot parse.
        found += [(JINJA, p) for p in sorted(TEMPLATES_DIR.glob(pattern)) if "_(" in p.read_text(encoding="utf-8")]
    return found


def extract() -> Catalog:
    """Every message in the sources, with the places it comes from."""
    catalog = Catalog(project="scheduler", version=__version__, creation_date=_stamp(), fuzzy=False)
    for method, path in sources():
        options = JINJA_OPTIONS if method == JINJA else {}
        for lineno, message, comments, context in extract_from_file(method, str(path), KEYWORDS, options=options):
            catalog.add(
                message,
                None,
                [(_source_name(path), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _source_name(path: Path) -> str:
    """Where a message comes from, as the repository names the file (``plugins/ical.py``,
    ``scheduler/content/briefing.py``, ``templates/invitation.html``)."""
    for folder, name in ((CONTENT_DIR, "scheduler/content"), (PLUGINS_DIR, "plugins"), (TEMPLATES_DIR, "templates")):
        if path.is_relative_to(folder):
            return f"{name}/{path.relative_to(folder).as_posix()}"
    return path.name


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _read(path: Path) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, domain=DOMAIN)


def _write_po(path: Path, catalog: Catalog, **options) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        write_po(stream, catalog, width=100, sort_output=True, **options)


def compiled(catalog: Catalog) -> bytes:
    stream = io.BytesIO()
    write_mo(stream, catalog, use_fuzzy=False)
    return stream.getvalue()


def command_extract() -> None:
    _write_po(TEMPLATE_FILE, extract())
    print(f"wrote {TEMPLATE_FILE}")


def command_init(language: str) -> None:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        raise SystemExit(f"{path} exists; use `update`")
    catalog = Catalog(locale=language, domain=DOMAIN, project="scheduler", version=__version__, creation_date=_stamp())
    catalog.update(_read(TEMPLATE_FILE))
    _write_po(path, catalog)
    print(f"wrote {path}: translate its msgstr lines, then run `compile`")


def command_update() -> None:
    template = _read(TEMPLATE_FILE)
    for path in po_files():
        catalog = _read(path)
        catalog.update(template, update_header_comment=False)
        _write_po(path, catalog, ignore_obsolete=True)
        print(f"updated {path}")


def command_compile() -> None:
    for path in po_files():
        catalog = _read(path)
        problems = [(m.id, e) for m, errors in catalog.check() for e in errors]
        if problems:
            raise SystemExit(f"{path}: {problems}")
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        print(f"compiled {path.with_suffix('.mo')}")


def problems() -> list[str]:
    """What ``check`` finds wrong: untranslated, fuzzy or broken messages, stale ``.mo`` files."""
    found = []
    wanted = {m.id for m in extract() if m.id}
    for path in po_files():
        catalog = _read(path)
        if catalog.fuzzy:
            found.append(f"{path}: the header is marked fuzzy (review it, then remove the flag)")
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy:
                found.append(f"{path}: fuzzy: {message.id!r}")
            elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                found.append(f"{path}: untranslated: {message.id!r}")
        translated = {m.id for m in catalog if m.id}
        found += [f"{path}: missing (run extract and update): {m!r}" for m in sorted(wanted - translated, key=str)]
        found += [f"{path}: {m.id!r}: {e}" for m, errors in catalog.check() for e in errors]
        mo = path.with_suffix(".mo")
        if not mo.is_file() or mo.read_bytes() != compiled(catalog):
            found.append(f"{mo}: missing or older than {path.name} (run compile)")
    return found


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("extract", "init", "update", "compile", "check"):
        print(__doc__)
        return 2
    command = argv[0]
    if command == "init":
        if len(argv) != 2:
            print("usage: python -m scheduler.content.catalogs init LANGUAGE")
            return 2
        command_init(argv[1])
    elif command == "check":
        found = problems()
        print("\n".join(found) or "catalogs complete and compiled")
        return 1 if found else 0
    else:
        {"extract": command_extract, "update": command_update, "compile": command_compile}[command]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
