"""Groups, areas and people as areas.toml states them (FORMAT.md), and routing an incident to groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_validator, model_serializer
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from alertrelay.bot.core.geometry import circle, covers, haversine_m, overlap_fraction
from alertrelay.bot.core.models import Policy
from alertrelay.bot.errors import UnknownArea

AREA_OVERLAP_MIN = 0.05
"""An area-level incident goes to a group when at least this share of it lies in the group's areas."""


class CircleArea(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=50_000)


class PolygonArea(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    polygon: tuple[tuple[float, float], ...]

    @field_validator("polygon")
    @classmethod
    def _closed_ring(cls, ring: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        if len(ring) < 3:
            raise ValueError("a polygon needs at least 3 points [lon, lat]")
        if not Polygon(ring).is_valid:
            raise ValueError("the polygon crosses itself")
        return ring


AreaSpec = str | CircleArea | PolygonArea


class GroupConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=80)
    channel: Literal["signal", "whatsapp", "sms"]
    language: Literal["en", "es"] = "en"
    areas: list[AreaSpec] = []
    members: list[str] = []
    signal_id: str | None = None
    region: str = Field(default="", pattern=r"^([a-z][a-z0-9]{0,15})?$")
    """The region whose drainer decides this group's reports ("": the default region); see bot/keys.py."""

    @model_serializer(mode="wrap")
    # no return annotation: pydantic would take it for the serialization schema (JSON schema changes)
    def _without_default_region(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # a deployment without regions stores and exports its groups exactly as before regions existed
        data = handler(self)
        if not self.region and isinstance(data, dict):
            data.pop("region", None)
        return data


class RegionsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direct: str = Field(default="", pattern=r"^([a-z][a-z0-9]{0,15})?$")
    """Where a direct message goes when neither its place nor its sender's last region tells
    (bot/regions.py); "": the default region."""


class PersonConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: str
    areas: list[AreaSpec] = []
    """A verifier's beat: dispatches only for incidents inside these. None given: everywhere."""
    channel: Literal["signal", "whatsapp", "sms"] = "signal"
    """Where a verifier gets dispatches."""
    language: Literal["en", "es"] = "en"


class AreasFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy: Policy = Policy()
    group: list[GroupConfig] = []
    admin: list[PersonConfig] = []
    verifier: list[PersonConfig] = []
    regions: RegionsConfig = RegionsConfig()

    def region_names(self) -> list[str]:
        """The regions of the groups, in file order ("" for the default region)."""
        return list(dict.fromkeys(group.region for group in self.group))


ShapeOf = Callable[[str], BaseGeometry | None]


def area_shape(area: AreaSpec, shape_of: ShapeOf) -> BaseGeometry:
    """The geometry of an area: a name (neighbourhood, district or admin-named area), a circle or a polygon."""
    if isinstance(area, str):
        shape = shape_of(area)
        if shape is None:
            raise UnknownArea(f"unknown area name: {area!r}")
        return shape
    if isinstance(area, CircleArea):
        return circle(area.lat, area.lon, area.radius_m)
    return Polygon(area.polygon)


class Router:
    """Which groups an incident goes to: exactly those whose areas contain it."""

    def __init__(self, groups: list[GroupConfig], shape_of: ShapeOf):
        self._shape_of = shape_of
        self._areas: dict[str, list[AreaSpec]] = {}
        self._shapes: dict[str, list[BaseGeometry]] = {}
        for group in groups:
            self._areas[group.id] = list(group.areas)
            self._shapes[group.id] = [self.shape(area) for area in group.areas]

    def shape(self, area: AreaSpec) -> BaseGeometry:
        return area_shape(area, self._shape_of)

    def center(self, group_id: str) -> tuple[float, float] | None:
        """(lat, lon) of the middle of a group's areas: where its members' messages most likely point."""
        shapes = self._shapes.get(group_id)
        if not shapes:
            return None
        middle = unary_union(shapes).centroid
        return (middle.y, middle.x)

    def groups_for_point(self, lat: float, lon: float) -> list[str]:
        found = []
        for group_id, areas in self._areas.items():
            for area, shape in zip(areas, self._shapes[group_id]):
                if isinstance(area, CircleArea):
                    inside = haversine_m(lat, lon, area.lat, area.lon) <= area.radius_m
                else:
                    inside = covers(shape, lat, lon)
                if inside:
                    found.append(group_id)
                    break
        return found

    def groups_for_area(self, area_shape: BaseGeometry) -> list[str]:
        return [
            group_id for group_id, shapes in self._shapes.items()
            if any(overlap_fraction(area_shape, shape) >= AREA_OVERLAP_MIN for shape in shapes)
        ]

    def route(self, lat: float, lon: float, area_name: str | None) -> list[str]:
        shape = self._shape_of(area_name) if area_name else None
        return self.groups_for_area(shape) if shape is not None else self.groups_for_point(lat, lon)
