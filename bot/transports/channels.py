"""Route each outbound message to the sender of its channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from alertrelay.bot.errors import CannotTell
from alertrelay.bot.transports.base import Outbound, Sender


class ChannelSender:
    def __init__(self, senders: dict[str, Sender], fallback: Sender):
        self.senders = senders
        self.fallback = fallback

    def send(self, message: Outbound) -> str | None:
        return self.senders.get(message.channel, self.fallback).send(message)

    def find(self, message: Outbound, since: datetime) -> str | None:
        sender = self.senders.get(message.channel, self.fallback)
        # only some senders can look a message up (Twilio): duck-typed, as Sender does not declare it
        find: Callable[[Outbound, datetime], str | None] | None = getattr(sender, "find", None)
        if find is None:
            raise CannotTell(f"{type(sender).__name__} has no lookup")
        return find(message, since)
