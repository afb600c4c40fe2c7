"""`alertrelay run`: the bot process. HTTP server for webhooks, the chat transports that are configured,
all feeding `ingest`. Workers run beside it (`alertrelay worker`, or `run --workers N`)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from alertrelay.bot.server import BotContext, Registrar, build_app, serve

log = logging.getLogger(__name__)

Background = Callable[[BotContext], Coroutine[Any, Any, None]]


def transport_parts(ctx: BotContext) -> tuple[list[Registrar], list[Background]]:
    """Webhook routes and long-running receivers of every configured transport."""
    registrars: list[Registrar] = []
    background: list[Background] = []
    settings = ctx.settings
    if settings.signal_service and settings.signal_number:
        from alertrelay.bot.transports import signal as signal_transport

        registrars.append(signal_transport.register_routes)
        background.append(signal_transport.run_receiver)
    if settings.twilio_account_sid:
        from alertrelay.bot.transports import twilio as twilio_transport

        registrars.append(twilio_transport.register_routes)
    return registrars, background


async def run_bot(ctx: BotContext, stop: asyncio.Event | None = None, extra: list[Registrar] | None = None) -> None:
    """`extra`: more routes (the coordinator map and feeds, which the CLI builds: they need workers/)."""
    registrars, background = transport_parts(ctx)
    registrars = [*(extra or []), *registrars]
    runner = await serve(build_app(ctx, registrars), ctx.settings.http_host, ctx.settings.http_port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(part(ctx)) for part in background]
    if not tasks:
        log.warning("no chat transport configured: only the HTTP server runs (see README, Signal / Twilio)")
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for cleanup in ctx.cleanups:
            await cleanup()
        await runner.cleanup()
