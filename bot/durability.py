"""Making a Redis write survive a machine crash, not only a process kill (README "Delivery guarantees").
Used by the delivery workers (a claim before the send, "sent" after it) and the inbound webhooks (an
accepted message before the provider is told "received")."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import redis

log = logging.getLogger(__name__)

ACK_TIMEOUT_MS = 1000
_aof_files: dict[int, Path | None] = {}


def _aof_file(conn: redis.Redis) -> Path | None:
    """The AOF file of a Redis on this host (reached by unix socket), else None; asked once per pool."""
    pool = getattr(conn, "connection_pool", None)  # a Redis Cluster client has none: reached over TCP
    if pool is None:
        return None
    if id(pool) not in _aof_files:
        path = None
        if pool.connection_class is redis.UnixDomainSocketConnection:
            try:
                config = conn.config_get("appendonly") | conn.config_get("dir") | conn.config_get("appendfilename")
                decoded = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                           for k, v in config.items()}
                if decoded.get("appendonly") == "yes":
                    directory, filename = decoded["dir"], decoded["appendfilename"]
                    if directory is None or filename is None:  # redis-py's type allows it; a reply never has
                        raise KeyError("dir" if directory is None else "appendfilename")
                    candidate = Path(directory) / filename
                    path = candidate if candidate.is_file() else None  # Redis 7's AOF is a directory of parts
            except (redis.RedisError, KeyError) as exc:
                log.warning("cannot find the local Redis's AOF file (%s): no fsync acknowledgement", exc)
        _aof_files[id(pool)] = path
    return _aof_files[id(pool)]


def durable_ack(conn: redis.Redis, mode: str) -> bool:
    """Wait until the writes acknowledged before this call are durable as `mode` says (settings.durable_ack):
    "" returns at once (appendfsync decides); "auto" is "fsync" for a Redis on this host, else "";
    "fsync" fsyncs the local Redis's AOF file from this process (Redis write()s the AOF before it
    replies, so everything it answered is on disk when this returns); "waitaof" waits for the Redis
    host's fsync (WAITAOF, Redis >= 7.2); "replicas:N" for N replicas (WAIT). False (and a warning) if
    not acknowledged: the caller goes on, since refusing to send would lose the alert for sure."""
    if not mode:
        return True
    try:
        if mode in ("auto", "fsync"):
            path = _aof_file(conn)
            if path is None:
                if mode == "fsync":
                    log.warning("durable_ack fsync: no local AOF file; not acknowledged")
                return mode == "auto"
            fd = os.open(path, os.O_RDONLY)  # by name each time: a rewrite replaces the file
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return True
        if mode == "waitaof":
            local, _replicas = conn.waitaof(1, 0, ACK_TIMEOUT_MS)  # WAITAOF numlocal numreplicas timeout
            ok = int(local) >= 1
        elif mode.startswith("replicas:"):
            wanted = int(mode.split(":", 1)[1])
            ok = int(conn.wait(wanted, ACK_TIMEOUT_MS)) >= wanted  # WAIT numreplicas timeout
        else:
            raise ValueError(f"durable_ack must be '', auto, fsync, waitaof or replicas:N, not {mode!r}")
    except (redis.ResponseError, OSError) as exc:
        log.warning("durable_ack %s: %s", mode, exc)
        return False
    if not ok:
        log.warning("durable_ack %s: not acknowledged within %d ms", mode, ACK_TIMEOUT_MS)
    return ok
