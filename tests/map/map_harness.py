"""A real bot HTTP server (map and feeds routes) on a free port, over the test's real Redis; reports go in
through ingest, the path every transport hands messages to."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from alertrelay.bot.server import BotContext, build_app, serve
from tests.conftest import T0, Relay
from alertrelay.workers.map_service import map_registrar

MAP_TOKEN = "dashboard-" + "7" * 24


class MapServer:
    """The aiohttp app in its own event-loop thread. `now` is the clock the map and feeds read (message
    time, as the relay's tests use)."""

    def __init__(self, relay: Relay):
        self.relay = relay
        self.now = T0 + timedelta(hours=1)
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._runner = None
        rt = relay.rt
        self.ctx = BotContext(rt.settings, rt.conn, rt.queue, rt.identity)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            app = build_app(self.ctx, [map_registrar(clock=lambda: self.now.timestamp())])
            self._runner = await serve(app, "127.0.0.1", 0)
            self.port = self._runner.addresses[0][1]
            self._ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def start(self) -> "MapServer":
        self.thread.start()
        assert self._ready.wait(30)
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


@pytest.fixture
def map_relay(rt, settings) -> Relay:  # type: ignore[no-untyped-def]
    rt.settings = settings.model_copy(update={"map_token": SecretStr(MAP_TOKEN), "feeds": "token"})
    return Relay(rt)


@pytest.fixture
def map_server(map_relay: Relay) -> Iterator[MapServer]:
    server = MapServer(map_relay).start()
    yield server
    server.stop()


@pytest.fixture
def http(map_server: MapServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=map_server.url, timeout=30) as client:
        yield client
