"""Which open incidents lie near a point: a grid over (lat, lon), so a lookup reads a few cells instead of
every incident. Pure; distances are geometry.haversine_m, the same the matcher uses."""

from __future__ import annotations

import math

from alertrelay.bot.core.geometry import EARTH_RADIUS_M, haversine_m

CELL_DEG = 0.01
"""About 1.1 km of latitude, 0.8 km of longitude here: a 500 m search reads 4 to 9 cells."""

_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)


class GridIndex:
    """Points by id. `within` answers the ids within radius_m, nearest first (ties by id)."""

    def __init__(self) -> None:
        self._where: dict[str, tuple[float, float]] = {}
        self._cells: dict[tuple[int, int], set[str]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._where

    def put(self, item_id: str, lat: float, lon: float) -> None:
        if self._where.get(item_id) == (lat, lon):
            return
        self.remove(item_id)
        self._where[item_id] = (lat, lon)
        self._cells.setdefault(_cell(lat, lon), set()).add(item_id)

    def remove(self, item_id: str) -> None:
        old = self._where.pop(item_id, None)
        if old is None:
            return
        cell = _cell(*old)
        members = self._cells[cell]
        members.discard(item_id)
        if not members:
            del self._cells[cell]

    def within(self, lat: float, lon: float, radius_m: float) -> list[str]:
        dlat = radius_m / _M_PER_DEG
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        lat0, lon0 = _cell(lat - dlat, lon - dlon)
        lat1, lon1 = _cell(lat + dlat, lon + dlon)
        found: list[tuple[float, str]] = []
        if (lat1 - lat0 + 1) * (lon1 - lon0 + 1) > len(self._cells):
            cells = [c for c in self._cells if lat0 <= c[0] <= lat1 and lon0 <= c[1] <= lon1]
        else:
            cells = [(a, b) for a in range(lat0, lat1 + 1) for b in range(lon0, lon1 + 1)]
        for cell in cells:
            for item_id in self._cells.get(cell, ()):
                d = haversine_m(lat, lon, *self._where[item_id])
                if d <= radius_m:
                    found.append((d, item_id))
        found.sort()
        return [item_id for _, item_id in found]
