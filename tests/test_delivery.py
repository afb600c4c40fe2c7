"""Delivery jobs: what a drained batch announces goes out in one job per group, each line once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.ingest import ingest
from alertrelay.workers.delivery import deliver
from tests.conftest import T0, Relay

CHICAGO = "ICE at Franklin & Chicago right now, 2 unmarked SUVs"
CHICAGO_2 = "agents checking IDs at franklin and chicago bus stop"
CEDAR = "la migra en la Cedar y 24, estan parando a la gente"
CEDAR_2 = "I see ICE vans at Cedar Ave & 24th St, they are stopping cars"


def queue_without_working(relay: Relay, text: str, sender: str, minute: float) -> None:
    ingest(relay.rt.conn, relay.rt.queue, relay.rt.identity, InboundMessage(
        channel="signal", message_id=f"m{minute}", sender=sender, group=None, text=text,
        at=T0 + timedelta(minutes=minute)))


def test_two_alerts_of_one_batch_to_one_group_go_out_in_one_job_once_each(relay: Relay) -> None:
    # four reports drained as one batch: two incidents (Franklin & Chicago, Cedar & 24th), both verified,
    # both inside franklin-en's areas
    for minute, (text, sender) in enumerate([(CHICAGO, "+16125550011"), (CEDAR, "+16125550021"),
                                             (CHICAGO_2, "+16125550012"), (CEDAR_2, "+16125550022")]):
        queue_without_working(relay, text, sender, minute)
    SimpleWorker([relay.rt.queue], connection=relay.rt.conn, serializer=JSONSerializer).work(burst=True)
    alerts = relay.kinds("alert")
    assert Counter((a["alert_id"], a["to"]["group"]) for a in alerts) == {
        ("a1", "franklin-en"): 1, ("a2", "franklin-en"): 1}
    finished = relay.rt.queue.finished_job_registry.get_job_ids()
    jobs = [Job.fetch(i, connection=relay.rt.conn, serializer=JSONSerializer) for i in finished]
    franklin = [j for j in jobs if j.func_name == "alertrelay.workers.delivery.deliver" and j.args[0] == "franklin-en"]
    assert len(franklin) == 1 and [item[0] for item in franklin[0].args[1]] == ["a1", "a2"]

    # the same job run again (a retry after a crash) sends nothing twice
    assert deliver(*franklin[0].args) == 0
    assert len(relay.kinds("alert")) == len(alerts)


def test_an_announcement_waits_for_its_batch_and_one_outside_a_batch_goes_at_once(relay: Relay) -> None:
    from alertrelay.workers.batch import Batch
    from alertrelay.workers.delivery import announce, flush

    relay.send(CHICAGO, sender="+16125550011", minutes=0)
    relay.send(CHICAGO_2, sender="+16125550012", minutes=1)
    rt, at = relay.rt, T0 + timedelta(minutes=5)
    incident = rt.conn.hget(keys.alert("a1"), "incident").decode()
    batch = Batch(keys.DEFAULT_REGION)
    announce(rt, batch.region, batch, incident, "a1", "update", at, None)
    assert rt.queue.count == 0 and batch.announcements == [["a1", "update", at.isoformat(), ""]]
    flush(rt, batch)
    assert rt.queue.count == 1 and batch.announcements == []
    announce(rt, keys.DEFAULT_REGION, None, incident, "a1", "retraction", at, None)  # a sweep outside a drain, say
    assert rt.queue.count == 2
    relay.work()
    assert [line["kind"] for line in relay.out if line["kind"] != "reply"] == ["alert", "update", "retraction"]


def test_a_batch_sends_its_answers_in_one_job_when_it_is_flushed(relay: Relay) -> None:
    from alertrelay.bot.core.models import Envelope
    from alertrelay.workers.batch import Batch
    from alertrelay.workers.delivery import flush, queue_reply

    batch = Batch(keys.DEFAULT_REGION)
    for n in range(3):
        env = Envelope(key=f"k{n}", message_id=f"m{n}", channel="signal", group="franklin-en", reporter=f"r{n}",
                       reply_to=None, text="/help", at=T0, ref=f"ref{n}")
        queue_reply(batch, env, f"answer {n}")
    assert relay.rt.queue.count == 0 and len(batch.replies) == 3
    flush(relay.rt, batch)
    assert relay.rt.queue.count == 1 and batch.replies == []
    relay.work()
    assert [line["text"] for line in relay.out] == ["answer 0", "answer 1", "answer 2"]
