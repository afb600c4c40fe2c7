"""What a worker process holds: settings, the Redis connection, the gazetteer, config and sender."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import redis
from rq import Queue
from shapely.geometry.base import BaseGeometry

from alertrelay.bot import keys, replies
from alertrelay.bot.core.areas import Router, area_shape
from alertrelay.bot.core.geometry import covers
from alertrelay.bot.core.models import Policy
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import UnknownArea
from alertrelay.bot.identity import Identity
from alertrelay.bot.queues import make_queue
from alertrelay.bot.transports.base import Sender
from alertrelay.config.settings import Settings, load_settings
from alertrelay.workers.config_state import RelayConfig, load_config
from alertrelay.workers.incidents import OpenIncidents
from alertrelay.workers.redis_conn import connect_queue, connect_store

if TYPE_CHECKING:
    from alertrelay.bot.geo import Gazetteer

log = logging.getLogger(__name__)


class Located(Protocol):
    """Anything with a place: a geocoder result, an incident."""

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


class Runtime:
    """Process state only, kept from job to job; what one drained batch gathers is its Batch's
    (workers/batch.py)."""

    def __init__(self, settings: Settings, conn: redis.Redis | None = None, sender: Sender | None = None,
                 queue_conn: redis.Redis | None = None):
        self.settings = settings
        self.conn = conn if conn is not None else connect_store(settings)
        """The store: every relay:* key (a Redis Cluster client with ALERTRELAY_REDIS_CLUSTER)."""
        self.queue_conn = queue_conn if queue_conn is not None else connect_queue(settings, self.conn)
        """rq's Redis: its queue, jobs and registries (the store's connection unless configured apart)."""
        self.identity = Identity(settings.secret_bytes())
        from alertrelay.workers.key_names import migrate_key_names
        from alertrelay.workers.ops.rotate import load_carried

        migrate_key_names(self.conn)  # keys of an older release, under their hash tags (once)

        load_carried(self.conn, self.identity, settings.secret_bytes())  # after a key rotation, if any
        self._sender = sender
        self._config: RelayConfig | None = None
        self._routers: dict[str, Router] = {}
        self._open_incidents: dict[str, OpenIncidents] = {}
        self._named_shapes: dict[str, BaseGeometry] = {}
        self._places: dict[bytes, bytes] = {}

    @cached_property
    def queue(self) -> Queue:
        return make_queue(self.queue_conn)

    def open_incidents(self, region: keys.Region) -> OpenIncidents:
        """The drainer's copy of the open incidents of `region`: one per region, kept from batch to batch
        (and while this process drains others), caught up at each batch's start."""
        copy = self._open_incidents.get(region.name)
        if copy is None:
            copy = self._open_incidents[region.name] = OpenIncidents(region)
        return copy

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from alertrelay.bot.geo import load_gazetteer

        gaz = load_gazetteer().copy()  # places taught here stay in this runtime's copy
        self._sync_places(gaz)
        return gaz

    def _sync_places(self, gaz: Gazetteer) -> None:
        """Places taught with /place add, into this process's gazetteer (new or moved ones only)."""
        places = {replies.raw(k): replies.raw(v) for k, v in self.conn.hgetall(keys.PLACES).items()}
        for name, raw in sorted(places.items()):
            if self._places.get(name) != raw:
                lat, lon = (float(x) for x in raw.decode().split(","))
                gaz.add_place(name.decode(), lat, lon)
        self._places = places

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
            self._routers = {}
            self._named_shapes = {}
            if "gazetteer" in self.__dict__:  # another process may have taught a place
                self._sync_places(self.gazetteer)

    def router(self, region: keys.Region) -> Router:
        """The groups of `region` and their areas: a region's alerts go to its own groups only."""
        config = self.config()
        name = region.name
        if name not in self._routers:
            groups = [group for group in config.groups.values() if group.region == name]
            self._routers[name] = Router(groups, self.area_shape)
        return self._routers[name]

    def area_shape(self, name: str) -> BaseGeometry | None:
        """An area name: one an admin gave (/area add) first, then a neighbourhood or district."""
        named = self._named_area(name)
        if named is not None:
            return named
        shape: BaseGeometry | None = self.gazetteer.area_shape(name)
        return shape

    def _named_area(self, name: str) -> BaseGeometry | None:
        config = self.config()
        if not config.areas:
            return None
        if not self._named_shapes:
            for area_name, spec in config.areas.items():
                try:  # a named area defined by another name resolves through the gazetteer only
                    self._named_shapes[fold(area_name)] = area_shape(spec, self.gazetteer.area_shape)
                except UnknownArea:
                    log.warning("named area %r: its definition no longer resolves", area_name)
        return self._named_shapes.get(fold(name))

    def policy_for(self, point: Located | None) -> Policy:
        """The policy where `point` (anything with .lat/.lon, or None) lies: an area's own (/policy set
        <area>), the first by name when areas overlap, else the global one."""
        config = self.config()
        if point is None or not config.area_policies:
            return config.policy
        for name, policy in config.area_policies.items():
            shape = self.area_shape(name)
            if shape is not None and covers(shape, float(point.lat), float(point.lon)):
                return policy
        return config.policy

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = build_sender(self.settings)
        return self._sender

    def channel_sender(self, channel: str) -> Sender | None:
        """The sender of one channel itself, for what only it offers (Twilio's resends); None when the
        channel has none of its own (a drill's outbox records everything)."""
        senders = getattr(self.sender, "senders", None)  # a ChannelSender, through the CountingSender
        return senders.get(channel) if isinstance(senders, dict) else None


def build_sender(settings: Settings) -> Sender:
    """Signal and Twilio senders where configured; the rest is recorded to a file (drills, local runs)."""
    from alertrelay.bot.metrics import CountingSender
    from alertrelay.bot.transports.channels import ChannelSender
    from alertrelay.bot.transports.recording import RecordingSender

    if settings.outbox is not None:
        return CountingSender(RecordingSender(settings.outbox))
    senders: dict[str, Sender] = {}
    for make in SENDER_FACTORIES:
        senders.update(make(settings))
    return CountingSender(ChannelSender(senders, RecordingSender(settings.data_dir / "outbox.jsonl")))


def _signal_senders(settings: Settings) -> dict[str, Sender]:
    if not (settings.signal_service and settings.signal_number):
        return {}
    from alertrelay.bot.transports.signal_sender import SignalSender

    return {"signal": SignalSender.from_settings(settings)}


def _twilio_senders(settings: Settings) -> dict[str, Sender]:
    if not settings.twilio_account_sid:
        return {}
    from alertrelay.bot.transports.twilio_sender import TwilioSender

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
