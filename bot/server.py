"""The bot's one HTTP server: every inbound webhook (Twilio, signal-cli-rest-api's receive webhook) and
/healthz. Transports add their routes with a registrar; all of them hand messages to `ctx.ingest`."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis
from aiohttp import web
from rq import Queue

from alertrelay.bot import metrics
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.durability import durable_ack
from alertrelay.bot.identity import Identity
from alertrelay.bot.ingest import ingest
from alertrelay.bot.regions import RegionRoutes
from alertrelay.config.settings import Settings

if TYPE_CHECKING:  # the transport imports this module: no import at run time
    from alertrelay.bot.transports.signal import SignalInbound

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


@dataclass
class BotContext:
    settings: Settings
    conn: redis.Redis
    queue: Queue
    identity: Identity
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    routes: RegionRoutes | None = None
    """Which region's inbox a message goes to (bot/regions.py); made on first use."""
    signal_inbound: SignalInbound | None = None
    """The Signal transport's receiving side, shared by its webhook and websocket (SignalInbound.of)."""

    def ingest(self, message: InboundMessage) -> bool:
        if self.routes is None:
            self.routes = RegionRoutes(sender_region_ttl_s=self.settings.report_ttl_s)
        admitted = ingest(self.conn, self.queue, self.identity, message, ttl_s=self.settings.report_ttl_s,
                          job_timeout_s=self.settings.job_timeout_s, drain_pending_s=self.settings.claim_idle_s,
                          routes=self.routes)
        if admitted:
            # the provider is told "received" next and will not send it again: it must survive a crash
            durable_ack(self.conn, self.settings.durable_ack)
        return admitted

    async def ingest_async(self, message: InboundMessage) -> bool:
        # redis-py is blocking; ingest is one round trip, kept off the event loop all the same
        return await asyncio.to_thread(self.ingest, message)


CTX_KEY = web.AppKey("ctx", BotContext)
Registrar = Callable[[web.Application, BotContext], None]


async def healthz(request: web.Request) -> web.Response:
    ctx = request.app[CTX_KEY]
    try:
        ok = await asyncio.to_thread(ctx.conn.ping)
    except redis.RedisError:
        ok = False
    return web.json_response({"ok": bool(ok)}, status=200 if ok else 503)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """Prometheus text format: the counters of the bot and every worker (multi-process files under
    data_dir/metrics) and the queue / inbox gauges read from Redis now (bot/metrics.py)."""
    ctx = request.app[CTX_KEY]
    token = ctx.settings.metrics_token
    if token is not None:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode()):
            raise web.HTTPUnauthorized(text="/metrics needs Authorization: Bearer <ALERTRELAY_METRICS_TOKEN>")
    body, content_type = await asyncio.to_thread(metrics.scrape, ctx.conn, ctx.queue)
    return web.Response(body=body, headers={"Content-Type": content_type})


def build_app(ctx: BotContext, registrars: list[Registrar]) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[CTX_KEY] = ctx
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_endpoint)
    for register in registrars:
        register(app, ctx)
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)  # access logs would hold webhook query strings
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on %s:%d", host, port)
    return runner
