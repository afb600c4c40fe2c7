"""Lua scripts run by SHA (EVALSHA): the body goes to a server once, not with every call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
from redis.cluster import ClusterPipeline, RedisCluster
from redis.commands.core import Script

_by_source: dict[str, Script] = {}


def is_cluster(conn: object) -> bool:
    """A Redis Cluster client or one of its pipelines (the relay types it redis.Redis where it passes it)."""
    return isinstance(conn, RedisCluster)


def _cluster_pipeline(conn: object) -> bool:
    return isinstance(conn, ClusterPipeline)


def run_script(conn: redis.Redis, source: str, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
    if _cluster_pipeline(conn):
        # a cluster pipeline cannot load a script on the node a queued EVALSHA lands on: send the body
        return conn.execute_command("EVAL", source, len(keys), *keys, *args)  # type: ignore[no-untyped-call]  # unannotated in redis-py
    script = _by_source.get(source)
    if script is None:
        script = _by_source[source] = conn.register_script(source)
    # client=conn: one Script object serves every connection (and server: it reloads on NOSCRIPT)
    return script(keys=list(keys), args=list(args), client=conn)
