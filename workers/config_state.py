"""Groups, policy and roles live in Redis: seeded from areas.toml once, then changed by chat commands.
Member numbers are sealed; admins and verifiers are pseudonyms."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

import redis
from pydantic import BaseModel, TypeAdapter
from redis.client import Pipeline

from alertrelay.bot import keys
from alertrelay.bot.core.areas import AreasFile, AreaSpec, GroupConfig
from alertrelay.bot.core.models import Channel, Policy
from alertrelay.bot.identity import Identity, scrub_numbers
from alertrelay.workers.redis_conn import watch

if TYPE_CHECKING:
    from alertrelay.config.settings import Settings


@dataclass
class RelayConfig:
    rev: int
    policy: Policy
    groups: dict[str, GroupConfig]
    """members hold sealed addresses here, never clear numbers."""
    admins: set[str] = field(default_factory=set)
    verifiers: set[str] = field(default_factory=set)
    areas: dict[str, AreaSpec] = field(default_factory=dict)
    """Areas admins named with /area add."""
    area_policies: dict[str, Policy] = field(default_factory=dict)
    rights: dict[str, str] = field(default_factory=dict)
    verifier_info: dict[str, VerifierInfo] = field(default_factory=dict)


class VerifierInfo(BaseModel):
    sealed: str = ""
    """The verifier's address, sealed; empty when only the pseudonym is known (no dispatches then)."""
    channel: Channel = "signal"
    language: str = "en"
    areas: list[AreaSpec] = []


AREA_SPEC = TypeAdapter(AreaSpec)
T = TypeVar("T")
MAX_TRIES = 20
CONFIG_KEYS = (keys.GROUPS, keys.POLICY, keys.ADMINS, keys.VERIFIERS, keys.NAMED_AREAS, keys.AREA_POLICIES,
               keys.RIGHTS, keys.VERIFIER_INFO, keys.PLACES, keys.REGIONS)


def seed_config(conn: redis.Redis, areas: AreasFile, identity: Identity, *, force: bool = False) -> bool:
    """Write areas.toml into Redis unless it was seeded before. Returns True if it wrote."""
    if not force and not conn.set(keys.CONFIG_SEEDED, "1", nx=True):
        return False
    pipe = conn.pipeline(transaction=True)
    pipe.delete(keys.GROUPS, keys.ADMINS, keys.VERIFIERS, keys.VERIFIER_INFO, keys.REGIONS)
    if areas.regions.direct:
        pipe.hset(keys.REGIONS, "direct", areas.regions.direct)
    for group in areas.group:
        sealed = group.model_copy(update={"members": [identity.seal(m) for m in group.members]})
        pipe.hset(keys.GROUPS, group.id, sealed.model_dump_json())
    pipe.set(keys.POLICY, areas.policy.model_dump_json())
    for admin in areas.admin:
        pipe.sadd(keys.ADMINS, identity.pseudonym(admin.sender))
    for verifier in areas.verifier:
        pseudonym = identity.pseudonym(verifier.sender)
        pipe.sadd(keys.VERIFIERS, pseudonym)
        info = VerifierInfo(sealed=identity.seal(verifier.sender), channel=verifier.channel,
                            language=verifier.language, areas=verifier.areas)
        pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_dump_json())
    pipe.set(keys.CONFIG_SEEDED, "1")
    pipe.incr(keys.CONFIG_REV)
    pipe.execute()
    return True


CONFIG_READS: dict[str, tuple[str, str]] = {
    "policy": ("get", keys.POLICY),
    "groups": ("hgetall", keys.GROUPS),
    "admins": ("smembers", keys.ADMINS),
    "verifiers": ("smembers", keys.VERIFIERS),
    "areas": ("hgetall", keys.NAMED_AREAS),
    "area_policies": ("hgetall", keys.AREA_POLICIES),
    "rights": ("hgetall", keys.RIGHTS),
    "verifier_info": ("hgetall", keys.VERIFIER_INFO),
}
"""Where each part of the config lives, and the command that reads it whole."""


