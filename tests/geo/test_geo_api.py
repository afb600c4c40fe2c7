"""Public interface of bot.geo: pins, areas, custom places, CLI, normalisation, robustness."""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.geo import Gazetteer, GeoResult, load_gazetteer
from alertrelay.bot.geo.cli import geocode_main
from alertrelay.bot.geo.normalise import area_key, parse_street, tokenize
from alertrelay.bot.geo.pins import find_pin

G = load_gazetteer()


# --------------------------------------------------------------------------------------------- loading
def test_load_is_cached_and_fast() -> None:
    assert load_gazetteer() is G
    assert isinstance(G, Gazetteer)
    t = time.perf_counter()
    g2 = load_gazetteer(Path(__file__).resolve().parents[2] / "bot" / "geo" / "data" / "index.json.gz")
    assert time.perf_counter() - t < 1.0
    assert g2 is G  # the default path, spelled out, is the same cached instance


def test_geo_result_to_json() -> None:
    r = G.geocode("ICE at Lake & Bloomington")
    d = r.to_json()
    assert set(d) >= {"lat", "lon", "precision", "place", "area"}
    assert d["precision"] == "point" and d["area"] in ("Midtown Phillips", "Phillips West", "Powderhorn Park",
                                                        "Central", "East Phillips")
    assert 0 < d["confidence"] <= 1 and d["kind"] == "intersection"
    json.dumps(d)


def test_matched_is_the_input_span() -> None:
    text = "🚨 Hay MIGRA en la esquina de Lake y Bloomington!!"
    r = G.geocode(text)
    assert r.matched == "Lake y Bloomington"
    assert r.matched in text
    r = G.geocode("agentes en la Cesar Chávez y Wabasha")
    assert r.matched == "Cesar Chávez y Wabasha"


# --------------------------------------------------------------------------------------------- pins
@pytest.mark.parametrize("text,lat,lon", [
    ("44.95551, -93.24795", 44.95551, -93.24795),
    ("estoy aqui 44.9484,-93.2525", 44.9484, -93.2525),
    ("-93.2525, 44.9484", 44.9484, -93.2525),
    ("https://maps.google.com/?q=44.9484,-93.2525", 44.9484, -93.2525),
    ("https://www.google.com/maps/@44.9616,-93.0659,17z", 44.9616, -93.0659),
    ("https://www.google.com/maps/place/Mercado+Central/@44.9486,-93.2518,17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d44.9486!4d-93.2518",
     44.9486, -93.2518),
    ("https://www.openstreetmap.org/?mlat=44.9337&mlon=-93.0841#map=17/44.9337/-93.0841", 44.9337, -93.0841),
    ("https://www.openstreetmap.org/#map=18/44.95572/-93.12631", 44.95572, -93.12631),
    ("https://maps.apple.com/?ll=44.9684,-93.2510&q=Dropped%20Pin", 44.9684, -93.2510),
    ("geo:44.9557,-93.1670", 44.9557, -93.1670),
    ("lat: 44.9391 lon: -93.2524", 44.9391, -93.2524),
    ("44°56'53.6\"N 93°15'08.8\"W", 44.948222, -93.252444),
])
def test_pin_in_text(text: str, lat: float, lon: float) -> None:
    r = G.pin_in_text(text)
    assert r is not None, text
    assert abs(r.lat - lat) < 1e-4 and abs(r.lon - lon) < 1e-4
    assert r.kind == "pin" and r.precision == "point"
    g = G.geocode(f"ICE here {text} now")
    assert g is not None and g.kind == "pin"


@pytest.mark.parametrize("text", [
    "https://maps.app.goo.gl/abcDEF123", "call 612 555 0101", "12.30 today", "room 4.5", "2.5 miles away",
    "1.5, 2.5", "0.0, 0.0", "51.5, -0.12", "version 44.95.1", "",
])
def test_no_pin(text: str) -> None:
    assert G.pin_in_text(text) is None
    assert find_pin(text) is None


