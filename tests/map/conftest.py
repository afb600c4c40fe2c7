"""The map folder's fixtures: a relay with a map token, the bot's server over it, an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from alertrelay.config.settings import Settings
from alertrelay.workers.runtime import Runtime
from tests.conftest import Relay
from tests.map.map_harness import MAP_TOKEN, MapServer


@pytest.fixture
def map_relay(rt: Runtime, settings: Settings) -> Relay:
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
