"""`alertrelay rotate-key` on a real Redis: who is who survives, the old key opens nothing afterwards."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken

from alertrelay.bot import keys
from alertrelay.bot.errors import RotationError, WrongSecretKey
from alertrelay.bot.identity import Identity
from alertrelay.bot.transports.recording import RecordingSender
from alertrelay.bot.transports.twilio_limits import is_suppressed, suppress
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers.ops import rotate
from alertrelay.workers.ops.keycheck import ensure_key_check, key_check_value
from alertrelay.workers.ops.rotate import relay_keys, rotate_key
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.conftest import REPO, Relay
from tests.ops.opshelp import cli

ADMIN = "+16125559001"
VERIFIER = "+16125559009"
EASTSIDE = ["+16515559201", "+16515559202", "+16515559203"]
FIRST = "ICE at Payne & Maryland right now, 3 unmarked SUVs, agents out"
SAME_PERSON_AGAIN = "still ICE at Payne and Maryland, agents stopping cars"
AREAS = load_areas(REPO / "config" / "example.areas.toml")
SECOND = "la migra en payne y maryland ahorita, estan parando carros"


def restarted(relay: Relay, settings: Settings, secret: str) -> Relay:
    """The relay started again with `secret` (the bot and workers after the rotation)."""
    new_settings = settings.model_copy(update={"secret_key": settings.secret_key.__class__(secret)})
    ensure_key_check(relay.rt.conn, new_settings.secret_bytes())
    runtime = Runtime(new_settings, conn=relay.rt.conn, sender=RecordingSender(new_settings.outbox))
    set_runtime(runtime)
    again = Relay(runtime)
    again.count = relay.count
    return again


def fernet_tokens(conn) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for name in relay_keys(conn):
        for text in rotate._all_text(rotate._read(conn, name)):
            found += re.findall(r"gAAAAA[A-Za-z0-9_=-]{40,}", text)
    return found


def test_after_rotation_everyone_is_still_who_they_were(relay: Relay, settings: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    old_secret = settings.secret_key.get_secret_value()  # type: ignore[union-attr]
    old = Identity(old_secret.encode())
    ensure_key_check(relay.rt.conn, old_secret.encode())
    relay.send(FIRST, sender="+16515550031", channel="whatsapp")  # one voice of two: an open incident
    suppress(relay.rt.conn, "whatsapp", old.pseudonym(EASTSIDE[2]))  # this member sent STOP
    assert relay.kinds("alert") == []
    new_secret = secrets.token_urlsafe(24)
    key_file = settings.data_dir / "new.key"
    key_file.write_text(new_secret + "\n")

    result = cli(monkeypatch, settings, "rotate-key", "--new-key-file", str(key_file))
    assert result.exit_code == 0, result.stderr
    assert "1 reporters of open incidents keep their pseudonym" in result.stderr
    conn = relay.rt.conn
    with pytest.raises(WrongSecretKey):  # the old key no longer starts the relay
        ensure_key_check(conn, old_secret.encode())
    assert conn.get(keys.KEY_CHECK).decode() == key_check_value(new_secret.encode())
    tokens = fernet_tokens(conn)
    assert len(tokens) >= 5  # 5 member numbers and the verifier's address, at least
    old_fernet, new_fernet = rotate._fernet_of(old_secret.encode()), rotate._fernet_of(new_secret.encode())
    assert all(new_fernet.decrypt(t.encode()) for t in tokens)
    for token in tokens:
        with pytest.raises(InvalidToken):
            old_fernet.decrypt(token.encode())
    dump = " ".join(relay_keys(conn)) + " ".join(t for n in relay_keys(conn)
                                                 for t in rotate._all_text(rotate._read(conn, n)))
    for number in [ADMIN, VERIFIER, *EASTSIDE]:  # no pseudonym of a known person under the old key is left
        assert old.pseudonym(number) not in dump

    after = restarted(relay, settings, new_secret)
    new = after.rt.identity
    assert is_suppressed(conn, new, EASTSIDE[2], "whatsapp")  # the STOP carried over to the new pseudonym
    after.send(SAME_PERSON_AGAIN, sender="+16515550031", channel="whatsapp")
    assert after.kinds("alert") == []  # the same reporter, not a second voice
    after.send(SECOND, sender="+16515550032", channel="whatsapp")
    alerts = after.kinds("alert")
    assert sorted(a["to"]["recipient"] for a in alerts) == EASTSIDE  # members' numbers open with the new key
    after.send("/policy", sender=ADMIN, channel="whatsapp")  # the admin from areas.toml is still an admin
    assert "min" in after.answers()[-1]["text"].lower() or "report" in after.answers()[-1]["text"].lower()
    assert conn.sismember(keys.VERIFIERS, new.pseudonym(VERIFIER))
    set_runtime(None)


def test_a_rotation_that_crashed_halfway_finishes_when_run_again(relay: Relay, settings: Settings,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    old_secret = settings.secret_bytes()
    ensure_key_check(relay.rt.conn, old_secret)
    relay.send(FIRST, sender="+16515550031", channel="whatsapp")
    new_secret = secrets.token_urlsafe(24).encode()
    conn = relay.rt.conn
    rewrite, done = rotate._rewrite_key, []

    def crash_after_three(*args):  # type: ignore[no-untyped-def]
        if len(done) == 3:
            raise ConnectionError("power cut")
        changed = rewrite(*args)
        done.append(changed)
        return changed

    monkeypatch.setattr(rotate, "_rewrite_key", crash_after_three)
    with pytest.raises(ConnectionError):
        rotate_key(conn, old_secret, new_secret, areas=AREAS)
    monkeypatch.setattr(rotate, "_rewrite_key", rewrite)
    for secret in (old_secret, new_secret):  # half rotated: neither key may start the relay
        with pytest.raises(WrongSecretKey, match="half done"):
            ensure_key_check(conn, secret)
    with pytest.raises(RotationError, match="same old and new"):
        rotate_key(conn, old_secret, secrets.token_bytes(16), areas=AREAS)
    report = rotate_key(conn, old_secret, new_secret, areas=AREAS)
    assert report.resumed and not conn.exists(keys.ROTATION)
    old_fernet = rotate._fernet_of(old_secret)
    for token in fernet_tokens(conn):
        with pytest.raises(InvalidToken):
            old_fernet.decrypt(token.encode())

    after = restarted(relay, settings, new_secret.decode())
    after.send(SAME_PERSON_AGAIN, sender="+16515550031", channel="whatsapp")
    assert after.kinds("alert") == []
    after.send(SECOND, sender="+16515550032", channel="whatsapp")
    assert sorted(a["to"]["recipient"] for a in after.kinds("alert")) == EASTSIDE
    set_runtime(None)


def test_an_admin_added_by_chat_must_be_named(relay: Relay, settings: Settings) -> None:
    uuid = "3f2a9c1e-bb4d-4e5f-a6b7-c8d9e0f1a2b3"
    relay.send(f"/admin add {uuid}", sender=ADMIN, channel="whatsapp")
    old_secret, new_secret = settings.secret_bytes(), secrets.token_bytes(24)
    with pytest.raises(RotationError, match="--person"):
        rotate_key(relay.rt.conn, old_secret, new_secret, areas=AREAS)
    rotate_key(relay.rt.conn, old_secret, new_secret, areas=AREAS, people=[uuid])
    assert relay.rt.conn.sismember(keys.ADMINS, Identity(new_secret).pseudonym(uuid))


def test_rotation_refuses_a_running_relay(relay: Relay, settings: Settings) -> None:
    relay.rt.queue.enqueue("alertrelay.workers.jobs.drain_inbox")
    with pytest.raises(RotationError, match="stop the bot first"):
        rotate_key(relay.rt.conn, settings.secret_bytes(), secrets.token_bytes(24))
    assert not relay.rt.conn.exists(keys.ROTATION)


def test_the_key_file_is_replaced_when_the_key_lives_there(relay: Relay, settings: Settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (settings.data_dir / "secret.key").write_text(settings.secret_key.get_secret_value())  # type: ignore[union-attr]
    result = cli(monkeypatch, settings, "rotate-key", secret="", env={"ALERTRELAY_NEW_SECRET_KEY": "n" * 32})
    assert result.exit_code == 0, result.stderr
    assert (settings.data_dir / "secret.key").read_text() == "n" * 32
