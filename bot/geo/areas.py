"""Minneapolis neighbourhoods and Saint Paul planning districts: lookup by point and by name."""
from __future__ import annotations

from typing import Any

from shapely import prepared
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.strtree import STRtree

from .aliases import AREA_ALIASES
from .memo import AT_MEMO_MAX, BoundedMemo
from .normalise import area_key


class Areas:
    def __init__(self, rows: list[list[Any]]):
        # rows: [name, kind, city, clat, clon, polygons, extra]
        self.names: list[str] = []
        self.kind: dict[str, str] = {}
        self.city: dict[str, str] = {}
        self.centroid: dict[str, tuple[float, float]] = {}
        self.extra: dict[str, dict[str, Any]] = {}
        self._geoms: list[Polygon | MultiPolygon] = []
        for name, kind, city, clat, clon, polys, extra in rows:
            geom = MultiPolygon([Polygon(p[0], p[1:]) for p in polys]) if len(polys) > 1 \
                else Polygon(polys[0][0], polys[0][1:])
            self.names.append(name)
            self.kind[name] = kind
            self.city[name] = city
            self.centroid[name] = (clat, clon)
            self.extra[name] = extra or {}
            self._geoms.append(geom)
        self._shape = dict(zip(self.names, self._geoms))
        self._prep = [prepared.prep(g) for g in self._geoms]
        self._tree = STRtree(self._geoms)
        self._by_key: dict[str, tuple[str, ...]] = {area_key(n): (n,) for n in self.names}
        # official names without their parenthesised part ("Downtown (CapitolRiver)" -> "Downtown")? no:
        # "downtown" is an alias for Minneapolis below; only add the un-bracketed variants that are free.
        for n in self.names:
            if "(" in n:
                k = area_key(n.split("(")[0])
                self._by_key.setdefault(k, (n,))
        self._alias_place: dict[str, str] = {}
        for al in AREA_ALIASES:
            targets = tuple(a for a in al.areas if a in self._shape)
            if not targets:
                continue
            for ph in al.phrases:
                k = area_key(ph)
                if k not in self._by_key:
                    self._by_key[k] = targets
                    self._alias_place[k] = al.place or ph.title()
        self._union_cache: dict[tuple[str, ...], BaseGeometry] = {}
        self._at_memo: BoundedMemo[tuple[float, float], str | None] = BoundedMemo(AT_MEMO_MAX)

    # ------------------------------------------------------------------ lookups
    def at(self, lat: float, lon: float) -> str | None:
        return self._at(round(lat, 6), round(lon, 6))

    def _at(self, lat: float, lon: float) -> str | None:
        """Memoised per instance (bounded): an Areas never changes once built."""
        return self._at_memo.get((lat, lon), lambda: self._at_uncached(lat, lon))

    def _at_uncached(self, lat: float, lon: float) -> str | None:
        pt = Point(lon, lat)
        for i in sorted(int(i) for i in self._tree.query(pt)):  # Minneapolis first: St Paul polygons are coarse
            if self._prep[i].covers(pt):
                return self.names[i]
        return None

    def resolve(self, name: str) -> tuple[str, ...] | None:
        """Official area name(s) for an official name, a spelling variant or a nickname."""
        return self._by_key.get(area_key(name or ""))

    def shape(self, name: str) -> BaseGeometry | None:
        names = self.resolve(name)
        if not names:
            return None
        if len(names) == 1:
            return self._shape[names[0]]
        if names not in self._union_cache:
            self._union_cache[names] = unary_union([self._shape[n] for n in names])
        return self._union_cache[names]

    def union_centroid(self, names: tuple[str, ...]) -> tuple[float, float]:
        if len(names) == 1:
            return self.centroid[names[0]]
        g = self.shape_of(names)
        c = g.centroid
        return c.y, c.x

    def shape_of(self, names: tuple[str, ...]) -> BaseGeometry:
        if len(names) == 1:
            return self._shape[names[0]]
        if names not in self._union_cache:
            self._union_cache[names] = unary_union([self._shape[n] for n in names])
        return self._union_cache[names]
