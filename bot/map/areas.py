"""The groups' areas as shapes for the map (GeoJSON outlines) and for CAP `<area>` blocks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from alertrelay.bot.core.areas import CircleArea, GroupConfig, PolygonArea, area_shape
from alertrelay.bot.core.geometry import covers, haversine_m
from alertrelay.bot.errors import UnknownArea
from alertrelay.bot.map.reader import IncidentRecord

log = logging.getLogger(__name__)

SIMPLIFY_DEG = 0.0001
"""Neighbourhood outlines are simplified to about 10 m and rounded to 5 decimals: a light page, same look."""


@dataclass(frozen=True)
class GroupArea:
    group: str
    language: str
    label: str
    spec: object  # AreaSpec
    shape: BaseGeometry

    def contains(self, lat: float, lon: float) -> bool:
        if isinstance(self.spec, CircleArea):
            return haversine_m(lat, lon, self.spec.lat, self.spec.lon) <= self.spec.radius_m
        return covers(self.shape, lat, lon)


def _label(spec: object) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, CircleArea):
        return f"{spec.radius_m:.0f} m around {spec.lat:.4f},{spec.lon:.4f}"
    return "drawn area"


def _rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> list[Any]:  # GeoJSON coordinates, nested to any depth
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
            return [round(value[0], 5), round(value[1], 5)]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


class _Groups(Protocol):
    @property
    def groups(self) -> Mapping[str, GroupConfig]: ...


class AreaSource(Protocol):
    """What the book reads of the workers' Runtime (bot/ does not import workers/, the CLI passes one)."""

    def refresh_config(self) -> None: ...

    def config(self) -> _Groups: ...

    def area_shape(self, name: str) -> BaseGeometry | None: ...


class AreaBook:
    """Every group's areas, resolved through the runtime (admin-named areas, neighbourhoods, districts)."""

    def __init__(self, rt: AreaSource) -> None:
        self.rt = rt
        self.rev: int | None = None
        self.areas: list[GroupArea] = []
        self.languages: dict[str, str] = {}

    def refresh(self) -> bool:
        """Reload when the config changed (one GET otherwise). True if it did."""
        self.rt.refresh_config()
        config = self.rt.config()
        rev = id(config)
        if rev == self.rev:
            return False
        areas = []
        for group in config.groups.values():
            for spec in group.areas:
                try:
                    shape = area_shape(spec, self.rt.area_shape)
                except UnknownArea:
                    log.warning("group %s: an area no longer resolves", group.id)
                    continue
                areas.append(GroupArea(group.id, group.language, _label(spec), spec, shape))
        self.areas, self.rev = areas, rev
        self.languages = {g.id: g.language for g in config.groups.values()}
        return True

    def outlines(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection: polygons simplified, circles as a point with radius_m."""
        features: list[dict[str, object]] = []
        for area in self.areas:
            props: dict[str, object] = {"group": area.group, "language": area.language, "label": area.label}
            if isinstance(area.spec, CircleArea):
                geometry = {"type": "Point", "coordinates": [round(area.spec.lon, 5), round(area.spec.lat, 5)]}
                props = {**props, "kind": "circle", "radius_m": area.spec.radius_m}
            else:
                geometry = _rounded(mapping(area.shape.simplify(SIMPLIFY_DEG, preserve_topology=True)))
                props = {**props, "kind": "neighbourhood" if isinstance(area.spec, str) else "polygon"}
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
        return {"type": "FeatureCollection", "features": features}

    def languages_of(self, record: IncidentRecord) -> list[str]:
        found = sorted({self.languages[g] for g in record.groups if g in self.languages})
        return found or ["en"]

    def notified(self, record: IncidentRecord) -> list[GroupArea]:
        """The areas the alert went to: of each group it reached, the areas holding the incident (all of the
        group's areas for a neighbourhood-wide incident that none holds). Never the reporter's spot."""
        out: list[GroupArea] = []
        for group in record.groups:
            mine = [a for a in self.areas if a.group == group]
            holding = [a for a in mine if a.contains(record.lat, record.lon)]
            for area in holding or mine:
                if all(area.label != seen.label or area.spec != seen.spec for seen in out):
                    out.append(area)
        return out


def cap_polygons(shape: BaseGeometry) -> list[str]:
    """CAP `<polygon>` strings ("lat,lon lat,lon …", closed) of a shape's outer rings."""
    simple = shape.simplify(SIMPLIFY_DEG * 5, preserve_topology=True)
    polygons = list(simple.geoms) if isinstance(simple, MultiPolygon) else [simple]
    out = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty:
            continue
        ring = list(polygon.exterior.coords)
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        out.append(" ".join(f"{lat:.5f},{lon:.5f}" for lon, lat in ring))
    return out


def cap_circle(spec: CircleArea) -> str:
    """CAP `<circle>`: "lat,lon radius_km"."""
    return f"{spec.lat:.5f},{spec.lon:.5f} {spec.radius_m / 1000:.3f}"


__all__ = ["AreaBook", "GroupArea", "Point", "PolygonArea", "cap_circle", "cap_polygons"]
