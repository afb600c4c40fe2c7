"""Alerts out: one delivery job per group (for what a drained batch announced to it), replies to reporters.
Render → send; each line is claimed per recipient, so a retried job never sends one twice."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta

from bot.core.render import AlertFacts, render
from bot.core.models import Envelope
from bot.errors import PermanentError, TransientError
from bot.ingest import message_key
from bot.transports.base import Outbound
from bot import keys, metrics
from workers import incidents
from workers.queues import RETRY_DELIVERY, enqueue_once, job_id
from workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)


def announce(rt: Runtime, incident_id: str, alert_id: str, kind: str, at: datetime, in_reply_to: str | None,
             facts: incidents.Applied | None = None) -> None:
    """Queue `kind` (alert, all_clear, update, retraction) for every group of the alert. `facts`: the
    apply that verified it, which carries the incident's fields (else they are read).

    An alert's record (its groups and facts) is written at once. Its delivery jobs are queued here, or,
    while a batch is being drained, at the end of the batch: one job per group for all of the batch's
    announcements to that group, since an rq job costs several times what sending one alert does."""
    conn = rt.conn
    if kind == "alert":
        if facts is None:
            f = incidents.fields(conn, incident_id)
            f["reports"] = str(conn.zcard(keys.incident_reporters(incident_id)))
        else:
            f = {"lat": repr(facts.lat), "lon": repr(facts.lon), "precision": facts.precision, "place": facts.place,
                 "area": facts.area, "area_name": facts.area_name, "by_verifier": "1" if facts.by_verifier else "0",
                 "seen": facts.seen, "reports": str(facts.reporters)}
        area_name = f.get("area_name") if f.get("precision") == "area" else None
        groups = rt.router().route(float(f["lat"]), float(f["lon"]), area_name or None)
        record = {
            "incident": incident_id, "groups": json.dumps(groups), "place": f.get("place", ""),
            "area": f.get("area", ""), "lat": f["lat"], "lon": f["lon"], "at": at.isoformat(),
            "in_reply_to": in_reply_to or "", "by_verifier": f.get("by_verifier", "0"),
            "reports": f["reports"], "seen": f.get("seen", ""),
        }
        akey = keys.alert(alert_id)
        pipe = conn.pipeline(transaction=True)
        for name, value in record.items():
            pipe.hsetnx(akey, name, value)  # a replay keeps the first decision
        pipe.expire(akey, rt.settings.report_ttl_s)
        pipe.execute()
    item = [alert_id, kind, at.isoformat(), in_reply_to or ""]
    if rt.announcements is not None:
        rt.announcements.append(item)
        return
    queue_deliveries(rt, [item])


SIGNAL_ITEMS_PER_JOB = 10
"""A Signal group gets one message per item, so several items fit one job's timeout. A member list (WhatsApp,
SMS) is sent member by member at the channel's rate: one item per job, whose timeout is set by the list's
length. Either way a job's timeout, and so the wait before a dead worker's job is retried, stays bounded."""


def queue_deliveries(rt: Runtime, items: list[list[str]]) -> int:
    """Delivery jobs per group for the [alert_id, kind, at_iso, in_reply_to] items that go to it (in order).
    Job ids are derived from the contents, and each line is claimed per recipient when sent, so a repeat
    queues or sends nothing twice."""
    pipe = rt.conn.pipeline(transaction=False)
    for alert_id, *_ in items:
        pipe.hget(keys.alert(alert_id), "groups")
    by_group: dict[str, list[list[str]]] = {}
    for item, raw in zip(items, pipe.execute()):
        for group_id in json.loads(raw or b"[]"):
            by_group.setdefault(group_id, []).append(item)
    config = rt.config()
    queued = 0
    for group_id, mine in sorted(by_group.items()):
        group = config.groups.get(group_id)
        size = SIGNAL_ITEMS_PER_JOB if group is None or group.channel == "signal" else 1
        for start in range(0, len(mine), size):
            chunk = mine[start:start + size]
            digest = hashlib.sha256(json.dumps(chunk).encode()).hexdigest()[:20]
            queued += enqueue_once(rt.queue, deliver, group_id, chunk, id_=job_id("deliver", group_id, digest),
                                   retry=RETRY_DELIVERY, timeout_s=delivery_timeout_s(rt, group))
    log.info("%d announcements queued for %d groups", len(items), len(by_group))
    return queued


def flush_announcements(rt: Runtime) -> None:
    """End of a drained batch: the delivery jobs for its announcements."""
    if not rt.announcements:
        return
    items, rt.announcements = rt.announcements, []
    queue_deliveries(rt, items)


def delivery_timeout_s(rt: Runtime, group) -> int:  # type: ignore[no-untyped-def]
    """A WhatsApp/SMS list is sent member by member at the channel's rate (1/s for an SMS long code):
    the job must be allowed that long, or it is killed halfway and retried forever."""
    base = rt.settings.job_timeout_s
    if group is None or group.channel not in ("whatsapp", "sms"):
        return base
    rate = rt.settings.twilio_whatsapp_rate_per_s if group.channel == "whatsapp" else rt.settings.twilio_sms_rate_per_s
    return max(base, int(len(group.members) / max(rate, 0.01) * 2) + 30)


def _claim(rt: Runtime, claim: str) -> bool:
    if rt.conn.set(claim, "sending", nx=True, ex=rt.settings.delivery_lease_s):
        return True
    if rt.conn.get(claim) in (b"sent", b"refused"):
        return False
    raise TransientError(f"{claim}: another attempt is sending; retry after its lease")


def _send(rt: Runtime, claim: str, message: Outbound, incident_id: str | None = None) -> None:
    try:
        provider_id = rt.sender.send(message)
    except Exception:
        rt.conn.delete(claim)
        raise
    pipe = rt.conn.pipeline(transaction=False)
    pipe.set(claim, "sent", ex=rt.settings.report_ttl_s)
    if provider_id and incident_id:
        # a quote-reply to this alert ("confirmed", "se fueron") counts against its incident
        pipe.set(keys.message_ref(message_key(message.channel, provider_id)), incident_id, ex=rt.settings.report_ttl_s)
    pipe.execute()


def deliver(group_id: str, items: list[list[str]]) -> int:
    """rq job: each [alert_id, kind, at_iso, in_reply_to], rendered in the group's language, to the group
    (or each of its members)."""
    rt = runtime()
    rt.refresh_config()
    return sum(_deliver(rt, alert_id, kind, group_id, at_iso, in_reply_to)
               for alert_id, kind, at_iso, in_reply_to in items)


def _deliver(rt: Runtime, alert_id: str, kind: str, group_id: str, at_iso: str, in_reply_to: str) -> int:
    record = {k.decode(): v.decode() for k, v in rt.conn.hgetall(keys.alert(alert_id)).items()}
    group = rt.config().groups.get(group_id)
    if not record or group is None:
        log.warning("%s %s for %s: alert or group gone, nothing sent", kind, alert_id, group_id)
        return 0
    at = datetime.fromisoformat(at_iso)
    facts = AlertFacts(alert_id=alert_id, place=record["place"], area=record.get("area") or None,
                       at=datetime.fromisoformat(record["at"]), independent_reports=int(record["reports"]),
                       by_verifier=record.get("by_verifier") == "1",
                       seen=tuple(s for s in record.get("seen", "").split(",") if s))
    # an update says since when nothing new was reported, not when it expired
    since = at - timedelta(seconds=rt.settings.quiet_period_s) if kind == "update" else at
    text = render(kind, facts, group.language, since)
    recipients: list[str | None] = [None] if group.channel == "signal" else list(group.members)
    sent = 0
    for index, sealed in enumerate(recipients):
        recipient = rt.identity.unseal(sealed) if sealed else None
        # by who, not by list position: members join and leave while alerts go out
        who = rt.identity.pseudonym(recipient) if recipient else str(index)
        claim = keys.delivery_claim(alert_id, kind, group_id, who)
        if not _claim(rt, claim):
            continue
        message = Outbound(
            kind=kind, channel=group.channel, text=text, at=at, group=group_id,
            recipient=recipient, alert_id=alert_id,
            in_reply_to=in_reply_to or None, lat=round(float(record["lat"]), 6), lon=round(float(record["lon"]), 6),
            place=record["place"], independent_reports=int(record["reports"]) if kind == "alert" else None,
            signal_group_id=group.signal_id,
        )
        if _send_or_refuse(rt, claim, message, record.get("incident"), f"{kind} {alert_id} → {group_id} {who}"):
            sent += 1
    metrics.alert_delivered(rt, kind, record, sent)
    log.info("%s %s → %s: %d sent", kind, alert_id, group_id, sent)
    return sent


def queue_reply(rt: Runtime, env: Envelope, text: str) -> None:
    """Answer the sender of `env` (in its group for a group command). Buffered: the drain job sends a
    batch's replies in one job, since an rq job per reply would cost more than the report itself."""
    if env.reply_to is None and env.group is None:
        return
    rt.replies.append({"key": env.key, "sealed": env.reply_to or "", "group": env.group or "",
                       "channel": env.channel, "text": text, "at": env.at.isoformat(),
                       "in_reply_to": env.message_id})


