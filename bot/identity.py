"""Pseudonyms and sealed addresses: no phone number or Signal UUID is ever stored in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COORDINATES = re.compile(r"-?\d{1,3}\.\d{2,}(?:\s*[,;]?\s*-?\d{1,3}\.\d{2,})*")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{8,17}\d(?!\w)")


class InvalidAddress(ValueError):
    pass


def normalise_address(address: str) -> str:
    """One canonical form per person: E.164 for numbers (any channel prefix dropped), lowercase UUIDs."""
    raw = address.strip()
    for prefix in ("whatsapp:", "sms:", "signal:", "tel:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix):]
    if _UUID.match(raw.lower()):
        return raw.lower()
    digits = re.sub(r"\D", "", raw)
    if not 8 <= len(digits) <= 15:
        raise InvalidAddress("not a phone number or Signal UUID")
    if len(digits) == 10 and not raw.startswith("+"):
        digits = "1" + digits  # North American number written without country code
    return "+" + digits


_SEALED = re.compile(r"\[sealed:([A-Za-z0-9_=-]{20,400})\]")


def scrub_numbers(text: str, seal: Callable[[str], str] | None = None) -> str:
    """Reporters sometimes type phone numbers; they never reach Redis or the logs in clear. With `seal`
    (for chat commands: "/verifier add +1612…") a number becomes a sealed token the worker can open."""
    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if _COORDINATES.fullmatch(found.strip()) or not 10 <= sum(ch.isdigit() for ch in found) <= 15:
            return found  # "44.9486 -93.2518" is a place, not a person
        return f"[sealed:{seal(found)}]" if seal else "[number]"

    return _PHONE.sub(replace, text)


class Identity:
    def __init__(self, secret: bytes):
        self._mac_key = hashlib.sha256(b"alertrelay/pseudonym\0" + secret).digest()
        fernet_key = hashlib.sha256(b"alertrelay/seal\0" + secret).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(fernet_key))

    def pseudonym(self, address: str) -> str:
        canonical = normalise_address(address)
        return "r" + hmac.new(self._mac_key, canonical.encode(), hashlib.sha256).hexdigest()[:24]

    def seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode()

    def unseal_text(self, text: str) -> str:
        """`scrub_numbers(text, seal=identity.seal)` undone, in memory only; foreign tokens become [number]."""
        def open_(match: re.Match[str]) -> str:
            try:
                return self.unseal(match.group(1))
            except InvalidAddress:
                return "[number]"

        return _SEALED.sub(open_, text)

    def unseal(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise InvalidAddress("sealed address does not open with this secret key") from exc
