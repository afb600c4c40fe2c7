"""What `alertrelay doctor` says about where the relay keeps its data: a Redis Cluster (every primary
checked like a single server, the cluster's state, every group in a region) and rq's own Redis when it is
separate (ALERTRELAY_QUEUE_REDIS_URL). A one-server relay gets the single-server checks only."""

from __future__ import annotations

from collections.abc import Callable

import redis
from redis.exceptions import RedisClusterException

from alertrelay.bot import keys
from alertrelay.bot.errors import ConfigError
from alertrelay.bot.scripts import is_cluster
from alertrelay.config.settings import Settings
from alertrelay.workers.ops.checks import Check, failed, passed
from alertrelay.workers.redis_conn import connect_store, primaries


def open_store(settings: Settings, conn: redis.Redis | None = None, *, runnable: bool = False) -> redis.Redis:
    """The store for a command (`conn`, or a new connection), its keys under today's names
    (workers/key_names.py). `runnable`: also refuse a configuration a Redis Cluster cannot run."""
    from alertrelay.workers.key_names import migrate_key_names

    try:
        store = connect_store(settings) if conn is None else conn
    except (redis.RedisError, RedisClusterException) as exc:  # a cluster client asks for the slots at once
        raise ConfigError(f"the Redis Cluster at {settings.redis_url} does not answer: {exc}") from exc
    try:
        migrate_key_names(store)
    except redis.ConnectionError:
        pass  # unreachable: the command itself says so (doctor's verdict, the others' error)
    problem = cluster_region_problem(store) if runnable else None
    if problem:
        raise ConfigError(f'{problem} (README "Running it on Redis Cluster")')
    return store


def cluster_region_problem(conn: redis.Redis) -> str | None:
    """On a cluster, why the configuration cannot run there (None: it can). The default region's keys have
    no hash tag (they keep the names of a relay without regions), so its scripts would span slots: every
    group needs a region, and `[regions] direct` says where a direct message goes."""
    if not is_cluster(conn):
        return None
    from alertrelay.workers.config_state import load_config

    groups = load_config(conn).groups
    if not groups:
        return None
    missing = sorted(group.id for group in groups.values() if not group.region)
    if missing:
        return (f"on a Redis Cluster every group needs a region; {len(missing)} have none: "
                f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    if not conn.hget(keys.REGIONS, "direct"):
        return "on a Redis Cluster `[regions] direct` must name the region of direct messages"
    return None


def _merge(per_node: list[tuple[str, list[Check]]]) -> list[Check]:
    """One check per name over every primary: passed when it passed on each, else the failures, by node."""
    merged: list[Check] = []
    names = list(dict.fromkeys(check.name for _, checks in per_node for check in checks))
    for name in names:
        found = [(node, check) for node, checks in per_node for check in checks if check.name == name]
        bad = [(node, check) for node, check in found if not check.ok]
        if not bad:
            merged.append(passed(name, f"{found[0][1].verdict} (each of {len(per_node)} primaries)"))
            continue
        first = bad[0][1]
        merged.append(Check(name, False, "; ".join(f"{node}: {check.verdict}" for node, check in bad),
                            first.fix, all(check.needed for _, check in bad) or first.needed))
    return merged


def cluster_checks(conn: redis.Redis, single: Callable[[redis.Redis], list[Check]]) -> list[Check]:
    """On a cluster: its state, then `single` (the one-server checks) on each primary, merged."""
    try:
        nodes = primaries(conn)
        states = [(name, node.cluster("info")) for name, node in nodes]
    except redis.RedisError as exc:
        return [unreachable_cluster(exc)]
    bad = [name for name, info in states if _field(info, "cluster_state") != "ok"]
    slots = max((int(_field(info, "cluster_slots_ok") or 0) for _, info in states), default=0)
    if bad or slots < 16384:
        checks = [failed("redis.cluster", f"cluster state not ok on {', '.join(bad) or 'every node'} "
                         f"({slots} of 16384 slots served)", "redis-cli --cluster check <node>: "
                         "assign the missing slots or bring the failed primaries back")]
    else:
        checks = [passed("redis.cluster", f"a Redis Cluster: {len(nodes)} primaries, all 16384 slots served")]
    problem = cluster_region_problem(conn)
    if problem:
        checks.append(failed("redis.cluster.regions", problem,
                             "give every [[group]] a region = \"…\" and set [regions] direct in areas.toml "
                             "(then export, edit, import), or run on one Redis server"))
    return checks + _merge([(name, single(node)) for name, node in nodes])


def _field(info: object, name: str) -> str:
    """A field of CLUSTER INFO, whichever shape redis-py answers it in (a dict, or its text)."""
    if isinstance(info, dict):
        return str(info.get(name, ""))
    text = info.decode() if isinstance(info, bytes) else str(info)
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return value.strip()
    return ""


def queue_check(settings: Settings, queue_conn: redis.Redis,
                single: Callable[[redis.Redis], list[Check]]) -> list[Check]:
    """rq's Redis, when it is its own (ALERTRELAY_QUEUE_REDIS_URL): reachable, a single server, and then
    `single` (the one-server persistence checks, under its own names) on it."""
    if not settings.queue_redis_url:
        return []
    try:
        queue_conn.ping()
        mode = queue_conn.info("server").get("redis_mode", "standalone")
    except redis.RedisError as exc:
        return [failed("redis.queue", f"rq's Redis unreachable: {type(exc).__name__}: {str(exc)[:120]}",
                       "start it, or set ALERTRELAY_QUEUE_REDIS_URL to where it runs")]
    if mode == "cluster":
        return [failed("redis.queue", "rq's Redis is a cluster node: rq's transactions span slots",
                       "point ALERTRELAY_QUEUE_REDIS_URL at a single-node Redis or Valkey")]
    return [passed("redis.queue", "rq's Redis is separate (ALERTRELAY_QUEUE_REDIS_URL), reachable, one server"),
            *single(queue_conn)]


def unreachable_cluster(exc: Exception) -> Check:
    return failed("redis", f"cluster unreachable: {type(exc).__name__}: {str(exc)[:200]}",
                  "start the cluster, or set ALERTRELAY_REDIS_URL to one of its nodes")
