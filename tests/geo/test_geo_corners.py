"""Every Minneapolis and Saint Paul bus-stop corner geocodes to its stop, and corner edge cases.

The stops come from the bundled Metro Transit file (`bot/geo/data/src/metrotransit_stops_2013.csv.gz`): each
stop named "A & B" with two plain street names is a corner whose position we know to ~30 m. Its name is
geocoded in three written forms; the result must be a point within 100 m of the stop (an averaged merge of
two corners 230 m apart lands ~150 m from each). A name that is ambiguous as written (no direction: "4th St &
Hennepin Ave" is 4 St S or 4 St SE; "5 St & Broadway St" is in both cities) may resolve elsewhere only if the
geocoder says so with a lowered confidence, and `near` then picks the right one.
"""
from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict

import pytest

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.geo import load_gazetteer
from alertrelay.bot.geo.build import SRC_DIR
from alertrelay.bot.geo.normalise import display_street, parse_street

G = load_gazetteer()
TOL_M = 100.0
#: stop names that are not two plain streets: slashes (but "2 1/2 St NE"), building numbers, highways, ramps,
#: platforms, nodes
NOT_A_CORNER = re.compile(
    r"[/#()&-]|\b(?:bldg|hwy|highway|i|ramp|exit|node|station|stn|sta|platform|garage|transit|ctr|center|lot|"
    r"layover|entrance|door|gate|terminal|bay|arrive|depart)\b", re.I)


def _stop_corners(city: str) -> list[tuple[str, str, float, float]]:
    """(street 1, street 2, lat, lon): one row per corner name and place (stops within 300 m averaged)."""
    with gzip.open(SRC_DIR / "metrotransit_stops_2013.csv.gz") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))
    groups: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in rows:
        if r["city"] != city:
            continue
        s1, s2 = r["street_1"].strip(), r["street_2"].strip()
        if not s2 or NOT_A_CORNER.search(s1.replace(" 1/2 ", " ")) or NOT_A_CORNER.search(s2.replace(" 1/2 ", " ")):
            continue
        a, b = parse_street(s1), parse_street(s2)
        if not a or not b or a == b:
            continue
        groups[(s1, s2) if s1 < s2 else (s2, s1)].append((float(r["lat"]), float(r["lon"])))
    out = []
    for (s1, s2), pts in sorted(groups.items()):
        places: list[list[tuple[float, float]]] = []
        for p in pts:
            for pl in places:
                if haversine_m(p[0], p[1], pl[0][0], pl[0][1]) <= 300:
                    pl.append(p)
                    break
            else:
                places.append([p])
        for pl in places:
            out.append((s1, s2, sum(p[0] for p in pl) / len(pl), sum(p[1] for p in pl) / len(pl)))
    return out


STOP_CORNERS = {"MINNEAPOLIS": _stop_corners("MINNEAPOLIS"), "SAINT PAUL": _stop_corners("SAINT PAUL")}


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def chat_name(street: str, with_dir: bool) -> str:
    """How people write a data name: '46 St E' -> '46th St' or 'E 46th St'; 'Bloomington Av S' -> 'Bloomington Ave'."""
    base, typ, d = parse_street(street)
    words = []
    for w in base.split():
        if w.isdigit():
            words.append(_ordinal(int(w)))
        elif w.endswith("h") and w[:-1].isdigit():
            words.append(f"{w[:-1]} 1/2")
        else:
            words.append(w.capitalize())
    t = display_street("x", typ, "").split()[1:]
    s = " ".join(words + ["Ave" if x == "Av" else x for x in t])
    return f"{d.upper()} {s}" if with_dir and d else s


def written_forms(s1: str, s2: str) -> list[str]:
    return [f"{s1} & {s2}",                                              # as the stop is named
            f"{chat_name(s1, False)} & {chat_name(s2, False)}",          # "46th St & 45th Ave"
            f"{chat_name(s1, True)} and {chat_name(s2, True)}"]          # "E 46th St and S 45th Ave"


