"""Lua scripts run by SHA (EVALSHA): the body goes to a server once, not with every call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
from redis.commands.core import Script

_by_source: dict[str, Script] = {}


def run_script(conn: redis.Redis, source: str, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
    script = _by_source.get(source)
    if script is None:
        script = _by_source[source] = conn.register_script(source)
    # client=conn: one Script object serves every connection (and server: it reloads on NOSCRIPT)
    return script(keys=list(keys), args=list(args), client=conn)
