"""Distances and shapes on the Twin Cities' scale. Pure; shapely in (lon, lat) order."""

from __future__ import annotations

import math

from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def circle(lat: float, lon: float, radius_m: float, segments: int = 72) -> Polygon:
    """A circle as a (lon, lat) polygon, for overlap tests with neighbourhoods."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / math.cos(math.radians(lat))
    return Polygon([
        (lon + dlon * math.cos(2 * math.pi * k / segments), lat + dlat * math.sin(2 * math.pi * k / segments))
        for k in range(segments)
    ])


def covers(shape: BaseGeometry, lat: float, lon: float) -> bool:
    return bool(shape.covers(Point(lon, lat)))


def overlap_fraction(area: BaseGeometry, other: BaseGeometry) -> float:
    """Share of `area` inside `other`. Neighbourhoods that only touch along a street give ~0."""
    if area.is_empty or area.area == 0:
        return 0.0
    return float(area.intersection(other).area / area.area)
