"""Reactions on Signal group reports: 👀 once a report was counted, ✅ once its incident is verified.

The pipeline calls `react_to` after it applied a report. The message's group, author and timestamp were
sealed into Redis by the Signal transport when the message came in (`react_target_key`), so nothing about
the author travels in the envelope or the job arguments. Signal keeps one reaction per person and message:
the ✅ replaces the 👀.
"""

from __future__ import annotations

import json
import logging
from typing import Protocol, cast

from alertrelay.bot import keys, replies
from alertrelay.bot.core.models import Envelope
from alertrelay.bot.queues import RETRY_REACTION, enqueue_once, job_id
from alertrelay.bot.transports.signal_inbound import react_target_key
from alertrelay.workers import incidents
from alertrelay.workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)

SEEN = "👀"
VERIFIED = "✅"


counted_reports = keys.signal_counted


reacted = keys.signal_reacted


def enabled(rt: Runtime) -> bool:
    s = rt.settings
    return bool(s.signal_reactions and s.signal_service and s.signal_number and s.outbox is None)


def react_to(rt: Runtime, env: Envelope, result: incidents.Applied | None) -> None:
    """After a report was applied: 👀 on it if it is a counted Signal group report; ✅ on every counted
    group report of the incident once it is verified (whichever channel the verifying report came by)."""
    if result is None or not result.incident or not enabled(rt):
        return
    conn = rt.conn
    members = counted_reports(result.incident)
    verified = result.transition == "verified"
    if env.channel == "signal" and env.group is not None and result.newly_counted:
        pipe = conn.pipeline(transaction=False)
        pipe.sadd(members, env.key)
        pipe.expire(members, rt.settings.report_ttl_s)
        pipe.execute()
        # read the state after adding ourselves: either this sees "verified", or whoever verifies sees us
        verified = verified or incidents.fields(conn, result.incident).get("state") == "verified"
        if not verified:
            _queue(rt, env.key, SEEN)
            return
    if verified:
        for raw in sorted(conn.smembers(members)):
            _queue(rt, replies.text(raw), VERIFIED)


def _queue(rt: Runtime, key: str, emoji: str) -> None:
    name = "verified" if emoji == VERIFIED else "seen"
    enqueue_once(rt.queue, send_reaction, key, emoji, id_=job_id("react", key, name), retry=RETRY_REACTION,
                 timeout_s=rt.settings.job_timeout_s)


def send_reaction(key: str, emoji: str) -> int:
    """rq job: one reaction on one group message."""
    rt = runtime()
    conn = rt.conn
    done = reacted(key)
    if emoji == SEEN and conn.get(done) == VERIFIED.encode():
        return 0  # the ✅ went out first (concurrent workers): a late 👀 would replace it
    sealed = conn.get(react_target_key(key))
    sender = _signal_sender(rt)
    if sealed is None or sender is None:
        log.info("reaction on %s skipped: %s", key,
                 "no target stored" if sealed is None else "no Signal sender")
        return 0
    target = json.loads(rt.identity.unseal(replies.text(sealed)))
    conn.set(done, emoji, ex=rt.settings.report_ttl_s)
    sender.react(recipient=target["r"], author=target["a"], timestamp=int(target["t"]), emoji=emoji,
                 what=f"reaction {'verified' if emoji == VERIFIED else 'seen'} on {key}")
    return 1


class Reactor(Protocol):
    """A sender that can react to a message (bot/transports/signal_sender.py::SignalSender)."""

    def react(self, *, recipient: str, author: str, timestamp: int, emoji: str, what: str) -> None: ...


def _signal_sender(rt: Runtime) -> Reactor | None:
    sender: object = rt.sender
    senders = getattr(sender, "senders", None)  # ChannelSender
    if isinstance(senders, dict):
        sender = senders.get("signal")
    return cast(Reactor, sender) if callable(getattr(sender, "react", None)) else None
