"""Self-service membership of WhatsApp/SMS lists: "SUBSCRIBE <area>" / "SUSCRIBIR <zona>", "UNSUBSCRIBE".

A list is a `[[group]]` of channel whatsapp or sms; its members are sealed addresses in the core's group
config (relay:config:groups). A person can only add or remove themselves (the address Twilio vouched for).
Edits are optimistic transactions on that hash, so two people joining at once both land.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from alertrelay.bot import keys, replies
from alertrelay.bot.core.areas import GroupConfig
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import InvalidAddress
from alertrelay.bot.identity import Identity, normalise_address

MAX_TRIES = 20


@dataclass
class Membership:
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    available: list[str] = field(default_factory=list)
    """Lists of this channel, for the answer when nothing matched."""


def _load(conn: redis.Redis) -> dict[str, GroupConfig]:
    return {replies.text(k): GroupConfig.model_validate_json(v) for k, v in conn.hgetall(keys.GROUPS).items()}


def _names(group: GroupConfig) -> set[str]:
    return {fold(group.id)} | {fold(a) for a in group.areas if isinstance(a, str)}


def _member_index(identity: Identity, group: GroupConfig, canonical: str) -> int | None:
    for index, sealed in enumerate(group.members):
        try:
            if normalise_address(identity.unseal(sealed)) == canonical:
                return index
        except InvalidAddress:
            continue
    return None


def matching_lists(groups: dict[str, GroupConfig], channel: str, argument: str, lang: str) -> list[GroupConfig]:
    """Lists of `channel` named `argument` (list id or one of its area names); the `lang` ones if any."""
    wanted = fold(argument)
    found = [g for g in groups.values() if g.channel == channel and wanted in _names(g)]
    same_language = [g for g in found if g.language == lang]
    return same_language or found


def _edit(conn: redis.Redis, identity: Identity, address: str, channel: str, argument: str, lang: str,
          join: bool) -> Membership:
    canonical = normalise_address(address)
    for _ in range(MAX_TRIES):
        with conn.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(keys.GROUPS)  # type: ignore[no-untyped-call]  # redis-py's Pipeline.watch is untyped
                groups = _load(pipe)
                result = Membership(available=sorted(g.id for g in groups.values() if g.channel == channel))
                if join:
                    targets = matching_lists(groups, channel, argument, lang)
                elif argument:
                    targets = [g for g in groups.values() if g.channel == channel and fold(argument) in _names(g)]
                else:
                    targets = [g for g in groups.values() if g.channel == channel]
                changed: list[GroupConfig] = []
                for group in sorted(targets, key=lambda g: g.id):
                    index = _member_index(identity, group, canonical)
                    if join and index is None:
                        changed.append(group.model_copy(update={"members": [*group.members, identity.seal(canonical)]}))
                        result.joined.append(group.id)
                    elif join:
                        result.already.append(group.id)
                    elif index is not None:
                        members = [m for i, m in enumerate(group.members) if i != index]
                        changed.append(group.model_copy(update={"members": members}))
                        result.left.append(group.id)
                pipe.multi()
                for group in changed:
                    pipe.hset(keys.GROUPS, group.id, group.model_dump_json())
                if changed:
                    pipe.incr(keys.CONFIG_REV)
                pipe.execute()
                return result
            except redis.WatchError:
                continue
    raise redis.RedisError("group config kept changing; membership not updated")


def subscribe(conn: redis.Redis, identity: Identity, address: str, channel: str, argument: str,
              lang: str = "en") -> Membership:
    """Add `address` to the `channel` lists named by `argument` (a list id or an area name)."""
    if not argument.strip():
        groups = _load(conn)
        return Membership(available=sorted(g.id for g in groups.values() if g.channel == channel))
    return _edit(conn, identity, address, channel, argument, lang, join=True)


def unsubscribe(conn: redis.Redis, identity: Identity, address: str, channel: str, argument: str = "") -> Membership:
    """Remove `address` from the `channel` lists named by `argument`, or from all of them."""
    return _edit(conn, identity, address, channel, argument, "en", join=False)
