"""WhatsApp and SMS through Twilio (notes/twilio.md is the wire contract).

Inbound:  POST /twilio/inbound  → signature check over the public URL and every posted field → keywords
          (STOP/START/HELP/SUBSCRIBE …, answered inline) or `ingest` → empty TwiML. Nothing is stored for
          a request that fails the signature check, and a MessageSid is acted on once.
Status:   POST /twilio/status   → signed delivery receipts, kept per (alert, member) as the best state seen
          (out of order and repeated receipts are no-ops); 63016/63018 failures queue a resend.
Outbound: TwilioSender (rq workers, sync): one message per member through the twilio client pointed at
          `twilio_api_url`; a rate limiter in Redis shared by every worker; text inside WhatsApp's 24-hour
          window, the approved template outside it.

Modules: twilio_inbound (webhook), twilio_status (receipts), twilio_limits (opt-outs, slow-downs, rate
limiter), twilio_sender (TwilioSender, the client), twilio_resend (resending), twilio_wire (shared).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from alertrelay.bot.transports.twilio_inbound import inbound
from alertrelay.bot.transports.twilio_resend import resend_job  # noqa: F401  (jobs queued before the split name it here)
from alertrelay.bot.transports.twilio_status import status_callback
from alertrelay.bot.transports.twilio_wire import INBOUND_PATH, STATUS_PATH

if TYPE_CHECKING:
    from alertrelay.bot.server import BotContext

log = logging.getLogger(__name__)


def register_routes(app: web.Application, ctx: BotContext) -> None:
    settings = ctx.settings
    if not settings.public_url or settings.twilio_auth_token is None:
        log.error("Twilio: ALERTRELAY_PUBLIC_URL and ALERTRELAY_TWILIO_AUTH_TOKEN are needed to check "
                  "signatures; every webhook will be refused (403) until they are set")
    app.router.add_post(INBOUND_PATH, inbound)
    app.router.add_post(STATUS_PATH, status_callback)
