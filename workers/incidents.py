"""Incident storage: snapshots for matching, the atomic apply script, expiry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import redis

from bot.core.matching import IncidentView
from bot.scripts import run_script
from bot import keys

_APPLY = (Path(__file__).parent / "apply_report.lua").read_text()
_EXPIRE = (Path(__file__).parent / "expire_incidents.lua").read_text()
_SNAPSHOT = (Path(__file__).parent / "snapshot.lua").read_text()
AREA_CANDIDATE_RADIUS_M = 6000
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
    place: str = ""
    area: str = ""


@dataclass(frozen=True)
class Snapshot:
    """What one message's decision reads, taken in one round trip (workers/snapshot.lua)."""

    rev: int
    incidents: dict[str, IncidentView]
    raw_texts: dict[str, list[str]]
    quoted: str | None
    last: str | None
    pending: str | None
    nearby: list[IncidentView]

    def texts(self, incident_id: str) -> list[tuple[str, str]]:
        """(reporter, simplified text) of an incident's report texts; decoded only for the one matched."""
        return [(t["r"], t["x"]) for t in map(json.loads, self.raw_texts.get(incident_id) or [])]


def snapshot(conn: redis.Redis, reporter: str, quote_ref: str | None, point: tuple[float, float] | None,
             radius_m: float, named: tuple[str, ...] = ()) -> Snapshot:
    request: dict[str, object] = {"prefix": keys.PREFIX, "reporter": reporter, "quote_ref": quote_ref or "",
                                  "radius_m": radius_m, "area_radius_m": AREA_CANDIDATE_RADIUS_M}
    if named:
        request["named"] = list(named)
    if point is not None:
        request["lat"], request["lon"] = point
    data = json.loads(run_script(conn, _SNAPSHOT, args=[json.dumps(request)]))
    views: dict[str, IncidentView] = {}
    texts_of: dict[str, list[str]] = {}
    for item in data["incidents"]:
        views[item["id"]] = IncidentView(
            id=item["id"], lat=float(item["lat"]), lon=float(item["lon"]), precision=item["precision"],
            place=item["place"], area_name=item["area_name"] or None, state=item["state"],
            last_report_at=float(item["last_report_at"]), rev=int(item["rev"]))
        # cjson turns an empty Lua table into {} rather than []
        texts_of[item["id"]] = item["texts"] or []
    near = [views[i] for i in (data["near"] or []) if i in views]
    return Snapshot(rev=int(data["rev"]), incidents=views, raw_texts=texts_of, quoted=data["quoted"] or None,
                    last=data["last"] or None, pending=data["pending"] or None, nearby=near)


def fields(conn: redis.Redis, incident_id: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in conn.hgetall(keys.incident(incident_id)).items()}


def apply(conn: redis.Redis, request: dict[str, object]) -> Applied:
    raw = run_script(conn, _APPLY, args=[json.dumps({"prefix": keys.PREFIX, **request})])
    data = json.loads(raw)
    return Applied(**{k: v for k, v in data.items() if k in Applied.__dataclass_fields__})


def expire_quiet(conn: redis.Redis, cutoff_s: float) -> list[tuple[str, str]]:
    return [(i.decode(), a.decode()) for i, a in run_script(conn, _EXPIRE, args=[keys.PREFIX, cutoff_s])]
