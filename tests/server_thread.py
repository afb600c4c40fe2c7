"""The bot's real aiohttp server, on 127.0.0.1:<free port> in its own event-loop thread, for tests that
talk to it over HTTP (Twilio webhooks, the map and feeds, doctor's webhook check)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any

from alertrelay.bot.server import BotContext, build_app, serve


class ServerThread:
    def __init__(self, ctx: BotContext, registrars: Sequence[Callable[..., Any]]):
        self.ctx = ctx
        self.registrars = list(registrars)
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._runner: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            self._runner = await serve(build_app(self.ctx, self.registrars), "127.0.0.1", 0)
            self.port = self._runner.addresses[0][1]
            self._ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def start(self) -> ServerThread:
        self.thread.start()
        assert self._ready.wait(30), "the bot's HTTP server did not start"
        return self

    def stop(self) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
