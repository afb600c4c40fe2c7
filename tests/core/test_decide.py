"""The verification rule, without Redis: bot/core/decide.py."""

from __future__ import annotations

from alertrelay.bot.core.decide import (
    IncidentState,
    Message,
    Reporter,
    after,
    decide,
    frozen_map,
    is_first_time,
    voices,
)
from alertrelay.bot.core.models import Policy

POLICY = Policy()
DAY = 24 * 3600
T = 1_800_000_000.0  # message times, epoch seconds
LISTENING = T - 30 * DAY  # the relay has been listening for a month


def report(who: str, minutes: float = 0, **kw) -> Message:  # type: ignore[no-untyped-def]
    return Message(reporter=who, kind="report", at=T + minutes * 60, **{"precision": "point", **kw})


def run(messages: list[Message], policy: Policy = POLICY, state: IncidentState | None = None):  # type: ignore[no-untyped-def]
    """Apply the messages one after another; answer the final state and every decision."""
    state = state or IncidentState()
    decisions = []
    for message in messages:
        decision = decide(state, message, policy)
        decisions.append(decision)
        state = after(state, message, decision)
    return state, decisions


def known(who: str, minutes: float = 0, **kw) -> Message:  # type: ignore[no-untyped-def]
    """A report from someone the relay has heard from for weeks."""
    return report(who, minutes, first_seen=T - 20 * DAY, listening_since=LISTENING, **kw)


def newcomer(who: str, minutes: float = 0, **kw) -> Message:  # type: ignore[no-untyped-def]
    """A report from a number first heard just now."""
    return report(who, minutes, first_seen=T + minutes * 60, listening_since=LISTENING, **kw)


# --- independent reporters, window, verifier ---------------------------------------------------------------

def test_two_different_people_within_the_window_verify() -> None:
    state, (first, second) = run([report("a"), report("b", 30)])
    assert (first.transition, first.why, first.reporters) == ("", "report", 1)
    assert (second.transition, second.why, second.reporters, second.by_verifier) == ("verified", "confirm", 2, False)
    assert state.state == "verified" and set(state.reporters) == {"a", "b"}


def test_reports_further_apart_than_the_window_do_not_verify() -> None:
    state, (_, second) = run([report("a"), report("b", 46)])
    assert second.transition == "" and state.state == "pending" and second.reporters == 2


def test_the_window_is_measured_from_the_new_message_both_ways() -> None:
    # a late-arriving earlier report still counts if it is within the window of the later one
    _, (_, second) = run([report("a", 40), report("b", 0)])
    assert second.transition == "verified"


def test_repeats_by_one_reporter_count_once_and_keep_the_first_time() -> None:
    state, decisions = run([report("a"), report("a", 5), report("a", 10)])
    assert [d.why for d in decisions] == ["report", "repeat", "repeat"]
    assert [d.add_reporter for d in decisions] == [True, False, False]
    assert state.state == "pending" and state.reporters == {"a": Reporter(T)}


def test_a_verifier_alone_verifies_and_says_so() -> None:
    state, (decision,) = run([report("v", verifier=True)])
    assert (decision.transition, decision.by_verifier, decision.why) == ("verified", True, "verifier")
    assert state.by_verifier


def test_a_larger_threshold_needs_more_people() -> None:
    policy = Policy(min_independent_reports=3)
    _, decisions = run([report("a"), report("b", 1), report("c", 2)], policy)
    assert [d.transition for d in decisions] == ["", "", "verified"]


def test_a_verified_incident_takes_more_reports_without_a_new_transition() -> None:
    state, decisions = run([report("a"), report("b", 1), report("c", 2)])
    assert [d.transition for d in decisions] == ["", "verified", ""]
    assert decisions[-1].reporters == 3 and state.state == "verified"


# --- forwards, copies, taint ----------------------------------------------------------------------------------

