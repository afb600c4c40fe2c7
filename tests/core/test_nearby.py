import math

import pytest

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.core.nearby import GridIndex

LAKE_HIAWATHA = (44.9483, -93.2357)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / 111_195, lon + east_m / (111_195 * math.cos(math.radians(lat))))


def test_within_answers_nearest_first_and_only_inside_the_radius() -> None:
    grid = GridIndex()
    grid.put("far", *offset(*LAKE_HIAWATHA, 0, 900))
    grid.put("near", *offset(*LAKE_HIAWATHA, 100, 0))
    grid.put("mid", *offset(*LAKE_HIAWATHA, 0, -400))
    assert grid.within(*LAKE_HIAWATHA, 500) == ["near", "mid"]
    assert grid.within(*LAKE_HIAWATHA, 1000) == ["near", "mid", "far"]


def test_points_across_cell_edges_are_found() -> None:
    grid = GridIndex()
    # 44.99999 and 45.00001 fall in different 0.01° cells but are 2 m apart
    grid.put("north", 45.00001, -93.25)
    assert grid.within(44.99999, -93.25, 5) == ["north"]


def test_put_moves_and_remove_forgets() -> None:
    grid = GridIndex()
    grid.put("i1", *LAKE_HIAWATHA)
    grid.put("i1", *offset(*LAKE_HIAWATHA, 3000, 0))
    assert grid.within(*LAKE_HIAWATHA, 500) == [] and len(grid) == 1
    grid.remove("i1")
    grid.remove("i1")  # twice is fine
    assert "i1" not in grid and len(grid) == 0


@pytest.mark.parametrize("radius_m", [50, 500, 6000])
def test_within_agrees_with_a_full_scan(radius_m: float) -> None:
    grid = GridIndex()
    points = {f"i{k}": offset(*LAKE_HIAWATHA, (k * 37) % 8000 - 4000, (k * 53) % 8000 - 4000) for k in range(300)}
    for item_id, (lat, lon) in points.items():
        grid.put(item_id, lat, lon)
    scan = sorted((haversine_m(*LAKE_HIAWATHA, lat, lon), i) for i, (lat, lon) in points.items())
    assert grid.within(*LAKE_HIAWATHA, radius_m) == [i for d, i in scan if d <= radius_m]
