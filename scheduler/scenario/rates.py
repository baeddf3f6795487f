"""Default cost rates: real published tables, used where a scenario leaves `[rates]` out.

Per diem: the European Commission's per diem rates for EC-funded external-action contracts, as
adapted by Commission Decision C(2024)5405 and applied to contracts concluded from 8 November
2024 (EUR per night away; the per diem covers accommodation, meals, local transport and sundry
expenses). Only the figures checked against that list are shipped; a venue country missing here
is an error at validation that asks for the rate, never a silent zero.

Travel: Erasmus+ Programme Guide (calls from 2025), "travel" unit costs per participant for a
round trip, by distance band computed with the European Commission's distance calculator (here:
great-circle distance). "standard" is the ordinary travel amount, "green" the higher amount for
sustainable means of transport.
"""

from __future__ import annotations

PER_DIEM_SOURCE = (
    "European Commission, per diem rates for external actions, Commission Decision C(2024)5405, "
    "applied from 8 November 2024"
)
DISTANCE_BANDS_SOURCE = "Erasmus+ Programme Guide 2025, travel unit costs ({variant} travel)"

# EUR per night away (whole euros).
EU_PER_DIEM_2024 = {
    "AT": 234,
    "FR": 282,
    "GE": 295,
    "HU": 184,
    "MD": 250,
    "MK": 210,
    "NL": 269,
    "RO": 198,
    "RS": 220,
    "UA": 270,
}

# [max km, round-trip EUR]; the first band whose max is at least the distance applies.
ERASMUS_2025_BANDS = {
    "standard": (
        (9, 0),
        (99, 28),
        (499, 211),
        (1999, 309),
        (2999, 395),
        (3999, 580),
        (7999, 1188),
        (20000, 1735),
    ),
    "green": (
        (9, 0),
        (99, 56),
        (499, 285),
        (1999, 417),
        (2999, 535),
        (3999, 785),
        (7999, 1188),
        (20000, 1735),
    ),
}


def default_per_diem_cents() -> dict[str, int]:
    return {country: euros * 100 for country, euros in EU_PER_DIEM_2024.items()}


def distance_bands_cents(variant: str) -> tuple[tuple[int, int], ...]:
    return tuple((km, euros * 100) for km, euros in ERASMUS_2025_BANDS[variant])
