"""The one entry point for every transport: normalise, pseudonymise, enqueue.

A transport builds an InboundMessage and calls `ingest`. The sender's address is turned into a keyed
pseudonym (for counting) and, for direct messages, a sealed reply address; the text is scrubbed of phone
numbers. Nothing personal reaches Redis or the rq payloads. Redelivered messages are dropped here.
A Signal sender's pseudonym goes through their number↔uuid pairing first (signal_reporter).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import redis
from rq import Queue

from alertrelay.bot import keys, replies
from alertrelay.bot.core.models import Envelope, InboundMessage
from alertrelay.bot.errors import InvalidAddress
from alertrelay.bot.identity import Identity, normalise_address, scrub_numbers
from alertrelay.bot.queues import RETRY_KICK
from alertrelay.bot.regions import RegionRoutes
from alertrelay.bot.scripts import run_script

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
"""Longer texts are cut: no real report is longer, and a 1 MB message must not clog the pipeline."""
DRAIN_JOB = "alertrelay.workers.jobs.drain_inbox"

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


# One Signal person, one pseudonym, whichever of their addresses an envelope shows (numbers are hidden by
# default since 2024). KEYS: pairing of the uuid, pairing of the number (one hash tag, {signal}: one Redis
# Cluster slot; a number that changed hands also drops its former owner's pairing, in that slot). ARGV: the
# pseudonyms of the uuid and the number ('' when not shown), the pairing TTL, the pairing key prefix.
# Returns both pseudonyms as paired; the roles (configuration, another slot) are read after it.
_SIGNAL_PAIR = """
-- The one key not in KEYS is the former owner's pairing: it is named by a value read here (KEYS[2]), so the
-- caller cannot name it. It is built from the pairing prefix (ARGV[4]), which carries the {signal} hash tag:
-- the same Redis Cluster slot as KEYS.
local pu, pn, ttl = ARGV[1], ARGV[2], ARGV[3]
if pu ~= '' and pn ~= '' then
  local previous = redis.call('GET', KEYS[2])
  if previous and previous ~= pu then
    -- the number changed hands: its former owner no longer holds it (nor a role given to it)
    local back = ARGV[4] .. previous
    if redis.call('GET', back) == pn then redis.call('DEL', back) end
  end
  redis.call('SET', KEYS[1], pn, 'EX', ttl)
  redis.call('SET', KEYS[2], pu, 'EX', ttl)
elseif pu ~= '' then
  pn = redis.call('GET', KEYS[1]) or ''
  if pn ~= '' then redis.call('EXPIRE', KEYS[1], ttl) end
elseif pn ~= '' then
  pu = redis.call('GET', KEYS[2]) or ''
  if pu ~= '' then redis.call('EXPIRE', KEYS[2], ttl) end
end
return {pu, pn}
"""


def message_key(channel: str, message_id: str) -> str:
    family = "signal" if channel == "signal" else "twilio"
    return hashlib.sha256(f"{family}\0{message_id}".encode()).hexdigest()[:24]


def _pseudonym(identity: Identity, message: InboundMessage, address: str) -> str:
    try:
        return identity.pseudonym(address)
    except InvalidAddress as exc:
        raise InvalidAddress(f"message {message.message_id}: sender is not a phone number or UUID") from exc


def signal_reporter(conn: redis.Redis, identity: Identity, message: InboundMessage) -> str:
    """The pseudonym of a Signal sender, the same whether an envelope shows their uuid, their number or both.

    The uuid is who a person is (a number can be hidden, changed, or handed to someone else), so its
    pseudonym is the reporter, and a number-only message takes the pseudonym of the uuid it was last seen
    with. One exception: a role (admin, verifier) given to the number, as areas.toml and `/admin add +1…`
    do, makes the number's pseudonym the reporter, also when a later message hides the number, so the role
    holds. A role given to the uuid wins over both.
    """
    sender = _pseudonym(identity, message, message.sender)
    if normalise_address(message.sender).startswith("+"):  # number only
        uuid_p, number_p = "", sender
    else:
        uuid_p, number_p = sender, ""
        try:
            number_p = identity.pseudonym(message.sender_number) if message.sender_number else ""
        except InvalidAddress:
            pass  # only good for pairing: the message still counts, under the uuid
    paired = run_script(conn, _SIGNAL_PAIR,
                        keys=[keys.signal_pairing(uuid_p or "-"), keys.signal_pairing(number_p or "-")],
                        args=[uuid_p, number_p, keys.SIGNAL_PAIRING_TTL_S, keys.signal_pairing("")])
    uuid_p, number_p = (replies.text(p) for p in paired)
    candidates = list(dict.fromkeys(p for p in (uuid_p, number_p) if p))
    if len(candidates) > 1:  # the roles only choose between two pseudonyms: one is the reporter either way
        with conn.pipeline(transaction=False) as pipe:
            for pseudonym in candidates:
                pipe.sismember(keys.ADMINS, pseudonym)
                pipe.sismember(keys.VERIFIERS, pseudonym)
            roles = pipe.execute()
        for number, pseudonym in enumerate(candidates):  # a role on the uuid wins, then one on the number
            if roles[2 * number] or roles[2 * number + 1]:
                return pseudonym
    return uuid_p or number_p


def envelope_for(message: InboundMessage, identity: Identity, reporter: str | None = None) -> Envelope:
    """`reporter`: the sender's pseudonym when it takes more than their address (signal_reporter)."""
    reporter = reporter or _pseudonym(identity, message, message.sender)
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
           *, ttl_s: int = 72 * 3600, job_timeout_s: int = 60, drain_pending_s: int = 30,
           routes: RegionRoutes | None = None) -> bool:
    """Accept one inbound message into its region's inbox (`routes`; None: the default region). False if
    it was seen before (a redelivery). drain_pending_s: claim_idle_s, the longest the drain-pending flag
    lives (kick_drain)."""
    reporter = signal_reporter(conn, identity, message) if message.channel == "signal" else None
    envelope = envelope_for(message, identity, reporter)
    region = (routes.region_for(conn, message, envelope.reporter, envelope.quote_ref) if routes is not None
              else keys.DEFAULT_REGION)
    admitted = run_script(conn, _ADMIT, keys=_admit_keys(envelope, region),
                          args=_admit_args(envelope, message.at.timestamp(), ttl_s))
    if not admitted:
        log.info("duplicate message %s dropped", envelope.key)
        return False
    kick_drain(conn, queue, job_timeout_s, drain_pending_s, region)
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
    region: keys.Region = keys.DEFAULT_REGION


