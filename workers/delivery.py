"""Alerts out: one delivery job per group (for what a drained batch announced to it), replies to reporters.
Render → send; each line is claimed per recipient, so a retried job never sends one twice."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import redis

from alertrelay.bot import keys, metrics, replies
from alertrelay.bot.core.areas import GroupConfig
from alertrelay.bot.core.models import Envelope
from alertrelay.bot.core.render import AlertFacts, render
from alertrelay.bot.durability import durable_ack
from alertrelay.bot.errors import CannotTell, NotSent, PermanentError, TransientError
from alertrelay.bot.ingest import message_key
from alertrelay.bot.queues import RETRY_DELIVERY, enqueue_once, job_id
from alertrelay.bot.transports.base import Outbound, OutboundKind
from alertrelay.workers import incidents
from alertrelay.workers.batch import Announcement, Batch, Reply
from alertrelay.workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)


def announce(rt: Runtime, region: keys.Region, batch: Batch | None, incident_id: str, alert_id: str, kind: str,
             at: datetime, in_reply_to: str | None, facts: incidents.Applied | None = None) -> None:
    """Queue `kind` (alert, all_clear, update, retraction) for every group of the alert: a new alert's are
    the groups of `region` (its incident's) that it reaches. `facts`: the apply that verified it, which
    carries the incident's fields (else they are read).

    An alert's record (its groups and facts) is written at once. Its delivery jobs are queued with the
    `batch`'s, when the drain flushes it (one job per group for all of the batch's announcements to that
    group, since an rq job costs several times what sending one alert does); with no batch (a sweep
    outside a drain), here and now."""
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
        groups = rt.router(region).route(float(f["lat"]), float(f["lon"]), area_name or None)
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
    if batch is not None:
        batch.announcements.append(item)
        return
    queue_deliveries(rt, [item])


SIGNAL_ITEMS_PER_JOB = 10
"""A Signal group gets one message per item, so several items fit one job's timeout. A member list (WhatsApp,
SMS) is sent member by member at the channel's rate: one item per job, whose timeout is set by the list's
length. Either way a job's timeout, and so the wait before a dead worker's job is retried, stays bounded."""


def queue_deliveries(rt: Runtime, items: list[Announcement]) -> int:
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


def flush_announcements(rt: Runtime, batch: Batch) -> None:
    """End of a drained batch: the delivery jobs for its announcements."""
    if not batch.announcements:
        return
    items, batch.announcements = batch.announcements, []
    queue_deliveries(rt, items)


def delivery_timeout_s(rt: Runtime, group: GroupConfig | None) -> int:
    """A WhatsApp/SMS list is sent member by member at the channel's rate (1/s for an SMS long code):
    the job must be allowed that long, or it is killed halfway and retried forever."""
    base = rt.settings.job_timeout_s
    if group is None or group.channel not in ("whatsapp", "sms"):
        return base
    rate = rt.settings.twilio_whatsapp_rate_per_s if group.channel == "whatsapp" else rt.settings.twilio_sms_rate_per_s
    return max(base, int(len(group.members) / max(rate, 0.01) * 2) + 30)


CLOCK_SLACK_S = 120
"""A lookup at the provider starts this long before the attempt's recorded start: workers' and the
provider's clocks differ, and Twilio's date filter is by day anyway."""
BOOKKEEPING_WAITS_S = (0.25, 1.0)
"""Pauses between the tries at recording a send the provider accepted (each try is itself redis-py's
own retries, ~2.6 s when Redis is down)."""

_accepted_unrecorded: dict[str, tuple[str | None, str | None]] = {}
"""claim -> (provider id, incident id): sends the provider accepted whose "sent" Redis did not take (it
was restarting). The job's retry in this process records them instead of asking the provider or sending."""


