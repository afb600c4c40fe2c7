"""Which open incident a sighting belongs to. Pure: geometry lookups are passed in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.core.models import Policy

ACTIVE_STATES = ("pending", "blocked", "verified")


@dataclass(frozen=True)
class Sighting:
    lat: float
    lon: float
    precision: str          # "point" | "area"
    place: str
    area_name: str | None   # the neighbourhood/district it names, for area-level sightings
    at: float               # message time, epoch seconds


@dataclass(frozen=True)
class IncidentView:
    id: str
    lat: float
    lon: float
    precision: str
    place: str
    area_name: str | None
    state: str
    last_report_at: float


AreaContains = Callable[[str, float, float], bool]


def _in_time(s: Sighting, inc: IncidentView, policy: Policy) -> bool:
    if inc.state == "verified":
        return True  # an alerted incident stays open until all-clear, expiry or retraction
    return abs(s.at - inc.last_report_at) <= policy.window_s


def _in_place(s: Sighting, inc: IncidentView, policy: Policy, area_contains: AreaContains) -> bool:
    if s.place and s.place == inc.place:
        return True
    if inc.precision == "area" and inc.area_name:
        if s.precision == "area" and s.area_name:
            return s.area_name == inc.area_name or area_contains(inc.area_name, s.lat, s.lon)
        return area_contains(inc.area_name, s.lat, s.lon)
    if s.precision == "area" and s.area_name:
        return area_contains(s.area_name, inc.lat, inc.lon)
    return haversine_m(s.lat, s.lon, inc.lat, inc.lon) <= policy.radius_m


def choose_incident(s: Sighting, candidates: Sequence[IncidentView], policy: Policy,
                    area_contains: AreaContains) -> IncidentView | None:
    """The nearest open incident the sighting matches by place and time window, or None for a new one."""
    matches = [
        inc for inc in candidates
        if inc.state in ACTIVE_STATES and _in_time(s, inc, policy) and _in_place(s, inc, policy, area_contains)
    ]
    if not matches:
        return None
    return min(matches, key=lambda inc: (haversine_m(s.lat, s.lon, inc.lat, inc.lon), -inc.last_report_at))
