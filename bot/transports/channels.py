"""Route each outbound message to the sender of its channel."""

from __future__ import annotations

from bot.transports.base import Outbound, Sender


class ChannelSender:
    def __init__(self, senders: dict[str, Sender], fallback: Sender):
        self.senders = senders
        self.fallback = fallback

    def send(self, message: Outbound) -> str | None:
        return self.senders.get(message.channel, self.fallback).send(message)
