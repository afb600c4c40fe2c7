"""Sending through signal-cli-rest-api from rq workers: sync httpx, not signalbot.

signalbot drops the body of an error response (the 429's challenge tokens) and opens its own event loop;
a worker needs neither. The wire format is the one signalbot uses (`/v2/send`, `/v1/reactions`), see
../shared/notes/signal.md §1.3.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime
from typing import Any

import httpx

from alertrelay.bot.errors import CannotTell, NotSent, PermanentError, RateLimited, TransientError
from alertrelay.bot.identity import scrub_numbers
from alertrelay.bot.transports.base import Outbound
from alertrelay.bot.transports.signal_inbound import SELF_TAG, SignalIds

log = logging.getLogger(__name__)

RATE_LIMIT_ALARM_AFTER = 3
"""Consecutive 429s after which the captcha hint is logged as an ERROR (each retry is minutes apart)."""
RATE_LIMIT_ALARM_AFTER_S = 10 * 60
CAPTCHA_HINT = (
    "Signal is rate-limiting the bot account and will keep doing so until a captcha is solved by hand: "
    "open https://signalcaptchas.org/challenge/generate.html, solve it, copy the signalcaptcha:// link, then "
    "POST /v1/accounts/<bot number>/rate-limit-challenge on signal-cli-rest-api with "
    '{"challenge_token": "<token>", "captcha": "<signalcaptcha://… link>"} (docs/signal.md, "Rate limits")'
)
_OUR_ID = re.compile(r"^\d{10,16}-[0-9a-f]{12}$")


def sent_message_id(timestamp: int) -> str:
    """What a quote of this bot message will be called by the receive side (SignalIds.message_id)."""
    return f"{int(timestamp)}-{SELF_TAG}"


def connection_schemes(https: str) -> list[str]:
    """ALERTRELAY_SIGNAL_HTTPS: "1" https, "0" http, "auto" https first, then http (as signalbot does)."""
    value = https.strip().lower()
    if value in ("1", "true", "yes", "on", "https"):
        return ["https"]
    if value in ("0", "false", "no", "off", "http"):
        return ["http"]
    return ["https", "http"]


class SignalSender:
    """The Sender for channel "signal": group alerts by public `group.…` id, replies to a number or UUID."""

    def __init__(self, service: str, number: str, *, https: str = "auto", timeout_s: float = 45.0,
                 transport: httpx.BaseTransport | None = None):
        self.service = service.strip().rstrip("/")
        if "://" in self.service:
            raise ValueError("ALERTRELAY_SIGNAL_SERVICE is host:port, without a scheme")
        self.number = number
        self._schemes = connection_schemes(https)
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=5.0), transport=transport)
        self._limited_since: float | None = None
        self._limited_count = 0

    @classmethod
    def from_settings(cls, settings: Any) -> SignalSender:
        # below the job timeout, so a slow send fails as a retryable error rather than a killed job
        timeout_s = float(max(5, min(45, settings.job_timeout_s - 10)))
        return cls(settings.signal_service, settings.signal_number, https=settings.signal_https,
                   timeout_s=timeout_s)

    def close(self) -> None:
        self._client.close()

    # ---- the Sender port ----------------------------------------------------------------------------

    def send(self, message: Outbound) -> str | None:
        what = f"{message.kind} {message.alert_id or '-'}"
        body: dict[str, Any] = {"message": message.text, "number": self.number,
                                "recipients": [self._recipient(message, what)]}
        if message.recipient and message.in_reply_to and _OUR_ID.match(message.in_reply_to):
            # a reply to a reporter quotes their message (its author is the recipient)
            body["quote_timestamp"] = SignalIds.timestamp_of(message.in_reply_to)
            body["quote_author"] = message.recipient
        to = message.group or "a direct chat"
        response = self._request("POST", "/v2/send", body, what=f"{what} → {to}")
        timestamp = _sent_timestamp(response, what)
        log.info("signal: %s → %s sent", what, to)
        return sent_message_id(timestamp) if timestamp else None

    def find(self, message: Outbound, since: datetime) -> str | None:
        """signal-cli-rest-api has no way to ask whether a message went out: /v2/send takes no client id
        or timestamp, and the account gets no copy of what it sent itself (sync messages go to *other*
        linked devices). The timestamp a send returns is our only record, and it is written with "sent".
        So an attempt that never confirmed cannot be checked; workers/delivery.py does not resend it."""
        raise CannotTell("signal-cli-rest-api keeps no lookup of sent messages")

    def react(self, *, recipient: str, author: str, timestamp: int, emoji: str, what: str) -> None:
        """React to a message (a group report) with an emoji; a new reaction replaces the earlier one."""
        body = {"recipient": recipient, "reaction": emoji, "target_author": author,
                "timestamp": int(timestamp)}
        self._request("POST", f"/v1/reactions/{self.number}", body, what=what)

    # ---- HTTP ---------------------------------------------------------------------------------------

    def _recipient(self, message: Outbound, what: str) -> str:
        if message.recipient:
            return message.recipient
        if message.signal_group_id:
            return message.signal_group_id
        if message.group and message.group.startswith("group."):
            return message.group
        # the internal id or a group name would be taken for a username by the rest-api (its #719)
        raise PermanentError(f"signal: {what}: group {message.group!r} has no signal_id = \"group.…\" "
                             "in areas.toml")

    def _request(self, method: str, path: str, body: dict[str, Any], *, what: str) -> httpx.Response:
        content = json.dumps(body, ensure_ascii=False)
        last: Exception | None = None
        for scheme in list(self._schemes):
            try:
                response = self._client.request(method, f"{scheme}://{self.service}{path}", content=content,
                                                headers={"Content-Type": "application/json"})
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # refused, or TLS spoken to a plain-HTTP server: nothing was sent; try the next scheme
                last = exc
                continue
            except httpx.TimeoutException as exc:
                # the request went out and no answer came: signal-cli may well be sending it
                raise TransientError(f"signal: {what}: no answer from signal-cli-rest-api "
                                     f"({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise TransientError(f"signal: {what}: {type(exc).__name__}") from exc
            if len(self._schemes) > 1:
                self._schemes = [scheme]  # auto: settled on the first scheme that answered
            return self._check(response, what)
        raise NotSent(f"signal: {what}: cannot reach signal-cli-rest-api at {self.service}") from last

    def _check(self, response: httpx.Response, what: str) -> httpx.Response:
        status = response.status_code
        if status < 300:
            if self._limited_count:
                log.warning("signal: sending works again after %d rate-limited attempts", self._limited_count)
            self._limited_since, self._limited_count = None, 0
            return response
        error = _error_text(response)
        if status == 429:
            self._rate_limited(response, what)
        if status in (408, 425):  # the server did not take the request
            log.warning("signal: %s failed with %d (%s); will retry", what, status, error)
            raise NotSent(f"signal: {what}: HTTP {status}: {error}")
        if status >= 500:  # a proxy's 502/504, or the rest-api failing halfway: it may have gone out
            log.warning("signal: %s failed with %d (%s); outcome unknown", what, status, error)
            raise TransientError(f"signal: {what}: HTTP {status}: {error}")
        log.error("signal: %s refused with %d (%s); not retried", what, status, error)
        raise PermanentError(f"signal: {what}: HTTP {status}: {error}")

    def _rate_limited(self, response: httpx.Response, what: str) -> None:
        now = time.monotonic()
        if self._limited_since is None:
            self._limited_since = now
        self._limited_count += 1
        tokens = _challenge_tokens(response)
        persistent = (self._limited_count >= RATE_LIMIT_ALARM_AFTER
                      or now - self._limited_since >= RATE_LIMIT_ALARM_AFTER_S)
        if persistent:
            log.error("signal: RATE LIMITED, %d attempts in a row (%s). %s Challenge token(s): %s",
                      self._limited_count, what, CAPTCHA_HINT, ", ".join(tokens) or "see the rest-api log")
        else:
            log.warning("signal: %s rate-limited by Signal (429); will retry with backoff", what)
        raise RateLimited(f"signal: {what}: rate-limited (429)")


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
        text = str(data.get("error", "")) if isinstance(data, dict) else ""
    except ValueError:
        text = response.text
    return scrub_numbers(text[:300]) or response.reason_phrase


def _challenge_tokens(response: httpx.Response) -> list[str]:
    try:
        data = response.json()
    except ValueError:
        return []
    tokens = data.get("challenge_tokens") if isinstance(data, dict) else None
    return [str(t)[:100] for t in tokens if t] if isinstance(tokens, list) else []


def _sent_timestamp(response: httpx.Response, what: str) -> int | None:
    """201 [{"timestamp": "…", "errors"?: …}]: one element for a group or for all direct recipients."""
    try:
        data = response.json()
        first = data[0] if isinstance(data, list) else data
        timestamp = int(first["timestamp"])
    except (ValueError, KeyError, IndexError, TypeError):
        log.warning("signal: %s sent, but the answer has no timestamp (quote-replies to it won't map)",
                    what)
        return None
    failed = (first.get("errors") or {}).get("recipients") or []
    if failed:
        reasons = sorted({str(r.get("reason", "?")) for r in failed if isinstance(r, dict)})
        log.warning("signal: %s sent, %d recipient(s) not reached: %s", what, len(failed), ", ".join(reasons))
    return timestamp
