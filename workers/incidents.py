"""Incident storage: the drainer's view of open incidents, the atomic apply script, expiry."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from alertrelay.bot import keys, replies
from alertrelay.bot.core.decide import IncidentState, Reporter, frozen_map
from alertrelay.bot.core.matching import ACTIVE_STATES, IncidentView
from alertrelay.bot.core.nearby import GridIndex
from alertrelay.bot.scripts import run_script

_HERE = Path(__file__).parent
_CHANGED = (_HERE / "changed.lua").read_text()
_APPLY = _CHANGED + (_HERE / "apply_report.lua").read_text()
_EXPIRE = _CHANGED + (_HERE / "expire_incidents.lua").read_text()
_SET_STATE = _CHANGED + (_HERE / "set_state.lua").read_text()
_SYNC = (_HERE / "incident_sync.lua").read_text()
# Every script is passed in KEYS each key of its region whose name the caller knows (all in the region's
# slot: a Redis Cluster client routes the call there). Only the keys of incidents a script finds by id in
# the region's sets, or creates, are built inside it, from the region's prefix, so they share its hash tag.
AREA_CANDIDATE_RADIUS_M = 6000
"""Area incidents sit at a neighbourhood centroid: look this far for them."""
MAX_TEXTS = 100
"""Report texts kept per incident for copy detection (apply_report.lua trims to the same)."""


@dataclass(frozen=True)
class Applied:
    status: str            # ok | replay | retry | closed | diverged
    incident: str = ""
    state: str = ""
    alert_id: str = ""
    transition: str = ""   # "" | verified | cleared
    reporters: int = 0
    clears: int = 0
    by_verifier: bool = False
    counted: bool = False
    newly_counted: bool = False
    """This message added a voice the rule counts (a repeat, a copy or a forward does not)."""
    place: str = ""
    area: str = ""
    lat: float = 0.0
    lon: float = 0.0
    precision: str = ""
    area_name: str = ""
    seen: str = ""


@dataclass(frozen=True)
class ReporterState:
    """The per-sender keys a decision reads: a place-less report waiting for its "where?", the incident
    the sender last spoke about, the incident the quoted message belongs to, and when the relay first
    heard from the sender (and began noting that for anyone)."""

    pending: str | None = None
    last: str | None = None
    quoted: str | None = None
    first_seen: float | None = None
    listening_since: float | None = None


def _reporter_keys(reporter: str, quote_ref: str | None, region: keys.Region) -> list[str]:
    names = [region.pending_place(reporter), region.reporter_incident(reporter),
             region.sender_first_seen(reporter), region.listening_since]
    if quote_ref:
        names.append(region.message_ref(quote_ref))
    return names


def _time(value: str | None) -> float | None:
    return float(value) if value else None


def _mget(conn: redis.Redis, names: list[str]) -> dict[str, str | None]:
    return {name: replies.text(v) if v is not None else None for name, v in zip(names, conn.mget(names))}


class SenderKeys:
    """The per-sender keys of the batch being drained, read for the whole batch in one round trip.

    Every write the drainer makes to these keys goes through `wrote` as well, so a later message of the
    same batch reads what a serial read would. Outside a batch (before `prefetch`, after `clear`), every
    read goes to Redis.
    """

    def __init__(self) -> None:
        self._known: dict[str, str | None] | None = None

    def prefetch(self, conn: redis.Redis, senders: list[tuple[str, str | None]],
                 region: keys.Region = keys.DEFAULT_REGION) -> None:
        names = sorted({name for reporter, quote_ref in senders
                        for name in _reporter_keys(reporter, quote_ref, region)})
        self._known = _mget(conn, names) if names else {}

    def read(self, conn: redis.Redis, reporter: str, quote_ref: str | None,
             region: keys.Region = keys.DEFAULT_REGION) -> ReporterState:
        names = _reporter_keys(reporter, quote_ref, region)
        known = self._known if self._known is not None else {}
        missing = [name for name in names if name not in known]
        if missing:
            known = {**known, **_mget(conn, missing)}
            if self._known is not None:
                self._known.update(known)
        values = [known[name] for name in names]
        return ReporterState(pending=values[0], last=values[1], quoted=values[4] if quote_ref else None,
                             first_seen=_time(values[2]), listening_since=_time(values[3]))

    def wrote(self, name: str, value: str | None) -> None:
        """We just set (or, with None, deleted) this key in Redis."""
        if self._known is not None:
            self._known[name] = value

    def clear(self) -> None:
        self._known = None


@dataclass(frozen=True)
class Snapshot:
    """What one message's decision reads: its sender's keys and the open incidents it may concern."""

    seq: int
    incidents: dict[str, IncidentView]
    quoted: str | None
    last: str | None
    pending: str | None
    nearby: list[IncidentView]
    _texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _states: dict[str, IncidentState] = field(default_factory=dict, repr=False)
    first_seen: float | None = None
    listening_since: float | None = None

    def texts(self, incident_id: str) -> list[tuple[str, str]]:
        """(reporter, simplified text) of an incident's stored report texts."""
        return self._texts.get(incident_id, [])

    def state(self, incident_id: str) -> IncidentState:
        """The incident's counting state, as decide() reads it."""
        return self._states[incident_id]