def test_a_forward_never_counts_and_taints_its_sender() -> None:
    state, decisions = run([report("a"), report("f", 1, counted=False, not_counted="forwarded"),
                            report("f", 2)])  # the forwarder's own "first-hand" report afterwards
    assert [d.why for d in decisions] == ["report", "forwarded", "tainted"]
    assert [d.counted for d in decisions] == [True, False, False]
    assert decisions[1].add_forwarder and not decisions[2].add_reporter
    assert state.forwarders == {"f"} and set(state.reporters) == {"a"} and state.state == "pending"


def test_a_copy_says_why() -> None:
    _, (_, decision) = run([report("a"), report("b", 1, counted=False, not_counted="copy")])
    assert (decision.why, decision.counted, decision.add_forwarder) == ("copy", False, True)


def test_a_reporter_who_forwards_later_stays_a_reporter() -> None:
    state, (_, decision) = run([report("a"), report("a", 1, counted=False, not_counted="forwarded")])
    assert not decision.add_forwarder and state.forwarders == frozenset() and set(state.reporters) == {"a"}


def test_a_tainted_verifier_does_not_verify() -> None:
    _, (_, decision) = run([report("v", counted=False, verifier=True), report("v", 1, verifier=True)])
    assert decision.transition == "" and decision.why == "tainted"


# --- disputes ----------------------------------------------------------------------------------------------------

def test_a_verifier_dispute_blocks_and_only_a_verifier_report_then_verifies() -> None:
    dispute = Message(reporter="v", kind="dispute", at=T + 60, verifier=True)
    state, decisions = run([report("a"), dispute, report("b", 2), report("w", 3, verifier=True)])
    assert [d.state for d in decisions] == ["pending", "blocked", "blocked", "verified"]
    assert decisions[2].transition == "" and decisions[2].add_reporter
    assert decisions[3].transition == "verified" and decisions[3].by_verifier
    assert state.disputes == {"v": T + 60}


def test_anyone_elses_dispute_is_noted_but_blocks_nothing() -> None:
    state, decisions = run([report("a"), Message(reporter="x", kind="dispute", at=T + 60), report("b", 2)])
    assert decisions[1].add_dispute and decisions[1].state == "pending"
    assert decisions[2].transition == "verified" and "x" in state.disputes


def test_a_dispute_keeps_its_latest_time() -> None:
    state, _ = run([report("a"), Message(reporter="x", kind="dispute", at=T + 60),
                    Message(reporter="x", kind="dispute", at=T + 120)])
    assert state.disputes == {"x": T + 120}


# --- all-clear ---------------------------------------------------------------------------------------------------

def _verified() -> IncidentState:
    state, _ = run([report("a"), report("b", 1)])
    return state


def clear(who: str, minutes: float, **kw) -> Message:  # type: ignore[no-untyped-def]
    return Message(reporter=who, kind="clear", at=T + minutes * 60, **kw)


def test_the_all_clear_needs_two_different_people() -> None:
    state, decisions = run([clear("a", 30), clear("a", 31), clear("c", 32)], state=_verified())
    assert [d.why for d in decisions] == ["all_clear", "repeat", "all_clear"]
    assert [d.clears for d in decisions] == [1, 1, 2]
    assert [d.transition for d in decisions] == ["", "", "cleared"] and state.state == "cleared"


def test_one_verifier_clears() -> None:
    _, (decision,) = run([clear("v", 30, verifier=True)], state=_verified())
    assert decision.transition == "cleared" and decision.why == "verifier"


def test_an_all_clear_before_the_alert_is_kept_and_counts_later() -> None:
    _, decisions = run([report("a"), clear("c", 1), report("b", 2), clear("d", 3)])
    assert [d.transition for d in decisions] == ["", "", "verified", "cleared"]


def test_a_closed_incident_takes_nothing() -> None:
    decision = decide(IncidentState(state="cleared"), report("a"), POLICY)
    assert decision.status == "closed" and not decision.add_reporter


# --- area → point ----------------------------------------------------------------------------------------------

def test_a_counted_point_report_refines_an_area_incident() -> None:
    state, decisions = run([report("a", precision="area"), report("b", 1)], state=IncidentState(precision="area"))
    assert [d.refine for d in decisions] == [False, True] and state.precision == "point"


