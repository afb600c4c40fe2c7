"""Signal messages → InboundMessage, and the one message-id scheme every Signal path shares.

Two receive paths see the same Signal message: signalbot's websocket (parsed into a `DataMessage`) and
signal-cli-rest-api's receive webhook (the raw JSON-RPC line). Both reduce it to a `SignalText` and build
the InboundMessage here, so they agree on the message id and ingest's dedupe drops the second copy. The
sender uses the same scheme for the bot's own messages, so a quote-reply to an alert finds its incident.

A message id is `<sent timestamp>-<author tag>`: the tag is a keyed hash of the author's UUID (or number
when Signal gives no UUID), or `bot` for the bot's own account. No number or UUID appears in it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import InvalidAddress
from alertrelay.bot.identity import Identity, normalise_address

log = logging.getLogger(__name__)

SELF_TAG = "bot"
MAX_TEXT_CHARS = 8000
"""Cut before hashing and thread hand-off; ingest cuts again to its own limit."""
MENTION = "\ufffc"
"""Signal's placeholder for an @mention inside the text."""

GroupLookup = Callable[[str], str | None]
"""public `group.…` id → our group id from areas.toml, None if no group is bound to it."""


def react_target_key(key: str) -> str:
    """Sealed {group, author, timestamp} of a Signal group message, by message key: what a 👀/✅ needs."""
    return keys.signal_target(key)


def public_group_id(internal_id: str) -> str:
    """Envelopes carry the internal id (base64 of the master key); chats and areas.toml use the public one."""
    return "group." + base64.b64encode(internal_id.encode()).decode()


@dataclass(frozen=True)
class SignalText:
    """What both receive paths read from one Signal data message."""

    timestamp: int
    """The sender's timestamp: what quotes and reactions point at."""
    number: str | None
    uuid: str | None
    text: str = ""
    server_ts: int | None = None
    group_internal_id: str | None = None
    attachments: int = 0
    quote_id: int | None = None
    quote_number: str | None = None
    quote_uuid: str | None = None


class SignalIds:
    """Message ids and author tags, keyed with the relay's secret (so tags cannot be guessed)."""

    def __init__(self, identity: Identity, bot_number: str):
        self.identity = identity
        self.bot_number = normalise_address(bot_number)

    def is_bot(self, number: str | None) -> bool:
        if not number:
            return False
        try:
            return normalise_address(number) == self.bot_number
        except InvalidAddress:
            return False

    def author_tag(self, number: str | None, uuid: str | None) -> str | None:
        if self.is_bot(number):
            return SELF_TAG
        for address in (uuid, number):
            if address:
                try:
                    return self.identity.pseudonym(address)[1:13]
                except InvalidAddress:
                    continue
        return None

    def message_id(self, timestamp: int, number: str | None, uuid: str | None) -> str | None:
        tag = self.author_tag(number, uuid)
        return f"{int(timestamp)}-{tag}" if tag else None

    def sent_id(self, timestamp: int) -> str:
        """The id of a message the bot sent (from /v2/send's timestamp)."""
        return f"{int(timestamp)}-{SELF_TAG}"

    @staticmethod
    def timestamp_of(message_id: str) -> int | None:
        head = message_id.split("-", 1)[0]
        return int(head) if head.isdigit() else None


@dataclass(frozen=True)
class ReactTarget:
    """Where a reaction to a group message goes: group public id, the author, the message timestamp."""

    recipient: str
    author: str
    timestamp: int


def to_inbound(item: SignalText, ids: SignalIds, lookup_group: GroupLookup) -> InboundMessage | None:
    """The pipeline's view of one Signal message; None for what the relay ignores (own, empty, anonymous)."""
    if ids.is_bot(item.number):
        return None  # the bot account's own messages (sync messages from a linked phone)
    sender, sender_number = reply_address(item.number, item.uuid)
    message_id = ids.message_id(item.timestamp, item.number, item.uuid)
    if not sender or message_id is None:
        return None
    text = item.text[:MAX_TEXT_CHARS].replace(MENTION, "").strip()
    if not text and not item.attachments:
        return None  # stickers, empty edits
    group = None
    if item.group_internal_id:
        public = public_group_id(item.group_internal_id)
        group = lookup_group(public) or public  # an unbound group keeps its public id
    quote = None
    if item.quote_id:
        quote = ids.message_id(item.quote_id, item.quote_number, item.quote_uuid)
    at_ms = item.server_ts or item.timestamp  # the server's clock, not the sender's
    return InboundMessage(
        channel="signal", message_id=message_id, sender=sender, sender_number=sender_number, group=group,
        text=text, at=datetime.fromtimestamp(at_ms / 1000, tz=UTC), quote=quote,
        attachments=item.attachments,
    )


