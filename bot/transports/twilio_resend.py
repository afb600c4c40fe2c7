"""Resending a message Twilio failed after accepting it (a receipt queues it: twilio_status.queue_resend).

The rq job is workers/jobs.py::resend_twilio, which resends by its worker's own TwilioSender. `resend_job`
is what jobs queued before that were named by; it resends by a sender made from the environment's settings.
"""

from __future__ import annotations

from alertrelay.bot.transports.twilio_sender import TwilioSender
from alertrelay.config.settings import load_settings


def resend_job(sid: str, reason: str) -> str | None:
    """rq job, as queued before resend_twilio: resend `sid` (63016 → template, 63018 → later)."""
    return TwilioSender.from_settings(load_settings()).resend(sid, reason)
