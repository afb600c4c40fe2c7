"""Build the compact gazetteer index from the bundled source files.

    python -m bot.geo.build            # reads bot/geo/data/src/, writes bot/geo/data/index.json.gz

The index is plain JSON (gzip), so it is reviewable and diffable after `zcat`. Its layout:

    version, built_from            provenance
    areas      [[name, kind, city, centroid_lat, centroid_lon, polygons]]   kind: neighbourhood|district
    inter      {"baseA|baseB": [[lat, lon, display, typesA, dirsA, typesB, dirsB, city, support, area], ...]}
    streets    {base: [[type, dirs, city, n, lat, lon, [[lat, lon]...], display, area], ...]}
    stations   [[display, lat, lon, line, area]]
    parks      [[name, city, lat, lon, area]]
    landmarks  [[name, category, city, lat, lon, area]]
    zips       [[zip, city, lat, lon, area]]
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, TextIO

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from alertrelay.bot.core.geometry import haversine_m

from .normalise import display_street, parse_street

DATA_DIR = Path(__file__).resolve().parent / "data"
SRC_DIR = DATA_DIR / "src"
INDEX_PATH = DATA_DIR / "index.json.gz"
INDEX_VERSION = 3

CORE_CITIES = {"MINNEAPOLIS": "mpls", "SAINT PAUL": "stp"}
CLUSTER_M = 300.0

Street = tuple[str, str, str]
"""(base, type, dir), as parse_street gives it."""
Obs = tuple[float, float, Street, Street, str, str]
"""One observation of a corner: (lat, lon, side A, side B, source, city)."""


def _open(path: Path) -> TextIO:
    if path.exists():
        return open(path, encoding="utf-8", newline="")
    gz = path.with_name(path.name + ".gz")
    return io.TextIOWrapper(gzip.open(gz), encoding="utf-8", newline="")


def _read_json(name: str) -> Any:
    with _open(SRC_DIR / name) as f:
        return json.load(f)


def _read_csv(name: str) -> list[dict[str, str]]:
    with _open(SRC_DIR / name) as f:
        return list(csv.DictReader(f))


_SKIP_ALT = re.compile(r"^(COUNTY|HIGHWAY|HWY|INTERSTATE|CSAH|TH |US |MN |STATE|CR )")


def _names(props: dict[str, Any]) -> list[Street]:
    out: list[Street] = []
    for key in ("STREETALL", "ALT_NAM1", "ALT_NAM2"):
        v = props.get(key)
        if not v or (key != "STREETALL" and _SKIP_ALT.match(v)):
            continue
        p = parse_street(v)
        if p and p not in out:
            out.append(p)
    return out


class _AreaIndex:
    def __init__(self, areas: list[tuple[str, str, BaseGeometry]]):
        self.names = [a[0] for a in areas]
        self.geoms = [a[2] for a in areas]
        self.tree = STRtree(self.geoms)

    def at(self, lat: float, lon: float) -> str | None:
        pt = Point(lon, lat)
        hits = sorted(int(i) for i in self.tree.query(pt))
        for i in hits:  # Minneapolis neighbourhoods come first (the Saint Paul polygons are coarse)
            if self.geoms[i].covers(pt):
                return self.names[i]
        return None


def _round(coords: list[Any], nd: int = 6) -> list[Any]:
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], nd), round(coords[1], nd)]
    return [_round(c, nd) for c in coords]


def build_areas() -> tuple[list[tuple[str, str, BaseGeometry]], list[list[Any]]]:
    areas: list[tuple[str, str, BaseGeometry]] = []
    out: list[list[Any]] = []
    for fn, kind in (("minneapolis_neighborhoods.geojson", "neighbourhood"),
                     ("saint_paul_planning_districts.geojson", "district")):
        for f in _read_json(fn)["features"]:
            g = shape(f["geometry"])
            name = f["properties"]["name"]
            city = f["properties"].get("city", "")
            c = g.centroid
            polys = f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiPolygon" \
                else [f["geometry"]["coordinates"]]
            areas.append((name, kind, g))
            extra = {"community": f["properties"].get("community")} if kind == "neighbourhood" \
                else {"district": f["properties"].get("district")}
            out.append([name, kind, city, round(c.y, 6), round(c.x, 6), _round(polys), extra])
    return areas, out


def _crossings(segments: list[tuple[BaseGeometry, list[Street]]]) -> list[tuple[Street, Street, float, float]]:
    """(name A, name B, lat, lon) where two centerline segments cross away from their end points (shapely)."""
    geoms = [g for g, _ in segments]
    tree = STRtree(geoms)
    out: list[tuple[Street, Street, float, float]] = []
    for i, (g, names) in enumerate(segments):
        for j in sorted(int(k) for k in tree.query(g, predicate="crosses")):
            if j <= i:
                continue
            x = g.intersection(geoms[j])
            # shapely 2: geom_type "Point" is exactly the Point class
            pts = [x] if isinstance(x, Point) else [q for q in getattr(x, "geoms", ()) if isinstance(q, Point)]
            for q in pts:
                for a in names[:1]:
                    for b in segments[j][1][:1]:
                        out.append((a, b, round(q.y, 6), round(q.x, 6)))
    return out


def _cluster_corner(obs: list[Obs], radius: float = CLUSTER_M) -> list[list[Obs]]:
    """Greedy clustering of one street pair's observations (lat, lon, sideA, sideB, src, city).

    An observation joins a cluster only if its street types agree with the cluster's: "46 St E & 45 Av S"
    and "46 Av S & 45 St E" share the key "45|46" but are two corners 230 m apart, never one averaged
    point. A side without a type ("Cesar Chavez", "Broadway") agrees with any type.
    """
    clusters: list[list[Obs]] = []
    cents: list[list[float]] = []
    types: list[list[str]] = []
    for p in obs:
        ta, tb = p[2][1], p[3][1]
        for i, (clat, clon) in enumerate(cents):
            ca, cb = types[i]
            if (ta and ca and ta != ca) or (tb and cb and tb != cb):
                continue
            if haversine_m(p[0], p[1], clat, clon) <= radius:
                clusters[i].append(p)
                n = len(clusters[i])
                cents[i] = [clat + (p[0] - clat) / n, clon + (p[1] - clon) / n]
                types[i] = [ca or ta, cb or tb]
                break
        else:
            clusters.append([p])
            cents.append([p[0], p[1]])
            types.append([ta, tb])
    return clusters


def _side_name(base: str, parsed: list[Street]) -> Street:
    """Display parts for one street of a corner: its most common type and direction."""
    types = Counter(p[1] for p in parsed if p[1])
    dirs = Counter(p[2] for p in parsed if p[2])

    def top(c: Counter[str]) -> str:  # deterministic: most common, ties by name
        return min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] if c else ""

    return (base, top(types), top(dirs))


def build(verbose: bool = True) -> dict[str, Any]:
    t0 = time.time()
    area_list, areas_out = build_areas()
    aidx = _AreaIndex(area_list)

    # raw intersection observations: key -> [(lat, lon, nameA, nameB, src, city)]
    raw: dict[str, list[Obs]] = defaultdict(list)
    # street observations: (base, type, city) -> [(lat, lon, dir)]
    street_pts: dict[tuple[str, str, str], list[tuple[float, float, str]]] = defaultdict(list)

    def add_inter(a: Street, b: Street, lat: float, lon: float, src: str, city: str) -> None:
        if a[0] == b[0]:
            # the same number, two streets: "25 St E & 25 Av S" (key "25|25", the avenue side first)
            if not (a[1] and b[1] and a[1] != b[1]):
                return
            if a[1] > b[1]:
                a, b = b, a
        elif a[0] > b[0]:
            a, b = b, a
        raw[f"{a[0]}|{b[0]}"].append((lat, lon, a, b, src, city))

    # --- Minneapolis centerlines: shared segment endpoints + F/T cross-street fields
    nodes: dict[tuple[float, float], set[Street]] = defaultdict(set)
    # (shapely line, names): for crossings without a shared node
    segments: list[tuple[BaseGeometry, list[Street]]] = []
    for f in _read_json("minneapolis_street_centerlines.geojson")["features"]:
        p = f["properties"]
        names = _names(p)
        if not names:
            continue
        g = f["geometry"]
        segments.append((shape(g), names))
        lines = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
        for line in lines:
            if len(line) < 2:
                continue
            for end in (line[0], line[-1]):
                nodes[(round(end[1], 5), round(end[0], 5))].update(names)
            mid = line[len(line) // 2]
            for nm in names:
                street_pts[(nm[0], nm[1], "mpls")].append((mid[1], mid[0], nm[2]))
        first, last = lines[0][0], lines[-1][-1]
        for key, pt in (("F_XSTREET_", first), ("T_XSTREET_", last)):
            xs = p.get(key)
            if not xs:
                continue
            xp = parse_street(xs)
            if xp:
                add_inter(names[0], xp, pt[1], pt[0], "cl", "mpls")
    for (lat, lon), name_set in nodes.items():
        names = sorted(name_set)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                add_inter(names[i], names[j], lat, lon, "cl", "mpls")

    # --- Metro Transit stops: intersections metro-wide
    for r in _read_csv("metrotransit_stops_2013.csv"):
        a, b = parse_street(r["street_1"] or ""), parse_street(r["street_2"] or "")
        lat, lon = float(r["lat"]), float(r["lon"])
        city = CORE_CITIES.get(r["city"], "sub")
        if a:
            street_pts[(a[0], a[1], city)].append((lat, lon, a[2]))
        if a and b:
            add_inter(a, b, lat, lon, "stop", city)

    # --- Minneapolis centerlines that cross without a shared node (mostly bridges and underpasses:
    # "Cedar & Hiawatha", "Lyndale & the Midtown Greenway"), where no corner of that pair is within 60 m
    crossings = _crossings(segments)
    for a, b, lat, lon in crossings:
        if a[0] == b[0]:
            continue
        key = "|".join(sorted((a[0], b[0])))
        if not any(haversine_m(lat, lon, o[0], o[1]) <= CLUSTER_M for o in raw.get(key, ())):
            add_inter(a, b, lat, lon, "x", "mpls")

    size: Counter[str] = Counter()
    for (base, _typ, city), pts in street_pts.items():
        if city != "sub":
            size[base] += len(pts)

    # --- cluster intersections
    inter: dict[str, list[list[Any]]] = {}
    for key, obs in raw.items():
        out: list[list[Any]] = []
        for cl in _cluster_corner(obs):
            stops = [o for o in cl if o[4] == "stop"]
            use = stops or cl
            lat = sum(o[0] for o in use) / len(use)
            lon = sum(o[1] for o in use) / len(use)
            a_base, b_base = key.split("|")
            a = _side_name(a_base, [o[2] for o in cl])
            b = _side_name(b_base, [o[3] for o in cl])
            ta = sorted({o[2][1] for o in cl} - {""})
            da = sorted({o[2][2] for o in cl} - {""})
            tb = sorted({o[3][1] for o in cl} - {""})
            db = sorted({o[3][2] for o in cl} - {""})
            cities = Counter(o[5] for o in cl)
            city = "mpls" if cities["mpls"] else ("stp" if cities["stp"] else "sub")
            # display order: named streets before numbered ones, then the bigger street first
            if (a[0][0].isdigit(), -size.get(a[0], 0)) > (b[0][0].isdigit(), -size.get(b[0], 0)):
                a, b = b, a
            disp = f"{display_street(*a)} & {display_street(*b)}"
            out.append([round(lat, 6), round(lon, 6), disp, ta, da, tb, db, city, len(cl),
                        aidx.at(lat, lon)])
        out.sort(key=lambda c: -c[8])
        inter[key] = out

    # --- streets
    streets: dict[str, list[list[Any]]] = defaultdict(list)
    for (base, typ, city), pts in street_pts.items():
        n = len(pts)
        lat = sum(p[0] for p in pts) / n
        lon = sum(p[1] for p in pts) / n
        step = max(1, n // 60)
        sample = [[round(p[0], 5), round(p[1], 5)] for p in pts[::step]]
        dirs = sorted({p[2] for p in pts} - {""})
        streets[base].append([typ, dirs, city, n, round(lat, 6), round(lon, 6), sample,
                              display_street(base, typ, ""), aidx.at(lat, lon)])
    for base in streets:
        streets[base].sort(key=lambda s: (s[2] == "sub", -s[3]))

    # --- LRT stations (mean of platforms)
    st_groups: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for r in _read_csv("metrotransit_lrt_stations.csv"):
        name = re.sub(r"\s+Platform\s+\d+$", "", r["name"]).strip()
        name = name.replace("Lake St - Midtown", "Lake St Midtown")
        st_groups[name].append((float(r["lat"]), float(r["lon"]), r["line"]))
    stations: list[list[Any]] = []
    for name, pts in sorted(st_groups.items()):
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        lines = sorted({p[2] for p in pts})
        stations.append([name, round(lat, 6), round(lon, 6), "/".join(lines), aidx.at(lat, lon)])

    parks: list[list[Any]] = []
    for r in _read_csv("metro_parks_centroids.csv"):
        lat, lon = float(r["lat"]), float(r["lon"])
        parks.append([r["name"], r["city"], lat, lon, aidx.at(lat, lon)])

    landmarks: list[list[Any]] = []
    for r in _read_csv("landmarks.csv"):
        lat, lon = float(r["lat"]), float(r["lon"])
        landmarks.append([r["name"], r["category"], r["city"], lat, lon, aidx.at(lat, lon)])

    zips: list[list[Any]] = []
    for r in _read_csv("mn_zipcodes.csv"):
        if r["in_7county_metro"] != "True" or r["zip_type"] != "STANDARD":
            continue
        lat, lon = float(r["lat"]), float(r["lon"])
        zips.append([r["zip"], r["city"], lat, lon, aidx.at(lat, lon)])

    index = {
        "version": INDEX_VERSION,
        "built_from": "bot/geo/data/src (see bot/geo/data/SOURCES.md)",
        "areas": areas_out,
        "inter": inter,
        "streets": streets,
        "stations": stations,
        "parks": parks,
        "landmarks": landmarks,
        "zips": zips,
    }
    if verbose:
        print(f"built: {len(areas_out)} areas, {len(inter)} street pairs "
              f"({sum(len(v) for v in inter.values())} intersections), {len(streets)} street names, "
              f"{len(stations)} stations, {len(parks)} parks, {len(landmarks)} landmarks, {len(zips)} ZIPs "
              f"in {time.time() - t0:.1f}s", file=sys.stderr)
    return index


def write(index: dict[str, Any], path: Path = INDEX_PATH) -> None:
    data = json.dumps(index, separators=(",", ":"), ensure_ascii=False).encode()
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(data)


def main(argv: list[str] | None = None) -> int:
    idx = build()
    write(idx)
    print(f"wrote {INDEX_PATH} ({INDEX_PATH.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
