"""Typed settings. Built once in entrypoints and passed down.

Precedence (pydantic-settings): a command-line flag that was given, then ALERTRELAY_* environment
variables, then a `.env` file in the working directory, then the defaults below. A flag that was not
given is not passed at all, so it never hides the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED_REDIS_SOCKET = "redis.sock"
"""The embedded Redis server's socket file, in Settings.embedded_redis_dir()."""

EXAMPLE_AREAS = Path(__file__).parent / "example.areas.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALERTRELAY_", env_nested_delimiter="__", extra="ignore",
                                      env_file=".env", env_file_encoding="utf-8")

    redis_url: str | None = None
    """A real Redis or Valkey. Unset: an embedded Redis server under data_dir (append-only on)."""
    redis_cluster: bool = False
    """redis_url is one node of a Redis Cluster or Valkey cluster (any node: the client finds the rest).
    Needs queue_redis_url: rq is not cluster-aware (README "Running it on Redis Cluster")."""
    queue_redis_url: str | None = None
    """rq's own single-node Redis (queue, jobs, registries). Unset: rq shares redis_url's Redis, as it
    always did; required with redis_cluster."""
    data_dir: Path = Path("data")
    secret_key: SecretStr | None = None
    """Keys reporter pseudonyms (HMAC) and seals reply addresses. Unset: generated once into data_dir."""
    areas: Path = EXAMPLE_AREAS
    """Groups, areas, policy, admins and verifiers (FORMAT.md). Seeds Redis on first start."""

    report_ttl_s: int = 72 * 3600
    quiet_period_s: int = 90 * 60
    """An incident with no new report for this long expires (an `update` goes to the groups it alerted)."""
    pending_place_ttl_s: int = 30 * 60
    """How long a report without a usable place waits for the sender to say where."""

    worker_ttl_s: int = 30
    maintenance_interval_s: int = 30
    job_timeout_s: int = 60
    abandoned_grace_s: int = 10
    """A job of a worker that died is retried job_timeout_s + abandoned_grace_s after it started
    (rq's own grace is a fixed 60 s)."""
    claim_idle_s: int = 30
    """An inbound message a dead worker had read but not finished is taken over after this long."""
    delivery_lease_s: int = 60
    """A send that started and never confirmed is looked up at the provider after this long (and sent
    again only if it is not there). Longer than the senders' HTTP timeouts."""
    durable_ack: str = "auto"
    """How the writes that must survive a machine crash are made durable: a delivery's claim (before the
    send) and its "sent" (after it), and an inbound message before the webhook answers (README "Delivery
    guarantees"): "auto" fsyncs the AOF of a Redis on this host (the embedded one) and
    relies on appendfsync otherwise; "fsync" the same but warns when there is no local AOF; "waitaof"
    (WAITAOF 1 0, Redis >= 7.2); "replicas:N" (WAIT N); "" nothing beyond appendfsync."""
    redis_appendfsync: str = "everysec"
    """The embedded Redis's appendfsync. "everysec": a crash of the machine loses up to ~2 s of writes,
    except the delivery claims and accepted inbound messages, which durable_ack fsyncs. "always": nothing
    acknowledged is lost, at about a quarter of the pipeline's throughput on this machine's disk (README)."""
    tick_s: int = 15
    """How often workers queue the expiry sweep (which also restarts a stalled inbox)."""

    audit_max_entries: int = 10_000
    """The audit trail keeps about this many entries (older ones are trimmed as new ones are written)."""
    audit_max_age_s: int = 90 * 24 * 3600
    """…and none older than this."""

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    """json: one JSON object per line with the message key / incident / alert id (config/logging.py)."""
    outbox: Path | None = None
    """Record outbound messages to this JSONL file instead of sending (drills, tests, local runs)."""

    http_host: str = "127.0.0.1"
    http_port: int = 8787

    signal_service: str | None = None
    signal_number: str | None = None
    signal_https: str = "auto"
    signal_webhook_token: SecretStr | None = None
    """Shared with signal-cli-rest-api's RECEIVE_WEBHOOK_URL (…/signal/receive?token=…). Unset: no webhook sink."""
    signal_reactions: bool = True
    """React 👀 to a group report that was counted and ✅ once its incident is verified."""
    signal_linked_device: bool = False
    """The bot number is a linked device of a phone someone uses: direct messages are then taken from the
    webhook only (signalbot cannot tell the phone's own sent messages from incoming ones)."""

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    public_url: str | None = None
    """The base URL Twilio calls (https://bot.example.org): signatures are checked against it + the path."""
    # -- Twilio transport (bot/transports/twilio*.py, docs/twilio.md)
    twilio_content_sid_en: str | None = None
    """Approved WhatsApp template (ContentSid HX…) for English lists, used outside the 24-hour window.
    Variables: {{1}} place, {{2}} the alert text on one line."""
    twilio_content_sid_es: str | None = None
    twilio_whatsapp_rate_per_s: float = 80.0
    """Messages per second for the WhatsApp sender, shared by all workers (Twilio default: 80 MPS)."""
    twilio_sms_rate_per_s: float = 1.0
    """SMS: 1/s for a US long code, ~3 toll-free, 100+ short code or a Messaging Service pool."""
    twilio_validity_period_s: int = 1800
    """Twilio drops a message still queued after this long: a stale alert is worse than none."""
    twilio_http_timeout_s: float = 10.0
    twilio_slowdown_s: int = 600
    """After a 63018 (rate or Meta tier limit) the sender runs at half rate for this long."""

    # -- the coordinator map and open feeds (bot/map/, README "Coordinator map and feeds")
    map_token: SecretStr | None = None
    """For a dashboard screen: /map?token=… opens a session. Unset: only the signed links /map sends in chat."""
    map_link_ttl_s: int = 12 * 3600
    """How long a /map link (and the session it opens) lasts."""
    feeds: Literal["off", "token", "public"] = "off"
    """CAP / Atom / GeoJSON feeds at start: off, token (map_token as ?token= or Bearer), or public.
    An admin changes it with /feeds."""
    map_tiles_url: str | None = None
    """A tile layer for the map (https://tile.example.org/{z}/{x}/{y}.png). Unset: outlines only (offline)."""
    map_tiles_attribution: str = "© OpenStreetMap contributors"

    # -- operations (README "Metrics")
    metrics_token: SecretStr | None = None
    """GET /metrics asks for `Authorization: Bearer <token>` when set. Unset: open, as Prometheus expects;
    then keep /metrics off the public side of the proxy (the counts tell when reports come in)."""

    def secret_bytes(self) -> bytes:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
        return path.read_text().strip().encode()

    def embedded_redis_dir(self) -> Path:
        """Where the embedded Redis server (workers/redis_conn.py) keeps its files and its socket."""
        return (Path(self.data_dir) / "redis").resolve()

    def embedded_redis_url(self) -> str:
        """The embedded server's socket, for a process that connects to it without running it."""
        return f"unix://{self.embedded_redis_dir() / EMBEDDED_REDIS_SOCKET}"


def load_settings(**flags: object) -> Settings:
    """Settings from the environment, with the flags that were actually given (None = not given) on top."""
    given = {name: value for name, value in flags.items() if value is not None}
    # pydantic-settings' __init__ takes its own typed options (_env_file, ...) beside **values: Any
    return Settings(**given)  # type: ignore[arg-type]  # pydantic-settings' options share the kwargs


def as_environment(settings: Settings) -> dict[str, str]:
    """ALERTRELAY_* variables for a child process that must see exactly these settings: every field that
    was set (by a flag, the environment or .env), not only the ones a caller remembered to copy."""
    env: dict[str, str] = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"ALERTRELAY_{name.upper()}"] = str(value)
    return env
