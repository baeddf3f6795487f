"""The real places that generated scenarios are built from: partner countries with two cities
each (real coordinates of the city centres, IANA zones) and the per diem of each country.

Countries come in the order a programme like ATHENA 2 or the ILECU network would add them:
the beneficiary states first, then their neighbours. Austria is always there as the home of
the implementing organisation; the Netherlands and France host Europol and INTERPOL, the usual
study-visit destinations.

Per diem: the figures of the shipped table (``scheduler.scenario.rates``, Commission Decision
C(2024)5405) where it has the country; for the other countries an illustrative figure of the
same order, written explicitly into each generated scenario (benchmarks need plausible
amounts, not the published ones, and the scenario file says so).
"""

from __future__ import annotations

from scheduler.scenario.rates import EU_PER_DIEM_2024

# country -> ((city id, city, zone, lat, lon), second city), in the order partners are added.
PARTNERS: dict[str, tuple[tuple[str, str, str, float, float], ...]] = {
    "RO": (
        ("bucharest", "Bucharest", "Europe/Bucharest", 44.4268, 26.1025),
        ("cluj-napoca", "Cluj-Napoca", "Europe/Bucharest", 46.7712, 23.6236),
    ),
    "BG": (
        ("sofia", "Sofia", "Europe/Sofia", 42.6977, 23.3219),
        ("varna", "Varna", "Europe/Sofia", 43.2141, 27.9147),
    ),
    "IT": (
        ("rome", "Rome", "Europe/Rome", 41.9028, 12.4964),
        ("milan", "Milan", "Europe/Rome", 45.4642, 9.1900),
    ),
    "SI": (
        ("ljubljana", "Ljubljana", "Europe/Ljubljana", 46.0569, 14.5058),
        ("maribor", "Maribor", "Europe/Ljubljana", 46.5547, 15.6459),
    ),
    "LV": (
        ("riga", "Riga", "Europe/Riga", 56.9496, 24.1052),
        ("daugavpils", "Daugavpils", "Europe/Riga", 55.8748, 26.5362),
    ),
    "MT": (
        ("valletta", "Valletta", "Europe/Malta", 35.8989, 14.5146),
        ("birkirkara", "Birkirkara", "Europe/Malta", 35.8972, 14.4611),
    ),
    "MD": (
        ("chisinau", "Chișinău", "Europe/Chisinau", 47.0105, 28.8638),
        ("balti", "Bălți", "Europe/Chisinau", 47.7615, 27.9290),
    ),
    "HU": (
        ("budapest", "Budapest", "Europe/Budapest", 47.4979, 19.0402),
        ("debrecen", "Debrecen", "Europe/Budapest", 47.5316, 21.6273),
    ),
    "RS": (
        ("belgrade", "Belgrade", "Europe/Belgrade", 44.7866, 20.4489),
        ("novi-sad", "Novi Sad", "Europe/Belgrade", 45.2671, 19.8335),
    ),
    "MK": (
        ("skopje", "Skopje", "Europe/Skopje", 41.9981, 21.4254),
        ("bitola", "Bitola", "Europe/Skopje", 41.0297, 21.3292),
    ),
    "GE": (
        ("tbilisi", "Tbilisi", "Asia/Tbilisi", 41.7151, 44.8271),
        ("batumi", "Batumi", "Asia/Tbilisi", 41.6168, 41.6367),
    ),
    "UA": (
        ("kyiv", "Kyiv", "Europe/Kyiv", 50.4501, 30.5234),
        ("lviv", "Lviv", "Europe/Kyiv", 49.8397, 24.0297),
    ),
    "HR": (
        ("zagreb", "Zagreb", "Europe/Zagreb", 45.8150, 15.9819),
        ("split", "Split", "Europe/Zagreb", 43.5081, 16.4402),
    ),
    "GR": (
        ("athens", "Athens", "Europe/Athens", 37.9838, 23.7275),
        ("thessaloniki", "Thessaloniki", "Europe/Athens", 40.6401, 22.9444),
    ),
    "AL": (
        ("tirana", "Tirana", "Europe/Tirane", 41.3275, 19.8187),
        ("durres", "Durrës", "Europe/Tirane", 41.3246, 19.4565),
    ),
    "BA": (
        ("sarajevo", "Sarajevo", "Europe/Sarajevo", 43.8563, 18.4131),
        ("banja-luka", "Banja Luka", "Europe/Sarajevo", 44.7722, 17.1910),
    ),
    "ME": (
        ("podgorica", "Podgorica", "Europe/Podgorica", 42.4304, 19.2594),
        ("bar", "Bar", "Europe/Podgorica", 42.0931, 19.1003),
    ),
    "PL": (
        ("warsaw", "Warsaw", "Europe/Warsaw", 52.2297, 21.0122),
        ("krakow", "Kraków", "Europe/Warsaw", 50.0647, 19.9450),
    ),
    "SK": (
        ("bratislava", "Bratislava", "Europe/Bratislava", 48.1486, 17.1077),
        ("kosice", "Košice", "Europe/Bratislava", 48.7164, 21.2611),
    ),
    "LT": (
        ("vilnius", "Vilnius", "Europe/Vilnius", 54.6872, 25.2797),
        ("kaunas", "Kaunas", "Europe/Vilnius", 54.8985, 23.9036),
    ),
    "CZ": (
        ("prague", "Prague", "Europe/Prague", 50.0755, 14.4378),
        ("brno", "Brno", "Europe/Prague", 49.1951, 16.6068),
    ),
    "EE": (
        ("tallinn", "Tallinn", "Europe/Tallinn", 59.4370, 24.7536),
        ("tartu", "Tartu", "Europe/Tallinn", 58.3780, 26.7290),
    ),
    "DE": (
        ("berlin", "Berlin", "Europe/Berlin", 52.5200, 13.4050),
        ("wiesbaden", "Wiesbaden", "Europe/Berlin", 50.0782, 8.2398),
    ),
}

