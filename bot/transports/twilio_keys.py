"""Redis keys of the Twilio transport. bot/ does not import workers/, so they live here; every one is
under `relay:twilio:` except the two core keys mirrored at the end. No key or value holds a clear phone
number: members are `Identity.pseudonym`s, addresses needed for a later resend are `Identity.seal`ed."""

from __future__ import annotations

PREFIX = "relay:twilio"

WARNINGS = f"{PREFIX}:warnings"
"""stream of operator warnings (63018 rate/tier limits, template missing …) for admins."""
WARNINGS_MAXLEN = 1000


def suppressed(channel: str) -> str:
    """set of member pseudonyms who sent STOP on `channel` (or Twilio answered 21610)."""
    return f"{PREFIX}:suppressed:{channel}"


def window(member: str) -> str:
    """WhatsApp 24-hour session of a member: exists (value = epoch s of their last message) while open."""
    return f"{PREFIX}:window:{member}"


def rate(channel: str) -> str:
    """GCRA state of the outbound rate limiter of one sender (theoretical arrival time, µs)."""
    return f"{PREFIX}:rate:{channel}"


def slowdown(channel: str) -> str:
    """Present after a 63018: the limiter runs at a fraction of the configured rate until it expires."""
    return f"{PREFIX}:slowdown:{channel}"


def sent_message(message_sid: str) -> str:
    """hash: what one outbound MessageSid was (alert, kind, group, member, sealed address, lang, text)."""
    return f"{PREFIX}:msg:{message_sid}"


def delivery(alert_id: str) -> str:
    """hash `{kind}:{member}` -> "attempt|rank|status|sid|error": best known delivery state per member."""
    return f"{PREFIX}:delivery:{alert_id}"


# Core keys (mirrors of workers.keys; bot/ may not import workers/).
def seen(message_key: str) -> str:
    return f"relay:seen:{message_key}"


CONFIG_GROUPS = "relay:config:groups"
CONFIG_REV = "relay:config:rev"