def delivery_token(claim: str) -> str:
    """The idempotency token of one delivery line: derived from its claim, so every attempt carries the
    same one, and it is known before the first request."""
    return hashlib.sha256(claim.encode()).hexdigest()[:20]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _claim(rt: Runtime, claim: str, message: Outbound, incident_id: str | None) -> bytes | None:
    """Take `claim` for one send of `message`: the claim's value as this attempt wrote it, or None when
    no send is needed (sent, refused, or found at the provider after an attempt that never confirmed).

    The claim moves absent → "sending:<token>:<started_ms>" (before the request; kept until the attempt
    confirms, never deleted once the request may have left) → "sent" | "refused" | "unknown".
    "unsure:<token>:<started_ms>" is an attempt that ended without knowing whether the provider took it.
    A "sending" older than delivery_lease_s is an attempt whose worker died: like "unsure", the provider
    is asked before the message is sent again."""
    if claim in _accepted_unrecorded:
        provider_id, incident = _accepted_unrecorded[claim]
        _record_sent(rt, claim, message.channel, provider_id, incident)
        return None
    token = message.token or delivery_token(claim)
    started = f"sending:{token}:{_now_ms()}"
    if rt.conn.set(claim, started, nx=True, ex=rt.settings.report_ttl_s):
        durable_ack(rt.conn, rt.settings.durable_ack)  # the claim must outlive a machine crash before we send
        return started.encode()
    raw = rt.conn.get(claim)
    if raw is None:
        raise TransientError(f"{claim}: claim vanished while being read; retry")
    state, _, rest = replies.text(raw).partition(":")
    if state in ("sent", "refused", "unknown"):
        return None
    _old_token, _, started_ms = rest.rpartition(":")
    began = int(started_ms) if started_ms.isdigit() else 0
    if state == "sending" and _now_ms() < began + rt.settings.delivery_lease_s * 1000:
        raise TransientError(f"{claim}: another attempt is sending; retry after its lease")
    since = datetime.fromtimestamp(began / 1000 - CLOCK_SLACK_S, tz=UTC)
    try:
        found = _find(rt, message, since)
    except CannotTell:
        # Signal keeps no record of what was sent that we could ask for. The request may well have gone
        # out (the usual way to get here is a worker killed while waiting for the answer): do not send it
        # blind a second time; an admin sees the warning and can check the group.
        rt.conn.set(claim, "unknown", ex=rt.settings.report_ttl_s)
        warn_admins(rt, message.channel, f"{message.kind} {message.alert_id or '-'} to {message.group or '-'}: "
                    "an attempt never confirmed and the provider cannot be asked; not resent, check by hand")
        return None
    if found is not None:
        log.warning("%s: an unconfirmed attempt did reach the provider (%s); not sent again", claim, found or "-")
        _record_sent(rt, claim, message.channel, found or None, incident_id)
        return None
    # not at the provider: this attempt takes the claim over (only if nobody else did meanwhile)
    if not rt.conn.eval(_SWAP, 1, claim, raw, started, rt.settings.report_ttl_s):
        raise TransientError(f"{claim}: another attempt took the claim over; retry")
    durable_ack(rt.conn, rt.settings.durable_ack)
    log.warning("%s: an unconfirmed attempt is not at the provider; sending it now", claim)
    return started.encode()


_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
  return 1
end
return 0
"""
"""Compare-and-set (ARGV[2] "" deletes): an attempt changes its claim only while the claim is still its own."""


def _find(rt: Runtime, message: Outbound, since: datetime) -> str | None:
    find = getattr(rt.sender, "find", None)
    if find is None:
        raise CannotTell(f"{type(rt.sender).__name__} has no lookup")
    found: str | None = find(message, since)  # a sender's own lookup (TwilioSender.find), found by name
    return found


def _send(rt: Runtime, claim: str, mine: bytes, message: Outbound, incident_id: str | None = None) -> None:
    try:
        provider_id = rt.sender.send(message)
    except NotSent:
        _try_redis(lambda: rt.conn.eval(_SWAP, 1, claim, mine, "", 0))  # it never reached the provider
        raise
    except Exception:
        # it may have reached the provider: keep the claim, and let the retry ask the provider at once
        # rather than after the lease (a Redis failure here leaves "sending": the lease covers it)
        unsure = b"unsure" + mine[len(b"sending"):]
        _try_redis(lambda: rt.conn.eval(_SWAP, 1, claim, mine, unsure, rt.settings.report_ttl_s))
        raise
    _record_sent(rt, claim, message.channel, provider_id, incident_id)


def _record_sent(rt: Runtime, claim: str, channel: str, provider_id: str | None, incident_id: str | None) -> None:
    """The provider took it: "sent" (and the quote reference), retried while Redis restarts. If Redis
    stays down, the send is kept in memory and the job fails without resending: its retry records it
    (same process), or asks the provider once the lease is over (another process)."""
    def write() -> None:
        pipe = rt.conn.pipeline(transaction=False)
        pipe.set(claim, "sent", ex=rt.settings.report_ttl_s)
        if provider_id and incident_id:
            # a quote-reply to this alert ("confirmed", "se fueron") counts against its incident
            ref_key = keys.region_of_id(incident_id).message_ref(message_key(channel, provider_id))
            pipe.set(ref_key, incident_id, ex=rt.settings.report_ttl_s)
        pipe.execute()

    _accepted_unrecorded[claim] = (provider_id, incident_id)
    for wait_s in (*BOOKKEEPING_WAITS_S, None):
        try:
            write()
        except redis.RedisError as exc:
            if wait_s is None:
                raise TransientError(f"{claim}: sent, but Redis did not record it ({type(exc).__name__}); "
                                     "the retry records it without sending again") from exc
            time.sleep(wait_s)
            continue
        del _accepted_unrecorded[claim]
        durable_ack(rt.conn, rt.settings.durable_ack)
        return


def warn_admins(rt: Runtime, channel: str, text: str) -> None:
    log.error("delivery: %s", text)
    _try_redis(lambda: rt.conn.xadd(keys.DELIVERY_WARNINGS, {"at": datetime.now(UTC).isoformat(),
                                                             "channel": channel, "text": text},
                                    maxlen=keys.DELIVERY_WARNINGS_MAXLEN, approximate=True))


def _try_redis(write: Callable[[], object]) -> None:
    """A best-effort write on a failure path: the error being handled matters more than this one."""
    try:
        write()
    except redis.RedisError as exc:
        log.warning("claim not updated after a failed send (%s); its lease covers it", type(exc).__name__)


def deliver(group_id: str, items: list[list[str]]) -> int:
    """rq job: each [alert_id, kind, at_iso, in_reply_to], rendered in the group's language, to the group
    (or each of its members)."""
    rt = runtime()
    rt.refresh_config()
    return sum(_deliver(rt, alert_id, kind, group_id, at_iso, in_reply_to)
               for alert_id, kind, at_iso, in_reply_to in items)


def _deliver(rt: Runtime, alert_id: str, kind: str, group_id: str, at_iso: str, in_reply_to: str) -> int:
    record = {replies.text(k): replies.text(v) for k, v in rt.conn.hgetall(keys.alert(alert_id)).items()}
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
        message = Outbound(
            kind=cast(OutboundKind, kind),  # from the job's JSON; Outbound validates it
            channel=group.channel, text=text, at=at, group=group_id,
            recipient=recipient, alert_id=alert_id,
            in_reply_to=in_reply_to or None, lat=round(float(record["lat"]), 6), lon=round(float(record["lon"]), 6),
            place=record["place"], independent_reports=int(record["reports"]) if kind == "alert" else None,
            signal_group_id=group.signal_id, token=delivery_token(claim),
        )
        mine = _claim(rt, claim, message, record.get("incident"))
        if mine is None:
            continue
        if _send_or_refuse(rt, claim, mine, message, record.get("incident"), f"{kind} {alert_id} → {group_id} {who}"):
            sent += 1
    metrics.alert_delivered(rt, kind, record, sent)
    log.info("%s %s → %s: %d sent", kind, alert_id, group_id, sent)
    return sent


def queue_reply(batch: Batch, env: Envelope, text: str) -> None:
    """Answer the sender of `env` (in its group for a group command). Buffered: the drain job sends a
    batch's replies in one job, since an rq job per reply would cost more than the report itself."""
    if env.reply_to is None and env.group is None:
        return
    batch.replies.append({"key": env.key, "sealed": env.reply_to or "", "group": env.group or "",
                          "channel": env.channel, "text": text, "at": env.at.isoformat(),
                          "in_reply_to": env.message_id})


