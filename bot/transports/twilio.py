"""WhatsApp and SMS through Twilio (notes/twilio.md is the wire contract).

Inbound:  POST /twilio/inbound  → signature check over the public URL and every posted field → keywords
          (STOP/START/HELP/SUBSCRIBE …, answered inline) or `ingest` → empty TwiML. Nothing is stored for
          a request that fails the signature check, and a MessageSid is acted on once.
Status:   POST /twilio/status   → signed delivery receipts, kept per (alert, member) as the best state seen
          (out of order and repeated receipts are no-ops); 63016/63018 failures queue a resend.
Outbound: TwilioSender (rq workers, sync): one message per member through the twilio client pointed at
          `twilio_api_url`; a rate limiter in Redis shared by every worker; text inside WhatsApp's 24-hour
          window, the approved template outside it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import re
import time
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

import redis
from aiohttp import web
from multidict import MultiDict

from bot.core.models import InboundMessage
from bot.errors import NotSent, PermanentError, RateLimited, TransientError
from bot.identity import Identity, InvalidAddress, normalise_address
from bot.ingest import message_key
from bot.transports import subscriptions
from bot import keys
from bot.keys import twilio as tk
from bot.transports.base import Outbound
from bot.transports.keywords import Keyword, route_keyword
from config.settings import Settings

log = logging.getLogger(__name__)

INBOUND_PATH = "/twilio/inbound"
STATUS_PATH = "/twilio/status"
MAX_FORM_BYTES = 128 * 1024
"""A real inbound form is at most ~25 KB (1600 chars of Body, percent-encoded, plus ~40 fields)."""
MAX_FIELDS = 200
BODY_READ_TIMEOUT_S = 10.0
MAX_BODY_CHARS = 1600
WINDOW_S = 24 * 3600 - 10 * 60
"""WhatsApp's customer-service window, minus a margin for clocks and queueing."""
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
ALERT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MEMBER = re.compile(r"^r[0-9a-f]{24}$")
TOKEN = re.compile(r"^[0-9a-f]{20}$")
KINDS = {"alert", "update", "all_clear", "retraction", "reply"}
# bidi embeddings/overrides/isolates and zero-width characters: they can make an alert read differently
# from what it says; C0/C1 controls other than newline and tab.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
                        "\x00-\x08\x0b-\x1f\x7f-\x9f]")

STATUS_RANK = {"scheduled": 0, "accepted": 0, "queued": 1, "sending": 2, "sent": 3,
               "failed": 4, "undelivered": 4, "canceled": 4, "delivered": 5, "read": 6}
"""Later states rank higher; a receipt never moves a message back. delivered/read outrank a failure
reported for the same attempt (they cannot both be true; the positive one is the receipt that counts)."""


# ---------------------------------------------------------------------------------------------- inbound

def clean_text(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))[:MAX_BODY_CHARS]


def _coordinate(raw: str | None, limit: float) -> float | None:
    if raw is None or not 0 < len(raw) <= 32:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _forwarded(form: MultiDict[str]) -> bool:
    if any(form.get(name, "").strip().lower() == "true" for name in ("Forwarded", "FrequentlyForwarded")):
        return True
    raw = form.get("ChannelMetadata", "")
    if not raw or len(raw) > 8000:
        return False
    try:
        context = json.loads(raw).get("data", {}).get("context", {})
        return any(str(context.get(n, "")).lower() == "true" for n in ("Forwarded", "FrequentlyForwarded"))
    except (ValueError, AttributeError):
        return False


def channel_of(address: str) -> str:
    return "whatsapp" if address.strip().lower().startswith("whatsapp:") else "sms"


def inbound_message(form: MultiDict[str], at: datetime) -> InboundMessage:
    """The InboundMessage a signed Twilio form describes. Raises BadForm when it cannot be one.
    ProfileName, WaId and the geo fields are never read."""
    sid = form.get("MessageSid", "")
    sender = form.get("From", "")
    if not SID.match(sid) or not sender:
        raise BadForm("MessageSid or From missing")
    try:
        normalise_address(sender)
    except InvalidAddress as exc:
        raise BadForm("From is not a phone number") from exc
    text = clean_text(form.get("Body", ""))
    if not text.strip() and form.get("ButtonText"):  # a template's quick-reply button
        text = clean_text(form.get("ButtonText", ""))[:200]
    lat, lon = _coordinate(form.get("Latitude"), 90), _coordinate(form.get("Longitude"), 180)
    quote = form.get("OriginalRepliedMessageSid", "")
    try:
        media = max(0, min(10, int(form.get("NumMedia", "0") or 0)))
    except ValueError:
        media = 0
    return InboundMessage(channel=channel_of(sender), message_id=sid, sender=sender, text=text, at=at,  # type: ignore[arg-type]
                          location=(lat, lon) if lat is not None and lon is not None else None,
                          quote=quote if SID.match(quote) else None, forwarded=_forwarded(form),
                          attachments=media)


