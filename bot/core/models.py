"""Domain values. Pure: no I/O imports anywhere in bot/core."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["signal", "whatsapp", "sms"]
Context = Literal["none", "pending", "alerted"]
Source = Literal["first_hand", "second_hand", "asking", "guessing", "none"]
"""Who knows what a message says: the writer saw it, heard it, asks about it, or guesses."""
When = Literal["now", "minutes", "hours", "night", "yesterday", "days", "none"]
"""What a message answers: nothing, an open unconfirmed sighting, or an active verified alert."""


class InboundMessage(BaseModel):
    """What a transport hands to ingest. `sender` is the only personal datum and never leaves ingest."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    message_id: str = Field(min_length=1, max_length=200)
    """Opaque and unique per transport; must not embed a phone number or UUID."""
    sender: str
    """Who sent it, and where a direct reply goes: a Signal sender's uuid whenever the envelope has one."""
    sender_number: str | None = None
    """Signal only: the number the envelope showed next to the uuid in `sender`. Ingest remembers the
    pairing (keyed) so the person keeps one pseudonym; never a reply address."""
    group: str | None = None
    text: str = ""
    at: datetime
    location: tuple[float, float] | None = None
    quote: str | None = None
    """message_id of the message this one replies to (ours or a reporter's)."""
    forwarded: bool = False
    attachments: int = 0


class Envelope(BaseModel):
    """An inbound message after ingest: pseudonymous, safe to store in Redis and rq payloads."""

    key: str
    message_id: str
    channel: Channel
    group: str | None
    reporter: str
    reply_to: str | None
    """Sealed address for direct messages; None for group messages (no chat replies in groups)."""
    text: str
    at: datetime
    lat: float | None = None
    lon: float | None = None
    quote_ref: str | None = None
    ref: str
    forwarded: bool = False
    attachments: int = 0


class Kind(StrEnum):
    REPORT = "report"          # first-hand sighting, including confirmations
    ALL_CLEAR = "all_clear"
    DISPUTE = "dispute"
    QUESTION = "question"
    HEARSAY = "hearsay"        # second-hand: forwards, "my cousin says", rumours, guesses
    CHATTER = "chatter"
    COMMAND = "command"
    PAST = "past"


class Parsed(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Kind
    lang: Literal["en", "es"]
    confirmation: bool = False
    """Says so explicitly ("confirmed", "I see them too", "yo también los vi")."""
    seen: tuple[str, ...] = ()
    """What was seen, normalised: "agents", "vehicles", "checkpoint", "arrest"."""
    time_cue: str | None = None
    hearsay: bool = False
    source: Source = "none"
    """Who knows: the writer saw it, heard it, asks about it, or guesses."""
    when: When = "none"
    denied: bool = False
    """The text denies enforcement ("not ICE, just DHL", "no es migra")."""
    ended: bool = False
    """The text says it is over ("se fueron", "pulled out", "street is quiet now")."""
    needs_context: bool = False
    """What it means depends on the open incident it answers ("+1", "nadie ahí"): parse it again with
    the context of the incident it would apply to."""
    reasons: tuple[str, ...] = ()
    """The claims and cues that decided the kind, for `classify --explain` and `/why`."""


class Policy(BaseModel):
    min_independent_reports: int = Field(default=2, ge=1, le=20)
    window_minutes: int = Field(default=45, ge=1, le=24 * 60)
    radius_m: int = Field(default=500, ge=50, le=20_000)
    all_clear_reports: int = Field(default=2, ge=1, le=20)
    first_time_burst: bool = True
    """First-time senders reporting within `burst_minutes` of each other are one voice (bot/core/decide.py)."""
    first_time_hours: int = Field(default=24, ge=1, le=24 * 29)
    """First heard less than this long before a report: a first-time sender. Stays under FIRST_SEEN_TTL_S."""
    burst_minutes: int = Field(default=10, ge=1, le=24 * 60)

    @property
    def window_s(self) -> int:
        return self.window_minutes * 60
