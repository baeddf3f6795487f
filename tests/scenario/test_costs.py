"""How money is counted, with amounts worked out by hand for real journeys.

Each case is computed in the comments from the spec's rules and the published tables (EU
external-action per diem, Commission Decision C(2024)5405; Erasmus+ 2025 distance bands), then
checked twice: through ``scheduler.scenario.costs`` directly and through a solved ``plan.json``.
"""

from __future__ import annotations

import math

import pytest

from scheduler.scenario.costs import CostTable, distance_km, nights_away, travel_cents
from scheduler.scenario.loader import load
from tests.support.plan_checker import expected_costs, read_world
from tests.support.plan_checker import travel_cents as travel_by_checker
from tests.support.scenarios import event, person, scenario, venue


def hand_haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The textbook formula, written out here so the test does not trust the code under test."""
    (lat1, lon1), (lat2, lon2) = a, b
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


CHISINAU = (47.0105, 28.8638)
LYON = (45.7640, 4.8357)
TBILISI = (41.7151, 44.8271)
THE_HAGUE = (52.0705, 4.3007)


def test_chisinau_to_lyon_is_in_the_1999_km_band():
    # Δφ = 45.7640 − 47.0105 = −1.2465°, Δλ = 4.8357 − 28.8638 = −24.0281°
    # sin²(Δφ/2) = 0.00011832; cos φ1 · cos φ2 = 0.68186 · 0.69762; sin²(Δλ/2) = 0.04332707
    # h = 0.00011832 + 0.68186 · 0.69762 · 0.04332707 = 0.02072810
    # d = 2 · 6371.0 · asin(√h) = 2 · 6371.0 · 0.14447464 = 1840.90 km
    assert hand_haversine(CHISINAU, LYON) == pytest.approx(1840.90, abs=0.01)
    # Erasmus+ 2025: 500–1999 km is the band [1999, 309].


def scenario_for_costs(rates=None, **event_fields) -> str:
    return scenario(
        rates=rates,
        cities=["chisinau", "lyon", "tbilisi", "the-hague", "bucharest"],
        venues=[venue("interpol", "lyon", cost_per_day=150), venue("europol", "the-hague")],
        people=[
            person("md-1", "chisinau"),
            person("ge-1", "tbilisi"),
            person("fr-host", "lyon"),  # local at Lyon
            person("md-donor", "chisinau", funded=False),
        ],
        events=[
            event(
                "sv-lyon",
                ["interpol"],
                kind="study_visit",
                duration_days=2,
                travel_days_before=1,
                travel_days_after=1,
                attendees=["md-1", "fr-host", "md-donor"],
                window="2024-06-03/2024-06-28",
                costs={"interpretation": 1200.5},
                **event_fields,
            ),
            event("sv-hague", ["europol"], kind="study_visit", duration_days=2, attendees=["ge-1"]),
        ],
    )


@pytest.fixture
def costs(write_scenario):
    def build(text: str):
        s = load(write_scenario(text))
        return s, CostTable(s)

    return build


def test_chisinau_to_lyon_by_distance_band(costs):
    s, table = costs(scenario_for_costs())
    sv = s.events["sv-lyon"]
    assert distance_km(s.locations["chisinau"], s.locations["lyon"]) == pytest.approx(1840.90, abs=0.01)
    # days away = 1 + 2 + 1 = 4, nights = 3
    assert nights_away(sv) == 3
    cost = table.attendee(s.people["md-1"], sv, "interpol")
    # travel: band [1999, 309] → 309.00; per diem FR 282 × 3 nights = 846.00; no accommodation rate
    assert dict(cost) == {"travel": 309_00, "per_diem": 846_00}


def test_a_local_attendee_and_an_unfunded_one_cost_nothing(costs):
    s, table = costs(scenario_for_costs())
    sv = s.events["sv-lyon"]
    assert sum(table.attendee(s.people["fr-host"], sv, "interpol").values()) == 0
    assert sum(table.attendee(s.people["md-donor"], sv, "interpol").values()) == 0


def test_tbilisi_to_the_hague_by_explicit_fare_either_direction(costs):
    # Great-circle distance 3237.5 km: the band would be [3999, 580]; the fare of 640 wins.
    assert hand_haversine(TBILISI, THE_HAGUE) == pytest.approx(3237.53, abs=0.01)
    fares = {"fares": [{"from": "the-hague", "to": "tbilisi", "amount": 640}]}  # written the other way round
    s, table = costs(scenario_for_costs(rates=fares))
    hague = s.events["sv-hague"]
    # days away = 1 + 2 + 0 = 3, nights = 2; per diem NL 269 × 2 = 538.00
    assert dict(table.attendee(s.people["ge-1"], hague, "europol")) == {"travel": 640_00, "per_diem": 538_00}
    assert travel_cents(s.rates, s.locations["tbilisi"], s.locations["the-hague"]) == 640_00
    # Without the fare: the 3999 km band.
    s, table = costs(scenario_for_costs())
    assert table.attendee(s.people["ge-1"], s.events["sv-hague"], "europol")["travel"] == 580_00


def test_accommodation_only_where_the_scenario_pays_hotels_apart(costs):
    s, table = costs(scenario_for_costs())
    assert s.rates.accommodation is None
    assert "accommodation" not in table.attendee(s.people["md-1"], s.events["sv-lyon"], "interpol")
    # 95.50 a night × 3 nights = 286.50; the per diem stays the shipped FR 282 × 3.
    s, table = costs(scenario_for_costs(rates={"accommodation": {"FR": 95.5, "NL": 0}}))
    cost = table.attendee(s.people["md-1"], s.events["sv-lyon"], "interpol")
    assert dict(cost) == {"travel": 309_00, "per_diem": 846_00, "accommodation": 286_50}


def test_green_travel_bands(costs):
    # Erasmus+ 2025 green travel, 500–1999 km: 417 instead of 309.
    s, table = costs(scenario_for_costs(rates={"distance_bands": "green"}))
    assert table.attendee(s.people["md-1"], s.events["sv-lyon"], "interpol")["travel"] == 417_00


def test_a_journey_under_10_km_is_band_0_but_the_per_diem_is_paid(costs, write_scenario):
    # Bucharest centre (44.4268, 26.1025) to a training centre at (44.4800, 26.1000):
    # Δφ = 0.0532° → 5.92 km < 9 km: band [9, 0]. The home is another location than the venue's,
    # so the person is not local: per diem RO 198 × 1 night (1 + 1 + 0 − 1).
    assert hand_haversine((44.4268, 26.1025), (44.4800, 26.1000)) == pytest.approx(5.92, abs=0.01)
    north = {
        "id": "bucharest-north",
        "city": "Bucharest",
        "country": "RO",
        "timezone": "Europe/Bucharest",
        "lat": 44.48,
        "lon": 26.1,
    }
    text = scenario(
        locations=[north],
        venues=[venue("centre", "bucharest-north")],
        people=[person("ro-1", "bucharest")],
        events=[event("t", ["centre"], attendees=["ro-1"])],
    )
    s = load(write_scenario(text))
    assert dict(CostTable(s).attendee(s.people["ro-1"], s.events["t"], "centre")) == {"travel": 0, "per_diem": 198_00}


def test_a_solved_plan_counts_the_same_amounts(solve_toml, write_scenario):
    text = scenario_for_costs(rates={"accommodation": {"FR": 95.5, "NL": 0}})
    plan, code, output = solve_toml(text)
    assert code == 0, output
    lyon = next(o for o in plan["occurrences"] if o["id"] == "sv-lyon-1")
    # md-1: 309 + 846 + 286.50; fr-host and md-donor: 0; venue 150 × 2 = 300; interpretation 1,200.50
    assert lyon["cost"] == {
        "travel": 309.0,
        "per_diem": 846.0,
        "accommodation": 286.5,
        "venue": 300.0,
        "interpretation": 1200.5,
        "total": 2942.0,
    }
    hague = next(o for o in plan["occurrences"] if o["id"] == "sv-hague-1")
    # ge-1: band 580 + NL 269 × 2 = 538; accommodation NL 0; the venue is free
    assert hague["cost"]["total"] == 1118.0
    assert plan["budget"]["total"] == 2942.0 + 1118.0
    assert plan["budget"]["categories"]["travel"]["total"] == 309.0 + 580.0
    assert plan["budget"]["categories"]["interpretation"]["total"] == 1200.5
    assert plan["budget"]["years"] == {"2024": {"total": 4060.0}}
    assert plan["solver"]["objective"][2] == 406000
    # The checker's own cost model agrees (solve_toml also ran the whole check).
    path = write_scenario(text)
    assert expected_costs(path, plan)["total"] == 406000


def test_ilecu_costs_match_the_checker(ilecu_path, ilecu_plan):
    expected = expected_costs(ilecu_path, ilecu_plan)
    assert round(ilecu_plan["budget"]["total"] * 100) == expected["total"]
    # The project's explicit Tbilisi–The Hague fare (640) replaces the 3999 km band (580).
    world = read_world(ilecu_path)
    assert travel_by_checker(world, "tbilisi", "the-hague") == 640_00
    assert travel_by_checker(world, "the-hague", "tbilisi") == 640_00
    hague = next(o for o in ilecu_plan["occurrences"] if o["id"] == "sv-europol-1")
    travellers = {a["person"] for a in hague["attendees"]}
    assert "ge-ilecu-1" in travellers or "ge-ilecu-2" in travellers or "ge-ilecu-3" in travellers
    assert round(hague["cost"]["travel"] * 100) == sum(
        travel_by_checker(world, world.people[p]["home"], "the-hague") for p in travellers
    )
