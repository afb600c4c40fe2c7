"""decide() and the Lua write agree: random message sequences applied through the pipeline path (decide on
the drainer's copy, apply_report.lua writes it in Redis) and through decide() on a pure model end in the
same states, transitions and counts, and Redis, the drainer's copy and a fresh read of Redis all hold the
model's incident."""

from __future__ import annotations

import json
from datetime import timedelta

import redis
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alertrelay.bot import keys
from alertrelay.bot.core.decide import IncidentState, Message, after, decide, voices
from alertrelay.bot.core.models import Envelope, Policy
from alertrelay.bot.geo import GeoResult
from alertrelay.config.areas import load_areas
from alertrelay.workers import incidents
from alertrelay.workers.batch import Batch
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.decisions import apply_message
from alertrelay.workers.runtime import Runtime
from tests.conftest import T0

POINT = GeoResult(lat=44.94838, lon=-93.25235, precision="point", place="Lake St E & Bloomington Av S",
                  area="Midtown Phillips", confidence=1.0, kind="intersection", _matched="")
AREA = GeoResult(lat=44.9390, lon=-93.2560, precision="area", place="Powderhorn Park", area="Powderhorn Park",
                 confidence=1.0, kind="neighbourhood", _matched="")
PEOPLE = 5  # the last one is the verifier

steps = st.lists(st.fixed_dictionaries({
    "kind": st.sampled_from(["report", "report", "report", "clear", "dispute"]),
    "who": st.sampled_from([0, 0, 1, 1, 2, 3, PEOPLE - 1]),
    "minutes": st.one_of(st.integers(0, 15), st.integers(0, 90)),
    "forwarded": st.sampled_from([False, False, False, True]),
    "hearsay": st.sampled_from([False, False, False, False, True]),
    "point": st.booleans(),
    "replay": st.sampled_from([None, None, None, None, 0, 1, 2, 3]),
}), min_size=4, max_size=14)
people = st.lists(st.sampled_from([None, 0, 0, 0, 2, 23, 30, 400]), min_size=PEOPLE, max_size=PEOPLE)
"""Hours before T0 each person was first heard (None: never)."""
policies = st.builds(Policy, min_independent_reports=st.integers(1, 3), window_minutes=st.sampled_from([10, 45]),
                     all_clear_reports=st.integers(1, 2), first_time_burst=st.sampled_from([True, True, True, False]),
                     burst_minutes=st.sampled_from([5, 10, 30]))


def _fresh(rt: Runtime, policy: Policy, first_seen: list[float | None], listening_since: float) -> list[str]:
    conn = rt.conn
    conn.flushdb()
    seed_config(conn, load_areas(rt.settings.areas), rt.identity)
    conn.set(keys.POLICY, policy.model_dump_json())
    rt._config = None
    rt.refresh_config()
    verifier = sorted(rt.config().verifiers)[0]
    who = [f"r{n}" for n in range(PEOPLE - 1)] + [verifier]
    for person, seen in zip(who, first_seen):
        if seen is not None:
            conn.set(keys.sender_first_seen(person), repr(seen))
    conn.set(keys.LISTENING_SINCE, repr(listening_since))
    return who


def _why(conn: redis.Redis, incident_id: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(x) for x in conn.lrange(keys.incident_why(incident_id), 0, -1)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, hours=people, listening_h=st.sampled_from([1, 48, 48, 48]), policy=policies,
       first_area=st.booleans())
def test_decide_and_the_lua_write_agree(rt: Runtime, steps: list[dict], hours: list[int | None],  # type: ignore[type-arg]
                                        listening_h: int, policy: Policy, first_area: bool) -> None:
    t0 = T0.timestamp()
    first_seen = [None if h is None else t0 - h * 3600 for h in hours]
    listening_since = t0 - listening_h * 3600
    who = _fresh(rt, policy, first_seen, listening_since)
    conn = rt.conn

    model = IncidentState(precision="area" if first_area else "point")
    caused: dict[str, str] = {}  # message key -> the transition it caused
    sent: list[tuple[Envelope, str, object, bool]] = []
    incident = ""
    logged = 0
    for number, step in enumerate(steps):
        if step["replay"] is not None and step["replay"] < len(sent):
            env, kind, geo, counted = sent[step["replay"]]
        else:
            kind = "report" if number == 0 else step["kind"]
            geo = (AREA if first_area else POINT) if number == 0 else (
                (POINT if step["point"] else AREA) if kind == "report" else None)
            person = who[step["who"]]
            env = Envelope(key=f"k{number}", message_id=f"m{number}", channel="signal", group=None, reporter=person,
                           reply_to=None, text=f"report {number} " + "abcdefghij"[number % 10] * (number + 3),
                           at=T0 + timedelta(minutes=step["minutes"]), ref=f"ref{number}",
                           forwarded=step["forwarded"])
            counted = not step["forwarded"] and not step["hearsay"]
            sent.append((env, kind, geo, counted))

        result = apply_message(rt, Batch(keys.DEFAULT_REGION), env, kind, geo, incident or None, counted=counted,
                               seen=())
        assert result is not None
        incident = result.incident
        if env.key in caused:  # a replay changes nothing and answers what the message did the first time
            assert result.status == "replay" and result.transition == caused[env.key]
        else:
            message = Message(reporter=env.reporter, kind=kind, at=round(env.at.timestamp(), 3),  # type: ignore[arg-type]
                              counted=counted, not_counted="forwarded" if env.forwarded else "hearsay",
                              verifier=env.reporter == who[-1], precision=getattr(geo, "precision", None),
                              first_seen=first_seen[who.index(env.reporter)], listening_since=listening_since)
            decision = decide(model, message, policy)
            model = after(model, message, decision)
            caused[env.key] = decision.transition
            event(f"why {decision.why}")
            if decision.transition:
                event(f"transition {decision.transition}")
            assert result.status == "ok" and result.transition == decision.transition
            assert result.reporters == decision.reporters and result.clears == decision.clears
            logged += 1
            entries = _why(conn, incident)
            assert len(entries) == logged and entries[-1]["w"] == decision.why
            assert entries[-1]["c"] == int(decision.counted) and entries[-1]["n"] == int(decision.first_time)
        assert result.state == model.state and result.by_verifier == model.by_verifier
        assert result.reporters == voices(model.reporters.values(), policy)
        assert result.precision == model.precision

        stored = incidents.counting_state(conn, incident)
        assert stored == model, "Redis holds what decide() chose"
        fresh_copy = incidents.OpenIncidents()
        fresh_copy.sync(conn)
        if model.state in ("pending", "blocked", "verified"):
            snap = rt.open_incidents(keys.DEFAULT_REGION).snapshot(incidents.ReporterState(), None, 0, (incident,))
            assert snap.state(incident) == model, "the drainer's copy follows its own applies"
            again = fresh_copy.snapshot(incidents.ReporterState(), None, 0, (incident,))
            assert again.state(incident) == model, "a fresh sync reads the same"
        else:
            assert fresh_copy.view(incident) is None
            break  # a cleared incident takes nothing more; later messages would start a new one
