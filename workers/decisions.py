"""Deciding one message against the drainer's copy of the open incidents and writing it: the steps the
pipeline and the verifiers' /confirm and /dispute share.

apply_message takes a snapshot (the sender's keys and the incidents near the place), picks the incident,
asks bot/core/decide.py what to write, and has apply_report.lua write it, refused if any incident changed
since the copy's revision (then it catches up and decides again). A transition is announced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace

from alertrelay.bot import keys, metrics
from alertrelay.bot.core.decide import Decision, IncidentState, Message, after, decide
from alertrelay.bot.core.decide import Kind as ApplyKind
from alertrelay.bot.core.geometry import covers
from alertrelay.bot.core.matching import ACTIVE_STATES, IncidentView, Sighting, choose_incident
from alertrelay.bot.core.models import Envelope
from alertrelay.bot.core.textsim import is_copy, simplify
from alertrelay.bot.geo import GeoResult
from alertrelay.workers import incidents
from alertrelay.workers.batch import Batch
from alertrelay.workers.delivery import announce
from alertrelay.workers.runtime import Runtime

log = logging.getLogger(__name__)

MAX_APPLY_ATTEMPTS = 20


def sighting_for(rt: Runtime, geo: GeoResult, at_s: float) -> Sighting:
    area_name = geo.place if geo.precision == "area" and rt.gazetteer.area_shape(geo.place) is not None else None
    # a pin's name is only its nearest corner: two pins are the same place by distance, never by name
    place = "" if geo.kind == "pin" else geo.place
    return Sighting(lat=geo.lat, lon=geo.lon, precision=geo.precision, place=place, area_name=area_name, at=at_s)


def area_contains(rt: Runtime) -> Callable[[str, float, float], bool]:
    def contains(name: str, lat: float, lon: float) -> bool:
        shape = rt.gazetteer.area_shape(name)
        return shape is not None and covers(shape, lat, lon)

    return contains


def take_snapshot(rt: Runtime, batch: Batch, env: Envelope, geo: GeoResult | None,
                  named: tuple[str, ...] = ()) -> incidents.Snapshot:
    """Everything this message's decision reads: its sender's keys (read for the whole batch at once) and
    the open incidents near its place, from this process's copy (synced once per batch and whenever an
    apply finds it stale)."""
    reporter = batch.sender_keys.read(rt.conn, env.reporter, env.quote_ref, batch.region)
    open_incidents = rt.open_incidents(batch.region)
    if geo is None:
        return open_incidents.snapshot(reporter, None, 0, named)
    area_level = sighting_for(rt, geo, 0).area_name is not None
    # an area-level sighting (a neighbourhood) matches point incidents anywhere inside it
    radius_m = incidents.AREA_CANDIDATE_RADIUS_M if area_level else rt.policy_for(geo).radius_m
    return open_incidents.snapshot(reporter, (geo.lat, geo.lon), radius_m, named)


def _target(rt: Runtime, env: Envelope, kind: ApplyKind, geo: GeoResult | None, quoted: str | None,
            snap: incidents.Snapshot) -> tuple[bool, IncidentView | None]:
    """(whether to apply, the incident or None for a new one) for this message: its quote, else its
    place, else (for an all-clear or dispute) the incident its sender last spoke about."""
    view = snap.incidents.get(quoted or "")
    if view is not None and view.state in ACTIVE_STATES:
        return True, view
    if geo is not None:
        sighting = sighting_for(rt, geo, env.at.timestamp())
        match = choose_incident(sighting, snap.nearby, rt.policy_for(geo), area_contains(rt))
        if match is not None or kind == "report":
            return True, match
    view = snap.incidents.get(snap.last or "")
    if view is not None and view.state in ACTIVE_STATES:
        return True, view
    return False, None


def decision_request(decision: Decision) -> dict[str, object]:
    """What apply_report.lua writes of a decision."""
    return {"state": decision.state, "transition": decision.transition, "by_verifier": decision.by_verifier,
            "add_reporter": decision.add_reporter, "first_time": decision.first_time,
            "add_forwarder": decision.add_forwarder, "add_clear": decision.add_clear,
            "add_dispute": decision.add_dispute, "touch": decision.touch, "refine": decision.refine,
            "reporters": decision.reporters}


def apply_message(rt: Runtime, batch: Batch, env: Envelope, kind: ApplyKind, geo: GeoResult | None,
                  quoted: str | None, *, counted: bool, seen: tuple[str, ...],
                  snap: incidents.Snapshot | None = None) -> incidents.Applied | None:
    """Decide `env` (a "report", "clear" or "dispute") and write it; a transition is announced with the
    batch's deliveries. None when it concerns no incident we know (an all-clear or dispute about nothing)."""
    conn, region = rt.conn, batch.region
    config = rt.config()
    open_incidents = rt.open_incidents(region)
    for _ in range(MAX_APPLY_ATTEMPTS):
        snap = snap or take_snapshot(rt, batch, env, geo, (quoted,) if quoted else ())
        applies, target = _target(rt, env, kind, geo, quoted, snap)
        if not applies:
            return None  # an all-clear or dispute about nothing we know
        policy = rt.policy_for(target if target is not None else geo)  # an area's own rules (/policy set)
        copy = False
        if target is not None and kind == "report" and counted:
            earlier = [text for reporter, text in snap.texts(target.id) if reporter != env.reporter]
            copy = is_copy(env.text, earlier, simplified=True)
        if target is not None:
            before = snap.state(target.id)
        else:
            assert geo is not None  # _target answers a new incident only for a report with a place
            before = IncidentState(precision=geo.precision)
        message = Message(
            # milliseconds: what Redis keeps of a time (Lua numbers are written with 14 digits)
            reporter=env.reporter, kind=kind, at=round(env.at.timestamp(), 3), counted=counted and not copy,
            not_counted="forwarded" if env.forwarded else "copy" if copy else "hearsay",
            verifier=env.reporter in config.verifiers, precision=geo.precision if geo is not None else None,
            first_seen=snap.first_seen, listening_since=snap.listening_since)
        decision = decide(before, message, policy)
        request: dict[str, object] = {
            "incident_id": target.id if target is not None else "",
            "expect_seq": snap.seq,
            "msg_key": env.key,
            "ref": env.ref,
            "reporter": env.reporter,
            "t": message.at,
            "ttl_s": rt.settings.report_ttl_s,
            "text": simplify(env.text) if kind == "report" and not copy and not env.forwarded else "",
            "seen": ",".join(seen),
            "before": {"state": before.state, "reporters": len(before.reporters)},
            "d": decision_request(decision),
            "why": (f'{{"r": {json.dumps(env.reporter)}, "t": {message.at!r}, "k": "{kind}", '
                    f'"c": {int(decision.counted)}, "w": "{decision.why}", "n": {int(decision.first_time)}}}'),
            "why_max": keys.WHY_MAX,
        }
        if geo is not None:
            point = {"lat": geo.lat, "lon": geo.lon, "precision": geo.precision, "place": geo.place,
                     "area": geo.area or ""}
            request["point"] = point
            if target is None:
                request["new"] = {**point, "area_name": sighting_for(rt, geo, 0).area_name or ""}
        result, answer = incidents.apply(conn, request, region)
        if result.status == "diverged":  # our copy disagreed with Redis: a bug, never written; read it all again
            log.warning("message %s: incident %s in Redis is not what this drainer's copy says; reloading",
                        env.key, result.incident)
            open_incidents.reload()
        if result.status in ("retry", "closed", "diverged"):
            # something changed since our copy's revision, or the incident is gone: catch up, decide again
            if result.status == "closed":
                quoted = None
                if target is not None:
                    open_incidents.forget(target.id)
            open_incidents.sync(conn)
            snap = None
            continue
        open_incidents.applied(answer, str(request["text"]), env.reporter, after(before, message, decision))
        # the script points this message's ref and its sender's last incident at the incident
        batch.sender_keys.wrote(region.message_ref(env.ref), result.incident)
        batch.sender_keys.wrote(region.reporter_incident(env.reporter), result.incident)
        result = replace(result, counted=message.counted, newly_counted=decision.counted)
        metrics.note_applied(rt.conn, result, arrived_at_s=batch.arrived_at_s, ttl_s=rt.settings.report_ttl_s)
        log.info("message %s → incident %s: %s %s (state %s, %d reporters)%s", env.key, result.incident, kind,
                 "counted" if message.counted else f"not counted ({decision.why})", result.state, result.reporters,
                 f" → {result.transition} {result.alert_id}" if result.transition else "")
        if result.transition == "verified":
            announce(rt, region, batch, result.incident, result.alert_id, "alert", env.at, env.message_id, facts=result)
        elif result.transition == "cleared":
            announce(rt, region, batch, result.incident, result.alert_id, "all_clear", env.at, env.message_id)
        return result
    raise RuntimeError(f"message {env.key}: incident kept changing under us")
