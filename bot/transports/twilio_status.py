"""POST /twilio/status: signed delivery receipts, kept per (alert, member) as the best state seen (out of
order and repeated receipts are no-ops); 63016/63018 failures queue a resend."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import redis
from aiohttp import web
from multidict import MultiDict
from rq import Queue

from alertrelay.bot import replies
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.queues import RETRY_TWILIO_RESEND, enqueue_once
from alertrelay.bot.transports.twilio_inbound import signed_form
from alertrelay.bot.transports.twilio_limits import slow_down, suppress
from alertrelay.bot.transports.twilio_wire import SID, STATUS_PATH, channel_of

if TYPE_CHECKING:
    from alertrelay.bot.server import BotContext

ALERT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MEMBER = re.compile(r"^r[0-9a-f]{24}$")
TOKEN = re.compile(r"^[0-9a-f]{20}$")
KINDS = {"alert", "update", "all_clear", "retraction", "reply"}

STATUS_RANK = {"scheduled": 0, "accepted": 0, "queued": 1, "sending": 2, "sent": 3,
               "failed": 4, "undelivered": 4, "canceled": 4, "delivered": 5, "read": 6}
"""Later states rank higher; a receipt never moves a message back. delivered/read outrank a failure
reported for the same attempt (they cannot both be true; the positive one is the receipt that counts)."""



_RECORD_STATUS = """
-- KEYS[1] msg hash, KEYS[2] delivery hash (none without an alert); ARGV: rank, status, sid, error, field, attempt, ttl
local rank = tonumber(ARGV[1])
local old = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
if rank > old then
  redis.call('HSET', KEYS[1], 'rank', rank, 'status', ARGV[2], 'error', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
end
if KEYS[2] and KEYS[2] ~= '' and ARGV[5] ~= '' then
  local cur = redis.call('HGET', KEYS[2], ARGV[5])
  local attempt = tonumber(ARGV[6])
  local better = true
  if cur then
    local a, r = string.match(cur, '^(%d+)|(%d+)|')
    a = tonumber(a); r = tonumber(r)
    if a and (a > attempt or (a == attempt and r >= rank)) then better = false end
  end
  if better then
    redis.call('HSET', KEYS[2], ARGV[5],
               ARGV[6] .. '|' .. ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4])
    redis.call('EXPIRE', KEYS[2], ARGV[7])
  end
end
return rank > old and 1 or 0
"""


def record_status(conn: redis.Redis, sid: str, status: str, error: str, *, alert_id: str = "", kind: str = "",
                  member: str = "", attempt: int = 0, ttl_s: int = 72 * 3600) -> bool:
    """Keep the best state seen for `sid` and for (alert, kind, member). True if `sid` moved forward."""
    rank = STATUS_RANK.get(status)
    if rank is None:
        return False
    delivery_key = tk.delivery(alert_id) if alert_id else ""
    field = f"{kind}:{member}" if alert_id and kind and member else ""
    names = [tk.sent_message(sid), delivery_key] if delivery_key else [tk.sent_message(sid)]
    return bool(conn.eval(_RECORD_STATUS, len(names), *names, rank, status, sid, error[:8], field, attempt, ttl_s))


def delivery_report(conn: redis.Redis, alert_id: str) -> dict[str, dict[str, str]]:
    """{"kind:member": {"status", "sid", "error", "attempt"}} for one alert."""
    out = {}
    for name, raw in conn.hgetall(tk.delivery(alert_id)).items():
        attempt, _rank, status, sid, error = replies.text(raw).split("|", 4)
        out[replies.text(name)] = {"status": status, "sid": sid, "error": error, "attempt": attempt}
    return out


def handle_status(ctx: BotContext, form: MultiDict[str], query: MultiDict[str]) -> web.Response:
    sid = form.get("MessageSid", "")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not SID.match(sid) or status not in STATUS_RANK:
        return web.Response(status=200, text="")
    error = form.get("ErrorCode", "").strip()
    alert_id, kind, member = query.get("a", ""), query.get("k", ""), query.get("m", "")
    attempt = query.get("n", "0")
    if not (ALERT_ID.match(alert_id) and kind in KINDS and MEMBER.match(member) and attempt.isdigit()):
        alert_id = kind = member = ""
        attempt = "0"
    conn, settings = ctx.conn, ctx.settings
    token = query.get("t", "")
    if TOKEN.match(token):  # the send with this delivery token is at Twilio, as `sid` (TwilioSender.find)
        conn.set(tk.sent_token(token), sid, ex=settings.report_ttl_s)
    moved = record_status(conn, sid, status, error if error.isdigit() else "", alert_id=alert_id, kind=kind,
                          member=member, attempt=int(attempt[:15]), ttl_s=settings.report_ttl_s)
    channel = "whatsapp" if form.get("ChannelPrefix") == "whatsapp" or channel_of(form.get("To", "")) == "whatsapp" \
        else "sms"
    if status in ("failed", "undelivered") and moved:
        if error == "21610" and member:
            suppress(conn, channel, member)
        elif error == "63016":
            queue_resend(ctx.queue, sid, "template", 0)
        elif error in ("63018", "30001", "21611"):
            slow_down(conn, channel, settings.twilio_slowdown_s, f"Twilio {error} on {channel}: sending slower")
            queue_resend(ctx.queue, sid, "retry", 60)
    return web.Response(status=200, text="")


async def status_callback(request: web.Request) -> web.StreamResponse:
    checked = await signed_form(request, STATUS_PATH)
    if isinstance(checked, web.StreamResponse):
        return checked
    ctx, form = checked
    return await asyncio.to_thread(handle_status, ctx, form, MultiDict(request.rel_url.query))


RESEND_JOB = "alertrelay.workers.jobs.resend_twilio"


def queue_resend(queue: Queue, sid: str, reason: str, delay_s: int) -> None:
    # named, not imported: the job runs in a worker, by that worker's own TwilioSender
    enqueue_once(queue, RESEND_JOB, sid, reason, id_=f"twilio-resend-{sid}",
                 retry=RETRY_TWILIO_RESEND, timeout_s=60, delay_s=delay_s)