def _view(item: dict[str, Any]) -> IncidentView:
    return IncidentView(id=item["id"], lat=float(item["lat"]), lon=float(item["lon"]), precision=item["precision"],
                        place=item["place"], area_name=item["area_name"] or None, state=item["state"],
                        last_report_at=float(item["last_report_at"]))


def _scored(flat: list[Any] | dict[str, Any] | None) -> dict[str, float]:
    """A Lua ZRANGE … WITHSCORES answer ([member, score, …]; cjson turns an empty one into {})."""
    items = flat if isinstance(flat, list) else []  # {} only ever stands for an empty answer
    return {items[i]: float(items[i + 1]) for i in range(0, len(items), 2)}


def _counting(item: dict[str, Any]) -> IncidentState:
    newcomers = set(item.get("newcomers") or [])
    return IncidentState(
        state=item["state"], precision=item["precision"],
        reporters=frozen_map({r: Reporter(at, r in newcomers) for r, at in _scored(item.get("reporters")).items()}),
        clears=frozen_map(_scored(item.get("clears"))), disputes=frozen_map(_scored(item.get("disputes"))),
        forwarders=frozenset(item.get("forwarders") or []), by_verifier=item.get("by_verifier") == "1")


def counting_state(conn: redis.Redis, incident_id: str) -> IncidentState | None:
    """An incident's counting state read straight from Redis (None if its data expired)."""
    pipe = conn.pipeline(transaction=True)
    pipe.hmget(keys.incident(incident_id), "state", "precision", "by_verifier")
    pipe.zrange(keys.incident_reporters(incident_id), 0, -1, withscores=True)
    pipe.smembers(keys.incident_newcomers(incident_id))
    pipe.zrange(keys.incident_clears(incident_id), 0, -1, withscores=True)
    pipe.zrange(keys.incident_disputes(incident_id), 0, -1, withscores=True)
    pipe.smembers(keys.incident_forwarders(incident_id))
    (state, precision, by_verifier), reporters, newcomers, clears, disputes, forwarders = pipe.execute()
    if state is None:
        return None
    fresh = {n.decode() for n in newcomers}
    return IncidentState(
        state=state.decode(), precision=precision.decode(),
        reporters=frozen_map({r.decode(): Reporter(at, r.decode() in fresh) for r, at in reporters}),
        clears=frozen_map({r.decode(): at for r, at in clears}),
        disputes=frozen_map({r.decode(): at for r, at in disputes}),
        forwarders=frozenset(f.decode() for f in forwarders), by_verifier=by_verifier == b"1")