class BadForm(ValueError):
    pass


async def read_form(request: web.Request) -> MultiDict[str]:
    """The posted form, bounded in size and time. Raises web.HTTPException (4xx) for anything else."""
    ctype = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise web.HTTPUnsupportedMediaType(text="")
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES, actual_size=request.content_length, text="")
    try:
        raw = await asyncio.wait_for(request.content.read(MAX_FORM_BYTES + 1), BODY_READ_TIMEOUT_S)
        if len(raw) > MAX_FORM_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES, actual_size=len(raw), text="")
        # read() returns what has arrived so far; keep reading until EOF (bounded by the same limits)
        while not request.content.at_eof():
            more = await asyncio.wait_for(request.content.read(MAX_FORM_BYTES + 1 - len(raw)), BODY_READ_TIMEOUT_S)
            if not more:
                break
            raw += more
            if len(raw) > MAX_FORM_BYTES:
                raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES, actual_size=len(raw), text="")
    except asyncio.TimeoutError:
        raise web.HTTPRequestTimeout(text="") from None
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest(text="") from None
    return MultiDict(pairs)


def signed_url(settings: Settings, request: web.Request, path: str) -> str:
    """The URL Twilio called: the configured public URL (TLS usually ends at a proxy), our path, the
    query string exactly as sent."""
    base = (settings.public_url or "").rstrip("/")
    query = request.rel_url.raw_query_string
    return f"{base}{path}" + (f"?{query}" if query else "")


def signature_ok(settings: Settings, url: str, form: MultiDict[str], signature: str) -> bool:
    from twilio.request_validator import RequestValidator

    if not settings.public_url or settings.twilio_auth_token is None or not signature:
        return False
    try:
        return bool(RequestValidator(settings.twilio_auth_token.get_secret_value()).validate(url, form, signature))
    except Exception:  # noqa: BLE001 - a malformed header is a failed check, never a 500
        return False


def _twiml(reply: str | None) -> web.Response:
    if reply is None:
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")
    from twilio.twiml.messaging_response import MessagingResponse

    response = MessagingResponse()
    response.message(reply)
    return web.Response(text=str(response), content_type="text/xml")


HELP_TEXT = {
    "en": "AlertRelay: text what you see and where (cross streets), only first-hand. A location pin works too. "
          "SUBSCRIBE <area> to get alerts, UNSUBSCRIBE <area> to leave, STOP to stop everything, START to resume.",
    "es": "AlertRelay: escriba qué ve y dónde (esquina), solo lo que vio usted. También sirve enviar la ubicación. "
          "SUSCRIBIR <zona> para recibir alertas, SALIR <zona> para dejar una, ALTO para no recibir nada, "
          "COMENZAR para volver.",
}


def _keyword_reply(kw: Keyword, channel: str, result: subscriptions.Membership | None) -> str | None:
    es = kw.lang == "es"
    if kw.action == "help":
        return HELP_TEXT[kw.lang]
    if kw.action == "stop":
        if channel == "sms":
            return None  # Twilio's STOP filtering already answered and blocks further messages
        return ("No recibirá más alertas. Envíe COMENZAR para volver." if es
                else "You will get no more alerts. Send START to resume.")
    if kw.action == "start":
        if channel == "sms":
            return None
        return "Recibirá alertas otra vez." if es else "You will get alerts again."
    assert result is not None
    if kw.action == "subscribe":
        if result.joined or result.already:
            names = ", ".join(result.joined + result.already)
            return f"Suscrito a: {names}." if es else f"Subscribed to: {names}."
        lists = ", ".join(result.available) or "-"
        if not kw.argument:
            return f"Envíe SUSCRIBIR <zona>. Listas: {lists}" if es else f"Send SUBSCRIBE <area>. Lists: {lists}"
        return f"No encontré esa zona. Listas: {lists}" if es else f"No list for that area. Lists: {lists}"
    if result.left:
        return f"Salió de: {', '.join(result.left)}." if es else f"You left: {', '.join(result.left)}."
    return "No estaba en esa lista." if es else "You were not on that list."


