"""`alertrelay export` / `alertrelay import`: the configuration state as one versioned JSON file.

What an admin built up by chat commands since areas.toml seeded Redis: groups (member numbers sealed),
the policy and area policies, named areas, admins and verifiers (pseudonyms; verifier addresses sealed),
taught places, rights texts and the STOP opt-outs. Incidents and reports are not in it: they expire.
Sealed values stay sealed, so the file opens only with the same secret key: it records the key's check
value (workers/ops/keycheck.py) and import refuses another key before writing anything."""

from __future__ import annotations

import json
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict, ValidationError

from alertrelay.bot import keys
from alertrelay.bot.core.areas import GroupConfig
from alertrelay.bot.core.models import Policy
from alertrelay.bot.errors import BackupError
from alertrelay.workers.config_state import AREA_SPEC, CONFIG_KEYS, VerifierInfo, read_config_raw
from alertrelay.workers.ops.keycheck import key_check_value, stored_key_check
from alertrelay.workers.redis_conn import as_fields, watch

FORMAT = "alertrelay-config"
VERSION = 1
OPT_OUT_CHANNELS = ("whatsapp", "sms")
"""Twilio channels whose STOP opt-outs are kept (keys.twilio.suppressed): a restore must not re-add them."""


class ConfigBackup(BaseModel):
    """The file, version 1. Field names are the file's; every value is validated as the relay reads it."""
    model_config = ConfigDict(extra="forbid")
    format: str
    version: int
    key_check: str
    groups: dict[str, GroupConfig] = {}
    policy: Policy | None = None
    area_policies: dict[str, Policy] = {}
    areas: dict[str, Any] = {}
    admins: list[str] = []
    verifiers: list[str] = []
    verifier_info: dict[str, VerifierInfo] = {}
    places: dict[str, str] = {}
    rights: dict[str, str] = {}
    opt_outs: dict[str, list[str]] = {}
    regions: dict[str, str] = {}
    """areas.toml's [regions] table (only written when set, so a file without regions is as before)."""


def _text(mapping: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in sorted(mapping.items())}


def export_config(conn: redis.Redis, secret: bytes) -> dict[str, Any]:
    """The configuration as a JSON-ready dict, read in one transaction (a consistent copy)."""
    opt_outs = {f"opt_outs:{channel}": ("smembers", keys.twilio.suppressed(channel)) for channel in OPT_OUT_CHANNELS}
    raw = read_config_raw(conn, extra={"places": ("hgetall", keys.PLACES), "regions": ("hgetall", keys.REGIONS),
                                       **opt_outs})
    as_json = {name: {k: json.loads(v) for k, v in _text(raw[name]).items()}
               for name in ("groups", "area_policies", "areas", "verifier_info")}
    exported = {
        "format": FORMAT,
        "version": VERSION,
        "key_check": stored_key_check(conn) or key_check_value(secret),
        **as_json,
        "policy": json.loads(raw["policy"]) if raw["policy"] else None,
        "admins": sorted(a.decode() for a in raw["admins"]),
        "verifiers": sorted(v.decode() for v in raw["verifiers"]),
        "places": _text(raw["places"]),
        "rights": _text(raw["rights"]),
        "opt_outs": {channel: sorted(m.decode() for m in raw[f"opt_outs:{channel}"])
                     for channel in OPT_OUT_CHANNELS if raw[f"opt_outs:{channel}"]},
    }
    if raw["regions"]:
        exported["regions"] = _text(raw["regions"])
    return exported