def _send_or_refuse(rt: Runtime, claim: str, message: Outbound, incident_id: str | None, what: str) -> bool:
    """Send; a permanent refusal (invalid number, opted out) is recorded so it never holds back the rest."""
    try:
        _send(rt, claim, message, incident_id)
    except PermanentError as exc:
        rt.conn.set(claim, "refused", ex=rt.settings.report_ttl_s)
        log.warning("%s: not sent: %s", what, exc)
        return False
    return True


def flush_replies(rt: Runtime) -> None:
    if not rt.replies:
        return
    batch, rt.replies = rt.replies, []
    digest = hashlib.sha256("".join(r["key"] for r in batch).encode()).hexdigest()[:24]
    enqueue_once(rt.queue, send_replies, batch, id_=job_id("replies", digest), retry=RETRY_DELIVERY,
                 timeout_s=rt.settings.job_timeout_s)


def send_replies(batch: list[dict]) -> int:
    """rq job: answers to senders (acknowledgements, questions, command results), each sent at most once."""
    rt = runtime()
    rt.refresh_config()
    sent = 0
    for reply in batch:
        claim = keys.reply_claim(reply["key"])
        if not _claim(rt, claim):
            continue
        at = datetime.fromisoformat(reply["at"])
        if reply["sealed"]:
            message = Outbound(kind="reply", channel=reply["channel"], text=reply["text"], at=at,
                               recipient=rt.identity.unseal(reply["sealed"]), in_reply_to=reply["in_reply_to"])
        else:
            group = rt.config().groups.get(reply["group"])
            message = Outbound(kind="reply", channel=reply["channel"], text=reply["text"], at=at,
                               group=reply["group"], in_reply_to=reply["in_reply_to"],
                               signal_group_id=group.signal_id if group else None)
        # a verifier dispatch carries its incident: a quote-reply to it counts against that incident
        if _send_or_refuse(rt, claim, message, reply.get("incident"), f"reply to {reply['in_reply_to']}"):
            sent += 1
    return sent
