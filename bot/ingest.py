"""The one entry point for every transport: normalise, pseudonymise, enqueue.

A transport builds an InboundMessage and calls `ingest`. The sender's address is turned into a keyed
pseudonym (for counting) and, for direct messages, a sealed reply address; the text is scrubbed of phone
numbers. Nothing personal reaches Redis or the rq payloads. Redelivered messages are dropped here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
  if ARGV[7] ~= '' then  -- a drill message: the drainer sweeps at these times before deciding it
    return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3], 'w', ARGV[4], 'sweep', ARGV[7])
  end
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
           *, ttl_s: int = 72 * 3600, job_timeout_s: int = 60) -> bool:
    """Accept one inbound message. False if it was seen before (a redelivery)."""
    envelope = envelope_for(message, identity)
    admitted = run_script(conn, _ADMIT, keys=_admit_keys(envelope),
                          args=_admit_args(envelope, message.at.timestamp(), ttl_s))
    if not admitted:
        log.info("duplicate message %s dropped", envelope.key)
        return False
    kick_drain(conn, queue, job_timeout_s)
    return True


INGEST_CHUNK = 500
"""Messages per pipelined round trip in `ingest_on_message_clock`: the drainer starts on the first chunk
while the next is sent."""


@dataclass(frozen=True)
class ClockedMessage:
    """A drill message made ready to queue: its envelope (pseudonymised, scrubbed) and the times the
    drainer sweeps at (quiet-period expiries, workers.pipeline.sweep) just before deciding it."""

    envelope: Envelope
    at_s: float
    sweeps_json: str


def prepare_on_message_clock(identity: Identity, messages: Sequence[tuple[InboundMessage, Sequence[datetime]]]
                             ) -> list[ClockedMessage]:
    """Every envelope of a drill, built before any is queued: a bad sender fails the drill first."""
    return [ClockedMessage(envelope_for(message, identity), message.at.timestamp(),
                           json.dumps([at.isoformat() for at in sweeps])) for message, sweeps in messages]


def ingest_on_message_clock(conn: redis.Redis, queue: Queue, prepared: Sequence[ClockedMessage],
                            *, ttl_s: int = 72 * 3600, job_timeout_s: int = 60) -> list[bool]:
    """Accept a drill's messages at once, pipelined, each carrying its sweep times: message time is the
    clock, so a drill runs at the pipeline's speed rather than one message at a time. True per message
    admitted (False: a redelivery)."""
    admitted: list[bool] = []
    for start in range(0, len(prepared), INGEST_CHUNK):
        with conn.pipeline(transaction=False) as pipe:
            for message in prepared[start:start + INGEST_CHUNK]:
                run_script(pipe, _ADMIT, keys=_admit_keys(message.envelope),
                           args=_admit_args(message.envelope, message.at_s, ttl_s, message.sweeps_json))
            admitted += [bool(answer) for answer in pipe.execute()]
        kick_drain(conn, queue, job_timeout_s)
    return admitted


def _admit_keys(envelope: Envelope) -> list[str]:
    return [keys.seen_message(envelope.key), keys.INBOX, keys.sender_first_seen(envelope.reporter),
            keys.LISTENING_SINCE]


def _admit_args(envelope: Envelope, at_s: float, ttl_s: int, sweeps_json: str = "") -> list:
    return [ttl_s, keys.INBOX_MAXLEN, envelope.model_dump_json(), repr(time.time()), repr(at_s),
            keys.FIRST_SEEN_TTL_S, sweeps_json]


def kick_drain(conn: redis.Redis, queue: Queue, job_timeout_s: int = 60) -> None:
    """Make sure a drain job is queued. The flag keeps a burst of messages to one queued job."""
    if conn.set(keys.INBOX_DRAIN_PENDING, "1", nx=True, ex=60):
        queue.enqueue(DRAIN_JOB, job_timeout=job_timeout_s, result_ttl=0, failure_ttl=24 * 3600, at_front=True,
                      retry=Retry(max=3, interval=[1, 5, 15]))
