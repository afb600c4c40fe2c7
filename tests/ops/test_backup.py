"""`alertrelay export` / `alertrelay import`: the configuration survives a lost Redis, on real Redis servers."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from alertrelay.bot import keys
from alertrelay.bot.errors import BackupError
from alertrelay.bot.transports.twilio_limits import is_suppressed, suppress
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import load_config
from alertrelay.workers.ops.backup import import_config, parse_backup
from alertrelay.workers.redis_conn import EmbeddedRedis, connect
from tests.conftest import Relay
from tests.ops.opshelp import cli

ADMIN = "+16125559001"


def build_up_config(relay: Relay) -> None:
    """What admins do by chat after the seed: every kind of configuration state."""
    for command in ["/area add Lago = Powderhorn Park",
                    "/area add Esquina = 44.9627,-93.2626 300m",
                    "/policy set Lago reports=3",
                    "/place add the old bakery 44.9486,-93.2655",
                    "/rights set es Guarde silencio. Línea: 612 555 0100",
                    "/verifier add +1 612 555 0199",
                    "/admin add 3f2a9c1e-bb4d-4e5f-a6b7-c8d9e0f1a2b3"]:
        relay.send(command, sender=ADMIN, channel="whatsapp")
    relay.send("/subscribe Lago", sender=ADMIN, group="seward-en")
    suppress(relay.rt.conn, "whatsapp", relay.rt.identity.pseudonym("+16125559101"))  # they sent STOP


def test_export_then_import_into_a_fresh_redis_gives_the_same_config(
        relay: Relay, settings: Settings, fresh_redis: EmbeddedRedis, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    build_up_config(relay)
    before = load_config(relay.rt.conn)
    assert before.areas and before.area_policies and before.rights and len(before.admins) == 2
    exported = tmp_path / "config.json"
    result = cli(monkeypatch, settings, "export", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "4 groups" in result.stderr and "2 admins" in result.stderr
    text = exported.read_text()
    assert "559101" not in text and "0199" not in text and "3f2a9c1e" not in text  # sealed stays sealed
    data = json.loads(text)
    assert data["format"] == "alertrelay-config" and data["version"] == 1
    assert data["opt_outs"]["whatsapp"]  # the STOP is kept: a restore must not message them again

    result = cli(monkeypatch, settings, "import", str(exported), redis_url=fresh_redis.url)
    assert result.exit_code == 0, result.stderr
    restored = connect(fresh_redis.url)
    after = load_config(restored)
    assert (after.groups, after.policy, after.admins, after.verifiers, after.areas, after.area_policies,
            after.rights, after.verifier_info) == (before.groups, before.policy, before.admins, before.verifiers,
                                                   before.areas, before.area_policies, before.rights,
                                                   before.verifier_info)
    assert restored.hgetall(keys.PLACES) == relay.rt.conn.hgetall(keys.PLACES)
    assert is_suppressed(restored, relay.rt.identity, "+16125559101", "whatsapp")
    assert restored.get(keys.CONFIG_SEEDED) == b"1"  # `run` will not seed areas.toml over it

    again = tmp_path / "again.json"
    assert cli(monkeypatch, settings, "export", str(again), redis_url=fresh_redis.url).exit_code == 0
    assert json.loads(again.read_text()) == data


def test_import_refuses_a_redis_that_has_a_config(relay: Relay, settings: Settings, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    exported = tmp_path / "config.json"
    assert cli(monkeypatch, settings, "export", str(exported)).exit_code == 0
    groups = relay.rt.conn.hgetall(keys.GROUPS)
    result = cli(monkeypatch, settings, "import", str(exported))
    assert result.exit_code == 1
    assert "already has a configuration" in result.stderr
    assert relay.rt.conn.hgetall(keys.GROUPS) == groups


def test_import_refuses_another_secret_key_before_writing(relay: Relay, settings: Settings,
                                                         fresh_redis: EmbeddedRedis, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    exported = tmp_path / "config.json"
    assert cli(monkeypatch, settings, "export", str(exported)).exit_code == 0
    result = cli(monkeypatch, settings, "import", str(exported), redis_url=fresh_redis.url,
                 secret=secrets.token_urlsafe(16))
    assert result.exit_code == 1 and "another secret key" in result.stderr
    assert connect(fresh_redis.url).dbsize() == 0


def test_bad_files_get_a_clear_error(conn, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    secret = settings.secret_bytes()
    for text, says in [("{", "not JSON"), ('{"a": 1}', "not an alertrelay configuration export"),
                       ('{"format": "alertrelay-config", "version": 9}', "version 9"),
                       ('{"format": "alertrelay-config", "version": 1, "key_check": "x", '
                        '"groups": {"g": {"id": "g", "channel": "fax"}}}', "groups"),
                       ('{"format": "alertrelay-config", "version": 1, "key_check": "x", '
                        '"places": {"p": "north"}}', "not 'lat,lon'")]:
        with pytest.raises(BackupError, match=says):
            import_config(conn, secret, text)
    assert conn.dbsize() == 0
    assert parse_backup('{"format": "alertrelay-config", "version": 1, "key_check": "x"}').groups == {}
