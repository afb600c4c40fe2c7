"""`alertrelay doctor`: is this relay fit to carry an alert right now? Each check answers with a one-line
verdict and, when it fails, the fix. Signal and Twilio are checked only when configured. Nothing here writes
to Redis or to the providers: every call is a read (Twilio: fetching the Account)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

from alertrelay.bot import keys
from alertrelay.bot.regions import all_regions
from alertrelay.config.settings import Settings
from alertrelay.workers.ops.checks import Check
from alertrelay.workers.ops.checks import failed as _failed
from alertrelay.workers.ops.checks import passed as _passed

MAX_QUEUE_DEPTH = 1000
"""More jobs waiting than this: the workers are not keeping up (or none is running)."""
MAX_CLOCK_SKEW_S = 5.0
MIN_FREE_MEMORY = 0.10
"""Below this share of maxmemory (or of the machine's memory) left, writes will soon be refused."""
MIN_SIGNAL_API = (0, 101)
HTTP_TIMEOUT_S = 5.0


# ---- Redis -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    """Which Redis the single-server checks are about: the prefix of their names, and its words in their
    verdicts and fixes."""
    name: str
    said: str
    """Before each verdict ("" for the store: it is what "Redis" means everywhere else)."""
    holds: str
    """What it would drop when full."""
    fix_on: str
    """Before each fix."""


STORE = Server("redis", "", "incidents, queued jobs or the configuration", "")
QUEUE = Server("redis.queue", "rq's Redis: ", "jobs the relay accepted and has not delivered yet",
               "on rq's Redis (ALERTRELAY_QUEUE_REDIS_URL): ")
"""rq's own Redis (ALERTRELAY_QUEUE_REDIS_URL): its jobs are accepted reports and alerts not yet delivered,
so it needs the store's persistence."""


def redis_checks(conn: redis.Redis) -> list[Check]:
    try:
        conn.ping()
    except redis.RedisError as exc:
        return [_failed("redis", f"unreachable: {type(exc).__name__}: {str(exc)[:120]}",
                        "start Redis, or set ALERTRELAY_REDIS_URL to where it runs")]
    return [_passed("redis", "reachable"), *persistence_checks(conn, STORE)]


def queue_redis_checks(conn: redis.Redis) -> list[Check]:
    """rq's own Redis, once store_checks.queue_check found it reachable and a single server."""
    return persistence_checks(conn, QUEUE)


def persistence_checks(conn: redis.Redis, server: Server) -> list[Check]:
    """Will what `server` holds survive a restart, and is there room for more: AOF, its fsync, the eviction
    policy, free memory."""
    def ok(name: str, verdict: str) -> Check:
        return _passed(f"{server.name}.{name}", server.said + verdict)

    def bad(name: str, verdict: str, fix: str, needed: bool = True) -> Check:
        return _failed(f"{server.name}.{name}", server.said + verdict, server.fix_on + fix, needed)

    checks = []
    persistence, memory = conn.info("persistence"), conn.info("memory")
    if int(persistence.get("aof_enabled", 0)):
        checks.append(ok("aof", "append-only file on"))
    else:
        checks.append(bad("aof", "append-only file off: a restart loses what was written since the last snapshot",
                          "redis-server --appendonly yes (or CONFIG SET appendonly yes and CONFIG REWRITE)"))
    try:
        fsync = conn.config_get("appendfsync").get("appendfsync", "")
    except redis.ResponseError:  # a managed Redis may forbid CONFIG
        fsync = None
    if fsync is None:
        checks.append(bad("appendfsync", "cannot be read (CONFIG is disabled)",
                          "make sure the provider fsyncs the AOF every second", needed=False))
    elif fsync in ("everysec", "always"):
        checks.append(ok("appendfsync", f"appendfsync {fsync}"))
    else:
        checks.append(bad("appendfsync", f"appendfsync {fsync}: the OS decides when writes reach disk",
                          "redis-server --appendfsync everysec"))
    policy = memory.get("maxmemory_policy", "")
    if policy == "noeviction":
        checks.append(ok("eviction", "maxmemory-policy noeviction"))
    else:
        checks.append(bad("eviction", f"maxmemory-policy {policy}: Redis may silently drop {server.holds} "
                          "when full", "redis-server --maxmemory-policy noeviction"))
    used = int(memory.get("used_memory", 0))
    limit = int(memory.get("maxmemory", 0)) or int(memory.get("total_system_memory", 0))
    if limit and (limit - used) / limit < MIN_FREE_MEMORY:
        checks.append(bad("memory", f"{used >> 20} MiB used of {limit >> 20} MiB",
                          "raise maxmemory, give the machine more memory, or `alertrelay purge`"))
    else:
        checks.append(ok("memory", f"{used >> 20} MiB used" + (f" of {limit >> 20} MiB" if limit else "")))
    return checks


def secret_key_check(conn: redis.Redis | None, settings: Settings) -> Check:
    from alertrelay.workers.ops.keycheck import key_check_value, stored_key_check

    path = Path(settings.data_dir) / "secret.key"
    if settings.secret_key is None and not path.exists():  # secret_bytes() would make one: doctor only looks
        return _failed("secret_key", f"no ALERTRELAY_SECRET_KEY and no {path}",
                       "set ALERTRELAY_SECRET_KEY (the same for the bot and every worker), or start the relay "
                       "once to generate data_dir/secret.key; back it up")
    if conn is None:
        return _failed("secret_key", "present; not compared (Redis unreachable)", "fix Redis first")
    if conn.exists(keys.ROTATION):
        return _failed("secret_key", "a key rotation is half done",
                       "run `alertrelay rotate-key` again with the same old and new keys")
    stored = stored_key_check(conn)
    if stored is None:
        return _passed("secret_key", "present; no data sealed with any key yet")
    if stored != key_check_value(settings.secret_bytes()):
        return _failed("secret_key", "not the key that sealed the data in Redis: pseudonyms would change and "
                       "no member number would open", "set ALERTRELAY_SECRET_KEY back to the key in use, or "
                       "move to this one with `alertrelay rotate-key`")
    return _passed("secret_key", "present, and the one that sealed the data in Redis")


def areas_check(settings: Settings) -> Check:
    from alertrelay.bot.errors import AreasFileError
    from alertrelay.config.areas import load_areas

    try:
        areas = load_areas(settings.areas)
    except AreasFileError as exc:
        return _failed("areas", str(exc)[:300], "fix the file (FORMAT.md) and run doctor again")
    return _passed("areas", f"{settings.areas}: {len(areas.group)} groups, {len(areas.admin)} admins")


def clock_check(conn: redis.Redis, now: Callable[[], float] = time.time) -> Check:
    seconds, micros = conn.time()
    skew = now() - (seconds + micros / 1e6)
    if abs(skew) > MAX_CLOCK_SKEW_S:
        return _failed("clock", f"this machine and Redis disagree by {skew:+.1f} s: incidents' windows and "
                       "expiry would be off", "run NTP (timedatectl set-ntp true / chrony) on both machines")
    return _passed("clock", f"agrees with Redis ({skew:+.2f} s)")


def rq_checks(conn: redis.Redis, settings: Settings, queue_conn: redis.Redis | None = None) -> list[Check]:
    from rq import Worker
    from rq.registry import FailedJobRegistry

    from alertrelay.bot.queues import make_queue

    queue = make_queue(conn if queue_conn is None else queue_conn)
    now = time.time()
    workers = Worker.all(queue=queue)
    alive = [w for w in workers if w.last_heartbeat is not None
             and now - w.last_heartbeat.timestamp() <= 2 * settings.worker_ttl_s + settings.job_timeout_s]
    checks = []
    if alive:
        checks.append(_passed("rq.workers", f"{len(alive)} worker(s) alive"))
    else:
        checks.append(_failed("rq.workers", "no rq worker is alive: reports are queued and nobody decides them",
                              "start workers: `alertrelay worker` (or `alertrelay run --workers 2`)"))
    depth = queue.count
    waiting = sum(conn.xlen(region.inbox) for region in all_regions(conn) if conn.exists(region.inbox))
    if depth > MAX_QUEUE_DEPTH:
        checks.append(_failed("rq.queue", f"{depth} jobs waiting, {waiting} inbound messages",
                              "start more workers; see `alertrelay worker`"))
    else:
        checks.append(_passed("rq.queue", f"{depth} jobs waiting, {waiting} inbound messages"))
    failed = FailedJobRegistry(queue=queue).count
    dead = conn.xlen(keys.INBOX_DEAD) if conn.exists(keys.INBOX_DEAD) else 0
    if failed or dead:
        checks.append(_failed("rq.failed", f"{failed} failed job(s), {dead} dead inbound message(s)",
                              "read the worker logs; `rq info` / `rq requeue --all -u $ALERTRELAY_REDIS_URL` "
                              "once the cause is fixed"))
    else:
        checks.append(_passed("rq.failed", "no failed jobs"))
    return checks


# ---- providers --------------------------------------------------------------------------------------------

def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return ()


def signal_checks(settings: Settings, http: httpx.Client) -> list[Check]:
    from alertrelay.bot.transports.signal_sender import connection_schemes

    if not (settings.signal_service and settings.signal_number):
        return []
    service = settings.signal_service.strip().rstrip("/")
    about, base, error = None, "", ""
    for scheme in connection_schemes(settings.signal_https):
        base = service if "://" in service else f"{scheme}://{service}"
        try:
            response = http.get(f"{base}/v1/about")
            response.raise_for_status()
            about = response.json()
            break
        except (httpx.HTTPError, ValueError) as exc:
            error = f"{type(exc).__name__}: {str(exc)[:100]}"
    if about is None:
        return [_failed("signal.api", f"signal-cli-rest-api at {service} unreachable ({error})",
                        "docker compose up -d signal-api; check ALERTRELAY_SIGNAL_SERVICE / SIGNAL_HTTPS")]
    checks = []
    version, mode = str(about.get("version", "")), about.get("mode")
    if mode != "json-rpc" or _version(version) < MIN_SIGNAL_API:
        checks.append(_failed("signal.api", f"version {version}, mode {mode}",
                              "run bbernhard/signal-cli-rest-api ≥ 0.101 with MODE=json-rpc"))
    else:
        checks.append(_passed("signal.api", f"reachable, version {version}, mode {mode}"))
    try:
        response = http.get(f"{base}/v1/accounts")
        response.raise_for_status()
        accounts = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        accounts = None
        checks.append(_failed("signal.account", f"cannot list accounts ({type(exc).__name__})",
                              "check the signal-api logs"))
    if accounts is not None:
        if settings.signal_number in accounts:
            checks.append(_passed("signal.account", "the bot number is registered"))
        else:
            checks.append(_failed("signal.account", f"the bot number is not registered here ({len(accounts)} "
                                  "other account(s))", "register or link it: README § Signal, step 2"))
    # signal-cli-rest-api cannot read a profile back: a reminder, not a verdict
    checks.append(Check("signal.profile", True, "cannot be read back through the API: set once with "
                        "PUT /v1/profiles/{number} {\"name\": …} (group sends fail without one)", needed=False))
    if settings.signal_webhook_token is None:
        checks.append(_failed("signal.webhook_token", "ALERTRELAY_SIGNAL_WEBHOOK_TOKEN unset: messages that "
                              "arrive while the websocket reconnects are lost",
                              "set SIGNAL_WEBHOOK_TOKEN in .env (compose passes it to both sides)"))
    else:
        checks.append(_passed("signal.webhook_token", "set"))
    return checks


def twilio_checks(settings: Settings, languages: set[str], http: httpx.Client) -> list[Check]:
    if not settings.twilio_account_sid:
        return []
    checks = []
    if settings.twilio_auth_token is None:
        checks.append(_failed("twilio.credentials", "ALERTRELAY_TWILIO_AUTH_TOKEN unset",
                              "copy the Auth Token from the Twilio console into .env"))
    else:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        from alertrelay.bot.transports.twilio_sender import make_client

        try:  # the real client, one read-only call: fetch the Account
            account = make_client(settings).api.v2010.accounts(settings.twilio_account_sid).fetch()
            if account.status == "active":
                checks.append(_passed("twilio.credentials", "accepted (account active)"))
            else:
                checks.append(_failed("twilio.credentials", f"account status {account.status}",
                                      "see the Twilio console (suspended or closed accounts send nothing)"))
        except TwilioRestException as exc:
            checks.append(_failed("twilio.credentials", f"refused ({exc.status}, code {exc.code}): wrong account "
                                  "SID or auth token", "copy both again from the Twilio console"))
        except (TwilioException, OSError) as exc:
            checks.append(_failed("twilio.credentials", f"Twilio API unreachable ({type(exc).__name__})",
                                  "check the network (and ALERTRELAY_TWILIO_API_URL)"))
    missing = sorted(lang for lang in languages if not getattr(settings, f"twilio_content_sid_{lang}", None))
    if settings.twilio_whatsapp_from or settings.twilio_messaging_service_sid:
        if missing:
            checks.append(_failed("twilio.templates", f"no approved WhatsApp template for {', '.join(missing)}: "
                                  "members outside the 24-hour window get nothing",
                                  " ".join(f"ALERTRELAY_TWILIO_CONTENT_SID_{lang.upper()}=HX…" for lang in missing)))
        else:
            checks.append(_passed("twilio.templates", f"configured for {', '.join(sorted(languages)) or 'no group'}"))
    if not settings.public_url:
        checks.append(_failed("twilio.webhook", "ALERTRELAY_PUBLIC_URL unset: signatures cannot be checked, "
                              "every webhook is refused", "set it to the https:// address Twilio calls"))
    else:
        try:
            http.get(f"{settings.public_url.rstrip('/')}/healthz").raise_for_status()
            checks.append(_passed("twilio.webhook", f"{settings.public_url} reachable"))
        except httpx.HTTPError as exc:
            checks.append(_failed("twilio.webhook", f"{settings.public_url}/healthz unreachable "
                                  f"({type(exc).__name__})", "check the reverse proxy / tunnel in front of the bot"))
    return checks


# ---- all together -----------------------------------------------------------------------------------------

def _group_languages(conn: redis.Redis | None, settings: Settings) -> set[str]:
    """Languages of the WhatsApp groups: the ones in Redis if there are, else areas.toml's."""
    groups: list[Any] = []
    if conn is not None:
        from alertrelay.workers.config_state import load_config

        groups = list(load_config(conn).groups.values())
    if not groups:
        try:
            from alertrelay.config.areas import load_areas

            groups = load_areas(settings.areas).group
        except ValueError:
            groups = []
    return {g.language for g in groups if g.channel == "whatsapp"}


def doctor_connections(settings: Settings) -> tuple[redis.Redis | Check, redis.Redis | None]:
    """The store and rq's own Redis (None: rq uses the store) for `alertrelay doctor`. A cluster that does
    not answer is doctor's FAIL verdict in the store's place, not an error (a single server's client only
    connects when asked, and redis_checks says so); settings that cannot work still raise ConfigError."""
    from redis.exceptions import RedisClusterException

    from alertrelay.workers.ops.store_checks import open_store, unreachable_cluster
    from alertrelay.workers.redis_conn import check_store_settings, connect, connect_store

    check_store_settings(settings)
    queue_conn = connect(settings.queue_redis_url) if settings.queue_redis_url else None
    try:
        store = connect_store(settings)
    except (redis.RedisError, RedisClusterException) as exc:  # a cluster client asks for the slots at once
        return unreachable_cluster(exc), queue_conn
    return open_store(settings, store), queue_conn


def run_checks(settings: Settings, conn: redis.Redis | Check, queue_conn: redis.Redis | None = None, *,
               http: httpx.Client | None = None, now: Callable[[], float] = time.time) -> list[Check]:
    """`conn`: the store, or the FAIL verdict of a cluster that did not answer (doctor_connections);
    `queue_conn`: rq's Redis when it is not the store's (ALERTRELAY_QUEUE_REDIS_URL)."""
    from alertrelay.bot.scripts import is_cluster
    from alertrelay.workers.ops.store_checks import cluster_checks, queue_check

    client = http or httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False)
    store: redis.Redis | None
    try:
        if isinstance(conn, Check):
            store, checks = None, [conn]
        else:
            store, checks = conn, cluster_checks(conn, redis_checks) if is_cluster(conn) else redis_checks(conn)
        reachable = store if store is not None and checks[0].ok else None
        rq_conn = store if queue_conn is None else queue_conn
        if rq_conn is not None:
            checks += queue_check(settings, rq_conn, queue_redis_checks)
        checks.append(secret_key_check(reachable, settings))
        checks.append(areas_check(settings))
        if reachable is not None and all(c.ok for c in checks if c.name == "redis.queue"):
            checks.append(clock_check(reachable, now))
            checks += rq_checks(reachable, settings, queue_conn)
        checks += signal_checks(settings, client)
        checks += twilio_checks(settings, _group_languages(reachable, settings), client)
        return checks
    finally:
        if http is None:
            client.close()


def healthy(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.needed)


def as_json(checks: list[Check]) -> dict[str, Any]:
    return {"ok": healthy(checks), "checks": [asdict(c) for c in checks]}


def as_text(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.needed else "warn")
        lines.append(f"{mark} {c.name}: {c.verdict}" + (f"\n       fix: {c.fix}" if not c.ok and c.fix else ""))
    lines.append("healthy" if healthy(checks) else "NOT healthy: fix the FAIL lines above")
    return "\n".join(lines)
