"""What a worker process holds: settings, the Redis connection, the gazetteer, config and sender."""

from __future__ import annotations

import logging
from functools import cached_property

import redis
from rq import Queue

from bot.core.areas import Router
from bot.identity import Identity
from bot.transports.base import Sender
from config.settings import Settings, load_settings
from workers import keys
from workers.config_state import RelayConfig, load_config
from workers.queues import make_queue
from workers.redis_conn import connect, redis_url

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, conn: redis.Redis | None = None, sender: Sender | None = None):
        self.settings = settings
        self.conn = conn if conn is not None else connect(redis_url(settings))
        self.identity = Identity(settings.secret_bytes())
        self._sender = sender
        self._config: RelayConfig | None = None
        self._router: Router | None = None
        self.replies: list[dict[str, str]] = []
        """Replies decided while draining a batch, sent together by one job (workers.delivery)."""

    @cached_property
    def queue(self) -> Queue:
        return make_queue(self.conn)

    @cached_property
    def gazetteer(self):  # type: ignore[no-untyped-def]
        from bot.geo import load_gazetteer

        gaz = load_gazetteer()
        for name, raw in sorted(self.conn.hgetall(keys.PLACES).items()):
            lat, lon = (float(x) for x in raw.decode().split(","))
            gaz.add_place(name.decode(), lat, lon)
        return gaz

    def config(self) -> RelayConfig:
        """The config as of the last refresh (once per message: a command's change applies to the next)."""
        if self._config is None:
            self.refresh_config()
        assert self._config is not None
        return self._config

    def refresh_config(self) -> None:
        rev = int(self.conn.get(keys.CONFIG_REV) or 0)
        if self._config is None or self._config.rev != rev:
            self._config = load_config(self.conn)
            self._router = None

    def router(self) -> Router:
        config = self.config()
        if self._router is None:
            self._router = Router(list(config.groups.values()), self.gazetteer.area_shape)
        return self._router

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = build_sender(self.settings)
        return self._sender


def build_sender(settings: Settings) -> Sender:
    """Signal and Twilio senders where configured; the rest is recorded to a file (drills, local runs)."""
    from bot.transports.channels import ChannelSender
    from bot.transports.recording import RecordingSender

    if settings.outbox is not None:
        return RecordingSender(settings.outbox)
    senders: dict[str, Sender] = {}
    for make in SENDER_FACTORIES:
        senders.update(make(settings))
    return ChannelSender(senders, RecordingSender(settings.data_dir / "outbox.jsonl"))


def _signal_senders(settings: Settings) -> dict[str, Sender]:
    if not (settings.signal_service and settings.signal_number):
        return {}
    from bot.transports.signal import SignalSender  # the Signal issue

    return {"signal": SignalSender.from_settings(settings)}


def _twilio_senders(settings: Settings) -> dict[str, Sender]:
    if not settings.twilio_account_sid:
        return {}
    from bot.transports.twilio import TwilioSender  # the WhatsApp/SMS issue

    sender = TwilioSender.from_settings(settings)
    return {"whatsapp": sender, "sms": sender}


SENDER_FACTORIES = [_signal_senders, _twilio_senders]


_runtime: Runtime | None = None


def runtime() -> Runtime:
    """The process-wide runtime for rq jobs (jobs are plain functions with JSON arguments)."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime(load_settings())
    return _runtime


def set_runtime(rt: Runtime | None) -> None:
    global _runtime
    _runtime = rt
