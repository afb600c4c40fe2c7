"""Groups, policy and roles live in Redis: seeded from areas.toml once, then changed by chat commands.
Member numbers are sealed; admins and verifiers are pseudonyms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import redis

from bot.core.areas import AreasFile, GroupConfig
from bot.core.models import Policy
from bot.identity import Identity
from workers import keys


@dataclass
class RelayConfig:
    rev: int
    policy: Policy
    groups: dict[str, GroupConfig]
    """members hold sealed addresses here, never clear numbers."""
    admins: set[str] = field(default_factory=set)
    verifiers: set[str] = field(default_factory=set)


def seed_config(conn: redis.Redis, areas: AreasFile, identity: Identity, *, force: bool = False) -> bool:
    """Write areas.toml into Redis unless it was seeded before. Returns True if it wrote."""
    if not force and not conn.set(keys.CONFIG_SEEDED, "1", nx=True):
        return False
    pipe = conn.pipeline(transaction=True)
    pipe.delete(keys.GROUPS, keys.ADMINS, keys.VERIFIERS)
    for group in areas.group:
        sealed = group.model_copy(update={"members": [identity.seal(m) for m in group.members]})
        pipe.hset(keys.GROUPS, group.id, sealed.model_dump_json())
    pipe.set(keys.POLICY, areas.policy.model_dump_json())
    for admin in areas.admin:
        pipe.sadd(keys.ADMINS, identity.pseudonym(admin.sender))
    for verifier in areas.verifier:
        pipe.sadd(keys.VERIFIERS, identity.pseudonym(verifier.sender))
    pipe.set(keys.CONFIG_SEEDED, "1")
    pipe.incr(keys.CONFIG_REV)
    pipe.execute()
    return True


def load_config(conn: redis.Redis) -> RelayConfig:
    pipe = conn.pipeline(transaction=True)
    pipe.get(keys.CONFIG_REV)
    pipe.get(keys.POLICY)
    pipe.hgetall(keys.GROUPS)
    pipe.smembers(keys.ADMINS)
    pipe.smembers(keys.VERIFIERS)
    rev, policy, groups, admins, verifiers = pipe.execute()
    return RelayConfig(
        rev=int(rev or 0),
        policy=Policy.model_validate_json(policy) if policy else Policy(),
        groups={k.decode(): GroupConfig.model_validate_json(v) for k, v in sorted(groups.items())},
        admins={a.decode() for a in admins},
        verifiers={v.decode() for v in verifiers},
    )


def save_group(conn: redis.Redis, group: GroupConfig) -> None:
    pipe = conn.pipeline(transaction=True)
    pipe.hset(keys.GROUPS, group.id, group.model_dump_json())
    pipe.incr(keys.CONFIG_REV)
    pipe.execute()


def audit(conn: redis.Redis, *, at: str, actor: str, role: str, action: str, detail: str, ok: bool) -> None:
    conn.xadd(keys.AUDIT, {"at": at, "actor": actor, "role": role, "action": action,
                           "detail": detail[:500], "ok": "1" if ok else "0"},
              maxlen=keys.AUDIT_MAXLEN, approximate=True)


def config_json(config: RelayConfig) -> str:
    return json.dumps({"rev": config.rev, "groups": sorted(config.groups)})