def test_from_pin_adds_area_and_readable_place() -> None:
    r = G.from_pin(44.95551, -93.24795)
    assert r.area == "East Phillips" and r.kind == "pin" and r.precision == "point"
    assert r.place.startswith("near ") and "&" in r.place
    assert r.matched == "" and r.confidence == 1.0
    r = G.from_pin(44.8875, -93.2029)  # Whipple: outside every neighbourhood
    assert r.area is None and r.place
    r = G.from_pin(44.96195, -93.06592)
    assert r.area == "Dayton's Bluff"


# --------------------------------------------------------------------------------------------- areas
def test_area_names() -> None:
    names = G.area_names()
    assert len(names) == 87 + 17
    assert "Seward" in names and "Thomas-Dale/Frogtown" in names and "Bryn - Mawr" in names


@pytest.mark.parametrize("lat,lon,area", [
    (44.959184, -93.231127, "Seward"),
    (44.9535, -93.2455, "East Phillips"),
    (44.9684, -93.25105, "Cedar Riverside"),
    (44.955719, -93.126314, "Thomas-Dale/Frogtown"),
    (44.93375, -93.084167, "West Side"),
    (44.96195, -93.06592, "Dayton's Bluff"),
    (44.8875, -93.2029, None),
    (45.5, -94.0, None),
])
def test_area_at(lat: float, lon: float, area: str | None) -> None:
    assert G.area_at(lat, lon) == area


@pytest.mark.parametrize("name,official", [
    ("Seward", ("Seward",)), ("seward", ("Seward",)), ("SEWARD", ("Seward",)),
    ("East Phillips", ("East Phillips",)), ("east-phillips", ("East Phillips",)), ("eastphillips", ("East Phillips",)),
    ("Bryn Mawr", ("Bryn - Mawr",)), ("bryn-mawr", ("Bryn - Mawr",)), ("Bryn - Mawr", ("Bryn - Mawr",)),
    ("Thomas-Dale/Frogtown", ("Thomas-Dale/Frogtown",)), ("thomas dale frogtown", ("Thomas-Dale/Frogtown",)),
    ("Frogtown", ("Thomas-Dale/Frogtown",)),
    ("dayton's bluff", ("Dayton's Bluff",)), ("Daytons Bluff", ("Dayton's Bluff",)),
    ("Steven's Square - Loring Heights", ("Steven's Square - Loring Heights",)),
    ("Powderhorn Park", ("Powderhorn Park",)), ("Powderhorn", ("Powderhorn Park",)),
    ("Cedar-Riverside", ("Cedar Riverside",)), ("West Bank", ("Cedar Riverside",)),
    ("Dinkytown", ("Marcy Holmes",)), ("Rondo", ("Summit-University",)), ("the Midway", ("Hamline-Midway",)),
    ("Little Earth", None),
    ("St. Anthony Park", ("St. Anthony Park",)), ("Saint Anthony Park", ("St. Anthony Park",)),
    ("Downtown (CapitolRiver)", ("Downtown (CapitolRiver)",)), ("Lowertown", ("Downtown (CapitolRiver)",)),
    ("Phillips", ("Phillips West", "Midtown Phillips", "East Phillips", "Ventura Village")),
    ("Uptown", ("Lowry Hill East", "East Isles", "South Uptown", "East Bde Maka Ska")),
    ("East Side", ("Payne-Phalen", "Dayton's Bluff", "Greater East Side")),
    ("Mexico City", None), ("", None), ("Lake Street", None),
])
def test_area_shape(name: str, official: tuple[str, ...] | None) -> None:
    shp = G.area_shape(name)
    if official is None:
        # Little Earth is a place (a point), not an area
        assert shp is None
        return
    assert shp is not None, name
    assert shp.geom_type in ("Polygon", "MultiPolygon")
    for o in official:
        c = G.areas.centroid[o]
        from shapely.geometry import Point
        assert shp.buffer(1e-9).contains(Point(c[1], c[0])) or G.area_at(*c) == o
    if len(official) == 1:
        assert G.area_shape(official[0]).equals(shp)


