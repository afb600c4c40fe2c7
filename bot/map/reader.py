"""What the map and the feeds show, read from the relay's Redis keys (bot/keys.py): incidents, their
alerts and lifecycle. Read-only; the workers own every write.

The set of incidents comes from the incident change log (keys.INCIDENTS_CHANGED: the latest change of the
last few thousand incidents) and the open ones (keys.INCIDENTS_ACTIVE). A reader keeps its copy as of one
incident revision and, when the revision moves, reads only the incidents that changed: a map with ten
viewers costs Redis one GET per poll, not a scan per viewer.

Nothing here holds a text, a name or a number: incidents carry the geocoded place (rounded), the decision
log carries pseudonyms and times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import redis

from alertrelay.bot import keys, replies
from alertrelay.bot.regions import all_regions

FIELDS = ("state", "lat", "lon", "precision", "place", "area", "area_name", "first_at", "last_report_at",
          "voices", "alert_id", "verified_at", "by_verifier", "cleared_at", "expired_at", "retracted_at")
ROUND_DIGITS = 3
"""Coordinates shown or published are rounded to 3 decimals: about 110 m north-south, 80 m east-west
here. A location pin a reporter shared is never shown where it was dropped."""
MAX_UPDATES = 10
"""At most this many Update messages (later independent reports) per alert, the latest ones."""

MAP_STATES = {"pending": "pending", "blocked": "pending", "verified": "verified", "cleared": "cleared",
              "expired": "expired", "closed": "expired", "retracted": "retracted"}
"""Incident state in Redis -> what the map and feeds call it (data-state)."""
OPEN_STATES = ("pending", "blocked", "verified")


def _text(value: bytes | None) -> str:
    return value.decode() if value is not None else ""


def _float(value: str) -> float | None:
    return float(value) if value else None


@dataclass(frozen=True)
class Step:
    """One message of an alert's lifecycle: alert, update (a later independent report, or the expiry),
    all_clear, retraction."""

    kind: str
    at: float
    reports: int = 0


@dataclass(frozen=True)
class IncidentRecord:
    id: str
    raw_state: str
    lat: float
    lon: float
    precision: str
    place: str
    neighbourhood: str
    area_name: str
    first_at: float
    last_report_at: float
    reports: int
    alert_id: str = ""
    verified_at: float | None = None
    by_verifier: bool = False
    cleared_at: float | None = None
    expired_at: float | None = None
    """When the expiry update went out: the last report plus the quiet period."""
    retracted_at: float | None = None
    groups: tuple[str, ...] = ()
    updates: tuple[float, ...] = ()
    """Message times of the independent reports counted after the alert."""

    @property
    def state(self) -> str:
        return MAP_STATES.get(self.raw_state, "expired")

    @property
    def open(self) -> bool:
        return self.raw_state in OPEN_STATES

    @property
    def disputed(self) -> bool:
        return self.raw_state == "blocked"

    @property
    def shown_lat(self) -> float:
        return round(self.lat, ROUND_DIGITS)

    @property
    def shown_lon(self) -> float:
        return round(self.lon, ROUND_DIGITS)

    @property
    def closed_at(self) -> float | None:
        return self.cleared_at or self.retracted_at or self.expired_at

    @property
    def latest_at(self) -> float:
        return max(t for t in (self.last_report_at, self.verified_at, self.closed_at) if t is not None)

    def lifecycle(self) -> list[Step]:
        """Alert → updates → all-clear / expiry / retraction, oldest first (empty before it is verified)."""
        if not self.alert_id or self.verified_at is None:
            return []
        counted = len(self.updates)
        base = max(1, self.reports - counted)
        steps = [Step("alert", self.verified_at, base)]
        for n, at in enumerate(self.updates[-MAX_UPDATES:], start=counted - min(counted, MAX_UPDATES) + 1):
            steps.append(Step("update", at, base + n))
        if self.retracted_at is not None:
            steps.append(Step("retraction", self.retracted_at, self.reports))
        elif self.cleared_at is not None:
            steps.append(Step("all_clear", self.cleared_at, self.reports))
        elif self.expired_at is not None:
            steps.append(Step("expiry", self.expired_at, self.reports))
        return steps


def read_incidents(conn: redis.Redis, ids: list[str], quiet_period_s: float) -> dict[str, IncidentRecord | None]:
    """The records of these incidents (None where the data expired), in two round trips."""
    pipe = conn.pipeline(transaction=False)
    for incident_id in ids:
        pipe.hmget(keys.incident(incident_id), *FIELDS)
    rows = [dict(zip(FIELDS, map(_text, row))) for row in pipe.execute()]
    pipe = conn.pipeline(transaction=False)
    for row in rows:
        if row["alert_id"]:
            pipe.hget(keys.alert(row["alert_id"]), "groups")
    for incident_id, row in zip(ids, rows):
        if row["alert_id"]:
            pipe.lrange(keys.incident_why(incident_id), 0, -1)
    answers = iter(pipe.execute())
    groups = {row["alert_id"]: json.loads(next(answers) or b"[]") for row in rows if row["alert_id"]}
    out: dict[str, IncidentRecord | None] = {}
    for incident_id, row in zip(ids, rows):
        if not row["state"]:
            out[incident_id] = None
            continue
        updates: tuple[float, ...] = ()
        verified_at = _float(row["verified_at"])
        if row["alert_id"]:
            log = [json.loads(x) for x in next(answers)]
            updates = tuple(float(e["t"]) for e in log if e.get("c") and e.get("k") == "report"
                            and verified_at is not None and float(e["t"]) > verified_at)
        expired = _float(row["expired_at"])
        out[incident_id] = IncidentRecord(
            id=incident_id, raw_state=row["state"], lat=float(row["lat"] or 0), lon=float(row["lon"] or 0),
            precision=row["precision"], place=row["place"], neighbourhood=row["area"], area_name=row["area_name"],
            first_at=float(row["first_at"] or 0), last_report_at=float(row["last_report_at"] or 0),
            reports=int(row["voices"] or 0), alert_id=row["alert_id"], verified_at=verified_at,
            by_verifier=row["by_verifier"] == "1", cleared_at=_float(row["cleared_at"]),
            expired_at=expired + quiet_period_s if expired is not None and row["state"] == "expired" else None,
            retracted_at=_float(row["retracted_at"]), groups=tuple(groups.get(row["alert_id"], ())),
            updates=updates)
    return out


@dataclass
class MapState:
    """A copy of the recent incidents, as of incident revision `rev`; `refresh` catches up."""

    conn: redis.Redis
    quiet_period_s: float
    rev: int = -1
    """The sum of `revs` (moves whenever any region's does)."""
    revs: dict[str, int] = field(default_factory=dict)
    """Each region's incident revision this copy is as of."""
    version: int = 0
    """Bumped whenever what is shown changes (viewers are sent a new snapshot)."""
    exercise: bool = False
    incidents: dict[str, IncidentRecord] = field(default_factory=dict)
    _regions: list[keys.Region] = field(default_factory=list)
    _config_rev: bytes | None = b"?"

    def refresh(self) -> bool:
        """Read what changed since our revision (each region's: every region has its own). True if anything
        shown changed."""
        regions = self._regions
        pipe = self.conn.pipeline(transaction=False)
        pipe.exists(keys.EXERCISE)
        pipe.get(keys.CONFIG_REV)
        for region in regions:
            pipe.get(region.incidents_rev)
            pipe.get(region.incidents_changed_floor)
        exercise, config_rev, *answers = pipe.execute()
        if config_rev != self._config_rev:  # the groups, and so perhaps the regions, changed: read them again
            self._regions, self._config_rev = all_regions(self.conn), config_rev
            return self.refresh()
        revs = {region.name: (int(rev or 0), int(floor or 0))
                for region, rev, floor in zip(regions, answers[0::2], answers[1::2])}
        # an alert's groups are written just after the incident turns verified: read those again until there
        waiting = [i for i, r in self.incidents.items() if r.alert_id and not r.groups and r.open]
        moved = [region for region in regions if revs[region.name][0] != self.revs.get(region.name, -1)]
        if not moved and not waiting and bool(exercise) == self.exercise:
            return False
        full = any(rev < self.revs.get(name, -1) or self.revs.get(name, -1) < floor or self.revs.get(name, -1) < 0
                   for name, (rev, floor) in revs.items())
        ids: set[str] = set()
        for region in regions if full else moved:
            if full:
                ids |= {replies.text(m) for m in self.conn.zrange(region.incidents_changed, 0, -1)}
                ids |= {replies.text(m) for m in self.conn.zrange(region.incidents_active, 0, -1)}
            else:
                since = self.revs[region.name]
                ids |= {replies.text(m) for m in self.conn.zrangebyscore(region.incidents_changed, f"({since}", "+inf")}
        ids |= set(waiting)
        fresh = read_incidents(self.conn, sorted(ids), self.quiet_period_s)
        before = dict(self.incidents)
        if full:
            self.incidents = {}
        for incident_id, record in fresh.items():
            if record is None:
                self.incidents.pop(incident_id, None)
            else:
                self.incidents[incident_id] = record
        self.revs, self.exercise = {name: rev for name, (rev, _) in revs.items()}, bool(exercise)
        self.rev = sum(self.revs.values())
        if self.incidents != before:
            self.version += 1
            return True
        return False

    def recent(self, now: float, keep_closed_s: float) -> list[IncidentRecord]:
        """Open incidents, and closed ones whose last event is within keep_closed_s of now; newest first."""
        shown = [r for r in self.incidents.values() if r.open or r.latest_at >= now - keep_closed_s]
        return sorted(shown, key=lambda r: (-r.latest_at, r.id))
