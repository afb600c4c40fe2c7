"""One inbound message through the pipeline: parse → geocode → match → count → decide.

Runs inside a drain job. Everything here is idempotent per message: the apply script ignores a message
it has applied before, and every job it enqueues has a deterministic id.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, timezone

from bot.commands.registry import verifier_verdict
from bot.core.decide import Decision, IncidentState, Message, after, decide
from bot.core.matching import ACTIVE_STATES, IncidentView, Sighting, choose_incident
from bot.core.models import Context, Envelope, Kind
from bot.core.parsing import parse
from bot.core.render import reply_ack, reply_not_counted, reply_past, reply_where
from bot.core.textsim import is_copy, simplify
from bot import keys, metrics
from workers import incidents
from workers.delivery import announce, queue_reply
from workers.dispatch import dispatch_verifiers
from workers.reactions import react_to
from workers.runtime import Runtime

log = logging.getLogger(__name__)

MAX_APPLY_ATTEMPTS = 20


def locate(rt: Runtime, env: Envelope):  # type: ignore[no-untyped-def]
    gaz = rt.gazetteer
    if env.lat is not None and env.lon is not None:
        return gaz.from_pin(env.lat, env.lon)
    near = rt.router().center(env.group) if env.group else None
    return gaz.geocode(env.text, near=near) or gaz.pin_in_text(env.text)


def sighting_for(rt: Runtime, geo, at_s: float) -> Sighting:  # type: ignore[no-untyped-def]
    area_name = geo.place if geo.precision == "area" and rt.gazetteer.area_shape(geo.place) is not None else None
    # a pin's name is only its nearest corner: two pins are the same place by distance, never by name
    place = "" if geo.kind == "pin" else geo.place
    return Sighting(lat=geo.lat, lon=geo.lon, precision=geo.precision, place=place, area_name=area_name, at=at_s)


def area_contains(rt: Runtime):  # type: ignore[no-untyped-def]
    from bot.core.geometry import covers

    def contains(name: str, lat: float, lon: float) -> bool:
        shape = rt.gazetteer.area_shape(name)
        return shape is not None and covers(shape, lat, lon)

    return contains


def verifier_kind(rt: Runtime, env: Envelope, kind: Kind, snap: incidents.Snapshot) -> Kind:
    """A verifier's quote-reply to an unverified incident (a dispatch): "confirmed" verifies, "not there" blocks."""
    quoted = snap.incidents.get(snap.quoted or "")
    if quoted is None or kind is Kind.ALL_CLEAR or env.reporter not in rt.config().verifiers:
        return kind
    verdict = verifier_verdict(env.text)
    if verdict is None or quoted.state not in ("pending", "blocked"):
        return kind
    return Kind.REPORT if verdict == "report" else Kind.DISPUTE


