"""Pseudonyms and sealed addresses: no phone number or Signal UUID is ever stored in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterator

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

from alertrelay.bot.errors import InvalidAddress

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COORDINATES = re.compile(r"-?\d{1,3}\.\d{2,}(?:\s*[,;]?\s*-?\d{1,3}\.\d{2,})*")
_REGION = "US"  # a number written without a country code is read as a North American one

# Rewrites that keep every character's offset, so what the library finds in the rewritten copy is at the
# same place in the original. "0044 20 7946 0958": most of the world dials abroad with 00, the US with 011
# (which the library reads itself); no North American number starts with 0, so 00 can only mean "+".
_DIAL_OUT = re.compile(r"(?<![^\s(])00(?=[1-9])")
# "+52 1 55 1234 5678": Mexico dropped the 1 it used to put before mobile numbers in 2019 and the library's
# metadata follows (+52 then 11 digits is impossible), but WhatsApp and old address books still write it.
# No Mexican number starts with 1, so a 1 followed by ten digits is that prefix: one person, one number.
_MEXICAN_MOBILE_1 = re.compile(r"(\+52[\s.()-]*)1(?=(?:[\s.()-]*\d){10})")
_NANP = re.compile(r"[2-9]\d\d[2-9]\d{6}")
_ADDRESS_CHARS = re.compile(r"[+\d\s().\-/–]+")


def _readable(text: str) -> str:
    """`text` with the two spellings the library misreads rewritten, character for character."""
    text = _DIAL_OUT.sub(" +", text)
    return _MEXICAN_MOBILE_1.sub(lambda m: m.group(1) + " ", text)


def _complete(number: PhoneNumber) -> bool:
    """A whole number someone could be reached at, though not necessarily one that is in service.
    Possible, not valid: is_valid_number checks the number plan, and fictional numbers are not in it
    (+1 555 555 0100, or 555-01xx in area codes the metadata does not list as assigned), but the drills,
    the tests and people testing the relay use them, and a number we cannot place is still a person's
    number to keep out of Redis. IS_POSSIBLE_LOCAL_ONLY ("555-0100") is not whole: no area code. Possible
    only counts digits, so North American numbers also need the plan's shape (no area code or exchange
    starts with 0 or 1): "0123456789" is not one."""
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return False
    return number.country_code != 1 or _NANP.fullmatch(str(number.national_number)) is not None


def _parse(raw: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(_readable(raw), _REGION)
    except NumberParseException:
        return None
    return number if _complete(number) else None


def normalise_address(address: str) -> str:
    """One canonical form per person: E.164 for numbers (any channel prefix dropped), lowercase UUIDs."""
    raw = address.strip()
    for prefix in ("whatsapp:", "sms:", "signal:", "tel:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix):].strip()
    if _UUID.match(raw.lower()):
        return raw.lower()
    number = _parse(raw) if _ADDRESS_CHARS.fullmatch(raw) else None
    if number is None:
        raise InvalidAddress("not a phone number or Signal UUID")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


_SEALED = re.compile(r"\[sealed:([A-Za-z0-9_=-]{20,400})\]")
# The matcher costs ~60 µs on a 100-character message, mostly scanning the text, so it only reads each run
# of digits (with the punctuation numbers are written with) that holds seven or more, plus a little context
# either side. "10:30", "3800 Bloomington", "44.9486, -93.2518" have no such run: one regex search.
_RUN = re.compile(r"\+?\(?\d(?:[\s().\-‐‑‒–—―−/]{0,4}\d)*")
_CONTEXT = 12
# What the matcher misses: a number written in groups next to another number ("612 555 0101 3 vans", "+52 55
# 1234 5678 10:30") reads to it as one impossible number. Such runs are searched group by group below.
_GROUP = re.compile(r"\+?\d+")
_GAP = re.compile(r"[\s().\-–]{1,3}")


def _matched(readable: str, run: tuple[int, int], places: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    lo = max(0, run[0] - _CONTEXT)
    window = readable[lo:run[1] + _CONTEXT]
    for match in phonenumbers.PhoneNumberMatcher(window, _REGION, leniency=Leniency.POSSIBLE):
        start, end = lo + match.start, lo + match.end
        if start < run[1] and run[0] < end and _complete(match.number) and \
                not any(a <= start and end <= b for a, b in places):
            yield start, end


def _in_runs(readable: str, run: tuple[int, int], taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Numbers among the digit groups of `run` the matcher left: at each group, the longest stretch of
    groups that makes a whole number, then on after it."""
    chains: list[list[re.Match[str]]] = []
    for group in _GROUP.finditer(readable, *run):
        if any(a < group.end() and group.start() < b for a, b in taken):
            continue
        if chains and _GAP.fullmatch(readable, chains[-1][-1].end(), group.start()):
            chains[-1].append(group)
        else:
            chains.append([group])
    for chain in chains:
        digits = [len(g.group().lstrip("+")) for g in chain]
        i = 0
        while i < len(chain):
            last, total = i, 0  # the longest stretch from group i holds at most 15 digits (E.164)
            while last < len(chain) and total + digits[last] <= 15:
                total += digits[last]
                last += 1
            for j in range(last, i, -1):
                if sum(digits[i:j]) < 7 or not _grouped_like_a_number(chain[i:j], digits[i:j]):
                    continue
                start, end = chain[i].start(), chain[j - 1].end()
                if readable[start - 1:start].isalnum() or readable[end:end + 1].isalnum():
                    continue  # "1760000000004-0123456789ab" is an id, not a number
                if start and readable[start - 1] == "(" and ")" in readable[start:end]:
                    start -= 1  # "(612) 555-0101"
                if _parse(readable[start:end]) is not None:
                    yield start, end
                    i = j
                    break
            else:
                i += 1