@pytest.mark.parametrize("city,at_least", [("MINNEAPOLIS", 1300), ("SAINT PAUL", 850)])
def test_every_bus_stop_corner_geocodes_to_its_stop(city, at_least):
    assert len(STOP_CORNERS[city]) > at_least
    wrong, via_near = [], []
    for s1, s2, lat, lon in STOP_CORNERS[city]:
        for text in written_forms(s1, s2):
            r = G.geocode(text)
            if r is not None and r.precision == "point" and haversine_m(r.lat, r.lon, lat, lon) <= TOL_M:
                continue
            rn = G.geocode(text, near=(lat, lon))
            near_ok = rn is not None and rn.precision == "point" and haversine_m(rn.lat, rn.lon, lat, lon) <= TOL_M
            if r is not None and r.confidence <= 0.8 and near_ok:
                via_near.append(text)   # ambiguous as written, and the geocoder said so
                continue
            got = "nothing" if r is None else f"{r.place} [{r.precision}, {r.confidence}] " \
                                              f"{haversine_m(r.lat, r.lon, lat, lon):.0f} m off"
            wrong.append(f"{text!r} -> {got}")
    assert not wrong, f"{len(wrong)} corners wrong:\n" + "\n".join(wrong[:30])
    # only forms written without directions are ambiguous, and few of them
    assert len(via_near) < 60, via_near


# ------------------------------------------------------------------ the two clustering bugs, by example
def test_swapped_numbers_are_two_corners():
    """'46 St E & 45 Av S' and '46 Av S & 45 St E' share the numbers but are 230 m apart."""
    r1 = G.geocode("ICE at 46th St & 45th Ave")
    r2 = G.geocode("ICE at 46th Ave & 45th St")
    assert r1.place == "46 St E & 45 Av S" and r2.place == "46 Av S & 45 St E"
    assert haversine_m(r1.lat, r1.lon, r2.lat, r2.lon) > 180
    assert G.geocode("migra en la 45 av y la 46 st").place == "46 St E & 45 Av S"


@pytest.mark.parametrize("text", ["25th St & 25th Ave", "E 25th St and S 25th Ave", "25 Av S & 25 St E",
                                  "la migra en la avenida 25 y la calle 25", "25th ave and 25th"])
def test_same_number_corner(text):
    r = G.geocode(text)
    assert r.place == "25 Av S & 25 St E" and r.precision == "point" and r.kind == "intersection", r


@pytest.mark.parametrize("text", ["25 y 25", "25th st and 25th st"])
def test_same_number_without_two_types_is_not_a_corner(text):
    r = G.geocode(text)
    assert r is None or r.kind != "intersection"


def test_written_direction_picks_the_corner():
    assert G.geocode("N 2nd Ave and N Washington Ave").place == "Washington Av N & 2 Av N"
    assert G.geocode("S 2nd Ave and S Washington Ave").place == "Washington Av S & 2 Av S"
    # "n" after a street is "and"
    assert G.geocode("ICE at lake n 2nd ave").place == "Lake St E & 2 Av S"


def test_ambiguous_corner_says_so_and_near_decides():
    r = G.geocode("4th St & Hennepin Ave")
    assert r.confidence <= 0.8
    assert G.geocode("4th St & Hennepin Ave", near=(44.9884, -93.2548)).place == "Hennepin Av E & 4 St SE"
    assert G.geocode("4th St & Hennepin Ave", near=(44.9805, -93.2712)).place == "Hennepin Av & 4 St S"


@pytest.mark.parametrize("text,place", [
    ("East River Rd & Franklin Ave", "Franklin Av SE & East River Rd"),
    ("Franklin Av SE & River Terrace E", "Franklin Av SE & River Ter E"),
    ("Lake St & West River Pkwy", "Lake St E & West River Pkwy S"),
])
def test_street_names_that_start_with_a_direction_or_end_with_a_type(text, place):
    r = G.geocode(text)
    assert r.place == place and r.precision == "point"
