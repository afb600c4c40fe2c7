"""Signal: signalbot 2.2 (websocket) and signal-cli-rest-api's receive webhook in, `/v2/send` out.

    signal-cli-rest-api ──ws /v1/receive──▶ signalbot ──▶ RelayHandler ─┐
                        ──POST /signal/receive (RECEIVE_WEBHOOK_URL)───┼─▶ SignalInbound.admit ─▶ ingest
    rq delivery jobs ──▶ SignalSender ──POST /v2/send──▶ signal-cli-rest-api

The rest-api drops every message that arrives while no websocket is attached (reconnects, restarts, and
signalbot's own restart after any frame it cannot validate), so the webhook is a second sink for the same
messages. Both paths build the same message id and ingest drops the second copy.

signalbot runs on its own thread and event loop: it owns that loop (`SignalBot.stop()` stops it), and a
stuck signalbot can then never stall the HTTP server that carries the webhook.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
from typing import Any

import redis
from aiohttp import web

from alertrelay.bot import keys, replies
from alertrelay.bot.errors import ConfigError, InvalidAddress
from alertrelay.bot.ingest import message_key
from alertrelay.bot.server import BotContext
from alertrelay.bot.transports.signal_inbound import (
    SignalIds,
    SignalText,
    frame_envelope,
    react_target,
    react_target_key,
    text_from_data_message,
    text_from_envelope,
    to_inbound,
)
from alertrelay.bot.transports.signal_sender import connection_schemes

log = logging.getLogger(__name__)

GROUP_INDEX_MAX_AGE_S = 60.0
RESTART_MIN_S = 0.5
RESTART_MAX_S = 60.0
WATCHDOG_S = 1.0


class GroupIndex:
    """public `group.…` id → our group id, from the groups in Redis (areas.toml + /subscribe).

    A group is bound by `id = "group.…"` or by `signal_id = "group.…"`; names are never used.
    """

    def __init__(self, conn: redis.Redis):
        self.conn = conn
        self._rev: bytes | str | None = None
        self._loaded_at = 0.0
        self._map: dict[str, str] = {}

    def __call__(self, public_id: str) -> str | None:
        rev = self.conn.get(keys.CONFIG_REV)
        if rev != self._rev or time.monotonic() - self._loaded_at > GROUP_INDEX_MAX_AGE_S:
            self._map = self._load()
            self._rev, self._loaded_at = rev, time.monotonic()
        return self._map.get(public_id)

    def _load(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for field, raw in self.conn.hgetall(keys.GROUPS).items():
            try:
                group = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(group, dict) or group.get("channel") != "signal":
                continue
            our_id = str(group.get("id") or replies.text(field))
            if our_id.startswith("group."):
                index[our_id] = our_id
            if isinstance(group.get("signal_id"), str) and group["signal_id"].startswith("group."):
                index[group["signal_id"]] = our_id
        return index


class SignalInbound:
    """Both receive paths end here: one Signal message → (reaction target) → ingest. Sync: runs in threads."""

    def __init__(self, ctx: BotContext):
        settings = ctx.settings
        self.ctx = ctx
        account = settings.signal_number
        if account is None:  # the transport only starts with a number (bot/app.py transport_parts)
            raise ConfigError("signal: signal_number is not set")
        self.account = account
        self.ids = SignalIds(ctx.identity, account)
        self.groups = GroupIndex(ctx.conn)
        self.reactions = bool(getattr(settings, "signal_reactions", True))
        self.linked_device = bool(getattr(settings, "signal_linked_device", False))
        token = getattr(settings, "signal_webhook_token", None)
        self.webhook_token = token.get_secret_value() if token is not None else None
        self._warned_linked = False

    @classmethod
    def of(cls, ctx: BotContext) -> SignalInbound:
        """One per bot context: the webhook and the websocket share what they learn."""
        inbound = ctx.signal_inbound
        if inbound is None:
            inbound = cls(ctx)
            ctx.signal_inbound = inbound
        return inbound

    def admit(self, item: SignalText, path: str) -> bool:
        """True if the message was new and queued for the pipeline."""
        try:
            inbound = to_inbound(item, self.ids, self.groups)
        except (InvalidAddress, ValueError) as exc:
            log.warning("signal (%s): message dropped: %s", path, type(exc).__name__)
            return False
        if inbound is None:
            return False
        key = message_key("signal", inbound.message_id)
        target = react_target(item) if self.reactions else None
        if target is not None:
            sealed = self.ctx.identity.seal(json.dumps({"r": target.recipient, "a": target.author,
                                                        "t": target.timestamp}))
            self.ctx.conn.set(react_target_key(key), sealed, nx=True, ex=self.ctx.settings.report_ttl_s)
        fresh = self.ctx.ingest(inbound)
        if fresh:
            log.info("signal (%s): message %s queued%s", path, key, " (group)" if inbound.group else "")
        return fresh

    def admit_frame(self, frame: Any) -> bool:
        """A webhook post or raw websocket frame (JSON-RPC `receive` params, wrapped or not)."""
        envelope = frame_envelope(frame, self.account)
        if envelope is not None and envelope.get("syncMessage") is not None:
            self._own_device_seen()
        item = text_from_envelope(envelope) if envelope is not None else None
        return self.admit(item, "webhook") if item is not None else False

    def admit_data_message(self, message: Any) -> bool:
        """A DataMessage parsed by signalbot (websocket)."""
        if self.ids.is_bot(message.source_number):
            self._own_device_seen()  # a group message the account sent from another device
            return False
        if self.linked_device and message.is_private():
            # signalbot rewrites a direct sync message (typed on the linked phone) to look like it came from
            # the recipient; only the webhook's raw envelope tells them apart
            return False
        return self.admit(text_from_data_message(message), "websocket")

    def _own_device_seen(self) -> None:
        """The account sends from another device too: what that device sends to a person would reach the
        websocket path looking like a message from that person."""
        if self.linked_device:
            return
        if self.webhook_token is None:
            if not self._warned_linked:
                self._warned_linked = True
                log.error("signal: the bot account is used on another device; direct messages typed there "
                          "look like incoming reports. Use a dedicated number, or set "
                          "ALERTRELAY_SIGNAL_LINKED_DEVICE=1 with the webhook sink (docs/signal.md)")
            return
        self.linked_device = True
        log.warning("signal: the bot account is used on another device: direct messages are now taken "
                    "from the webhook only (set ALERTRELAY_SIGNAL_LINKED_DEVICE=1 to start that way)")


# ---- the webhook sink: POST /signal/receive ------------------------------------------------------------

INBOUND_KEY: web.AppKey[SignalInbound] = web.AppKey("signal_inbound", SignalInbound)


def register_routes(app: web.Application, ctx: BotContext) -> None:
    inbound = SignalInbound.of(ctx)
    app[INBOUND_KEY] = inbound
    app.router.add_post("/signal/receive", receive_webhook)
    if inbound.webhook_token is None:
        log.warning("signal: ALERTRELAY_SIGNAL_WEBHOOK_TOKEN unset: /signal/receive refuses every post, and "
                    "messages that arrive while the websocket reconnects are lost (docs/signal.md)")


async def receive_webhook(request: web.Request) -> web.Response:
    """signal-cli-rest-api's RECEIVE_WEBHOOK_URL: one JSON-RPC `receive` line per post.

    The URL carries a token (`?token=`): the rest-api cannot add headers, and without it anyone who can
    reach the bot's HTTP server could post messages as any sender.
    """
    inbound = request.app[INBOUND_KEY]
    supplied = request.query.get("token", "")
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        supplied = header[7:]
    expected = inbound.webhook_token
    if expected is None or not hmac.compare_digest(supplied.encode(), expected.encode()):
        return web.json_response({"error": "forbidden"}, status=403)
    raw = await request.read()
    try:
        frame = json.loads(raw)
    except ValueError:
        return web.json_response({"error": "not JSON"}, status=400)
    try:
        fresh = await asyncio.to_thread(inbound.admit_frame, frame)
    except redis.RedisError:
        log.exception("signal (webhook): Redis unavailable, message not queued")
        return web.json_response({"error": "unavailable"}, status=503)
    except Exception:  # one error boundary: a bad post never takes the route down
        log.exception("signal (webhook): post dropped")
        return web.json_response({"ok": False}, status=200)
    # the rest-api counts anything but 200/201 as a failure
    return web.json_response({"ok": True, "new": fresh}, status=200)


# ---- the websocket receiver: signalbot on its own thread -------------------------------------------------

def signalbot_config(settings: Any) -> dict[str, Any]:
    schemes = connection_schemes(settings.signal_https)
    mode = "auto" if len(schemes) > 1 else "https_only" if schemes == ["https"] else "http_only"
    return {
        "phone_number": settings.signal_number,
        "signal_service": settings.signal_service,
        "connection_mode": mode,
        "storage": {"type": "in-memory"},   # signalbot keeps no state we need
        "download_attachments": False,      # counted, never fetched: photos can identify people
        "logging_level": logging.WARNING,   # at INFO signalbot logs every raw frame: numbers, texts
    }


def _relay_handler(inbound: SignalInbound) -> Any:
    from signalbot import DataMessageHandler

    class RelayHandler(DataMessageHandler):
        """Every data message (text, attachments, edits) in any group or direct chat → ingest."""

        async def handle_data_message(self, context: Any) -> None:
            try:
                await asyncio.to_thread(inbound.admit_data_message, context.message)
            except Exception:  # one error boundary per message: log, keep receiving
                log.exception("signal (websocket): message dropped")

    return RelayHandler()


class SignalReceiver:
    """Runs signalbot's receive loop on a thread; restarts it whenever it ends."""

    def __init__(self, ctx: BotContext):
        self.ctx = ctx
        self.inbound = SignalInbound.of(ctx)
        self._bot: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def run(self) -> None:
        main_loop = asyncio.get_running_loop()
        pause = RESTART_MIN_S
        while True:
            done: asyncio.Future[None] = main_loop.create_future()
            thread = threading.Thread(target=self._thread_main, args=(main_loop, done), name="signalbot",
                                      daemon=True)
            started = time.monotonic()
            thread.start()
            try:
                await done
            except asyncio.CancelledError:
                self.stop()
                await asyncio.to_thread(thread.join, 10)
                raise
            if time.monotonic() - started > 300:
                pause = RESTART_MIN_S
            log.warning("signal: restarting signalbot in %.1f s", pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RESTART_MAX_S)

    def stop(self) -> None:
        bot, loop = self._bot, self._loop
        if bot is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(bot.request_stop)

    async def _start_bot(self) -> Any:
        from signalbot import SignalBot

        bot = SignalBot(signalbot_config(self.ctx.settings))  # takes the running loop (this thread's)
        _one_signalbot_log_handler()
        bot.register(_relay_handler(self.inbound), contacts=True, groups=True)
        bot.start(run_forever=False)  # health → about → groups → websocket, retried with backoff forever
        self._watchdog = asyncio.get_running_loop().create_task(self._watch(bot))
        return bot

    async def _watch(self, bot: Any) -> None:
        """signalbot 2.2.1 restarts its producer when the websocket fails, but not when the server closes it
        cleanly: the receive loop then just ends and the bot would never receive again. Seen from outside
        (its pipeline keeps no public state), a started bot with no producer task left is that case."""
        while True:
            await asyncio.sleep(WATCHDOG_S)
            if bot.init_task is None or not bot.init_task.done():
                continue  # still connecting (signalbot retries that itself)
            producers = getattr(getattr(bot, "_pipeline", None), "_produce_tasks", None)
            if not isinstance(producers, set):
                log.warning("signal: this signalbot version hides its producer; receive watchdog off")
                return
            if not producers:
                log.warning("signal: signalbot's receive loop ended (websocket closed by the server)")
                await bot.stop()  # stops this thread's loop; run() starts a fresh bot
                return

    def _thread_main(self, main_loop: asyncio.AbstractEventLoop, done: asyncio.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self._bot = loop.run_until_complete(self._start_bot())
            self._loop = loop
            loop.run_forever()  # until SignalBot.stop() stops it
        except Exception:
            log.exception("signal: signalbot failed")
        finally:
            self._bot = None
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
            self._loop = None
            def finish() -> None:
                if not done.done():
                    done.set_result(None)

            try:
                main_loop.call_soon_threadsafe(finish)
            except RuntimeError:  # the main loop is already closed: shutting down
                pass


def _one_signalbot_log_handler() -> None:
    # every SignalBot() adds a console handler to the "signalbot" logger; a restarted bot would double lines
    logger = logging.getLogger("signalbot")
    for handler in logger.handlers[1:]:
        logger.removeHandler(handler)


async def run_receiver(ctx: BotContext) -> None:
    """`alertrelay run`'s Signal part: receive until cancelled."""
    await SignalReceiver(ctx).run()
