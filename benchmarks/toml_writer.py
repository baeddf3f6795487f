"""A small TOML writer for generated scenarios: top-level tables, arrays of tables, and inline
values (strings, integers, floats, booleans, dates, lists and inline tables).

Python's standard library reads TOML but does not write it; scenarios need only this subset.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: Any) -> str:
    k = str(k)
    return k if k.replace("-", "").replace("_", "").isalnum() and k.isascii() else json.dumps(k)


def toml_text(tables: dict[str, Any]) -> str:
    """``{name: dict}`` becomes ``[name]``, ``{name: [dict, ...]}`` becomes ``[[name]]`` entries."""
    out = []
    for name, body in tables.items():
        if isinstance(body, dict):
            out.append(f"[{name}]")
            out += [f"{_key(k)} = {value(v)}" for k, v in body.items()]
            out.append("")
        else:
            for item in body:
                out.append(f"[[{name}]]")
                out += [f"{_key(k)} = {value(v)}" for k, v in item.items()]
                out.append("")
    return "\n".join(out)
