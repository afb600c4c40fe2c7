"""Retention on a real Redis: report keys expire within report_ttl_s, the audit trail is capped by length
and age, and `alertrelay purge` leaves nothing about incidents or reports behind."""

from __future__ import annotations

import time

import pytest

from alertrelay.bot import keys
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import audit, load_config
from alertrelay.workers.ops.retention import is_configuration, trim_streams, write_audit
from tests.conftest import Relay
from tests.ops.opshelp import cli

ADMIN = "+16125559001"
VERIFIER = "+16125559009"
REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"

STRUCTURE = {keys.ALERT_SEQ, keys.INCIDENT_SEQ, keys.INCIDENTS_ACTIVE, keys.INCIDENTS_CHANGED,
             keys.INCIDENTS_CHANGED_FLOOR, keys.INCIDENTS_EPOCH, keys.INCIDENTS_EPOCH_SEQ, keys.INCIDENTS_REV,
             keys.INBOX, keys.LISTENING_SINCE, keys.LATENCY, keys.PROCESSED_COUNT, keys.AUDIT, keys.INBOX_DEAD,
             keys.INBOX_DRAIN_SEQ, keys.WORKER_BEATS, keys.STRANDED_SEEN, keys.RECOVERIES}
"""Keys with no TTL: counters, ids and times (no text, no person), and the streams trimmed by age."""


def busy_morning(relay: Relay) -> None:
    """A drill-like run: reports that verify, an all-clear, a question, a command, a verifier, a dispatch."""
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    relay.send("ICE here now", sender="+16125550021", channel="whatsapp")  # asks where: a pending place
    relay.send("All clear at Franklin & Chicago, they left", sender="+16125550011", group="franklin-en")
    relay.send("ya se fueron de franklin y chicago, todo tranquilo", sender="+16125550012", channel="whatsapp")
    relay.send("/rights set en Stay silent. Hotline 612 555 0100", sender=ADMIN, channel="whatsapp")
    relay.send("VERIFIED in person: ICE at Payne & Maryland, 3 unmarked SUVs", sender=VERIFIER)
    assert relay.kinds("alert") and relay.kinds("all_clear")


def test_every_report_key_expires_within_report_ttl(relay: Relay, settings: Settings) -> None:
    busy_morning(relay)
    conn = relay.rt.conn
    report_keys = [k.decode() for k in conn.scan_iter(match=f"{keys.PREFIX}:*")
                   if not is_configuration(k.decode(), keep_audit=False) and k.decode() not in STRUCTURE]
    assert any(k.startswith(keys.incident("")) for k in report_keys)
    too_long = {}
    for name in report_keys:
        ttl = conn.ttl(name)
        if name.startswith(keys.PREFIX + ":sender:"):
            # when a sender was first heard (the first-time burst rule): a time, no report; 30 days by design
            assert 0 < ttl <= keys.FIRST_SEEN_TTL_S
        elif not 0 < ttl <= settings.report_ttl_s:
            too_long[name] = ttl
    assert too_long == {}
    for name in STRUCTURE & {k.decode() for k in conn.scan_iter(match=f"{keys.PREFIX}:*")}:
        if conn.type(name) == b"string":
            assert conn.get(name).replace(b"-", b"").replace(b".", b"").isdigit(), name


def test_the_audit_trail_is_capped_by_length_and_age(conn, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):  # entries from 100 days ago
        at_ms = int((time.time() - 100 * 86400) * 1000)
        conn.xadd(keys.AUDIT, {"at": "old", "actor": "r0", "detail": str(i)}, id=f"{at_ms}-{i}")
    capped = settings.model_copy(update={"audit_max_entries": 50, "audit_max_age_s": 90 * 86400})
    for i in range(400):
        audit(conn, at="now", actor="r1", role="admin", action="policy", detail=f"change {i}", ok=True,
              settings=capped)
    entries = conn.xrange(keys.AUDIT)
    assert all(fields[b"at"] == b"now" for _, fields in entries)  # older than audit_max_age_s: gone
    assert 50 <= len(entries) <= 50 + 100  # MAXLEN ~: trimmed a whole stream node at a time
    write_audit(conn, {"at": "now"}, max_entries=10_000, max_age_s=0, now_s=time.time() + 1)
    assert conn.xlen(keys.AUDIT) <= 1


def test_dead_letters_are_trimmed_to_report_ttl_by_the_sweep(conn, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    old = int((time.time() - settings.report_ttl_s - 60) * 1000)
    conn.xadd(keys.INBOX_DEAD, {"e": "{}"}, id=f"{old}-0")
    conn.xadd(keys.INBOX_DEAD, {"e": "{}"})
    trim_streams(conn, report_ttl_s=settings.report_ttl_s, audit_max_age_s=settings.audit_max_age_s,
                 now_s=time.time())
    assert conn.xlen(keys.INBOX_DEAD) == 1


def test_purge_deletes_every_incident_and_report_and_keeps_the_config(
        relay: Relay, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    busy_morning(relay)
    conn = relay.rt.conn
    before = load_config(conn)
    assert list(conn.scan_iter(match="rq:job:*"))
    result = cli(monkeypatch, settings, "purge")  # no terminal, no --yes: asks, gets no answer, does nothing
    assert result.exit_code == 1 and conn.exists(keys.incident("i1"))

    result = cli(monkeypatch, settings, "purge", "--yes")
    assert result.exit_code == 0, result.stderr
    left = sorted(k.decode() for k in conn.scan_iter(match=f"{keys.PREFIX}:*"))
    assert all(is_configuration(name, keep_audit=False) for name in left), left
    assert list(conn.scan_iter(match="rq:job:*")) == [] and list(conn.scan_iter(match="rq:results:*")) == []
    after = load_config(conn)
    assert (after.groups, after.rights, after.admins, after.verifier_info) == \
        (before.groups, before.rights, before.admins, before.verifier_info)

    relay.send(REPORT_A, sender="+16125550031", group="franklin-en")  # the relay goes on, from nothing
    relay.send(REPORT_B, sender="+16125550032", channel="whatsapp")
    assert [a["alert_id"] for a in relay.kinds("alert")][-1] == "a1"
