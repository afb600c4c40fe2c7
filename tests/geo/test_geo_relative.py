"""Places described relative to something ("Payne a block south of Maryland"), Saint Paul corners that are
no bus-stop name, and corners computed from crossing centerlines. Sentences written for these tests."""
from __future__ import annotations

import pytest

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.geo import load_gazetteer

G = load_gazetteer()


def corner_pt(a: str, b: str) -> tuple[float, float]:
    c = G.corner(a, b)
    assert c is not None, f"corner {a} & {b} missing from the index"
    return c[0], c[1]


# ------------------------------------------------------------------ relative to a corner: the corner, a point
RELATIVE = [
    (("Bloomington Av S", "35 St E"), [
        "ICE on Bloomington just north of 35th",
        "2 SUVs on Bloomington a block south of 35th St",
        "agents at Bloomington Ave half a block from 35th",
        "ICE 1/2 block north of 35th on Bloomington",
        "en la Bloomington a media cuadra de la 35",
        "migra por la Bloomington como a dos cuadras al norte de la 35",
        "mas o menos en la Bloomington al sur de la 35",
    ]),
    (("Payne Av", "Maryland Av"), [
        "Payne a block south of Maryland",
        "on Maryland a few blocks east of Payne",
        "ICE on Payne Ave just past Maryland",
        "en la Payne pasando la Maryland",
        "on Payne, a block south of Maryland by the grocery",
    ]),
    (("Lake St E", "Chicago Av S"), [
        "Lake St near Chicago",
        "on Lake right by Chicago",
        "ICE on Lake a block or so west of Chicago",
        "en la Lake cerca de la Chicago",
        "la migra esta en la Lake casi llegando a la Chicago",
        "on Chicago half a block from Lake",
        "van parked on Lake across from Chicago",
        "on Lake St next to Chicago Ave",
    ]),
    (("Lake St E", "Bloomington Av S"), [
        "en la Lake cerca de la Bloomington",
        "ICE on Lake 2 blocks east of Bloomington",
    ]),
    (("Lake St E", "15 Av S"), [
        "by the laundromat on Lake near 15th Ave",
        "in front of the laundromat on Lake St, a block from 15th",
    ]),
    (("University Av", "Dale St"), [
        "on University a couple blocks west of Dale",
        "University around the corner from Dale",
    ]),
    (("Rice St", "University Av"), ["Rice St just south of University"]),
    (("Nicollet Av", "Lake St W"), ["2 trucks on Nicollet, one block south of Lake"]),
    (("Chicago Av S", "38 St E"), ["on 38th a block off Chicago"]),
]


@pytest.mark.parametrize("streets,text", [(s, t) for s, ts in RELATIVE for t in ts])
def test_relative_place_is_the_corner(streets, text):
    lat, lon = corner_pt(*streets)
    r = G.geocode(text)
    assert r is not None, text
    assert r.precision == "point" and r.kind == "intersection", (text, r)
    assert haversine_m(r.lat, r.lon, lat, lon) <= 400, (text, r)


# ------------------------------------------------------------------ one thing named: never a made-up corner
def test_relative_to_one_street_is_the_street():
    for text, street in (("by the laundromat on Lake", "Lake St"), ("a media cuadra de la 35", "35 St")):
        r = G.geocode(text)
        assert r.kind == "street" and r.precision == "area" and r.place == street, (text, r)


def test_relative_to_a_landmark_is_the_landmark():
    r = G.geocode("a block from the Cub on Lake")
    assert r.precision == "point" and r.place.startswith("Cub Foods Lake St")
    lat, lon = corner_pt("Lake St E", "Minnehaha Av")
    assert haversine_m(r.lat, r.lon, lat, lon) <= 400
    assert G.geocode("half a block from Mercado Central").place.startswith("Mercado Central")
    assert G.geocode("two blocks from Powderhorn Park").place == "Powderhorn Park"


def test_a_chain_store_alone_is_no_place():
    assert G.geocode("a block from the Cub") is None


@pytest.mark.parametrize("text,place", [
    ("they left Lake & Bloomington heading toward Chicago", "Lake St E & Bloomington Av S"),
    ("ICE at Lake & Chicago, 2 blocks from my house on Bloomington", "Lake St E & Chicago Av"),
])
def test_relative_words_do_not_move_a_named_corner(text, place):
    assert G.geocode(text).place == place


def test_fractions_and_counts_are_not_streets():
    r = G.geocode("ICE 1/2 block north of 35th on Bloomington")
    assert r.place == "Bloomington Av S & 35 St E"
    assert G.geocode("la 2 cuadra") is None


# ------------------------------------------------------------------ Saint Paul: no centerlines
# Snelling Av's bus stops line up at lon -93.1670 and Selby Av's at lat 44.9467; Robert St S's stops at
# lon -93.0808, and Cesar Chavez meets it by its Winifred St stop (44.9313, -93.0803).
@pytest.mark.parametrize("text,lat,lon,place", [
    ("ICE at Snelling & Selby", 44.9467, -93.1670, "Snelling Av near Selby Av"),
    ("migra en la Selby y Snelling", 44.9467, -93.1670, "Selby Av near Snelling Av"),
    ("Robert St & Cesar Chavez", 44.9314, -93.0807, "Robert St near Cesar Chavez"),
    ("on Robert St just south of Cesar Chavez", 44.9314, -93.0807, "Robert St near Cesar Chavez"),
])
def test_saint_paul_corner_without_a_stop_is_honestly_a_street(text, lat, lon, place):
    r = G.geocode(text)
    assert r.place == place and r.precision == "area" and r.kind == "street", r
    assert haversine_m(r.lat, r.lon, lat, lon) <= 150, r
    assert r.area == G.area_at(r.lat, r.lon)


def test_parallel_streets_are_not_a_corner():
    for text in ("ICE at Grand Av & Summit Av", "ICE at Chicago & Bloomington"):
        r = G.geocode(text)
        assert r is None or (r.kind == "street" and " near " not in r.place), (text, r)


def test_saint_paul_bus_stop_corners_stay_points():
    for text in ("ICE at Payne & Maryland", "Snelling & Grand Ave", "ICE at Lexington & Selby"):
        r = G.geocode(text)
        assert r.precision == "point" and r.kind == "intersection", (text, r)


# ------------------------------------------------------------------ crossings computed from centerlines
@pytest.mark.parametrize("text,place", [
    ("ICE under the bridge at Cedar & Hiawatha", "Cedar Av S & Hiawatha Av"),
    ("ICE at Lyndale & the Midtown Greenway", "Lyndale Av S & Midtown Greenway W"),
])
def test_centerlines_crossing_without_a_shared_node_make_a_corner(text, place):
    r = G.geocode(text)
    assert r.place == place and r.precision == "point", r