RegionOf = Callable[[InboundMessage, Envelope], keys.Region]
"""A message and its envelope → its region (RegionRoutes.region_for, bound to a connection)."""


def prepare_on_message_clock(identity: Identity, messages: Sequence[tuple[InboundMessage, Sequence[datetime]]],
                             region_of: RegionOf | None = None) -> list[ClockedMessage]:
    """Every envelope of a drill, built (and routed, in message order) before any is queued: a bad sender
    fails the drill first."""
    prepared = []
    for message, sweeps in messages:
        envelope = envelope_for(message, identity)
        region = region_of(message, envelope) if region_of is not None else keys.DEFAULT_REGION
        prepared.append(ClockedMessage(envelope, message.at.timestamp(),
                                       json.dumps([at.isoformat() for at in sweeps]), region))
    return prepared


def ingest_on_message_clock(conn: redis.Redis, queue: Queue, prepared: Sequence[ClockedMessage],
                            *, ttl_s: int = 72 * 3600, job_timeout_s: int = 60, drain_pending_s: int = 30
                            ) -> list[bool]:
    """Accept a drill's messages at once, pipelined, each carrying its sweep times: message time is the
    clock, so a drill runs at the pipeline's speed rather than one message at a time. True per message
    admitted (False: a redelivery)."""
    admitted: list[bool] = []
    for start in range(0, len(prepared), INGEST_CHUNK):
        chunk = prepared[start:start + INGEST_CHUNK]
        with conn.pipeline(transaction=False) as pipe:
            for message in chunk:
                run_script(pipe, _ADMIT, keys=_admit_keys(message.envelope, message.region),
                           args=_admit_args(message.envelope, message.at_s, ttl_s, message.sweeps_json))
            admitted += [bool(answer) for answer in pipe.execute()]
        for region in dict.fromkeys(message.region for message in chunk):
            kick_drain(conn, queue, job_timeout_s, drain_pending_s, region)
    return admitted


def _admit_keys(envelope: Envelope, region: keys.Region) -> list[str]:
    # one region's keys only: on a Redis Cluster the script runs in that region's slot
    return [region.seen_message(envelope.key), region.inbox, region.sender_first_seen(envelope.reporter),
            region.listening_since]


def _admit_args(envelope: Envelope, at_s: float, ttl_s: int, sweeps_json: str = "") -> list[object]:
    return [ttl_s, keys.INBOX_MAXLEN, envelope.model_dump_json(), repr(time.time()), repr(at_s),
            keys.FIRST_SEEN_TTL_S, sweeps_json]


_KICK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local id = ARGV[2] .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return id
"""


def kick_drain(conn: redis.Redis, queue: Queue, job_timeout_s: int = 60, pending_s: int = 30,
               region: keys.Region = keys.DEFAULT_REGION) -> bool:
    """Make sure a drain job is queued; True if this call queued it. The flag, which names the job, keeps a
    burst of messages to one queued job. It lasts pending_s (claim_idle_s) at most: should the job never
    run (its worker died holding it, Redis went away before it was queued), the workers' recovery pass
    clears the flag as soon as it sees no such job queued or running (workers/recovery.py)."""
    drain_id = run_script(conn, _KICK, keys=[region.drain_pending, region.drain_seq],  # id: the prefix + n
                          args=[max(1, int(pending_s)), region.drain_job_id("")])
    if not drain_id:
        return False
    drain_id = drain_id.decode() if isinstance(drain_id, bytes) else str(drain_id)
    args = (region.name,) if region.name else ()  # the default region's job is the one it always was
    queue.enqueue(DRAIN_JOB, *args, job_id=drain_id, job_timeout=job_timeout_s, result_ttl=0,
                  failure_ttl=24 * 3600, at_front=True, retry=RETRY_KICK)
    return True
