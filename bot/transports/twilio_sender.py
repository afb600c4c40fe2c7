"""TwilioSender (rq workers, sync): one message per member through the twilio client pointed at
`twilio_api_url`; a rate limiter in Redis shared by every worker; text inside WhatsApp's 24-hour window,
the approved template outside it."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

import redis
from redis.typing import EncodableT, FieldT

from alertrelay.bot import keys, replies
from alertrelay.bot.errors import (
    AlertrelayError,
    InvalidAddress,
    NotSent,
    PermanentError,
    ProviderRefused,
    RateLimited,
    TransientError,
)
from alertrelay.bot.identity import Identity, normalise_address
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.transports.base import Outbound
from alertrelay.bot.transports.twilio_errors import OPTED_OUT, OUTSIDE_WINDOW, SLOW_DOWN_CODES, map_twilio_errors
from alertrelay.bot.transports.twilio_limits import RateLimiter, slow_down, suppress
from alertrelay.bot.transports.twilio_status import record_status
from alertrelay.bot.transports.twilio_wire import MAX_BODY_CHARS, STATUS_PATH
from alertrelay.config.settings import Settings

log = logging.getLogger(__name__)


def _flat(text: str, limit: int) -> str:
    """Template variables may not hold newlines, tabs or runs of spaces (WhatsApp rule)."""
    return re.sub(r"\s+", " ", text.replace("\n", " · ")).strip()[:limit]


class TwilioSender:
    """The Sender for channels whatsapp and sms. Sync: runs inside rq workers."""

    MAX_429_TRIES = 4
    BACKOFF_S = 0.25
    """First wait after a 429; doubled each time, with jitter."""

    def __init__(self, settings: Settings, conn: redis.Redis, identity: Identity, client: Any = None):
        self.settings = settings
        self.conn = conn
        self.identity = identity
        self.client = client if client is not None else make_client(settings)
        self.limiters = {
            "whatsapp": RateLimiter(conn, "whatsapp", settings.twilio_whatsapp_rate_per_s),
            "sms": RateLimiter(conn, "sms", settings.twilio_sms_rate_per_s),
        }
        self._languages: dict[str, tuple[str, float]] = {}
        self._unremembered: list[tuple[Any, ...]] = []
        """Sends Twilio accepted whose record Redis did not take; written at the next send."""

    @classmethod
    def from_settings(cls, settings: Settings, conn: redis.Redis | None = None) -> TwilioSender:
        if conn is None:
            if settings.redis_cluster and settings.redis_url:
                from redis.cluster import RedisCluster

                # cast: the sender uses single-slot commands only ({twilio} keys), which both clients offer
                conn = cast("redis.Redis", RedisCluster.from_url(settings.redis_url, protocol=2))
            else:
                conn = redis.Redis.from_url(settings.redis_url or settings.embedded_redis_url())
        return cls(settings, conn, Identity(settings.secret_bytes()))

    # -- helpers
    def _language(self, group: str | None, text: str) -> str:
        if group:
            cached = self._languages.get(group)
            if cached and cached[1] > time.monotonic():
                return cached[0]
            raw = self.conn.hget(keys.GROUPS, group)
            if raw:
                try:
                    lang: str = json.loads(raw).get("language", "en")  # a GroupConfig: its language is a str
                except ValueError:
                    lang = "en"
                self._languages[group] = (lang, time.monotonic() + 60)
                return lang
        from alertrelay.bot.core.parsing import detect_language
        from alertrelay.bot.core.text import fold

        return detect_language(fold(text))

    def _template(self, lang: str) -> str | None:
        s = self.settings
        return (s.twilio_content_sid_es if lang == "es" else s.twilio_content_sid_en) or \
            s.twilio_content_sid_en or s.twilio_content_sid_es

    def _origin(self, channel: str) -> dict[str, str]:
        s = self.settings
        if channel == "whatsapp" and s.twilio_whatsapp_from:
            sender = s.twilio_whatsapp_from
            return {"from_": sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"}
        if channel == "sms" and s.twilio_sms_from:
            return {"from_": s.twilio_sms_from}
        if s.twilio_messaging_service_sid:
            return {"messaging_service_sid": s.twilio_messaging_service_sid}
        raise PermanentError(f"no Twilio sender configured for {channel}")

    def _callback(self, message: Outbound, member: str, attempt: int) -> str | None:
        if not self.settings.public_url:
            return None
        query = {"k": message.kind, "m": member, "n": str(attempt)}
        if message.alert_id:
            query["a"] = message.alert_id
        if message.token:
            # the delivery's idempotency token, invisible to the recipient: the receipt tells us the send
            # reached Twilio even if our own record of it was lost (find)
            query["t"] = message.token
        return f"{self.settings.public_url.rstrip('/')}{STATUS_PATH}?{urlencode(sorted(query.items()))}"

    # -- the port
    def send(self, message: Outbound) -> str | None:
        if message.channel not in ("whatsapp", "sms") or not message.recipient:
            raise PermanentError(f"TwilioSender cannot send {message.channel} without a recipient")
        try:
            number = normalise_address(message.recipient)
        except InvalidAddress as exc:
            raise PermanentError("recipient is not a phone number") from exc
        channel = message.channel
        member = self.identity.pseudonym(number)
        self._remember_pending()
        pipe = self.conn.pipeline(transaction=False)
        pipe.sismember(tk.suppressed(channel), member)
        pipe.exists(tk.window(member))
        try:
            is_out, window_open = pipe.execute()
            lang = self._language(message.group, message.text)
        except redis.RedisError as exc:  # before any request: nothing went out
            raise NotSent(f"twilio: Redis unavailable before sending ({type(exc).__name__})") from exc
        if is_out:
            log.info("%s %s to %s skipped: opted out", message.kind, message.alert_id or "-", member)
            return None
        template = self._template(lang) if channel == "whatsapp" else None
        use_template = channel == "whatsapp" and not window_open and template is not None \
            and message.kind != "reply"
        to = f"whatsapp:{number}" if channel == "whatsapp" else number
        return self._create(message, to, member, lang, use_template)

    LOOKUP_LIMIT = 200
    LOOKUP_QUEUED_LIMIT = 20

    def find(self, message: Outbound, since: datetime) -> str | None:
        """The MessageSid of `message` if Twilio has it, None if not (workers/delivery.py asks this before
        resending an attempt that never confirmed). First the delivery token its status callback carried,
        then Twilio's list of Messages To the member From our sender: DateSent on or after the attempt's
        day, and the newest few whatever their date (a message still queued has no DateSent yet). A
        candidate matches by body (the template's text variable for a template) and is not a send whose
        record says it carried another token."""
        try:
            number = normalise_address(message.recipient or "")
        except InvalidAddress as exc:
            raise PermanentError("recipient is not a phone number") from exc
        to = f"whatsapp:{number}" if message.channel == "whatsapp" else number
        if message.token:
            sid = self.conn.get(tk.sent_token(message.token))
            if sid:
                return replies.text(sid)
        origin = self._origin(message.channel).get("from_")
        filters: dict[str, Any] = {"to": to} if origin is None else {"to": to, "from_": origin}
        since_utc = since.astimezone(UTC)
        try:
            with map_twilio_errors():
                candidates = list(self.client.messages.list(
                    **filters, date_sent_after=(since_utc - timedelta(days=1)).strftime("%Y-%m-%d"),
                    limit=self.LOOKUP_LIMIT))
                candidates += list(self.client.messages.list(**filters, limit=self.LOOKUP_QUEUED_LIMIT))
        except AlertrelayError as exc:  # whatever it was: ask again on the next retry
            raise TransientError(f"twilio: lookup failed: {exc}") from exc
        text = message.text[:MAX_BODY_CHARS]
        flat = _flat(message.text, 900)
        seen: set[str] = set()
        for candidate in candidates:
            sid = str(candidate.sid)
            created = candidate.date_created or candidate.date_sent
            if sid in seen or (created is not None and created < since_utc):
                continue
            seen.add(sid)
            body = candidate.body or ""
            if body != text and flat not in body:
                continue
            recorded = self.conn.hget(tk.sent_message(sid), "token")
            if recorded and message.token and replies.text(recorded) != message.token:
                continue  # the same text, sent for another delivery (two identical acknowledgements)
            return sid
        return None

    def _params(self, message: Outbound, to: str, member: str, lang: str, use_template: bool,
                attempt: int) -> dict[str, Any]:
        params: dict[str, Any] = {"to": to, **self._origin(message.channel),
                                  "validity_period": self.settings.twilio_validity_period_s}
        callback = self._callback(message, member, attempt)
        if callback:
            params["status_callback"] = callback
        if use_template:
            params["content_sid"] = self._template(lang)
            params["content_variables"] = json.dumps(
                {"1": _flat(message.place or "-", 200), "2": _flat(message.text, 900)}, ensure_ascii=False)
        else:
            params["body"] = message.text[:MAX_BODY_CHARS]
        return params

    def _create(self, message: Outbound, to: str, member: str, lang: str, use_template: bool) -> str | None:
        channel = message.channel
        tries_429 = 0
        while True:
            attempt = int(time.time() * 1000)
            params = self._params(message, to, member, lang, use_template, attempt)
            try:
                self.limiters[channel].acquire()
            except redis.RedisError as exc:
                raise NotSent(f"twilio: Redis unavailable before sending ({type(exc).__name__})") from exc
            try:
                with map_twilio_errors():
                    created = self.client.messages.create(**params)
            except ProviderRefused as exc:
                if exc.code == OPTED_OUT:
                    suppress(self.conn, channel, member)
                    log.info("%s %s to %s: 21610, member opted out; suppressed", message.kind,
                             message.alert_id or "-", member)
                    return None
                if exc.code == OUTSIDE_WINDOW and channel == "whatsapp" and not use_template:
                    self.conn.delete(tk.window(member))
                    if self._template(lang) is None:
                        self._warn("63016 outside the WhatsApp window and no template configured "
                                   f"(ALERTRELAY_TWILIO_CONTENT_SID_{lang.upper()})")
                        raise PermanentError("outside the 24-hour window and no template configured") from exc
                    use_template = True
                    continue
                raise
            except RateLimited as exc:
                if exc.code in SLOW_DOWN_CODES:
                    slow_down(self.conn, channel, self.settings.twilio_slowdown_s,
                              f"Twilio {exc.code} on {channel}: sending slower")
                    raise RateLimited(f"twilio {exc.code} for {channel}", retry_after_s=exc.retry_after_s,
                                      code=exc.code) from exc
                tries_429 += 1
                delay = min(8.0, self.BACKOFF_S * 2 ** tries_429) * (0.5 + random.random())
                if tries_429 >= self.MAX_429_TRIES:
                    raise RateLimited(f"twilio 429 for {channel}", retry_after_s=delay, code=exc.code) \
                        from exc
                time.sleep(delay)
                continue
            sid = str(created.sid)
            # Twilio has the message now: from here nothing may raise into the caller's failure path
            self._remember_safely((sid, message, member, lang, use_template, attempt))
            return sid

    REMEMBER_WAITS_S = (0.25, 1.0)

    def _remember_safely(self, record: tuple[Any, ...]) -> None:
        """_remember, retried while Redis restarts; if it stays down, kept for the next send. Losing it
        costs the 63016/63018 resend of this one message and its delivery report, never a duplicate."""
        for wait_s in (*self.REMEMBER_WAITS_S, None):
            try:
                self._remember(*record)
                return
            except redis.RedisError as exc:
                if wait_s is None:
                    log.warning("twilio: %s sent, its record not written (%s); kept for later", record[0],
                                type(exc).__name__)
                    self._unremembered.append(record)
                    del self._unremembered[:-self.MAX_UNREMEMBERED]
                    return
                time.sleep(wait_s)

    MAX_UNREMEMBERED = 10_000

    def _remember_pending(self) -> None:
        while self._unremembered:
            try:
                self._remember(*self._unremembered[0])
            except redis.RedisError:
                return
            self._unremembered.pop(0)

    def _remember(self, sid: str, message: Outbound, member: str, lang: str, template: bool, attempt: int) -> None:
        ttl = self.settings.report_ttl_s
        record: dict[FieldT, EncodableT] = {
            "alert": message.alert_id or "", "kind": message.kind, "group": message.group or "",
            "member": member, "channel": message.channel, "lang": lang, "template": "1" if template else "0",
            "to": self.identity.seal(message.recipient or ""), "text": message.text[:MAX_BODY_CHARS],
            "place": message.place or "", "at": message.at.isoformat(), "attempt": str(attempt),
            "token": message.token or ""}
        self.conn.hset(tk.sent_message(sid), mapping=record)
        self.conn.expire(tk.sent_message(sid), ttl)
        record_status(self.conn, sid, "queued", "", alert_id=message.alert_id or "", kind=message.kind,
                      member=member, attempt=attempt, ttl_s=ttl)

    def _warn(self, text: str) -> None:
        self.conn.xadd(tk.WARNINGS, {"at": datetime.now(UTC).isoformat(), "channel": "whatsapp",
                                     "text": text}, maxlen=tk.WARNINGS_MAXLEN, approximate=True)
        log.warning(text)

    def resend(self, sid: str, reason: str) -> str | None:
        """Send again what `sid` carried: as the template (63016) or unchanged (rate-limit failures)."""
        raw = {replies.text(k): replies.text(v) for k, v in self.conn.hgetall(tk.sent_message(sid)).items()}
        if not raw:
            raise TransientError(f"no record of {sid} yet")  # the receipt beat the sender's bookkeeping
        if raw.get("resent"):
            return None
        if not self.conn.hsetnx(tk.sent_message(sid), "resent", "1"):
            return None
        # validated as the constructor would: kind and channel are the stored strings, checked against their Literals
        message = Outbound.model_validate({
            "kind": raw["kind"], "channel": raw["channel"], "text": raw["text"],
            "at": datetime.fromisoformat(raw["at"]), "group": raw["group"] or None,
            "recipient": self.identity.unseal(raw["to"]), "alert_id": raw["alert"] or None,
            "place": raw["place"] or None})
        if self.conn.sismember(tk.suppressed(message.channel), raw["member"]):
            return None
        template = reason == "template" or raw.get("template") == "1"
        if template and self._template(raw["lang"]) is None:
            self._warn(f"{sid}: outside the WhatsApp window and no template configured")
            return None
        number = normalise_address(message.recipient or "")
        to = f"whatsapp:{number}" if message.channel == "whatsapp" else number
        try:
            return self._create(message, to, raw["member"], raw["lang"], template and message.channel == "whatsapp")
        except NotSent:
            self.conn.hdel(tk.sent_message(sid), "resent")  # certainly not sent: the job's retry may try again
            raise
        # anything else may have reached Twilio: "resent" stays, so a retry never sends it a second time


def make_client(settings: Settings) -> Any:
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    if not settings.twilio_account_sid or settings.twilio_auth_token is None:
        raise PermanentError("ALERTRELAY_TWILIO_ACCOUNT_SID and ALERTRELAY_TWILIO_AUTH_TOKEN are required")
    quiet = logging.getLogger("alertrelay.twilio.http")
    quiet.setLevel(logging.WARNING)  # the SDK logs every request at INFO
    http = TwilioHttpClient(timeout=settings.twilio_http_timeout_s, logger=quiet)
    # environment=None: TWILIO_EDGE/TWILIO_REGION would rewrite the API host (notes/twilio.md §6)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                    http_client=http, environment={})
    client.api.base_url = settings.twilio_api_url.rstrip("/")
    return client
