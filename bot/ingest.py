"""The one entry point for every transport: normalise, pseudonymise, enqueue.

A transport builds an InboundMessage and calls `ingest`. The sender's address is turned into a keyed
pseudonym (for counting) and, for direct messages, a sealed reply address; the text is scrubbed of phone
numbers. Nothing personal reaches Redis or the rq payloads. Redelivered messages are dropped here.
"""

from __future__ import annotations

import hashlib
import logging
import time

import redis
from rq import Queue, Retry

from bot import keys
from bot.core.models import Envelope, InboundMessage
from bot.identity import Identity, InvalidAddress, scrub_numbers
from bot.scripts import run_script

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
"""Longer texts are cut: no real report is longer, and a 1 MB message must not clog the pipeline."""
DRAIN_JOB = "workers.jobs.drain_inbox"

_ADMIT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  -- when the relay first heard from this sender, and the oldest such time (bot/core/decide.py: first-time)
  local at = tonumber(ARGV[5])
  local first = tonumber(redis.call('GET', KEYS[3]) or '')
  if not first or at < first then redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6])
  else redis.call('EXPIRE', KEYS[3], ARGV[6]) end
  local since = tonumber(redis.call('GET', KEYS[4]) or '')
  if not since or at < since then redis.call('SET', KEYS[4], ARGV[5]) end
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3], 'w', ARGV[4])
end
return false
"""


def message_key(channel: str, message_id: str) -> str:
    family = "signal" if channel == "signal" else "twilio"
    return hashlib.sha256(f"{family}\0{message_id}".encode()).hexdigest()[:24]


def envelope_for(message: InboundMessage, identity: Identity) -> Envelope:
    try:
        reporter = identity.pseudonym(message.sender)
    except InvalidAddress as exc:
        raise InvalidAddress(f"message {message.message_id}: sender is not a phone number or UUID") from exc
    text = message.text[:MAX_TEXT_CHARS]
    # a command's numbers ("/verifier add +1612…") are sealed for the worker to open; a report's are dropped
    text = scrub_numbers(text, seal=identity.seal if text.lstrip().startswith("/") else None)
    lat, lon = message.location if message.location else (None, None)
    return Envelope(
        key=message_key(message.channel, message.message_id),
        message_id=message.message_id,
        channel=message.channel,
        group=message.group,
        reporter=reporter,
        reply_to=identity.seal(message.sender) if message.group is None else None,
        text=text,
        at=message.at,
        lat=lat,
        lon=lon,
        quote_ref=message_key(message.channel, message.quote) if message.quote else None,
        ref=message_key(message.channel, message.message_id),
        forwarded=message.forwarded,
        attachments=message.attachments,
    )


def ingest(conn: redis.Redis, queue: Queue, identity: Identity, message: InboundMessage,
           *, ttl_s: int = 72 * 3600, job_timeout_s: int = 60, drain_pending_s: int = 30) -> bool:
    """Accept one inbound message. False if it was seen before (a redelivery).
    drain_pending_s: claim_idle_s, the longest the drain-pending flag lives (kick_drain)."""
    envelope = envelope_for(message, identity)
    admitted = run_script(conn, _ADMIT, keys=[keys.seen_message(envelope.key), keys.INBOX,
                                              keys.sender_first_seen(envelope.reporter), keys.LISTENING_SINCE],
                          args=[ttl_s, keys.INBOX_MAXLEN, envelope.model_dump_json(), repr(time.time()),
                                repr(message.at.timestamp()), keys.FIRST_SEEN_TTL_S])
    if not admitted:
        log.info("duplicate message %s dropped", envelope.key)
        return False
    kick_drain(conn, queue, job_timeout_s, drain_pending_s)
    return True


_KICK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local id = 'drain-' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return id
"""


def kick_drain(conn: redis.Redis, queue: Queue, job_timeout_s: int = 60, pending_s: int = 30) -> bool:
    """Make sure a drain job is queued; True if this call queued it. The flag, which names the job, keeps a
    burst of messages to one queued job. It lasts pending_s (claim_idle_s) at most: should the job never
    run (its worker died holding it, Redis went away before it was queued), the workers' recovery pass
    clears the flag as soon as it sees no such job queued or running (workers/recovery.py)."""
    drain_id = run_script(conn, _KICK, keys=[keys.INBOX_DRAIN_PENDING, keys.INBOX_DRAIN_SEQ],
                          args=[max(1, int(pending_s))])
    if not drain_id:
        return False
    drain_id = drain_id.decode() if isinstance(drain_id, bytes) else drain_id
    queue.enqueue(DRAIN_JOB, job_id=drain_id, job_timeout=job_timeout_s, result_ttl=0, failure_ttl=24 * 3600,
                  at_front=True, retry=Retry(max=3, interval=[1, 5, 15]))
    return True