def process(rt: Runtime, env: Envelope) -> None:
    parsed = parse(env.text, has_location=env.lat is not None)
    if parsed.kind is Kind.COMMAND:
        from workers.commands import handle_command

        metrics.count_inbound(env.channel, Kind.COMMAND)
        handle_command(rt, env, parsed)
        rt.open_incidents.sync(rt.conn)  # a command may have closed or changed an incident
        rt.sender_keys.clear()  # and the rest of the batch reads its sender keys afresh
        return

    conn = rt.conn
    geo = locate(rt, env) if parsed.kind in PLACED_KINDS or parsed.needs_context else None
    snap = take_snapshot(rt, env, geo)
    context = context_of(rt, env, geo, snap)
    if context != "none":
        # what it means depends on what it answers: "nadie ahí" disputes a pending sighting, clears an alert
        parsed = parse(env.text, has_location=env.lat is not None, context=context)
        if geo is None and parsed.kind in PLACED_KINDS:
            geo = locate(rt, env)
            if geo is not None:
                snap = take_snapshot(rt, env, geo)
    pending_raw = snap.pending
    if pending_raw and geo is None and parsed.kind is Kind.CHATTER:
        geo = locate(rt, env)  # perhaps the answer to our "where?"
        if geo is not None:
            snap = take_snapshot(rt, env, geo)
    quoted = snap.quoted
    kind = verifier_kind(rt, env, parsed.kind, snap)
    seen = parsed.seen
    if pending_raw and geo is not None and kind in (Kind.REPORT, Kind.CHATTER):
        # the sender is answering "where?" for a report they sent without a usable place
        pending = json.loads(pending_raw)
        kind = Kind.REPORT
        seen = tuple(sorted(set(seen) | set(pending.get("seen", []))))
        conn.delete(keys.pending_place(env.reporter))
        rt.sender_keys.wrote(keys.pending_place(env.reporter), None)

    metrics.count_inbound(env.channel, kind)  # as read, in context (a hearsay stays hearsay, counted or not)
    if kind is Kind.HEARSAY and (geo is not None or quoted is not None):
        kind = Kind.REPORT  # applied uncounted: whoever passes a report on is never its independent reporter
    if kind is Kind.REPORT:
        if geo is None and quoted is None and parsed.kind is Kind.HEARSAY:
            return
        if geo is None and quoted is None:
            if not env.forwarded:
                pending_json = json.dumps({"seen": list(seen), "at": env.at.isoformat(), "lang": parsed.lang})
                conn.set(keys.pending_place(env.reporter), pending_json, ex=rt.settings.pending_place_ttl_s)
                rt.sender_keys.wrote(keys.pending_place(env.reporter), pending_json)
                if env.reply_to:
                    queue_reply(rt, env, reply_where(parsed.lang))
            return
        counted = not env.forwarded and parsed.kind is not Kind.HEARSAY
        result = apply_message(rt, env, "report", geo, quoted, counted=counted, seen=seen, snap=snap)
        react_to(rt, env, result)  # Signal groups: 👀 on a counted report, ✅ on all of them once verified
        dispatch_verifiers(rt, env, result, seen)
        if result is not None and env.reply_to:
            if not result.counted:
                queue_reply(rt, env, reply_not_counted(parsed.lang))
                return
            queue_reply(rt, env, reply_ack(parsed.lang, result.place, result.area or None, result.reporters,
                                           rt.policy_for(geo).min_independent_reports, result.state))
        return
    if kind in (Kind.ALL_CLEAR, Kind.DISPUTE):
        apply_message(rt, env, "clear" if kind is Kind.ALL_CLEAR else "dispute", geo, quoted,
                      counted=not env.forwarded, seen=(), snap=snap)
        return
    if kind is Kind.PAST and env.reply_to:
        queue_reply(rt, env, reply_past(parsed.lang))
    if quoted is not None:  # a question or chatter quoting a report: replies to it point there too
        conn.set(keys.message_ref(env.ref), quoted, ex=rt.settings.report_ttl_s)
        rt.sender_keys.wrote(keys.message_ref(env.ref), quoted)


PLACED_KINDS = (Kind.REPORT, Kind.ALL_CLEAR, Kind.DISPUTE, Kind.HEARSAY)
"""Kinds whose place the pipeline looks up (hearsay too: its passer-on is tainted for that incident)."""


def context_of(rt: Runtime, env: Envelope, geo, snap: incidents.Snapshot) -> Context:  # type: ignore[no-untyped-def]
    """What the message answers: the incident it quotes, else the one at its place, else the one its sender
    last spoke about: "pending" while unconfirmed (or blocked), "alerted" once verified."""
    view = snap.incidents.get(snap.quoted or "")
    if view is None and geo is not None:
        view = choose_incident(sighting_for(rt, geo, env.at.timestamp()), snap.nearby, rt.policy_for(geo),
                               area_contains(rt))
    if view is None:
        view = snap.incidents.get(snap.last or "")
    if view is None or view.state not in ACTIVE_STATES:
        return "none"
    return "alerted" if view.state == "verified" else "pending"


def take_snapshot(rt: Runtime, env: Envelope, geo, named: tuple[str, ...] = ()  # type: ignore[no-untyped-def]
                  ) -> incidents.Snapshot:
    """Everything this message's decision reads: its sender's keys (one round trip) and the open incidents
    near its place, from this process's copy (synced once per batch and whenever an apply finds it stale)."""
    reporter = rt.sender_keys.read(rt.conn, env.reporter, env.quote_ref)
    if geo is None:
        return rt.open_incidents.snapshot(reporter, None, 0, named)
    area_level = sighting_for(rt, geo, 0).area_name is not None
    # an area-level sighting (a neighbourhood) matches point incidents anywhere inside it
    radius_m = incidents.AREA_CANDIDATE_RADIUS_M if area_level else rt.policy_for(geo).radius_m
    return rt.open_incidents.snapshot(reporter, (geo.lat, geo.lon), radius_m, named)


