"""A small builder of scenario TOML text for tests.

Tests describe the few things their scenario is about (one event, two people, a venue) and take
the rest from a small world of real cities below. ``scenario(...)`` returns TOML text, written
with ``toml_text`` (a minimal TOML writer: tables, arrays of tables, inline tables, lists,
strings, numbers, booleans and dates), so what a test solves is exactly what a coordinator could
write.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

# Real coordinates (city centres), the same ones as examples/ilecu.toml.
CITIES: dict[str, tuple[str, str, str, float, float]] = {
    "bucharest": ("Bucharest", "RO", "Europe/Bucharest", 44.4268, 26.1025),
    "chisinau": ("Chișinău", "MD", "Europe/Chisinau", 47.0105, 28.8638),
    "belgrade": ("Belgrade", "RS", "Europe/Belgrade", 44.7866, 20.4489),
    "budapest": ("Budapest", "HU", "Europe/Budapest", 47.4979, 19.0402),
    "vienna": ("Vienna", "AT", "Europe/Vienna", 48.2082, 16.3738),
    "skopje": ("Skopje", "MK", "Europe/Skopje", 41.9981, 21.4254),
    "tbilisi": ("Tbilisi", "GE", "Asia/Tbilisi", 41.7151, 44.8271),
    "kyiv": ("Kyiv", "UA", "Europe/Kyiv", 50.4501, 30.5234),
    "lyon": ("Lyon", "FR", "Europe/Paris", 45.7640, 4.8357),
    "the-hague": ("The Hague", "NL", "Europe/Amsterdam", 52.0705, 4.3007),
}


def location(city_id: str) -> dict[str, Any]:
    city, country, zone, lat, lon = CITIES[city_id]
    return {"id": city_id, "city": city, "country": country, "timezone": zone, "lat": lat, "lon": lon}


def venue(venue_id: str, city_id: str, **fields: Any) -> dict[str, Any]:
    """A venue in ``city_id``: 40 seats, free unless ``cost_per_day`` says otherwise."""
    out = {
        "id": venue_id,
        "name": f"Venue {venue_id}",
        "location": city_id,
        "address": f"Main street 1, {CITIES[city_id][0] if city_id in CITIES else city_id}",
        "capacity": 40,
        "cost_per_day": 0,
    }
    out.update(fields)
    return out


def person(person_id: str, city_id: str, **fields: Any) -> dict[str, Any]:
    """A person living in ``city_id``, of that city's country, funded unless told otherwise."""
    out = {
        "id": person_id,
        "name": f"Person {person_id}",
        "email": f"{person_id}@example.org",
        "organisation": "Ministry of Interior",
        "country": CITIES[city_id][1],
        "home": city_id,
    }
    out.update(fields)
    return out


def event(event_id: str, venues: list[str], **fields: Any) -> dict[str, Any]:
    """A one-day workshop at one of ``venues``."""
    out = {"id": event_id, "kind": "workshop", "title": f"Event {event_id}", "duration_days": 1, "venues": venues}
    out.update(fields)
    return out


def scenario(
    *,
    events: list[dict[str, Any]],
    venues: list[dict[str, Any]],
    people: list[dict[str, Any]] = (),
    project: dict[str, Any] | None = None,
    budget: dict[str, Any] | None = None,
    rates: dict[str, Any] | None = None,
    cities: list[str] | None = None,
    locations: list[dict[str, Any]] = (),
) -> str:
    """The TOML text of a scenario; the project spans 2024 unless ``project`` says otherwise.

    Locations are the cities of ``CITIES`` that the venues and people use (or ``cities``), then
    ``locations`` (full location tables, for places not in ``CITIES``)."""
    base_project = {
        "id": "test",
        "name": "Test project",
        "start": dt.date(2024, 1, 1),
        "end": dt.date(2024, 12, 31),
        "currency": "EUR",
        "timezone": "Europe/Vienna",
        "organizer": {"name": "Project team", "email": "team@example.org"},
    }
    base_project.update(project or {})
    own = {loc["id"] for loc in locations}
    used = cities or sorted(({v["location"] for v in venues} | {p["home"] for p in people}) - own)
    data: dict[str, Any] = {"project": base_project, "budget": budget or {"total": 1_000_000}}
    if rates is not None:
        data["rates"] = rates
    data["locations"] = [location(c) for c in used] + list(locations)
    data["venues"] = list(venues)
    data["people"] = list(people)
    data["events"] = list(events)
    return toml_text(data)


# --- a minimal TOML writer --------------------------------------------------------------------


def toml_text(data: dict[str, Any]) -> str:
    """Tables become ``[name]``, lists of tables ``[[name]]``; anything deeper is inline."""
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines.extend(f"{_key(k)} = {_value(v)}" for k, v in value.items())
            lines.append("")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                lines.append(f"[[{key}]]")
                lines.extend(f"{_key(k)} = {_value(v)}" for k, v in entry.items())
                lines.append("")
        elif isinstance(value, list) and not value:
            lines.insert(0, f"{key} = []")
        else:
            lines.insert(0, f"{key} = {_value(value)}")
    return "\n".join(lines)


def _key(key: Any) -> str:
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() and text.isascii() else json.dumps(text)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")
