"""Typed settings, read from ALERTRELAY_* environment variables. Built once in entrypoints and passed down."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

EXAMPLE_AREAS = Path(__file__).parent / "example.areas.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALERTRELAY_", env_nested_delimiter="__", extra="ignore")

    redis_url: str | None = None
    """A real Redis or Valkey. Unset: an embedded Redis server under data_dir (append-only on)."""
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
    """Short on purpose: rq only notices a killed worker's job after job_timeout + 60 s."""

    log_level: str = "INFO"
    outbox: Path | None = None
    """Record outbound messages to this JSONL file instead of sending (drills, tests, local runs)."""

    http_host: str = "127.0.0.1"
    http_port: int = 8787

    signal_service: str | None = None
    signal_number: str | None = None
    signal_https: str = "auto"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    public_url: str | None = None

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


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
