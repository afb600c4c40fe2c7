"""The ops folder's fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from alertrelay.workers.redis_conn import EmbeddedRedis


@pytest.fixture
def fresh_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A second, empty Redis (a new server after a lost disk)."""
    server = EmbeddedRedis(tmp_path / "fresh-redis").start()
    yield server
    server.stop()
