"""Operations commands run as a volunteer runs them: `alertrelay …` with ALERTRELAY_* in the environment."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner, Result

from alertrelay.bot.cli import app
from alertrelay.config.settings import Settings


def cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str, redis_url: str | None = None,
        secret: str | None = None, env: dict[str, str] | None = None) -> Result:
    """`alertrelay *args` with the environment pointing at `settings`' Redis and key (or the ones given;
    secret="": no key in the environment, the one in data_dir/secret.key), plus `env`."""
    for name in list(os.environ):
        if name.startswith("ALERTRELAY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ALERTRELAY_REDIS_URL", redis_url or str(settings.redis_url))
    if secret != "":
        monkeypatch.setenv("ALERTRELAY_SECRET_KEY", secret or settings.secret_key.get_secret_value())  # type: ignore[union-attr]
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ALERTRELAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ALERTRELAY_AREAS", str(settings.areas))
    monkeypatch.chdir(settings.data_dir)  # no stray .env
    return CliRunner().invoke(app, list(args))