_NANP_GROUPS = ((10,), (3, 7), (3, 3, 4), (6, 4))


def _grouped_like_a_number(groups: list[re.Match[str]], lengths: list[int]) -> bool:
    """With a country code, groups of two or more digits after it ("+33 6 12 34 56 78" allowed); without,
    a North American number's groups, after an optional 1 ("1 612 555 0101", "(612) 555-0101"): "10 11 12
    13 14" is a list of numbers, not one."""
    if groups[0].group().startswith("+"):
        return 1 not in lengths[2:]
    if groups[0].group() == "1":
        lengths = lengths[1:]
    return tuple(lengths) in _NANP_GROUPS or (lengths == [11] and groups[0].group().startswith("1"))


def _number_spans(text: str) -> list[tuple[int, int]]:
    runs = [m.span() for m in _RUN.finditer(text) if sum(ch.isdigit() for ch in m.group()) >= 7]
    if not runs:
        return []
    readable = _readable(text)
    places = [m.span() for m in _COORDINATES.finditer(readable)]  # "44.9486 -93.2518": a place, not a person
    found: set[tuple[int, int]] = set()
    for run in runs:
        matched = set(_matched(readable, run, places))
        found |= matched | set(_in_runs(readable, run, places + sorted(matched)))
    # the "00" of "0044 20 7946 0958" was read as " +": it goes with the number
    return sorted((start - 1 if text[start - 1:start + 1] == "00" else start, end) for start, end in found)


def scrub_numbers(text: str, seal: Callable[[str], str] | None = None) -> str:
    """Reporters sometimes type phone numbers; they never reach Redis or the logs in clear. With `seal`
    (for chat commands: "/verifier add +1612…") a number becomes a sealed token the worker can open.
    Other numbers are left as written: times, street numbers, ZIP codes, dates, coordinates."""
    out, at = [], 0
    for start, end in _number_spans(text):
        if start < at:
            continue  # overlaps the number before it
        found = text[start:end]
        out += [text[at:start], f"[sealed:{seal(found)}]" if seal else "[number]"]
        at = end
    return "".join(out) + text[at:]


class Identity:
    def __init__(self, secret: bytes):
        self._mac_key = hashlib.sha256(b"alertrelay/pseudonym\0" + secret).digest()
        fernet_key = hashlib.sha256(b"alertrelay/seal\0" + secret).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(fernet_key))
        self._previous_mac_key = b""
        self._carried: frozenset[str] = frozenset()
        self._carried_until = 0.0

    @property
    def pseudonym_key(self) -> bytes:
        """The HMAC key pseudonyms are made with (derived from the secret; it opens no sealed value)."""
        return self._mac_key

    def carry_over(self, previous_pseudonym_key: bytes, pseudonyms: frozenset[str], until: float) -> None:
        """After a key rotation (workers/ops/rotate.py): reporters of still-open incidents whose address the
        relay never kept cannot be given their new pseudonym, so they keep the one under the previous key
        (the only one their incidents know) until `until` (epoch s), when those incidents have expired."""
        self._previous_mac_key, self._carried, self._carried_until = previous_pseudonym_key, pseudonyms, until

    def pseudonym(self, address: str) -> str:
        canonical = normalise_address(address).encode()
        if self._carried and time.time() < self._carried_until:
            previous = "r" + hmac.new(self._previous_mac_key, canonical, hashlib.sha256).hexdigest()[:24]
            if previous in self._carried:
                return previous
        return "r" + hmac.new(self._mac_key, canonical, hashlib.sha256).hexdigest()[:24]

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