def test_area_shape_is_lon_lat() -> None:
    minx, miny, maxx, maxy = G.area_shape("Seward").bounds
    assert -93.3 < minx < maxx < -93.1 and 44.9 < miny < maxy < 45.0


# --------------------------------------------------------------------------------------------- custom places
def test_add_place() -> None:
    g = G.copy()  # a private copy: the shared instance stays clean
    before = g.geocode("migra en la tiendita de la 38")
    assert before is None or before.kind == "street"
    g.add_place("la tiendita de la 38", 44.9342, -93.2470)
    for text in ("migra en la tiendita de la 38!!", "LA TIENDITA DE LA 38", "ICE outside la tiendita de la 38 now",
                 "en la tiendita de la 38 y hay 2 trocas"):
        r = g.geocode(text)
        assert r is not None and r.kind == "custom" and r.precision == "point", text
        assert abs(r.lat - 44.9342) < 1e-6 and r.place == "la tiendita de la 38"
        assert r.area == g.area_at(44.9342, -93.2470)
    # a custom name with a typo still matches
    g.add_place("Panaderia El Sol", 44.9401, -93.2521)
    r = g.geocode("estan afuera de la panaderai el sol")
    assert r is not None and r.kind == "custom"
    # the shared instance did not learn it
    r = G.geocode("migra en la tiendita de la 38")
    assert r is None or r.kind != "custom"


def test_add_place_rejects_empty_name() -> None:
    g = Gazetteer.__new__(Gazetteer)
    g.__dict__.update(G.__dict__)
    with pytest.raises(ValueError):
        g.add_place("  !! ", 44.9, -93.2)


# --------------------------------------------------------------------------------------------- CLI
def test_cli_single() -> None:
    out = io.StringIO()
    assert geocode_main("la migra en la lake y bloomington", None, out=out) == 0
    d = json.loads(out.getvalue())
    assert d["text"] == "la migra en la lake y bloomington" and d["precision"] == "point"
    assert {"lat", "lon", "place", "area"} <= set(d)


def test_cli_single_no_place() -> None:
    out = io.StringIO()
    assert geocode_main("siguen ahi?", None, out=out) == 1
    assert json.loads(out.getvalue()) == {"text": "siguen ahi?", "error": "no place found"}


def test_cli_batch(tmp_path: Path) -> None:
    f = tmp_path / "in.txt"
    f.write_text("ICE at 7th St E & Arcade\n\nthanks all\nSeward\n44.95551, -93.24795\n", encoding="utf-8")
    out = io.StringIO()
    geocode_main(None, f, out=out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(lines) == 4
    assert lines[0]["place"] and lines[0]["precision"] == "point"
    assert lines[1] == {"text": "thanks all", "error": "no place found"}
    assert lines[2]["precision"] == "area" and lines[2]["area"] == "Seward"
    assert lines[3]["area"] == "East Phillips"
    assert all({"text"} <= set(x) for x in lines)


def test_cli_usage_errors(tmp_path: Path) -> None:
    out = io.StringIO()
    assert geocode_main(None, None, out=out) == 2
    assert geocode_main(None, tmp_path / "missing.txt", out=io.StringIO()) == 2


# --------------------------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize("name,parsed", [
    ("LAKE ST E", ("lake", "st", "e")),
    ("7 St E", ("7", "st", "e")),
    ("E 7th St", ("7", "st", "e")),
    ("18TH AVE S", ("18", "av", "s")),
    ("Bloomington Av S", ("bloomington", "av", "s")),
    ("Cesar Chavez", ("cesar chavez", "", "")),
    ("César Chávez St", ("cesar chavez", "st", "")),
    ("W BROADWAY", ("broadway", "", "w")),
    ("WEST BROADWAY", ("broadway", "", "w")),
    ("WEST RIVER PKWY S", ("west river", "pkwy", "s")),
    ("Phalen Pkwy (Neid)", ("phalen", "pkwy", "")),
    ("Claude Way E #2", ("claude", "way", "e")),
    ("36 1/2 AVE NE", ("36h", "av", "ne")),
    ("St Peter St", ("saint peter", "st", "")),
    ("calle 38", ("38", "st", "")),
    ("avenida Bloomington", ("bloomington", "av", "")),
    ("Seventh Street East", ("7", "st", "e")),
    ("NB I35W TO 4TH ST SE", None),
])
def test_parse_street(name: str, parsed) -> None:
    assert parse_street(name) == parsed