class OpenIncidents:
    """This process's copy of every open incident, as of the global incident revision `seq`.

    Only the drainer decides, and every change to an incident bumps that revision (changed.lua), so the
    copy replaces a Redis search per message: a decision made on it is applied with `expect_seq`, and if
    anything changed meanwhile (an expiry, a retraction, another drainer) the apply answers "retry" and
    the copy catches up by reading just the incidents that changed.
    """

    def __init__(self, region: keys.Region = keys.DEFAULT_REGION) -> None:
        self.region = region
        self.epoch = ""
        self.seq = -1
        self._views: dict[str, IncidentView] = {}
        self._texts: dict[str, list[tuple[str, str]]] = {}
        self._states: dict[str, IncidentState] = {}
        self._points = GridIndex()
        self._areas = GridIndex()
        self.behind = True
        """Redis may hold changes this copy lacks (an apply it did not fold in); a sync clears it."""
        self._quiet_floor = float("inf")
        """At most the earliest last_report_at of the copy's incidents (exact after a recount)."""

    def __len__(self) -> int:
        return len(self._views)

    def sync(self, conn: redis.Redis) -> None:
        region = self.region
        names = [region.incidents_epoch, region.incidents_epoch_seq, region.incidents_rev,
                 region.incidents_changed_floor, region.incidents_active, region.incidents_changed]
        data = json.loads(run_script(conn, _SYNC, keys=names, args=[region.prefix, self.epoch, self.seq]))
        if data["full"]:
            self._views.clear()
            self._texts.clear()
            self._states.clear()
            self._points = GridIndex()
            self._areas = GridIndex()
            self._quiet_floor = float("inf")
        for item in data["incidents"] or []:  # cjson turns an empty Lua table into {}
            if "state" not in item:
                self.forget(item["id"])
                continue
            texts = [(t["r"], t["x"]) for t in map(json.loads, item["texts"] or [])]
            self._put(_view(item), texts, _counting(item))
        self.epoch, self.seq = data["epoch"], int(data["seq"])
        self.behind = False

    def forget(self, incident_id: str) -> None:
        self._views.pop(incident_id, None)
        self._texts.pop(incident_id, None)
        self._states.pop(incident_id, None)
        self._points.remove(incident_id)
        self._areas.remove(incident_id)

    def reload(self) -> None:
        """Read every open incident afresh at the next sync."""
        self.epoch = ""
        self.behind = True

    def _put(self, view: IncidentView, texts: list[tuple[str, str]], state: IncidentState) -> None:
        if view.state not in ACTIVE_STATES:
            self.forget(view.id)
            return
        self._views[view.id] = view
        self._quiet_floor = min(self._quiet_floor, view.last_report_at)
        self._texts[view.id] = texts[-MAX_TEXTS:]
        self._states[view.id] = state
        index, other = (self._areas, self._points) if view.precision == "area" else (self._points, self._areas)
        other.remove(view.id)
        index.put(view.id, view.lat, view.lon)

    def applied(self, data: dict[str, Any], text: str, reporter: str, state: IncidentState) -> None:
        """Fold in what our own apply changed (`state`: decide.after of it), when it was the only change
        since our copy's revision (the apply checked that); otherwise leave it to the next sync."""
        if data.get("status") != "ok":
            return
        if int(data["seq"]) != self.seq + 1:
            self.behind = True
            return
        texts = self._texts.get(data["incident"], [])
        if text:
            texts = [*texts, (reporter, text)]
        self._put(_view({**data, "id": data["incident"]}), texts, state)
        self.seq += 1

    def quiet_since_before(self, cutoff_s: float) -> bool:
        """Whether an open incident of this copy has had no report since before `cutoff_s`, i.e. whether
        expire_quiet(cutoff_s) would close anything (when the copy is not `behind`)."""
        if self._quiet_floor >= cutoff_s:
            return False
        self._quiet_floor = min((v.last_report_at for v in self._views.values()), default=float("inf"))
        return self._quiet_floor < cutoff_s

    def view(self, incident_id: str | None) -> IncidentView | None:
        return self._views.get(incident_id or "")

    def snapshot(self, reporter: ReporterState, point: tuple[float, float] | None, radius_m: float,
                 named: tuple[str, ...] = ()) -> Snapshot:
        near: list[IncidentView] = []
        if point is not None:
            ids = self._points.within(*point, radius_m) + self._areas.within(*point, AREA_CANDIDATE_RADIUS_M)
            near = [self._views[i] for i in ids]
        wanted = {v.id: v for v in near}
        for incident_id in (reporter.quoted, reporter.last, *named):
            view = self.view(incident_id)
            if view is not None:
                wanted[view.id] = view
        return Snapshot(seq=self.seq, incidents=wanted, quoted=reporter.quoted, last=reporter.last,
                        pending=reporter.pending, nearby=near,
                        _texts={i: self._texts.get(i, []) for i in wanted},
                        _states={i: self._states[i] for i in wanted},
                        first_seen=reporter.first_seen, listening_since=reporter.listening_since)