def _send_or_refuse(rt: Runtime, claim: str, mine: bytes, message: Outbound, incident_id: str | None,
                    what: str) -> bool:
    """Send; a permanent refusal (invalid number, opted out) is recorded so it never holds back the rest."""
    try:
        _send(rt, claim, mine, message, incident_id)
    except PermanentError as exc:
        rt.conn.set(claim, "refused", ex=rt.settings.report_ttl_s)
        log.warning("%s: not sent: %s", what, exc)
        return False
    return True


def flush_replies(rt: Runtime, batch: Batch) -> None:
    """End of a drained batch: one job sends its replies."""
    if not batch.replies:
        return
    replies, batch.replies = batch.replies, []
    digest = hashlib.sha256("".join(r["key"] for r in replies).encode()).hexdigest()[:24]
    enqueue_once(rt.queue, send_replies, replies, id_=job_id("replies", digest), retry=RETRY_DELIVERY,
                 timeout_s=rt.settings.job_timeout_s)


def flush(rt: Runtime, batch: Batch) -> None:
    """End of a drained batch: its deliveries, then its replies."""
    flush_announcements(rt, batch)
    flush_replies(rt, batch)


def send_replies(replies: list[Reply]) -> int:
    """rq job: answers to senders (acknowledgements, questions, command results), each sent at most once."""
    rt = runtime()
    rt.refresh_config()
    sent = 0
    for reply in replies:
        claim = keys.reply_claim(reply["key"])
        at = datetime.fromisoformat(reply["at"])
        if reply["sealed"]:
            message = Outbound(kind="reply", channel=reply["channel"], text=reply["text"], at=at,
                               recipient=rt.identity.unseal(reply["sealed"]), in_reply_to=reply["in_reply_to"],
                               token=delivery_token(claim))
        else:
            group = rt.config().groups.get(reply["group"])
            message = Outbound(kind="reply", channel=reply["channel"], text=reply["text"], at=at,
                               group=reply["group"], in_reply_to=reply["in_reply_to"],
                               signal_group_id=group.signal_id if group else None, token=delivery_token(claim))
        # a verifier dispatch carries its incident: a quote-reply to it counts against that incident
        mine = _claim(rt, claim, message, reply.get("incident"))
        if mine is None:
            continue
        if _send_or_refuse(rt, claim, mine, message, reply.get("incident"), f"reply to {reply['in_reply_to']}"):
            sent += 1
    return sent