def apply_keyword(conn: redis.Redis, identity: Identity, kw: Keyword, channel: str, address: str) -> str | None:
    """Carry out one keyword for `address`; returns the inline reply (None: no reply)."""
    member = identity.pseudonym(address)
    result = None
    if kw.action == "stop":
        suppress(conn, channel, member)
    elif kw.action == "start":
        conn.srem(tk.suppressed(channel), member)
    elif kw.action == "subscribe":
        result = subscriptions.subscribe(conn, identity, address, channel, kw.argument, kw.lang)
        if result.joined or result.already:
            conn.srem(tk.suppressed(channel), member)
    elif kw.action == "unsubscribe":
        result = subscriptions.unsubscribe(conn, identity, address, channel, kw.argument)
    log.info("twilio %s keyword %s from %s", channel, kw.action, member)
    return _keyword_reply(kw, channel, result)


def handle_inbound(ctx: Any, form: MultiDict[str]) -> web.Response:
    """Blocking part of the inbound webhook (runs in a thread): keywords, or ingest."""
    try:
        message = inbound_message(form, datetime.now(timezone.utc))
    except (BadForm, ValueError):
        return web.Response(status=400, text="")
    conn, identity, settings = ctx.conn, ctx.identity, ctx.settings
    member = identity.pseudonym(message.sender)
    keyword = None if message.location else route_keyword(message.text, channel=message.channel,
                                                           opt_out_type=form.get("OptOutType"))
    if keyword is not None:
        # same dedupe key as ingest: a keyword redelivered (or a keyword then a report) is acted on once
        if not conn.set(keys.seen_message(message_key(message.channel, message.message_id)), "1", nx=True,
                        ex=settings.report_ttl_s):
            return _twiml(None)
        reply = apply_keyword(conn, identity, keyword, message.channel, message.sender)
        admitted = True
    else:
        reply = None
        try:
            admitted = ctx.ingest(message)
        except InvalidAddress:
            return web.Response(status=400, text="")
    if admitted and message.channel == "whatsapp":
        conn.set(tk.window(member), int(time.time()), ex=WINDOW_S)
    return _twiml(reply)


async def signed_form(request: web.Request, path: str):  # type: ignore[no-untyped-def]
    """(ctx, form) of a request Twilio signed, or the response that refuses it (nothing else happens)."""
    from bot.server import CTX_KEY

    ctx = request.app[CTX_KEY]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return web.Response(status=403, text="")
    try:
        form = await read_form(request)
    except web.HTTPException as exc:
        return web.Response(status=exc.status, text="")
    if not signature_ok(ctx.settings, signed_url(ctx.settings, request, path), form, signature):
        log.warning("twilio %s: bad signature, dropped", path)
        return web.Response(status=403, text="")
    return ctx, form


async def inbound(request: web.Request) -> web.StreamResponse:
    checked = await signed_form(request, INBOUND_PATH)
    if isinstance(checked, web.StreamResponse):
        return checked
    ctx, form = checked
    return await asyncio.to_thread(handle_inbound, ctx, form)


# ---------------------------------------------------------------------------------------------- status

_RECORD_STATUS = """
-- KEYS[1] msg hash, KEYS[2] delivery hash (may be ""); ARGV: rank, status, sid, error, field, attempt, ttl
local rank = tonumber(ARGV[1])
local old = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
if rank > old then
  redis.call('HSET', KEYS[1], 'rank', rank, 'status', ARGV[2], 'error', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
end
if KEYS[2] ~= '' and ARGV[5] ~= '' then
  local cur = redis.call('HGET', KEYS[2], ARGV[5])
  local attempt = tonumber(ARGV[6])
  local better = true
  if cur then
    local a, r = string.match(cur, '^(%d+)|(%d+)|')
    a = tonumber(a); r = tonumber(r)
    if a and (a > attempt or (a == attempt and r >= rank)) then better = false end
  end
  if better then
    redis.call('HSET', KEYS[2], ARGV[5], ARGV[6] .. '|' .. ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4])
    redis.call('EXPIRE', KEYS[2], ARGV[7])
  end
end
return rank > old and 1 or 0
"""


