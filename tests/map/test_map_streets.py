"""The map's street layer and its weight, on the real server: the prepared street centre lines are valid
GeoJSON inside Minneapolis, served gzipped as shipped, rebuilt byte for byte from the bundled source, and
the page's first load (HTML, JS, CSS, streets, outlines, data) stays under 1 MB over the wire."""

from __future__ import annotations

import gzip
import json

import geojson
import httpx

from alertrelay.bot.map import prepare_streets
from tests.map.map_harness import MAP_TOKEN, MapServer

FIRST_LOAD = ["/map", "/map/static/leaflet.js", "/map/static/leaflet.css", "/map/static/map.js",
              "/map/static/map.css", "/map/static/streets.geojson", "/map/areas.geojson", "/map/data.json"]
MINNEAPOLIS = (44.88, 45.06, -93.34, -93.19)  # lat min/max, lon min/max, with a margin


def test_streets_are_valid_light_geojson_inside_the_city(map_server: MapServer, http: httpx.Client) -> None:
    packed = http.get("/map/static/streets.geojson", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert packed.num_bytes_downloaded < 120_000
    plain = http.get("/map/static/streets.geojson", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["content-type"] == "application/geo+json"
    collection = geojson.loads(plain.text)
    assert collection.is_valid and len(collection["features"]) > 500
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "MultiLineString" and feature["properties"]["tier"] in (0, 1, 2)
        for line in feature["geometry"]["coordinates"]:
            assert len(line) >= 2
            for lon, lat in line:
                assert MINNEAPOLIS[0] < lat < MINNEAPOLIS[1] and MINNEAPOLIS[2] < lon < MINNEAPOLIS[3]


def test_the_shipped_file_is_rebuilt_exactly_from_the_bundled_source(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = json.loads(gzip.decompress(prepare_streets.SOURCE.read_bytes()))
    out = tmp_path / "streets.geojson.gz"
    prepare_streets.write(prepare_streets.streets(source), out)
    assert out.read_bytes() == prepare_streets.OUT.read_bytes()  # rerun prepare_streets after changing it


def test_first_load_is_under_a_megabyte_over_the_wire(map_server: MapServer, http: httpx.Client) -> None:
    opened = http.get("/map", params={"token": MAP_TOKEN}, follow_redirects=False)
    assert opened.status_code == 303
    wire = 0
    for path in FIRST_LOAD:
        response = http.get(path, headers={"Accept-Encoding": "gzip"}, cookies=opened.cookies)
        assert response.status_code == 200, path
        wire += response.num_bytes_downloaded
    assert wire < 1_000_000