def read_config_raw(conn: redis.Redis, extra: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """Every config key as stored (bytes), read in one transaction: one consistent copy, for the relay
    (load_config parses it) and for `alertrelay export` (which writes it out, sealed values sealed)."""
    reads = {"rev": ("get", keys.CONFIG_REV), **CONFIG_READS, **(extra or {})}
    pipe = conn.pipeline(transaction=True)
    for command, key in reads.values():
        getattr(pipe, command)(key)
    return dict(zip(reads, pipe.execute()))


def load_config(conn: redis.Redis) -> RelayConfig:
    raw = read_config_raw(conn)
    return RelayConfig(
        rev=int(raw["rev"] or 0),
        policy=Policy.model_validate_json(raw["policy"]) if raw["policy"] else Policy(),
        groups={k.decode(): GroupConfig.model_validate_json(v) for k, v in sorted(raw["groups"].items())},
        admins={a.decode() for a in raw["admins"]},
        verifiers={v.decode() for v in raw["verifiers"]},
        areas={k.decode(): AREA_SPEC.validate_json(v) for k, v in sorted(raw["areas"].items())},
        area_policies={k.decode(): Policy.model_validate_json(v) for k, v in sorted(raw["area_policies"].items())},
        rights={k.decode(): v.decode() for k, v in raw["rights"].items()},
        verifier_info={k.decode(): VerifierInfo.model_validate_json(v) for k, v in raw["verifier_info"].items()},
    )


def transact(conn: redis.Redis, change: Callable[[Pipeline], T]) -> T:
    """Read-modify-write of the config, optimistic like bot/transports/subscriptions.py: `change` reads
    through the watching pipeline, calls `pipe.multi()` and queues its writes (and the rev bump); a
    concurrent edit makes it start over instead of being undone."""
    for _ in range(MAX_TRIES):
        with conn.pipeline(transaction=True) as pipe:
            try:
                watch(pipe, *CONFIG_KEYS)
                result = change(pipe)
                pipe.execute()
                return result
            except redis.WatchError:
                continue
    raise redis.RedisError("config kept changing; not updated")


@overload
def change_config(conn: redis.Redis, write: Callable[[Pipeline], None]) -> None: ...


@overload
def change_config(conn: redis.Redis, write: Callable[[Pipeline, T], None], read: Callable[[Pipeline], T]) -> None: ...


def change_config(conn: redis.Redis, write: Callable[..., None], read: Callable[[Pipeline], object] | None = None,
                  ) -> None:
    """One change of the config by a command, in a transaction (`transact`): `read`, if given, reads what
    the change needs through the watching pipeline (and raises to refuse); then, after MULTI, `write`
    queues the writes (given what `read` returned) and the rev bump follows them."""
    def run(pipe: Pipeline) -> None:
        seen = () if read is None else (read(pipe),)
        pipe.multi()
        write(pipe, *seen)
        pipe.incr(keys.CONFIG_REV)

    transact(conn, run)


def edit_group(conn: redis.Redis, group_id: str,
               change: Callable[[GroupConfig | None], GroupConfig | None]) -> GroupConfig | None:
    """Apply `change` to the group's current config (None: there is none yet) and store what it returns."""
    def run(pipe: Pipeline) -> GroupConfig | None:
        raw = pipe.hget(keys.GROUPS, group_id)
        updated = change(GroupConfig.model_validate_json(raw) if raw else None)
        pipe.multi()
        if updated is not None:
            pipe.hset(keys.GROUPS, group_id, updated.model_dump_json())
            pipe.incr(keys.CONFIG_REV)
        return updated

    return transact(conn, run)


def save_group(conn: redis.Redis, group: GroupConfig) -> None:
    edit_group(conn, group.id, lambda _current: group)


def audit(conn: redis.Redis, *, at: str, actor: str, role: str, action: str, detail: str, ok: bool,
          settings: Settings) -> None:
    """One audit entry, the trail capped by audit_max_entries and audit_max_age_s (workers/ops/retention.py)
    of `settings`."""
    from alertrelay.workers.ops.retention import write_audit

    write_audit(conn, {"at": at, "actor": actor, "role": role, "action": action,
                       "detail": scrub_numbers(detail)[:500], "ok": "1" if ok else "0"},
                max_entries=settings.audit_max_entries, max_age_s=settings.audit_max_age_s)


def config_json(config: RelayConfig) -> str:
    return json.dumps({"rev": config.rev, "groups": sorted(config.groups)})