def parse_backup(text: str) -> ConfigBackup:
    """The file read and checked; a clear error for anything the relay could not use."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BackupError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f"not an alertrelay configuration export (no \"format\": \"{FORMAT}\")")
    if raw.get("version") != VERSION:
        raise BackupError(f"export format version {raw.get('version')!r}; this alertrelay reads version {VERSION}")
    try:
        backup = ConfigBackup.model_validate(raw)
        for spec in backup.areas.values():
            AREA_SPEC.validate_python(spec)
    except ValidationError as exc:
        raise BackupError(f"invalid configuration: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    for place, where in backup.places.items():
        try:
            _lat, _lon = (float(x) for x in where.split(","))  # two numbers
        except ValueError:
            raise BackupError(f"place {place!r}: {where!r} is not 'lat,lon'") from None
    unknown = set(backup.opt_outs) - set(OPT_OUT_CHANNELS)
    if unknown:
        raise BackupError(f"opt-outs for unknown channels: {sorted(unknown)}")
    return backup


def config_is_empty(conn: redis.Redis) -> bool:
    return not conn.exists(keys.CONFIG_SEEDED, *CONFIG_KEYS,
                           *(keys.twilio.suppressed(channel) for channel in OPT_OUT_CHANNELS))


def import_config(conn: redis.Redis, secret: bytes, text: str) -> ConfigBackup:
    """Restore an export into a Redis with no configuration yet (nothing that is there is overwritten).
    Marks the config seeded, so `alertrelay run` does not seed areas.toml over it."""
    backup = parse_backup(text)
    if backup.key_check != key_check_value(secret):
        raise BackupError("the export was sealed with another secret key: its member numbers and verifier "
                          "addresses would not open. Set ALERTRELAY_SECRET_KEY to the key of the exported relay")
    stored = stored_key_check(conn)
    if stored is not None and stored != backup.key_check:
        raise BackupError("this Redis holds data sealed with another secret key")

    with conn.pipeline(transaction=True) as pipe:
        # WATCH then check: a relay that seeds itself at the same moment makes this fail, not mix
        watch(pipe, keys.CONFIG_SEEDED, *CONFIG_KEYS)
        if not config_is_empty(pipe):
            raise BackupError("this Redis already has a configuration: import only restores into an empty one "
                              "(a new Redis, before the first `alertrelay run`, which seeds areas.toml)")
        pipe.multi()
        for group_id, group in backup.groups.items():
            pipe.hset(keys.GROUPS, group_id, group.model_dump_json())
        if backup.policy is not None:
            pipe.set(keys.POLICY, backup.policy.model_dump_json())
        for name, policy in backup.area_policies.items():
            pipe.hset(keys.AREA_POLICIES, name, policy.model_dump_json())
        for name, spec in backup.areas.items():
            pipe.hset(keys.NAMED_AREAS, name, json.dumps(spec))
        if backup.admins:
            pipe.sadd(keys.ADMINS, *backup.admins)
        if backup.verifiers:
            pipe.sadd(keys.VERIFIERS, *backup.verifiers)
        for pseudonym, info in backup.verifier_info.items():
            pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_dump_json())
        if backup.places:
            pipe.hset(keys.PLACES, mapping=as_fields(backup.places))
        if backup.rights:
            pipe.hset(keys.RIGHTS, mapping=as_fields(backup.rights))
        for channel, members in backup.opt_outs.items():
            if members:
                pipe.sadd(keys.twilio.suppressed(channel), *members)
        if backup.regions:
            pipe.hset(keys.REGIONS, mapping=as_fields(backup.regions))
        pipe.set(keys.KEY_CHECK, backup.key_check)
        pipe.set(keys.CONFIG_SEEDED, "1")
        pipe.incr(keys.CONFIG_REV)
        try:
            pipe.execute()
        except redis.WatchError:
            raise BackupError("the configuration changed while importing (is a relay running on this "
                              "Redis?); nothing was written") from None
    return backup


def summary(backup: ConfigBackup | dict[str, Any]) -> str:
    data = backup.model_dump() if isinstance(backup, ConfigBackup) else backup
    return (f"{len(data['groups'])} groups, {len(data['areas'])} named areas, {len(data['area_policies'])} "
            f"area policies, {len(data['admins'])} admins, {len(data['verifiers'])} verifiers, "
            f"{len(data['places'])} places, {len(data['rights'])} rights texts, "
            f"{sum(len(m) for m in data['opt_outs'].values())} opt-outs")