def _change_keys(region: keys.Region) -> list[str]:
    """KEYS[1..4] of every script that changes an incident: the revision, the change log and its floor
    (changed.lua), the open incidents."""
    return [region.incidents_rev, region.incidents_changed, region.incidents_changed_floor,
            region.incidents_active]


def incident_keys(incident_id: str) -> list[str]:
    """Every key of one incident, in the order apply_report.lua takes them (its PARTS)."""
    return [keys.incident(incident_id), keys.incident_reporters(incident_id), keys.incident_clears(incident_id),
            keys.incident_disputes(incident_id), keys.incident_texts(incident_id),
            keys.incident_messages(incident_id), keys.incident_forwarders(incident_id),
            keys.incident_newcomers(incident_id), keys.incident_why(incident_id)]


def fields(conn: redis.Redis, incident_id: str) -> dict[str, str]:
    return {replies.text(k): replies.text(v) for k, v in conn.hgetall(keys.incident(incident_id)).items()}


def apply(conn: redis.Redis, request: dict[str, object],
          region: keys.Region = keys.DEFAULT_REGION) -> tuple[Applied, dict[str, Any]]:
    """Run the apply script in `region`: (the outcome, the script's whole answer for OpenIncidents.applied)."""
    envelope = {"prefix": region.prefix, "id_suffix": region.id_suffix, **request}
    names = [*_change_keys(region), region.incident_seq, region.alert_seq, region.message_ref(str(request["ref"])),
             region.reporter_incident(str(request["reporter"]))]
    if request["incident_id"]:  # a new incident's keys follow from the id the script draws (its prefix)
        names += incident_keys(str(request["incident_id"]))
    data = json.loads(run_script(conn, _APPLY, keys=names, args=[json.dumps(envelope)]))
    values = {k: v for k, v in data.items() if k in Applied.__dataclass_fields__}
    for name in ("lat", "lon"):
        values[name] = float(values.get(name) or 0.0)
    return Applied(**values), data


def set_state(conn: redis.Redis, incident_id: str, state: str, at_s: float | None = None) -> bool:
    """Close an incident by hand (a retraction), at message time `at_s` (kept as `<state>_at`). False if it
    was in that state already."""
    region = keys.region_of_id(incident_id)
    return bool(run_script(conn, _SET_STATE, keys=[*_change_keys(region), keys.incident(incident_id)],
                           args=[incident_id, state, "" if at_s is None else repr(at_s)]))


def expire_quiet(conn: redis.Redis, cutoff_s: float,
                 region: keys.Region = keys.DEFAULT_REGION) -> list[tuple[str, str]]:
    return [(i.decode(), a.decode()) for i, a in run_script(conn, _EXPIRE, keys=_change_keys(region),
                                                             args=[region.prefix, cutoff_s])]
