"""The drainer's copy of the open incidents (workers.incidents.OpenIncidents) against a real Redis: it
catches up with changes made elsewhere, and a decision made on a stale copy is never applied."""

from __future__ import annotations

from datetime import timedelta

import redis

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.ingest import envelope_for
from alertrelay.workers import incidents
from alertrelay.workers.batch import Batch
from alertrelay.workers.delivery import flush
from alertrelay.workers.incidents import OpenIncidents
from alertrelay.workers.pipeline import process
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.conftest import T0, Relay

REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente"
ALL_CLEAR = "ya se fueron de franklin y chicago"


def other_drainer(rt: Runtime) -> Runtime:
    """A second worker process: same settings and Redis, its own copy of the open incidents."""
    return Runtime(rt.settings, conn=rt.conn, sender=rt.sender)


def test_a_stale_copy_catches_up_before_its_decision_is_applied(relay: Relay) -> None:
    first = relay.rt
    second = other_drainer(first)
    second.open_incidents(keys.DEFAULT_REGION).sync(second.conn)  # before the first report: it knows of no incident
    relay.send(REPORT_A, sender="+16125550011")
    assert len(second.open_incidents(keys.DEFAULT_REGION)) == 0 and len(first.open_incidents(keys.DEFAULT_REGION)) == 1
    # the other process decides on its stale copy ("a new incident"); the apply answers retry, it catches
    # up and joins the first report's incident instead
    set_runtime(second)
    try:
        batch = Batch(keys.DEFAULT_REGION)
        process(second, batch, envelope_for(InboundMessage(
            channel="whatsapp", message_id="w1", sender="+16125550012", group=None, text=REPORT_B,
            at=T0 + timedelta(minutes=5)), second.identity))
        flush(second, batch)
        relay.work()
    finally:
        set_runtime(first)
    assert [a["independent_reports"] for a in relay.kinds("alert")] == [2]
    assert len(second.open_incidents(keys.DEFAULT_REGION)) == 1
    assert int(first.conn.get(keys.INCIDENT_SEQ)) == 1


def test_sync_reads_only_what_changed_and_drops_closed_incidents(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    copy = OpenIncidents()
    copy.sync(relay.rt.conn)
    (only,) = [copy.view(i) for i in ("i1",)]
    assert only is not None and only.state == "verified"
    assert [text for _, text in copy.snapshot(incidents.ReporterState(), (only.lat, only.lon), 500)
            .texts("i1")] != []
    seq = copy.seq
    relay.send(ALL_CLEAR, sender="+16125550011", minutes=30)
    relay.send(ALL_CLEAR, sender="+16125550012", minutes=31)
    assert relay.kinds("all_clear")
    copy.sync(relay.rt.conn)
    assert copy.seq == seq + 2 and copy.view("i1") is None and len(copy) == 0


def test_an_expiry_elsewhere_is_seen_by_the_next_decision(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011")
    relay.sweep(T0 + timedelta(hours=3))  # quiet for the whole period: closed
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=200)
    assert relay.kinds("alert") == []
    assert int(relay.rt.conn.get(keys.INCIDENT_SEQ)) == 2  # a new incident, not the closed one


def test_a_flushed_or_replaced_redis_means_a_full_reload(relay: Relay, conn: redis.Redis) -> None:
    relay.send(REPORT_A, sender="+16125550011")
    copy = relay.rt.open_incidents(keys.DEFAULT_REGION)
    assert len(copy) == 1
    conn.flushdb()
    copy.sync(conn)
    assert len(copy) == 0 and copy.seq == 0


def test_a_copy_older_than_the_change_log_reloads_everything(relay: Relay, conn: redis.Redis) -> None:
    relay.send(REPORT_A, sender="+16125550011")
    copy = OpenIncidents()
    copy.sync(conn)
    conn.set(keys.INCIDENTS_CHANGED_FLOOR, copy.seq + 5)  # as if the log had been trimmed past it
    conn.incrby(keys.INCIDENTS_REV, 10)
    conn.zrem(keys.INCIDENTS_ACTIVE, "i1")  # only a full reload can notice this
    copy.sync(conn)
    assert len(copy) == 0


def test_the_change_log_is_capped_and_a_copy_behind_the_cap_reloads(conn: redis.Redis) -> None:
    copy = OpenIncidents()
    copy.sync(conn)
    # 5,100 changes in one script run: the expiry of 5,100 (fake) open incidents
    conn.zadd(keys.INCIDENTS_ACTIVE, {f"i{k}": 1.0 for k in range(5100)})
    assert len(incidents.expire_quiet(conn, 2.0)) == 0
    assert conn.zcard(keys.INCIDENTS_CHANGED) == 5000
    assert int(conn.get(keys.INCIDENTS_CHANGED_FLOOR)) == 100
    assert int(conn.get(keys.INCIDENTS_REV)) == 5100
    conn.zadd(keys.INCIDENTS_ACTIVE, {"i9999": 3.0})
    conn.hset(keys.incident("i9999"), mapping={"lat": 44.95, "lon": -93.25, "precision": "point", "place": "x",
                                               "area": "", "area_name": "", "state": "pending",
                                               "last_report_at": 3.0})
    copy.sync(conn)  # at revision 0, behind the floor: a full reload finds the one open incident
    assert copy.seq == 5100 and len(copy) == 1 and copy.view("i9999") is not None


def test_sender_keys_are_read_once_per_batch_and_follow_the_drainers_own_writes(conn: redis.Redis) -> None:
    reads = incidents.SenderKeys()
    pending = keys.pending_place("r1")
    conn.set(pending, "p1")
    assert reads.read(conn, "r1", None).pending == "p1"
    conn.set(pending, "p2")  # outside a batch every read goes to Redis
    assert reads.read(conn, "r1", None).pending == "p2"

    reads.prefetch(conn, [("r1", "q1")])
    conn.set(keys.message_ref("q1"), "i7")  # after the prefetch: this batch does not see it...
    assert reads.read(conn, "r1", "q1").quoted is None
    reads.wrote(pending, None)  # ...but it sees what the drainer itself wrote
    assert reads.read(conn, "r1", "q1").pending is None
    assert reads.read(conn, "r2", None).last is None  # not prefetched: read from Redis
    reads.clear()
    assert reads.read(conn, "r1", "q1") == incidents.ReporterState(pending="p2", last=None, quoted="i7")


def test_the_region_is_the_batchs_and_each_region_has_its_own_copy(relay: Relay) -> None:
    rt = relay.rt
    assert not hasattr(rt, "region")  # no process-wide "current region": the drain's Batch carries it
    west = keys.region("westside")
    assert Batch(west).region is west
    assert rt.open_incidents(west) is rt.open_incidents(west)  # kept from batch to batch
    assert rt.open_incidents(west) is not rt.open_incidents(keys.DEFAULT_REGION)
    assert rt.open_incidents(west).region is west
