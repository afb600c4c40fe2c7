"""POST /twilio/inbound: signature check over the public URL and every posted field → keywords
(STOP/START/HELP/SUBSCRIBE …, answered inline) or `ingest` → empty TwiML. Nothing is stored for a request
that fails the signature check, and a MessageSid is acted on once."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import redis
from aiohttp import web
from multidict import MultiDict

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import BadForm, InvalidAddress
from alertrelay.bot.identity import Identity, normalise_address
from alertrelay.bot.ingest import message_key
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.transports import subscriptions
from alertrelay.bot.transports.keywords import Keyword, route_keyword
from alertrelay.bot.transports.twilio_limits import suppress
from alertrelay.bot.transports.twilio_wire import INBOUND_PATH, MAX_BODY_CHARS, SID, channel_of
from alertrelay.config.settings import Settings

if TYPE_CHECKING:  # the server is imported when a request comes (it is the app that holds these routes)
    from alertrelay.bot.server import BotContext

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 128 * 1024
"""A real inbound form is at most ~25 KB (1600 chars of Body, percent-encoded, plus ~40 fields)."""
MAX_FIELDS = 200
BODY_READ_TIMEOUT_S = 10.0
WINDOW_S = 24 * 3600 - 10 * 60
"""WhatsApp's customer-service window, minus a margin for clocks and queueing."""
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# bidi embeddings/overrides/isolates and zero-width characters: they can make an alert read differently
# from what it says; C0/C1 controls other than newline and tab.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
                        "\x00-\x08\x0b-\x1f\x7f-\x9f]")



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
    return InboundMessage(channel=channel_of(sender), message_id=sid, sender=sender, text=text, at=at,
                          location=(lat, lon) if lat is not None and lon is not None else None,
                          quote=quote if SID.match(quote) else None, forwarded=_forwarded(form),
                          attachments=media)


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
    except TimeoutError:
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


def handle_inbound(ctx: BotContext, form: MultiDict[str]) -> web.Response:
    """Blocking part of the inbound webhook (runs in a thread): keywords, or ingest."""
    try:
        message = inbound_message(form, datetime.now(UTC))
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


async def signed_form(request: web.Request, path: str) -> web.Response | tuple[BotContext, MultiDict[str]]:
    """(ctx, form) of a request Twilio signed, or the response that refuses it (nothing else happens)."""
    from alertrelay.bot.server import CTX_KEY

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