def _target(rt: Runtime, env: Envelope, kind: str, geo, quoted: str | None,  # type: ignore[no-untyped-def]
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


def apply_message(rt: Runtime, env: Envelope, kind: str, geo, quoted: str | None, *,  # type: ignore[no-untyped-def]
                  counted: bool, seen: tuple[str, ...],
                  snap: incidents.Snapshot | None = None) -> incidents.Applied | None:
    conn = rt.conn
    config = rt.config()
    for _ in range(MAX_APPLY_ATTEMPTS):
        snap = snap or take_snapshot(rt, env, geo, (quoted,) if quoted else ())
        applies, target = _target(rt, env, kind, geo, quoted, snap)
        if not applies:
            return None  # an all-clear or dispute about nothing we know
        policy = rt.policy_for(target if target is not None else geo)  # an area's own rules (/policy set)
        copy = False
        if target is not None and kind == "report" and counted:
            earlier = [text for reporter, text in snap.texts(target.id) if reporter != env.reporter]
            copy = is_copy(env.text, earlier, simplified=True)
        before = snap.state(target.id) if target is not None else IncidentState(precision=geo.precision)
        message = Message(
            # milliseconds: what Redis keeps of a time (Lua numbers are written with 14 digits)
            reporter=env.reporter, kind=kind, at=round(env.at.timestamp(), 3), counted=counted and not copy,  # type: ignore[arg-type]
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
        result, answer = incidents.apply(conn, request)
        if result.status == "diverged":  # our copy disagreed with Redis: a bug, never written; read it all again
            log.warning("message %s: incident %s in Redis is not what this drainer's copy says; reloading",
                        env.key, result.incident)
            rt.open_incidents.reload()
        if result.status in ("retry", "closed", "diverged"):
            # something changed since our copy's revision, or the incident is gone: catch up, decide again
            if result.status == "closed":
                quoted = None
                if target is not None:
                    rt.open_incidents.forget(target.id)
            rt.open_incidents.sync(conn)
            snap = None
            continue
        rt.open_incidents.applied(answer, str(request["text"]), env.reporter, after(before, message, decision))
        # the script points this message's ref and its sender's last incident at the incident
        rt.sender_keys.wrote(keys.message_ref(env.ref), result.incident)
        rt.sender_keys.wrote(keys.reporter_incident(env.reporter), result.incident)
        result = replace(result, counted=message.counted, newly_counted=decision.counted)
        metrics.note_applied(rt, result)
        log.info("message %s → incident %s: %s %s (state %s, %d reporters)%s", env.key, result.incident, kind,
                 "counted" if message.counted else f"not counted ({decision.why})", result.state, result.reporters,
                 f" → {result.transition} {result.alert_id}" if result.transition else "")
        if result.transition == "verified":
            announce(rt, result.incident, result.alert_id, "alert", env.at, env.message_id, facts=result)
        elif result.transition == "cleared":
            announce(rt, result.incident, result.alert_id, "all_clear", env.at, env.message_id)
        return result
    raise RuntimeError(f"message {env.key}: incident kept changing under us")


def sweep(rt: Runtime, now: datetime) -> int:
    """Expire incidents with no new report for the quiet period; verified ones get an update."""
    cutoff = now.timestamp() - rt.settings.quiet_period_s
    expired = incidents.expire_quiet(rt.conn, cutoff)
    metrics.count_decision("expired", len(expired))
    for incident_id, alert_id in expired:
        last = float(incidents.fields(rt.conn, incident_id).get("last_report_at", cutoff))
        when = datetime.fromtimestamp(last + rt.settings.quiet_period_s, tz=now.tzinfo or timezone.utc)
        announce(rt, incident_id, alert_id, "update", when, None)
    return len(expired)


def sweep_on_message_clock(rt: Runtime, times: list[datetime]) -> None:
    """Before a drill message is decided: the expiries a live relay's ticker would have made by each of
    these message times, in order. The drainer's copy of the open incidents says whether any can be due,
    so a message with nothing due costs no round trip; after an expiry the copy catches up at once, since
    the next decision reads it (a closed incident must not give "ya se fueron" its context)."""
    incidents_copy = rt.open_incidents
    for now in times:
        if incidents_copy.behind:
            incidents_copy.sync(rt.conn)
        if incidents_copy.quiet_since_before(now.timestamp() - rt.settings.quiet_period_s):
            sweep(rt, now)
            incidents_copy.sync(rt.conn)
