"""A real bot HTTP server (map and feeds routes) on a free port, over the test's real Redis; reports go in
through ingest, the path every transport hands messages to."""

from __future__ import annotations

from datetime import timedelta

from alertrelay.bot.server import BotContext
from alertrelay.workers.map_service import map_registrar
from tests.conftest import T0, Relay
from tests.server_thread import ServerThread

MAP_TOKEN = "dashboard-" + "7" * 24


class MapServer(ServerThread):
    """The bot's server with the map and feeds routes. `now` is the clock the map and feeds read (message
    time, as the relay's tests use)."""

    def __init__(self, relay: Relay):
        self.relay = relay
        self.now = T0 + timedelta(hours=1)
        rt = relay.rt
        super().__init__(BotContext(rt.settings, rt.conn, rt.queue, rt.identity),
                         [map_registrar(clock=lambda: self.now.timestamp())])