def test_tokenize_strips_noise() -> None:
    toks = tokenize("🚨 ICE @ Lake & Bloomington 12:37, turning toward 55 north, I-94, hwy 55!!")
    assert "12" not in toks and "37" not in toks and "55" not in toks and "94" not in toks
    assert toks[:5] == ["ice", "@", "lake", "&", "bloomington"]
    assert tokenize("St. Paul") == ["saint", "paul"]
    assert tokenize("Dayton’s Bluff") == ["daytons", "bluff"]
    assert tokenize("ÉSQUINA DE LA CALLE") == ["esquina", "de", "la", "calle"]


def test_area_key() -> None:
    assert area_key("Thomas-Dale/Frogtown") == area_key("thomas dale frogtown") == "thomasdalefrogtown"
    assert area_key("Bryn - Mawr") == area_key("BRYN MAWR")
    assert area_key("Dayton's Bluff") == area_key("Daytons Bluff")


# --------------------------------------------------------------------------------------------- robustness
_alphabet = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789&/,.!?:-'#@+😀🚨ñéÁ\n\t"))
_words = st.sampled_from(["lake", "y", "&", "bloomington", "35", "la", "ice", "at", "st", "ave", "e", "7", "arcade",
                          "cedar", "riverside", "station", "seward", "migra", "en", "2", "cars", "12:37", "55",
                          "north", "whipple", "the", "cub", "on", "entre", "🚨", "44.95", "-93.25", "calle", "x"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(_alphabet, max_size=80), st.lists(_words, max_size=12).map(" ".join), st.text(max_size=60)))
def test_geocode_never_raises_and_results_are_sane(text: str) -> None:
    r = G.geocode(text)
    if r is None:
        return
    assert isinstance(r, GeoResult)
    assert 44.0 < r.lat < 46.0 and -94.5 < r.lon < -92.5
    assert r.precision in ("point", "area")
    assert r.kind in ("intersection", "station", "landmark", "alias", "neighbourhood", "district", "street", "zip",
                      "pin", "custom")
    assert 0 < r.confidence <= 1
    assert r.place
    assert r.area is None or r.area in G.area_names()


@settings(max_examples=100, deadline=None)
@given(st.floats(44.85, 45.06), st.floats(-93.34, -93.0))
def test_from_pin_passes_coordinates_through(lat: float, lon: float) -> None:
    r = G.from_pin(lat, lon)
    assert r.lat == lat and r.lon == lon and r.precision == "point" and r.kind == "pin"
    assert r.area == G.area_at(lat, lon)


def test_near_does_not_invent_places() -> None:
    assert G.geocode("siguen ahi?", near=(44.95, -93.25)) is None
    r = G.geocode("Seward", near=(44.95, -93.09))
    assert r is not None and r.area == "Seward"


def test_zip_is_area() -> None:
    r = G.geocode("ICE all over 55407 today")
    assert r is not None and r.kind == "zip" and r.precision == "area"
    assert haversine_m(r.lat, r.lon, 44.9378, -93.2545) < 500
    assert G.geocode("call 55555") is None


def test_committed_index_is_up_to_date() -> None:
    """The committed bot/geo/data/index.json.gz equals a fresh `python -m bot.geo.build`."""
    import gzip

    from alertrelay.bot.geo import build

    fresh = json.loads(json.dumps(build.build(verbose=False)))
    with gzip.open(build.INDEX_PATH, "rb") as f:
        stored = json.loads(f.read())
    assert stored == fresh, "run: python -m bot.geo.build"