def reply_address(number: str | None, uuid: str | None) -> tuple[str | None, str | None]:
    """(where a direct reply goes, the number shown beside it). The uuid whenever there is a usable one:
    since 2024 Signal hides numbers by default, and a number is the wrong address for a person who has
    changed it. The number then only ties the two together (bot/ingest.py)."""
    if uuid:
        try:
            normalise_address(uuid)
        except InvalidAddress:
            return number, None  # a malformed uuid: the number (if any) is all we can answer
        return uuid, number
    return number, None


def react_target(item: SignalText) -> ReactTarget | None:
    if not item.group_internal_id:
        return None
    author = item.uuid or item.number
    return ReactTarget(public_group_id(item.group_internal_id), author, item.timestamp) if author else None


# ---- the raw path (receive webhook): lenient, never raises on odd input ------------------------------

def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def frame_envelope(frame: Any, account: str) -> dict[str, Any] | None:
    """The envelope of a webhook post or websocket frame for `account`: JSON-RPC wrapped or bare."""
    body = _dict(frame)
    if "method" in body:
        if body.get("method") != "receive":
            return None
        body = _dict(body.get("params"))
    envelope = _dict(body.get("envelope"))
    if not envelope:
        return None
    if body.get("account") is not None and body.get("account") != account:
        return None
    return envelope


def text_from_envelope(envelope: dict[str, Any]) -> SignalText | None:
    """A SignalText for a data message (or edit) from someone else; None for everything else.

    Mirrors what signalbot 2.2.1 hands a DataMessageHandler, except that sync messages (sent by the bot's
    own account from another device) are dropped here: signalbot rewrites a direct sync message to look
    like it came from the recipient, the raw envelope still says what it is.
    """
    if envelope.get("syncMessage") is not None:
        return None
    data = envelope.get("dataMessage")
    if data is None:
        data = _dict(envelope.get("editMessage")).get("dataMessage")
    data = _dict(data)
    if not data or data.get("reaction") is not None or data.get("remoteDelete") is not None:
        return None
    group = _dict(data.get("groupInfo"))
    if group.get("type") == "UPDATE":
        return None
    timestamp = _int(data.get("timestamp")) or _int(envelope.get("timestamp"))
    if not timestamp:
        return None
    quote = _dict(data.get("quote"))
    attachments = data.get("attachments")
    return SignalText(
        timestamp=timestamp,
        number=_str(envelope.get("sourceNumber")),
        uuid=_str(envelope.get("sourceUuid")),
        text=(_str(data.get("message")) or "")[:MAX_TEXT_CHARS],
        server_ts=_int(envelope.get("serverReceivedTimestamp")),
        group_internal_id=_str(group.get("groupId")),
        attachments=len(attachments) if isinstance(attachments, list) else 0,
        quote_id=_int(quote.get("id")),
        quote_number=_str(quote.get("authorNumber")),
        quote_uuid=_str(quote.get("authorUuid")),
    )


def text_from_data_message(message: Any) -> SignalText:
    """The same fields from signalbot's parsed DataMessage (websocket path)."""
    quote = message.quote
    group = message.group_info
    return SignalText(
        timestamp=message.timestamp,
        number=message.source_number,
        uuid=message.source_uuid,
        text=(message.text or "")[:MAX_TEXT_CHARS],
        server_ts=message.server_received_timestamp,
        group_internal_id=group.group_id if group is not None else None,
        attachments=len(message.attachments or []),
        quote_id=quote.id if quote is not None else None,
        quote_number=quote.author_number if quote is not None else None,
        quote_uuid=quote.author_uuid if quote is not None else None,
    )
