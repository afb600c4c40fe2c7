"""Which region's drainer reads an inbound message (bot/ingest.py), and which regions there are.

A region is the set of groups areas.toml marks `region = "<name>"` (bot/keys.py: its keys). A message from
a group goes to the group's region. A direct message goes, in order, to the region of the message it quotes
(an alert, a dispatch, a report: one EXISTS per region), to the region whose groups' areas
contain where it points (its pin, else the place its text names: the same gazetteer the drainer reads,
about 0.15 ms a message once loaded), else the region its sender was last routed to by place (kept
report_ttl_s, so "ya se fueron" follows its report), else `[regions] direct`, else the default region. A
command naming an incident or alert of a region (`/confirm i7-north`) goes to that region, whose drainer
holds the incident. With one region nothing is read or geocoded: every message goes to the default region.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import redis

from alertrelay.bot import keys, replies
from alertrelay.bot.core.areas import GroupConfig, Router
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import UnknownArea
from alertrelay.bot.scripts import is_cluster

log = logging.getLogger(__name__)

Locate = Callable[[InboundMessage], "tuple[float, float] | None"]
"""Where a direct message points, (lat, lon), or None."""
_INCIDENT_ID = re.compile(r"(?<![\w-])[ai]\d{1,9}(?:-([a-z][a-z0-9]{0,15}))?(?![\w-])")


def region_names(conn: redis.Redis) -> list[str]:
    """Every region of the configured groups, the default one ("") first and always: what a recovery pass,
    a purge, a sweep or a scrape goes through. On a Redis Cluster the default region (its keys have no hash
    tag, so its scripts would span slots) only when a group is in it, which the relay refuses there."""
    names = {GroupConfig.model_validate_json(raw).region for raw in conn.hvals(keys.GROUPS)}
    if is_cluster(conn) and names and "" not in names:
        return sorted(names)
    return ["", *sorted(name for name in names if name)]


def all_regions(conn: redis.Redis) -> list[keys.Region]:
    return [keys.Region(name) for name in region_names(conn)]


def gazetteer_locate() -> Locate:
    """A Locate over the offline gazetteer (loaded on the first direct message that needs it)."""
    def locate(message: InboundMessage) -> tuple[float, float] | None:
        if message.location is not None:
            return message.location
        from alertrelay.bot.geo import load_gazetteer

        gaz = load_gazetteer()
        found = gaz.geocode(message.text) or gaz.pin_in_text(message.text)
        return (found.lat, found.lon) if found is not None else None

    return locate


class RegionRoutes:
    """The routing table, read from Redis's configuration again when it changes (its revision is checked at
    most every `refresh_s`, so a busy ingest pays no extra round trip per message)."""

    def __init__(self, *, locate: Locate | None = None, refresh_s: float = 1.0,
                 sender_region_ttl_s: int = 72 * 3600, clock: Callable[[], float] = time.monotonic):
        self._locate = locate if locate is not None else gazetteer_locate()
        self._refresh_s = refresh_s
        self._ttl_s = sender_region_ttl_s
        self._clock = clock
        self._checked_at = float("-inf")
        self._rev: bytes | str | None = b"?"
        self._group_region: dict[str, str] = {}
        self._regions: set[str] = set()
        self._direct = ""
        self._router: Router | None = None

    def _refresh(self, conn: redis.Redis) -> None:
        now = self._clock()
        if now - self._checked_at < self._refresh_s:
            return
        self._checked_at = now
        rev = conn.get(keys.CONFIG_REV)
        if rev == self._rev:
            return
        groups = [GroupConfig.model_validate_json(raw) for raw in conn.hvals(keys.GROUPS)]
        self._rev = rev
        self._group_region = {group.id: group.region for group in groups}
        self._regions = {group.region for group in groups}
        self._direct = replies.text(conn.hget(keys.REGIONS, "direct") or b"")
        self._router = None
        if len(self._regions) > 1:
            self._router = self._build_router(groups)

    @staticmethod
    def _build_router(groups: list[GroupConfig]) -> Router | None:
        from alertrelay.bot.geo import load_gazetteer

        shape_of = load_gazetteer().area_shape
        usable = []
        for group in sorted(groups, key=lambda g: g.id):
            try:  # an area an admin named (/area add) is not the gazetteer's: that group routes by group only
                Router([group], shape_of)
                usable.append(group)
            except UnknownArea:
                log.warning("group %s: an area is not a gazetteer name; direct messages do not route by it",
                            group.id)
        return Router(usable, shape_of)

    def region_for(self, conn: redis.Redis, message: InboundMessage, reporter: str,
                   quote_ref: str | None = None) -> keys.Region:
        """`quote_ref`: the key of the message it quotes (bot/ingest.py message_key), if any."""
        self._refresh(conn)
        if len(self._regions) <= 1:
            only = next(iter(self._regions), "")
            return keys.Region(only)
        if message.group is not None:
            return keys.Region(self._group_region.get(message.group, ""))
        named = _INCIDENT_ID.search(message.text) if message.text.lstrip().startswith("/") else None
        if named and (named.group(1) or "") in self._regions:
            return keys.Region(named.group(1) or "")
        if quote_ref:  # a reply to an alert, a dispatch or a report: where that message's incident is
            regions = sorted(self._regions)
            with conn.pipeline(transaction=False) as pipe:
                for name in regions:
                    pipe.exists(keys.Region(name).message_ref(quote_ref))
                found = [name for name, there in zip(regions, pipe.execute()) if there]
            if found:
                return keys.Region(found[0])
        point = self._locate(message)
        if point is not None and self._router is not None:
            for group_id in self._router.groups_for_point(*point):
                name = self._group_region.get(group_id, "")
                conn.set(keys.sender_region(reporter), name, ex=self._ttl_s)
                return keys.Region(name)
        last = conn.get(keys.sender_region(reporter))
        if last is not None and replies.text(last) in self._regions:
            return keys.Region(replies.text(last))
        return keys.Region(self._direct)
