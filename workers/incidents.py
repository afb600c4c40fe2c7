"""Incident storage: snapshots for matching, the atomic apply script, expiry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import redis

from bot.core.matching import IncidentView
from workers import keys

_APPLY = (Path(__file__).parent / "apply_report.lua").read_text()
_EXPIRE = (Path(__file__).parent / "expire_incidents.lua").read_text()
CANDIDATE_RADIUS_M = 6000
"""Area incidents sit at a neighbourhood centroid: look this far for them."""


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


def _view(incident_id: str, h: dict[bytes, bytes]) -> IncidentView | None:
    if not h:
        return None
    g = {k.decode(): v.decode() for k, v in h.items()}
    return IncidentView(id=incident_id, lat=float(g["lat"]), lon=float(g["lon"]), precision=g["precision"],
                        place=g["place"], area_name=g.get("area_name") or None, state=g["state"],
                        last_report_at=float(g["last_report_at"]), rev=int(g["rev"]))


def global_rev(conn: redis.Redis) -> int:
    return int(conn.get(keys.INCIDENTS_REV) or 0)


def nearby(conn: redis.Redis, lat: float, lon: float) -> tuple[int, list[IncidentView]]:
    pipe = conn.pipeline(transaction=True)
    pipe.get(keys.INCIDENTS_REV)
    pipe.geosearch(keys.INCIDENTS_GEO, longitude=lon, latitude=lat, radius=CANDIDATE_RADIUS_M, unit="m")
    rev, ids = pipe.execute()
    return int(rev or 0), [v for v in (get(conn, i.decode()) for i in ids) if v is not None]


def get(conn: redis.Redis, incident_id: str) -> IncidentView | None:
    return _view(incident_id, conn.hgetall(keys.incident(incident_id)))


def fields(conn: redis.Redis, incident_id: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in conn.hgetall(keys.incident(incident_id)).items()}


def texts(conn: redis.Redis, incident_id: str) -> list[tuple[str, str]]:
    out = []
    for raw in conn.lrange(keys.incident_texts(incident_id), 0, -1):
        item = json.loads(raw)
        out.append((item["r"], item["x"]))
    return out


def apply(conn: redis.Redis, request: dict[str, object]) -> Applied:
    raw = conn.eval(_APPLY, 0, json.dumps({"prefix": keys.PREFIX, **request}))
    data = json.loads(raw)
    return Applied(**{k: v for k, v in data.items() if k in Applied.__dataclass_fields__})


def expire_quiet(conn: redis.Redis, cutoff_s: float) -> list[tuple[str, str]]:
    return [(i.decode(), a.decode()) for i, a in conn.eval(_EXPIRE, 0, keys.PREFIX, cutoff_s)]