def test_an_uncounted_point_report_does_not_refine() -> None:
    _, (decision,) = run([report("f", counted=False)], state=IncidentState(precision="area"))
    assert not decision.refine


# --- first-time senders -----------------------------------------------------------------------------------------

def test_first_time_means_first_heard_less_than_a_day_before() -> None:
    assert is_first_time(newcomer("n"), POLICY)
    assert is_first_time(report("n", first_seen=T - 23 * 3600, listening_since=LISTENING), POLICY)
    assert not is_first_time(report("n", first_seen=T - 25 * 3600, listening_since=LISTENING), POLICY)
    assert is_first_time(report("n", first_seen=None, listening_since=LISTENING), POLICY)  # never heard


def test_nobody_is_first_time_before_the_relay_has_listened_that_long() -> None:
    """A drill, or a new deployment's first day: everyone is new, so "new" means nothing yet."""
    assert not is_first_time(report("n", first_seen=T, listening_since=T - 3600), POLICY)
    assert not is_first_time(report("n", first_seen=T), POLICY)  # never listened
    assert not is_first_time(newcomer("v", verifier=True), POLICY)  # a verifier is never a newcomer
    assert not is_first_time(newcomer("n"), Policy(first_time_burst=False))


def test_a_burst_of_first_time_senders_is_one_voice() -> None:
    state, decisions = run([newcomer("n1"), newcomer("n2", 1), newcomer("n3", 2), newcomer("n4", 3)])
    assert [d.why for d in decisions] == ["report", "burst", "burst", "burst"]
    assert [d.counted for d in decisions] == [True, False, False, False]
    assert all(d.first_time for d in decisions) and {d.reporters for d in decisions} == {1}
    assert state.state == "pending" and len(state.reporters) == 4


def test_someone_with_a_history_confirms_a_burst() -> None:
    _, decisions = run([newcomer("n1"), newcomer("n2", 1), known("k", 5)])
    assert [d.transition for d in decisions] == ["", "", "verified"]
    assert decisions[-1].why == "confirm" and decisions[-1].reporters == 2


def test_a_verifier_confirms_a_burst() -> None:
    _, decisions = run([newcomer("n1"), newcomer("n2", 1), newcomer("v", 2, verifier=True)])
    assert decisions[-1].transition == "verified" and decisions[-1].by_verifier


def test_first_time_senders_far_apart_in_time_are_separate_voices() -> None:
    _, decisions = run([newcomer("n1"), newcomer("n2", 11)])
    assert decisions[-1].transition == "verified" and decisions[-1].why == "confirm"


def test_a_burst_chains_reports_each_within_the_burst_time_of_the_last() -> None:
    reporters = [Reporter(T + m * 60, True) for m in (0, 8, 16, 30)]
    assert voices(reporters, POLICY) == 2  # 0-8-16 is one burst, 30 another
    assert voices(reporters, Policy(burst_minutes=20)) == 1
    assert voices(reporters, Policy(first_time_burst=False)) == 4
    assert voices([*reporters, Reporter(T, False)], POLICY) == 3


def test_one_first_time_sender_and_one_known_person_verify() -> None:
    _, decisions = run([newcomer("n1"), known("k", 1)])
    assert decisions[-1].transition == "verified"


def test_the_burst_rule_can_be_switched_off() -> None:
    _, decisions = run([newcomer("n1"), newcomer("n2", 1)], Policy(first_time_burst=False))
    assert decisions[-1].transition == "verified" and not decisions[-1].first_time


def test_the_first_time_flag_is_kept_from_the_reporters_first_counted_report() -> None:
    state, _ = run([newcomer("n1"), report("n1", 60 * 30, first_seen=T, listening_since=LISTENING)])
    assert state.reporters["n1"] == Reporter(T, True)


def test_after_never_changes_its_input() -> None:
    before = IncidentState(reporters=frozen_map({"a": Reporter(T)}))
    message = report("b", 1)
    after(before, message, decide(before, message, POLICY))
    assert set(before.reporters) == {"a"} and before.state == "pending"
