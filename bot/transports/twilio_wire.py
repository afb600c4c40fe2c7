"""What Twilio's webhook, its delivery receipts and the sender share of the wire contract (notes/twilio.md)."""

from __future__ import annotations

import re
from typing import Literal

INBOUND_PATH = "/twilio/inbound"
STATUS_PATH = "/twilio/status"
MAX_BODY_CHARS = 1600
SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


def channel_of(address: str) -> Literal["whatsapp", "sms"]:
    return "whatsapp" if address.strip().lower().startswith("whatsapp:") else "sms"