def record_status(conn: redis.Redis, sid: str, status: str, error: str, *, alert_id: str = "", kind: str = "",
                  member: str = "", attempt: int = 0, ttl_s: int = 72 * 3600) -> bool:
    """Keep the best state seen for `sid` and for (alert, kind, member). True if `sid` moved forward."""
    rank = STATUS_RANK.get(status)
    if rank is None:
        return False
    delivery_key = tk.delivery(alert_id) if alert_id else ""
    field = f"{kind}:{member}" if alert_id and kind and member else ""
    return bool(conn.eval(_RECORD_STATUS, 2, tk.sent_message(sid), delivery_key, rank, status, sid, error[:8],
                          field, attempt, ttl_s))


def delivery_report(conn: redis.Redis, alert_id: str) -> dict[str, dict[str, str]]:
    """{"kind:member": {"status", "sid", "error", "attempt"}} for one alert."""
    out = {}
    for name, raw in conn.hgetall(tk.delivery(alert_id)).items():
        attempt, _rank, status, sid, error = raw.decode().split("|", 4)
        out[name.decode()] = {"status": status, "sid": sid, "error": error, "attempt": attempt}
    return out


def handle_status(ctx: Any, form: MultiDict[str], query: MultiDict[str]) -> web.Response:
    sid = form.get("MessageSid", "")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not SID.match(sid) or status not in STATUS_RANK:
        return web.Response(status=200, text="")
    error = form.get("ErrorCode", "").strip()
    alert_id, kind, member = query.get("a", ""), query.get("k", ""), query.get("m", "")
    attempt = query.get("n", "0")
    if not (ALERT_ID.match(alert_id) and kind in KINDS and MEMBER.match(member) and attempt.isdigit()):
        alert_id = kind = member = ""
        attempt = "0"
    conn, settings = ctx.conn, ctx.settings
    token = query.get("t", "")
    if TOKEN.match(token):  # the send with this delivery token is at Twilio, as `sid` (TwilioSender.find)
        conn.set(tk.sent_token(token), sid, ex=settings.report_ttl_s)
    moved = record_status(conn, sid, status, error if error.isdigit() else "", alert_id=alert_id, kind=kind,
                          member=member, attempt=int(attempt[:15]), ttl_s=settings.report_ttl_s)
    channel = "whatsapp" if form.get("ChannelPrefix") == "whatsapp" or channel_of(form.get("To", "")) == "whatsapp" \
        else "sms"
    if status in ("failed", "undelivered") and moved:
        if error == "21610" and member:
            suppress(conn, channel, member)
        elif error == "63016":
            _queue_resend(ctx.queue, sid, "template", 0)
        elif error in ("63018", "30001", "21611"):
            slow_down(conn, channel, settings.twilio_slowdown_s, f"Twilio {error} on {channel}: sending slower")
            _queue_resend(ctx.queue, sid, "retry", 60)
    return web.Response(status=200, text="")


async def status_callback(request: web.Request) -> web.StreamResponse:
    checked = await signed_form(request, STATUS_PATH)
    if isinstance(checked, web.StreamResponse):
        return checked
    ctx, form = checked
    return await asyncio.to_thread(handle_status, ctx, form, MultiDict(request.rel_url.query))


def register_routes(app: web.Application, ctx: Any) -> None:
    settings = ctx.settings
    if not settings.public_url or settings.twilio_auth_token is None:
        log.error("Twilio: ALERTRELAY_PUBLIC_URL and ALERTRELAY_TWILIO_AUTH_TOKEN are needed to check "
                  "signatures; every webhook will be refused (403) until they are set")
    app.router.add_post(INBOUND_PATH, inbound)
    app.router.add_post(STATUS_PATH, status_callback)


# ---------------------------------------------------------------------------------------------- state

def suppress(conn: redis.Redis, channel: str, member: str) -> None:
    conn.sadd(tk.suppressed(channel), member)


def is_suppressed(conn: redis.Redis, identity: Identity, number: str, channel: str | None = None) -> bool:
    """Has `number` opted out (STOP, or Twilio's 21610) on `channel` (default: the channel its form implies)?"""
    member = identity.pseudonym(number)
    return bool(conn.sismember(tk.suppressed(channel or channel_of(number)), member))


def slow_down(conn: redis.Redis, channel: str, seconds: int, warning: str) -> None:
    """Halve the channel's send rate for a while and leave a warning for the admins."""
    if conn.set(tk.slowdown(channel), "1", nx=True, ex=seconds):
        conn.xadd(tk.WARNINGS, {"at": datetime.now(timezone.utc).isoformat(), "channel": channel, "text": warning},
                  maxlen=tk.WARNINGS_MAXLEN, approximate=True)
        log.warning("%s (for %d s)", warning, seconds)


