"""One inbound message through the pipeline: parse → geocode → match → count → decide.

Runs inside a drain job. Everything here is idempotent per message: the apply script ignores a message
it has applied before, and every job it enqueues has a deterministic id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alertrelay.bot import keys, metrics
from alertrelay.bot.core.matching import ACTIVE_STATES, choose_incident
from alertrelay.bot.core.models import Context, Envelope, Kind
from alertrelay.bot.core.parsing import parse
from alertrelay.bot.core.render import reply_ack, reply_not_counted, reply_past, reply_where
from alertrelay.bot.geo import GeoResult
from alertrelay.workers import incidents
from alertrelay.workers.batch import Batch
from alertrelay.workers.commands.alerts import verifier_verdict
from alertrelay.workers.commands.table import handle_command
from alertrelay.workers.decisions import apply_message, area_contains, sighting_for, take_snapshot
from alertrelay.workers.delivery import announce, queue_reply
from alertrelay.workers.dispatch import dispatch_verifiers
from alertrelay.workers.reactions import react_to
from alertrelay.workers.runtime import Runtime


def locate(rt: Runtime, region: keys.Region, env: Envelope) -> GeoResult | None:
    """Where `env` is: its pin, else a place its text names (near the centre of its group, among `region`'s)."""
    gaz = rt.gazetteer
    if env.lat is not None and env.lon is not None:
        return gaz.from_pin(env.lat, env.lon)
    near = rt.router(region).center(env.group) if env.group else None
    return gaz.geocode(env.text, near=near) or gaz.pin_in_text(env.text)


def verifier_kind(rt: Runtime, env: Envelope, kind: Kind, snap: incidents.Snapshot) -> Kind:
    """A verifier's quote-reply to an unverified incident (a dispatch): "confirmed" verifies, "not there" blocks."""
    quoted = snap.incidents.get(snap.quoted or "")
    if quoted is None or kind is Kind.ALL_CLEAR or env.reporter not in rt.config().verifiers:
        return kind
    verdict = verifier_verdict(env.text)
    if verdict is None or quoted.state not in ("pending", "blocked"):
        return kind
    return Kind.REPORT if verdict == "report" else Kind.DISPUTE


def process(rt: Runtime, batch: Batch, env: Envelope) -> None:
    """Decide one message of `batch`: what it announces and answers waits on the batch for its flush."""
    parsed = parse(env.text, has_location=env.lat is not None)
    if parsed.kind is Kind.COMMAND:
        metrics.count_inbound(env.channel, Kind.COMMAND)
        handle_command(rt, batch, env, parsed)
        rt.open_incidents(batch.region).sync(rt.conn)  # a command may have closed or changed an incident
        batch.sender_keys.clear()  # and the rest of the batch reads its sender keys afresh
        return

    conn, region = rt.conn, batch.region
    geo = locate(rt, region, env) if parsed.kind in PLACED_KINDS or parsed.needs_context else None
    snap = take_snapshot(rt, batch, env, geo)
    context = context_of(rt, env, geo, snap)
    if context != "none":
        # what it means depends on what it answers: "nadie ahí" disputes a pending sighting, clears an alert
        parsed = parse(env.text, has_location=env.lat is not None, context=context)
        if geo is None and parsed.kind in PLACED_KINDS:
            geo = locate(rt, region, env)
            if geo is not None:
                snap = take_snapshot(rt, batch, env, geo)
    pending_raw = snap.pending
    if pending_raw and geo is None and parsed.kind is Kind.CHATTER:
        geo = locate(rt, region, env)  # perhaps the answer to our "where?"
        if geo is not None:
            snap = take_snapshot(rt, batch, env, geo)
    quoted = snap.quoted
    kind = verifier_kind(rt, env, parsed.kind, snap)
    seen = parsed.seen
    if pending_raw and geo is not None and kind in (Kind.REPORT, Kind.CHATTER):
        # the sender is answering "where?" for a report they sent without a usable place
        pending = json.loads(pending_raw)
        kind = Kind.REPORT
        seen = tuple(sorted(set(seen) | set(pending.get("seen", []))))
        conn.delete(region.pending_place(env.reporter))
        batch.sender_keys.wrote(region.pending_place(env.reporter), None)

    metrics.count_inbound(env.channel, kind)  # as read, in context (a hearsay stays hearsay, counted or not)
    if kind is Kind.HEARSAY and (geo is not None or quoted is not None):
        kind = Kind.REPORT  # applied uncounted: whoever passes a report on is never its independent reporter
    if kind is Kind.REPORT:
        if geo is None and quoted is None and parsed.kind is Kind.HEARSAY:
            return
        if geo is None and quoted is None:
            if not env.forwarded:
                pending_json = json.dumps({"seen": list(seen), "at": env.at.isoformat(), "lang": parsed.lang})
                conn.set(region.pending_place(env.reporter), pending_json, ex=rt.settings.pending_place_ttl_s)
                batch.sender_keys.wrote(region.pending_place(env.reporter), pending_json)
                if env.reply_to:
                    queue_reply(batch, env, reply_where(parsed.lang))
            return
        counted = not env.forwarded and parsed.kind is not Kind.HEARSAY
        result = apply_message(rt, batch, env, "report", geo, quoted, counted=counted, seen=seen, snap=snap)
        react_to(rt, env, result)  # Signal groups: 👀 on a counted report, ✅ on all of them once verified
        dispatch_verifiers(rt, batch, env, result, seen)
        if result is not None and env.reply_to:
            if not result.counted:
                queue_reply(batch, env, reply_not_counted(parsed.lang))
                return
            queue_reply(batch, env, reply_ack(parsed.lang, result.place, result.area or None, result.reporters,
                                           rt.policy_for(geo).min_independent_reports, result.state))
        return
    if kind in (Kind.ALL_CLEAR, Kind.DISPUTE):
        apply_message(rt, batch, env, "clear" if kind is Kind.ALL_CLEAR else "dispute", geo, quoted,
                      counted=not env.forwarded, seen=(), snap=snap)
        return
    if kind is Kind.PAST and env.reply_to:
        queue_reply(batch, env, reply_past(parsed.lang))
    if quoted is not None:  # a question or chatter quoting a report: replies to it point there too
        conn.set(region.message_ref(env.ref), quoted, ex=rt.settings.report_ttl_s)
        batch.sender_keys.wrote(region.message_ref(env.ref), quoted)


PLACED_KINDS = (Kind.REPORT, Kind.ALL_CLEAR, Kind.DISPUTE, Kind.HEARSAY)
"""Kinds whose place the pipeline looks up (hearsay too: its passer-on is tainted for that incident)."""


def context_of(rt: Runtime, env: Envelope, geo: GeoResult | None, snap: incidents.Snapshot) -> Context:
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



def sweep(rt: Runtime, region: keys.Region, batch: Batch | None, now: datetime) -> int:
    """Expire `region`'s incidents with no new report for the quiet period; verified ones get an update
    (queued with `batch`'s deliveries inside a drain of the region, at once outside one)."""
    cutoff = now.timestamp() - rt.settings.quiet_period_s
    expired = incidents.expire_quiet(rt.conn, cutoff, region)
    metrics.count_decision("expired", len(expired))
    for incident_id, alert_id in expired:
        last = float(incidents.fields(rt.conn, incident_id).get("last_report_at", cutoff))
        when = datetime.fromtimestamp(last + rt.settings.quiet_period_s, tz=now.tzinfo or UTC)
        announce(rt, region, batch, incident_id, alert_id, "update", when, None)
    return len(expired)


def sweep_on_message_clock(rt: Runtime, batch: Batch, times: list[datetime]) -> None:
    """Before a drill message is decided: the expiries a live relay's ticker would have made by each of
    these message times, in order. The drainer's copy of the open incidents says whether any can be due,
    so a message with nothing due costs no round trip; after an expiry the copy catches up at once, since
    the next decision reads it (a closed incident must not give "ya se fueron" its context)."""
    incidents_copy = rt.open_incidents(batch.region)
    for now in times:
        if incidents_copy.behind:
            incidents_copy.sync(rt.conn)
        if incidents_copy.quiet_since_before(now.timestamp() - rt.settings.quiet_period_s):
            sweep(rt, batch.region, batch, now)
            incidents_copy.sync(rt.conn)
