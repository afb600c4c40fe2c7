"""One drained batch: what deciding its messages gathers, until the drain job flushes it at the batch's end.

The drain job (workers/jobs.py) makes a Batch per batch and passes it down to every step that decides a
message (pipeline, decisions, commands, dispatch), the way arq passes a ctx into every job. What outlives a
batch (settings, Redis, identity, gazetteer, config, sender, each region's copy of the open incidents) stays
on the process's Runtime (workers/runtime.py), which takes the region as an argument; nothing here does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from alertrelay.bot import keys
from alertrelay.bot.core.models import Channel
from alertrelay.workers.incidents import SenderKeys

Announcement = list[str]
"""[alert_id, kind, at_iso, in_reply_to]: what one delivery line carries (workers/delivery.py)."""


class Reply(TypedDict):
    """One answer to a sender (workers/delivery.py::queue_reply, send_replies), as its job carries it."""

    key: str
    """What it answers (the message's key, or a dispatch's): its send claim derives from it."""
    sealed: str
    """The sealed address of a direct answer, "" for one in a group."""
    group: str
    channel: Channel
    text: str
    at: str
    in_reply_to: str | None
    incident: NotRequired[str]
    """A verifier dispatch's incident: a quote-reply to it counts against that incident."""


@dataclass
class Batch:
    region: keys.Region
    """The region this batch was drained from: its keys, its incidents (the Runtime's copy of that region's)
    and its groups."""
    sender_keys: SenderKeys = field(default_factory=SenderKeys)
    """The per-sender keys of the batch's messages: read in one round trip (prefetch), then kept in step
    with the drainer's own writes."""
    announcements: list[Announcement] = field(default_factory=list)
    """Queued as one delivery job per group at the end, since an rq job costs several times what sending
    one alert does."""
    replies: list[Reply] = field(default_factory=list)
    """Sent together by one job at the end."""
    arrived_at_s: float | None = None
    """Wall time the message being decided was admitted (its inbox stamp): the alert-latency clock."""