_ACQUIRE = """
-- GCRA with reservation: every caller gets the next free slot and is told how long to wait for it.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then interval = interval * 2 end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
redis.call('SET', KEYS[1], string.format('%.3f', tat + interval), 'PX', math.floor(tat + interval - now) + 1000)
return string.format('%.3f', tat - now)
"""


class RateLimiter:
    """One sender's rate across every worker process: slots handed out by Redis, spaced 1/rate apart."""

    def __init__(self, conn: redis.Redis, channel: str, rate_per_s: float):
        self.conn = conn
        self.channel = channel
        self.interval_ms = 1000.0 / max(rate_per_s, 0.001)
        self._script = conn.register_script(_ACQUIRE)

    def acquire(self) -> float:
        """Block until this caller's slot; returns the seconds waited."""
        wait_ms = float(self._script(keys=[tk.rate(self.channel), tk.slowdown(self.channel)],
                                     args=[repr(self.interval_ms)]))
        if wait_ms > 0:
            time.sleep(wait_ms / 1000)
        return wait_ms / 1000


# ---------------------------------------------------------------------------------------------- outbound

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
        global _default_sender
        _default_sender = self

    @classmethod
    def from_settings(cls, settings: Settings, conn: redis.Redis | None = None) -> "TwilioSender":
        if conn is None:
            url = settings.redis_url or f"unix://{(settings.data_dir / 'redis' / 'redis.sock').resolve()}"
            conn = redis.Redis.from_url(url)  # the embedded server's socket (workers.redis_conn)
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
                    lang = json.loads(raw).get("language", "en")
                except ValueError:
                    lang = "en"
                self._languages[group] = (lang, time.monotonic() + 60)
                return lang
        from bot.core.parsing import detect_language, fold

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
        from twilio.base.exceptions import TwilioException

        try:
            number = normalise_address(message.recipient or "")
        except InvalidAddress as exc:
            raise PermanentError("recipient is not a phone number") from exc
        to = f"whatsapp:{number}" if message.channel == "whatsapp" else number
        if message.token:
            sid = self.conn.get(tk.sent_token(message.token))
            if sid:
                return sid.decode()
        origin = self._origin(message.channel).get("from_")
        filters: dict[str, Any] = {"to": to} if origin is None else {"to": to, "from_": origin}
        since_utc = since.astimezone(timezone.utc)
        try:
            candidates = list(self.client.messages.list(
                **filters, date_sent_after=(since_utc - timedelta(days=1)).strftime("%Y-%m-%d"),
                limit=self.LOOKUP_LIMIT))
            candidates += list(self.client.messages.list(**filters, limit=self.LOOKUP_QUEUED_LIMIT))
        except TwilioException as exc:
            raise TransientError(f"twilio: lookup failed: {getattr(exc, 'status', '?')}") from exc
        except Exception as exc:  # noqa: BLE001 - requests' errors: ask again on the next retry
            raise TransientError(f"twilio: lookup failed: {type(exc).__name__}") from exc
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
            if recorded and message.token and recorded.decode() != message.token:
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
        from twilio.base.exceptions import TwilioException

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
                created = self.client.messages.create(**params)
            except TwilioException as exc:
                code = int(getattr(exc, "code", 0) or 0)
                status = int(getattr(exc, "status", 0) or 0)
                if code == 21610:
                    suppress(self.conn, channel, member)
                    log.info("%s %s to %s: 21610, member opted out; suppressed", message.kind,
                             message.alert_id or "-", member)
                    return None
                if code == 63016 and channel == "whatsapp" and not use_template:
                    self.conn.delete(tk.window(member))
                    if self._template(lang) is None:
                        self._warn("63016 outside the WhatsApp window and no template configured "
                                   f"(ALERTRELAY_TWILIO_CONTENT_SID_{lang.upper()})")
                        raise PermanentError("outside the 24-hour window and no template configured") from exc
                    use_template = True
                    continue
                if status == 429 or code == 20429:
                    tries_429 += 1
                    delay = min(8.0, self.BACKOFF_S * 2 ** tries_429) * (0.5 + random.random())
                    if tries_429 >= self.MAX_429_TRIES:
                        raise RateLimited(f"twilio 429 for {channel}", retry_after_s=delay) from exc
                    time.sleep(delay)
                    continue
                if code in (63018, 30001, 21611):
                    slow_down(self.conn, channel, self.settings.twilio_slowdown_s,
                              f"Twilio {code} on {channel}: sending slower")
                    raise RateLimited(f"twilio {code} for {channel}", retry_after_s=30) from exc
                if status >= 500 or status == 0:  # may have been created: the caller asks before resending
                    raise TransientError(f"twilio {status} {code}") from exc
                raise PermanentError(f"twilio refused the message: {status} {code}") from exc
            except Exception as exc:  # requests' connection errors and timeouts
                if isinstance(exc, (PermanentError, TransientError)):
                    raise
                if _never_connected(exc):
                    raise NotSent(f"twilio unreachable: {type(exc).__name__}") from exc
                raise TransientError(f"twilio: no answer ({type(exc).__name__}); it may have been sent") from exc
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
        record = {"alert": message.alert_id or "", "kind": message.kind, "group": message.group or "",
                  "member": member, "channel": message.channel, "lang": lang, "template": "1" if template else "0",
                  "to": self.identity.seal(message.recipient or ""), "text": message.text[:MAX_BODY_CHARS],
                  "place": message.place or "", "at": message.at.isoformat(), "attempt": str(attempt),
                  "token": message.token or ""}
        self.conn.hset(tk.sent_message(sid), mapping=record)
        self.conn.expire(tk.sent_message(sid), ttl)
        record_status(self.conn, sid, "queued", "", alert_id=message.alert_id or "", kind=message.kind,
                      member=member, attempt=attempt, ttl_s=ttl)

    def _warn(self, text: str) -> None:
        self.conn.xadd(tk.WARNINGS, {"at": datetime.now(timezone.utc).isoformat(), "channel": "whatsapp",
                                     "text": text}, maxlen=tk.WARNINGS_MAXLEN, approximate=True)
        log.warning(text)

    def resend(self, sid: str, reason: str) -> str | None:
        """Send again what `sid` carried: as the template (63016) or unchanged (rate-limit failures)."""
        raw = {k.decode(): v.decode() for k, v in self.conn.hgetall(tk.sent_message(sid)).items()}
        if not raw:
            raise TransientError(f"no record of {sid} yet")  # the receipt beat the sender's bookkeeping
        if raw.get("resent"):
            return None
        if not self.conn.hsetnx(tk.sent_message(sid), "resent", "1"):
            return None
        message = Outbound(kind=raw["kind"], channel=raw["channel"], text=raw["text"],  # type: ignore[arg-type]
                           at=datetime.fromisoformat(raw["at"]), group=raw["group"] or None,
                           recipient=self.identity.unseal(raw["to"]), alert_id=raw["alert"] or None,
                           place=raw["place"] or None)
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


