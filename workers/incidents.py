"""Incident storage: snapshots for matching, the atomic apply script, expiry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.commands.core import Script

from bot.core.matching import IncidentView
from workers import keys

_APPLY = (Path(__file__).parent / "apply_report.lua").read_text()
_EXPIRE = (Path(__file__).parent / "expire_incidents.lua").read_text()
AREA_CANDIDATE_RADIUS_M = 6000
"""Area incidents sit at a neighbourhood centroid: look this far for them."""
FIELDS = ("lat", "lon", "precision", "place", "area_name", "state", "last_report_at", "rev")


@dataclass(frozen=True)
class Applied:
    status: str            # ok | replay | retry | closed
    incident: str = ""
    state: str = ""
    alert_id: str = ""
    transition: str = ""   # "" | verified | cleared
    reporters: int = 0
    clears: int = 0
    by_verifier: bool = False
    counted: bool = False
    place: str = ""
    area: str = ""


def _view(incident_id: str, h: dict[bytes, bytes]) -> IncidentView | None:
    if not h:
        return None
    g = {k.decode(): v.decode() for k, v in h.items()}
    return IncidentView(id=incident_id, lat=float(g["lat"]), lon=float(g["lon"]), precision=g["precision"],
                        place=g["place"], area_name=g.get("area_name") or None, state=g["state"],
                        last_report_at=float(g["last_report_at"]), rev=int(g["rev"]))


def global_rev(conn: redis.Redis) -> int:
    return int(conn.get(keys.INCIDENTS_REV) or 0)


def nearby(conn: redis.Redis, lat: float, lon: float, radius_m: float
           ) -> tuple[int, list[IncidentView], dict[str, list[tuple[str, str]]]]:
    """The global rev, the open incidents a sighting here could belong to, and their report texts
    (for copy detection): two round trips."""
    pipe = conn.pipeline(transaction=True)
    pipe.get(keys.INCIDENTS_REV)
    pipe.geosearch(keys.INCIDENTS_GEO, longitude=lon, latitude=lat, radius=radius_m, unit="m")
    pipe.geosearch(keys.INCIDENTS_GEO_AREA, longitude=lon, latitude=lat, radius=AREA_CANDIDATE_RADIUS_M, unit="m")
    rev, points, areas = pipe.execute()
    ids = [i.decode() for i in points + areas]
    if not ids:
        return int(rev or 0), [], {}
    pipe = conn.pipeline(transaction=True)
    for incident_id in ids:
        pipe.hmget(keys.incident(incident_id), FIELDS)
        pipe.lrange(keys.incident_texts(incident_id), 0, -1)
    replies = pipe.execute()
    views, all_texts = [], {}
    for incident_id, values, raw_texts in zip(ids, replies[0::2], replies[1::2]):
        if values[0] is None:
            continue
        view = _view(incident_id, {f.encode(): v for f, v in zip(FIELDS, values) if v is not None})
        if view is not None:
            views.append(view)
            all_texts[incident_id] = _texts(raw_texts)
    return int(rev or 0), views, all_texts


def get(conn: redis.Redis, incident_id: str) -> IncidentView | None:
    return _view(incident_id, conn.hgetall(keys.incident(incident_id)))


def fields(conn: redis.Redis, incident_id: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in conn.hgetall(keys.incident(incident_id)).items()}


def _texts(raw_items: list[bytes]) -> list[tuple[str, str]]:
    return [(item["r"], item["x"]) for item in map(json.loads, raw_items)]


def texts(conn: redis.Redis, incident_id: str) -> list[tuple[str, str]]:
    return _texts(conn.lrange(keys.incident_texts(incident_id), 0, -1))


def apply(conn: redis.Redis, request: dict[str, object]) -> Applied:
    raw = _script(conn, _APPLY)(args=[json.dumps({"prefix": keys.PREFIX, **request})])
    data = json.loads(raw)
    return Applied(**{k: v for k, v in data.items() if k in Applied.__dataclass_fields__})


def expire_quiet(conn: redis.Redis, cutoff_s: float) -> list[tuple[str, str]]:
    return [(i.decode(), a.decode()) for i, a in _script(conn, _EXPIRE)(args=[keys.PREFIX, cutoff_s])]


_scripts: dict[tuple[int, str], Script] = {}


def _script(conn: redis.Redis, source: str) -> Script:
    """EVALSHA, not EVAL: the script body is sent once per connection pool, not with every message."""
    key = (id(conn), source)
    if key not in _scripts:
        _scripts[key] = conn.register_script(source)
    return _scripts[key]
