"""The message clock inside the pipeline: a drill message makes the drainer sweep at its time before deciding
it; a message arriving now (no sweep times) leaves expiry to the wall-time ticker."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import InvalidAddress
from alertrelay.bot.ingest import ingest, ingest_on_message_clock, prepare_on_message_clock
from alertrelay.workers.drill import run_drill
from tests.conftest import REPO, T0, Relay

EXAMPLE = REPO / "examples" / "drill.jsonl"
EXAMPLE_AREAS = REPO / "config" / "example.areas.toml"

REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"
REPORT_C = "ICE at Franklin and Chicago again, 3 vans this time"


def message(number: int, text: str, sender: str, minutes: float, **extra: object) -> InboundMessage:
    return InboundMessage(channel="whatsapp", message_id=f"mc{number}", sender=sender, group=None, text=text,
                          at=T0 + timedelta(minutes=minutes), **extra)


def queue_on_message_clock(relay: Relay, *messages: InboundMessage) -> list[bool]:
    rt = relay.rt
    prepared = prepare_on_message_clock(rt.identity, [(m, [m.at]) for m in messages])
    admitted = ingest_on_message_clock(rt.conn, rt.queue, prepared)
    relay.work()
    return admitted


def test_the_drainer_sweeps_at_a_drill_message_time_before_deciding_it(relay: Relay) -> None:
    first, second = message(1, REPORT_A, "+16125550011", 0), message(2, REPORT_B, "+16125550012", 5)
    # 100 minutes on: the alert has gone quiet (90 min), so this report opens a new incident
    later = message(3, REPORT_C, "+16125550013", 100)
    assert queue_on_message_clock(relay, first, second, later) == [True, True, True]
    (update,) = relay.kinds("update")
    assert update["alert_id"] == "a1" and update["at"] == (T0 + timedelta(minutes=95)).isoformat()
    replies = {line["in_reply_to"]: line["text"] for line in relay.answers()}
    assert "1 of 2" in replies["mc3"]  # counted afresh, not as a third voice of the expired incident


def test_a_message_arriving_now_does_not_sweep_on_its_own_time(relay: Relay) -> None:
    for m in (message(1, REPORT_A, "+16125550011", 0), message(2, REPORT_B, "+16125550012", 5),
              message(3, REPORT_C, "+16125550013", 100)):
        ingest(relay.rt.conn, relay.rt.queue, relay.rt.identity, m)
        relay.work()
    assert relay.kinds("update") == []  # production: the ticker expires on wall time


def test_a_drill_with_a_bad_sender_fails_before_anything_runs(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text().splitlines()
    line = json.loads(lines[5])
    line["sender"] = "not a number"
    lines[5] = json.dumps(line)
    path = tmp_path / "bad-sender.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidAddress, match=line["id"]):
        run_drill(path, EXAMPLE_AREAS)