def _never_connected(exc: BaseException) -> bool:
    """requests' errors that prove the request never reached Twilio: the connection was never made."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    cause: BaseException | None = exc
    for _ in range(8):  # requests → urllib3 MaxRetryError(reason=NewConnectionError) → socket error
        if cause is None:
            break
        if isinstance(cause, NewConnectionError):
            return True
        reason = getattr(cause, "reason", None)
        if isinstance(reason, NewConnectionError):
            return True
        cause = cause.__cause__ or cause.__context__ or (cause.args[0] if cause.args and isinstance(
            cause.args[0], BaseException) else None)
    return False


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


# ---------------------------------------------------------------------------------------------- rq job

_default_sender: TwilioSender | None = None


def _queue_resend(queue: Any, sid: str, reason: str, delay_s: int) -> None:
    from datetime import timedelta

    from rq import Retry
    from rq.exceptions import DuplicateJobError

    kwargs: dict[str, Any] = dict(job_id=f"twilio-resend-{sid}", unique=True,
                                  retry=Retry(max=5, interval=[2, 5, 15, 60, 300]), job_timeout=60,
                                  result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600)
    try:
        if delay_s:
            queue.enqueue_in(timedelta(seconds=delay_s), "bot.transports.twilio.resend_job", sid, reason, **kwargs)
        else:
            queue.enqueue("bot.transports.twilio.resend_job", sid, reason, **kwargs)
    except DuplicateJobError:
        pass


def resend_job(sid: str, reason: str) -> str | None:
    """rq job: resend a message Twilio failed after accepting it (63016 → template, 63018 → later)."""
    sender = _default_sender
    if sender is None:
        from config.settings import load_settings

        sender = TwilioSender.from_settings(load_settings())
    return sender.resend(sid, reason)
