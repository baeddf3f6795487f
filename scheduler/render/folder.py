"""Atomic output folders: everything is written into a temporary folder beside the target and
swapped into place at the end, so an interrupted or failed run leaves the previous folder as it was.

On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call, so at every instant the target path
holds either the complete old folder or the complete new one; elsewhere it is two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.errors import UsageError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def check_target(target: str | Path, keep: Iterable[str | Path] = ()) -> None:
    """Refuse an output folder whose replacement would lose something: a file, a folder that holds
    files but no ``plan.json`` (so it is not an earlier output: ``-o .`` or ``-o ~`` by mistake),
    the current folder or one above it, or a folder holding an input (``keep``: the scenario,
    ``--previous``, ``--templates``). Called before the solve too, so a long solve is not wasted."""
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder")
    resolved = target.resolve()
    if Path.cwd().resolve().is_relative_to(resolved):
        raise UsageError(
            f"{target}: is the current folder or holds it, and the output folder is replaced whole; "
            f"write into a folder of its own, e.g. -o {target / 'out'}"
        )
    for path in keep:
        if Path(path).resolve().is_relative_to(resolved):
            raise UsageError(
                f"{target}: holds {path}, and the output folder is replaced whole; write into a folder of its own"
            )
    if target.is_dir() and not (target / "plan.json").is_file() and any(target.iterdir()):
        raise UsageError(
            f"{target}: holds files but no plan.json, so it is not an earlier output, and the output folder "
            "is replaced whole; choose a new or empty folder"
        )


@contextmanager
def atomic_folder(target: str | Path, keep: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces ``target`` whole (see ``check_target``)."""
    target = Path(target).absolute()
    check_target(target, keep)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    except OSError as error:
        raise UsageError(f"{parent}: cannot write there: {error.strerror}") from None
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    os.chmod(work, 0o755)
    if not target.exists():
        os.rename(work, target)
        return
    if _exchange(work, target):
        shutil.rmtree(work, ignore_errors=True)  # now holds the previous output
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
    os.rmdir(old)
    os.rename(target, old)
    os.rename(work, target)
    shutil.rmtree(old, ignore_errors=True)


def write_text(folder: Path, relative: str, text: str) -> Path:
    """Write a UTF-8 file inside ``folder``; refuses any path that would leave it."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path
