"""A delivery job in a process of its own (spawned: a forked child of the threaded test process can
deadlock on a lock some thread held), for tests that SIGKILL a worker at a chosen moment."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

from alertrelay.config.settings import Settings


def _deliver(settings: Settings, channel: str, group: str, items: list[list[str]]) -> None:
    from alertrelay.bot.transports.signal_sender import SignalSender
    from alertrelay.bot.transports.twilio_sender import TwilioSender
    from alertrelay.workers.delivery import deliver
    from alertrelay.workers.redis_conn import connect
    from alertrelay.workers.runtime import Runtime, set_runtime

    conn = connect(settings.redis_url or "")
    rt = Runtime(settings, conn=conn)
    rt._sender = SignalSender.from_settings(settings) if channel == "signal" else \
        TwilioSender(settings, conn, rt.identity)
    set_runtime(rt)
    deliver(group, items)


class KillableWorker:
    """`start()` the job; the fake provider calls `kill()` when the worker should die."""

    def __init__(self, settings: Settings, channel: str, group: str, items: list[list[str]]):
        self.process: Any = multiprocessing.get_context("spawn").Process(
            target=_deliver, args=(settings, channel, group, items))

    def start(self) -> KillableWorker:
        self.process.start()
        return self

    def wait(self, timeout_s: float = 60) -> int | None:
        self.process.join(timeout_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
            raise AssertionError("the worker did not finish")
        return self.process.exitcode

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone (so it never reads the answer being written)."""
        os.kill(self.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
