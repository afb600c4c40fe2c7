"""The rq job that resends a message Twilio failed after accepting it (a receipt queues it:
twilio_status.queue_resend)."""

from __future__ import annotations

from alertrelay.bot.transports import twilio_sender


def resend_job(sid: str, reason: str) -> str | None:
    """rq job: resend a message Twilio failed after accepting it (63016 → template, 63018 → later)."""
    sender = twilio_sender._default_sender
    if sender is None:
        from alertrelay.config.settings import load_settings

        sender = twilio_sender.TwilioSender.from_settings(load_settings())
    return sender.resend(sid, reason)
