"""The sender port: the pipeline delivers through this, whatever the transport."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel

OutboundKind = Literal["alert", "update", "all_clear", "retraction", "reply"]


class Outbound(BaseModel):
    kind: OutboundKind
    channel: Literal["signal", "whatsapp", "sms"]
    text: str
    at: datetime
    group: str | None = None
    recipient: str | None = None
    """Clear address, decrypted just before sending; lives only in memory."""
    alert_id: str | None = None
    in_reply_to: str | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    independent_reports: int | None = None
    signal_group_id: str | None = None
    token: str | None = None
    """Idempotency token of this delivery (one per claim, the same on every attempt); stored in the
    delivery claim before the request, and sent where the provider can carry it invisibly."""

    def drill_line(self) -> dict[str, object]:
        """One outbound line as FORMAT.md prints it."""
        to: dict[str, object] = {"channel": self.channel}
        if self.group is not None:
            to["group"] = self.group
        if self.recipient is not None:
            to["recipient"] = self.recipient
        line: dict[str, object] = {"at": self.at.isoformat(), "kind": self.kind}
        if self.alert_id:
            line["alert_id"] = self.alert_id
        line["to"] = to
        for name in ("lat", "lon", "place", "independent_reports", "in_reply_to"):
            value = getattr(self, name)
            if value is not None:
                line[name] = value
        line["text"] = self.text
        return line


class Sender(Protocol):
    def send(self, message: Outbound) -> str | None:
        """Deliver one message; return the provider's message id if it has one.
        Raise bot.errors.NotSent when the request certainly did not reach the provider (it is retried
        freely), TransientError when it may have (the claim is kept; the provider is asked before any
        resend), PermanentError to give up. After the provider accepted, nothing may raise: bookkeeping
        that fails is logged and retried later, never turned into an error that would cause a resend."""
        ...


class FindingSender(Protocol):
    def find(self, message: Outbound, since: datetime) -> str | None:
        """Is `message` (same recipient, same token or body) at the provider, sent at or after `since`?
        Its provider id if so ("" when found without one), None if it certainly is not. Raise
        bot.errors.CannotTell when the provider keeps nothing to ask, TransientError when asking failed."""
        ...
