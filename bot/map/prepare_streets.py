"""Builds the map's street layer, `static/streets.geojson.gz`, from the City of Minneapolis street centre lines.

    .venv/bin/python -m bot.map.prepare_streets     # reads bot/geo/data/src/minneapolis_street_centerlines…

Run by hand when the source or this file changes; the result is committed (see static/STREETS-SOURCE.txt). Segments
of one street are merged into one feature, simplified to about 5 m and rounded to 5 decimals (about 1 m), so
the whole city's network weighs about 60 KB gzipped. Ramps and driveways (F_CLASS A63) are left out.
Properties: `tier` 0 (interstate), 1 (arterial), 2 (local street, greenway, transitway), used for styling.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiLineString, shape
from shapely.ops import linemerge

SOURCE = Path(__file__).parents[1] / "geo" / "data" / "src" / "minneapolis_street_centerlines.geojson.gz"
"""The gazetteer's copy of the city's data (bot/geo/data/SOURCES.md), shared by the map."""
OUT = Path(__file__).parent / "static" / "streets.geojson.gz"
SIMPLIFY_DEG = 0.00005
"""About 5 m: streets keep their shape at street zoom, the file stays light."""
DECIMALS = 5
TIERS = {"A10": 0, "A15": 0, "A25": 1, "A30": 1, "A40": 2, "A53": 2, "A60": 2, "A64": 2}
"""Minneapolis F_CLASS → drawing tier; classes not listed (A63: ramps, connectors) are left out."""


def _lines(geometry: dict[str, Any]) -> list[LineString]:
    found = shape(geometry)
    if isinstance(found, MultiLineString):
        return list(found.geoms)
    if not isinstance(found, LineString):
        raise ValueError(f"a street is a LineString or a MultiLineString, not a {found.geom_type}")
    return [found]


def streets(source: Mapping[str, Any]) -> dict[str, Any]:
    """The source FeatureCollection → a light one: one MultiLineString per (tier, street name)."""
    by_street: dict[tuple[int, str], list[LineString]] = defaultdict(list)
    for feature in source["features"]:
        tier = TIERS.get(feature["properties"].get("F_CLASS", ""))
        if tier is not None:
            by_street[(tier, feature["properties"]["STREETALL"])].extend(_lines(feature["geometry"]))
    features = []
    for (tier, _name), lines in sorted(by_street.items()):
        merged = linemerge(MultiLineString(lines)).simplify(SIMPLIFY_DEG)
        parts = merged.geoms if isinstance(merged, MultiLineString) else [merged]
        coordinates = [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in part.coords]
                       for part in parts if not part.is_empty]
        features.append({"type": "Feature", "properties": {"tier": tier},
                         "geometry": {"type": "MultiLineString", "coordinates": coordinates}})
    return {"type": "FeatureCollection", "features": features}


def write(collection: Mapping[str, Any], out: Path = OUT) -> int:
    raw = json.dumps(collection, separators=(",", ":")).encode()
    packed = gzip.compress(raw, 9, mtime=0)  # mtime 0: the same source gives the same bytes
    out.write_bytes(packed)
    return len(packed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="street centre lines (.geojson or .geojson.gz)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    raw = args.source.read_bytes()
    collection = streets(json.loads(gzip.decompress(raw) if args.source.suffix == ".gz" else raw))
    size = write(collection, args.out)
    print(f"{args.out}: {len(collection['features'])} streets, {size / 1024:.0f} KiB gzipped")


if __name__ == "__main__":
    main()