# The implementing organisation and the two agencies that host study visits.
HUB = ("vienna", "Vienna", "Europe/Vienna", 48.2082, 16.3738, "AT")
AGENCIES = (
    ("the-hague", "The Hague", "Europe/Amsterdam", 52.0705, 4.3007, "NL", "europol-hq", "Europol Headquarters"),
    ("lyon", "Lyon", "Europe/Paris", 45.7640, 4.8357, "FR", "interpol-gs", "INTERPOL General Secretariat"),
)

# EUR per night for countries the shipped table does not list (illustrative, see the docstring).
ILLUSTRATIVE_PER_DIEM = {
    "BG": 227,
    "IT": 230,
    "SI": 180,
    "LV": 211,
    "MT": 205,
    "HR": 180,
    "GR": 222,
    "AL": 180,
    "BA": 180,
    "ME": 190,
    "PL": 222,
    "SK": 205,
    "LT": 183,
    "CZ": 208,
    "EE": 181,
    "DE": 208,
}


def per_diem_euros(country: str) -> int:
    return EU_PER_DIEM_2024.get(country) or ILLUSTRATIVE_PER_DIEM[country]


THEMES = (
    "cyber",
    "drugs",
    "trafficking",
    "smuggling",
    "firearms",
    "financial",
    "border",
    "analysis",
    "documents",
    "vehicles",
    "environment",
    "corruption",
    "terrorism",
    "cultural-goods",
    "excise",
    "maritime",
)

FIRST_NAMES = (
    "Ana", "Ion", "Elena", "Mihai", "Maria", "Petar", "Ivana", "Marko", "Nino", "Giorgi", "Olena", "Dmytro",
    "Jana", "Tomas", "Laura", "Paolo", "Giulia", "Luka", "Eva", "Andrei", "Sofia", "Nikola", "Irina", "Janis",
)  # fmt: skip
LAST_NAMES = (
    "Popescu", "Ionescu", "Petrov", "Dimitrova", "Rossi", "Bianchi", "Novak", "Horvat", "Berzins", "Borg",
    "Rusu", "Nagy", "Jovanovic", "Stojanovski", "Beridze", "Shevchenko", "Kovac", "Papadopoulos", "Hoxha",
    "Kowalski", "Kazlauskas", "Dvorak", "Tamm", "Weber",
)  # fmt: skip
