"""The verification rule: what one message does to one open incident. Pure: time comes in the message.

`decide(before, message, policy)` answers a `Decision` that says exactly what to write (a reporter, a
forwarder, an all-clear, a dispute, the new state, the transition, a refined point, the /why entry);
`after(before, message, decision)` is the incident's state once it is written. workers/apply_report.lua
writes the same thing atomically, refused if the incident changed since `before` was read
(tests/test_decide_property.py proves the two agree on a real Redis).

The rule (README "The policy"):
- a report counts when it is first-hand (not forwarded, not hearsay, not a copy) and its sender never
  forwarded or pasted someone else's report of this incident; whoever did is a forwarder, never a reporter;
- repeats by one reporter count once (the reporter keeps the time of their first counted report);
- a pending incident is verified when `min_independent_reports` voices reported within `window_minutes`
  of this message, or at once by a verifier's counted report; a blocked one only by a verifier's;
- first-time senders (first heard less than `first_time_hours` before their report, once the relay has
  listened that long) whose reports follow each other within `burst_minutes` are one voice together,
  until someone with a history, or a verifier, confirms (`first_time_burst`, on by default);
- a verifier's dispute blocks a pending incident;
- an alert is cleared by `all_clear_reports` different people saying it is over, or one verifier;
- a point report refines an incident known only by its neighbourhood.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar

from alertrelay.bot.core.models import Policy

K = TypeVar("K")
V = TypeVar("V")

OPEN_STATES = ("pending", "blocked", "verified")
Kind = Literal["report", "clear", "dispute"]
Transition = Literal["", "verified", "cleared"]

WHY_COUNTED = {
    "report": "first-hand report",
    "confirm": "confirmation by another person",
    "verifier": "verifier",
    "all_clear": "all-clear",
    "dispute": "dispute",
}
"""Why a message counted, as /why says it (the keys are what the decision log stores)."""
WHY_NOT = {
    "repeat": "repeat by the same person",
    "forwarded": "forwarded",
    "copy": "copy of an earlier report",
    "hearsay": "second-hand",
    "tainted": "this person forwarded a report of it before",
    "burst": "first-time sender in a burst: one voice with the others",
}
"""Why a message did not count."""


@dataclass(frozen=True)
class Reporter:
    at: float
    """Message time of their first counted report, epoch seconds."""
    first_time: bool = False
    """First heard less than `first_time_hours` before that report."""


def frozen_map(mapping: Mapping[K, V] | None = None) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class IncidentState:
    """What the rule reads of an incident: its state and who counted for what."""

    state: str = "pending"
    precision: str = "point"
    reporters: Mapping[str, Reporter] = field(default_factory=frozen_map)
    clears: Mapping[str, float] = field(default_factory=frozen_map)
    """person -> time of their first all-clear"""
    disputes: Mapping[str, float] = field(default_factory=frozen_map)
    """person -> time of their latest dispute"""
    forwarders: frozenset[str] = frozenset()
    by_verifier: bool = False


@dataclass(frozen=True)
class Message:
    reporter: str
    kind: Kind
    at: float
    """Message time, epoch seconds."""
    counted: bool = True
    """First-hand as far as the message itself goes: not forwarded, not hearsay, not a copy."""
    not_counted: str = ""
    """Why not, when not counted: forwarded | copy | hearsay."""
    verifier: bool = False
    precision: str | None = None
    """Of the place the message names ("point" | "area"), None for none."""
    first_seen: float | None = None
    """When the relay first heard from this sender (any message), epoch seconds; None: never."""
    listening_since: float | None = None
    """When the relay began noting first-heard times (its oldest); None: never."""


@dataclass(frozen=True)
class Decision:
    status: Literal["ok", "closed"] = "ok"
    state: str = "pending"
    """The incident's state after this message."""
    transition: Transition = ""
    by_verifier: bool = False
    add_reporter: bool = False
    first_time: bool = False
    """The new reporter is a first-time sender."""
    add_forwarder: bool = False
    add_clear: bool = False
    add_dispute: bool = False
    touch: bool = False
    """A report: the incident's last report time moves on to this one's, if later."""
    refine: bool = False
    """Take this message's point as the incident's place."""
    reporters: int = 0
    """Independent voices after this message (a first-time burst is one)."""
    clears: int = 0
    counted: bool = False
    """This message added a voice, an all-clear, or a dispute."""
    why: str = ""
    """A key of WHY_COUNTED or WHY_NOT."""


def is_first_time(message: Message, policy: Policy) -> bool:
    """Never heard from `first_time_hours` or more before this message. Only once the relay itself has
    listened that long: on its first day (or in a drill, which starts with no history) everyone is new,
    and "new" would say nothing."""
    if not policy.first_time_burst or message.verifier or message.listening_since is None:
        return False
    horizon_s = policy.first_time_hours * 3600
    if message.at - message.listening_since < horizon_s:
        return False
    return message.first_seen is None or message.at - message.first_seen < horizon_s


def voices(reporters: Collection[Reporter], policy: Policy) -> int:
    """Independent voices among these reporters: people with a history count one each; first-time senders
    whose reports follow each other within `burst_minutes` count one together."""
    fresh = sorted(r.at for r in reporters if r.first_time) if policy.first_time_burst else []
    if not fresh:
        return len(reporters)
    known = len(reporters) - len(fresh)
    bursts, last = 0, None
    for at in fresh:
        if last is None or at - last > policy.burst_minutes * 60:
            bursts += 1
        last = at
    return known + bursts


def decide(before: IncidentState, message: Message, policy: Policy) -> Decision:
    """What `message` does to the incident in `before` (see the module docstring for the rule)."""
    state = before.state
    if state not in OPEN_STATES:
        return Decision(status="closed", state=state)
    if message.kind == "report":
        return _report(before, message, policy)
    if message.kind == "clear":
        first = message.reporter not in before.clears
        clears = len(before.clears) + (1 if first else 0)
        cleared = state == "verified" and (message.verifier or clears >= policy.all_clear_reports)
        return Decision(state="cleared" if cleared else state, transition="cleared" if cleared else "",
                        by_verifier=before.by_verifier, add_clear=first,
                        reporters=voices(before.reporters.values(), policy), clears=clears,
                        counted=first or message.verifier,
                        why="verifier" if message.verifier else "all_clear" if first else "repeat")
    blocks = message.verifier and state == "pending"
    return Decision(state="blocked" if blocks else state, by_verifier=before.by_verifier, add_dispute=True,
                    reporters=voices(before.reporters.values(), policy), clears=len(before.clears), counted=True,
                    why="verifier" if message.verifier else "dispute")


def _report(before: IncidentState, message: Message, policy: Policy) -> Decision:
    state, who = before.state, message.reporter
    already = who in before.reporters
    tainted = who in before.forwarders
    counts = message.counted and not tainted
    add = counts and not already
    first_time = add and is_first_time(message, policy)
    reporters = before.reporters
    voices_before = voices(reporters.values(), policy)
    voices_after = voices_before
    if add:
        reporters = {**reporters, who: Reporter(message.at, first_time)}
        voices_after = voices(reporters.values(), policy) if first_time else voices_before + 1

    transition: Transition = ""
    by_verifier, new_state = before.by_verifier, state
    if counts and state in ("pending", "blocked"):
        if message.verifier:
            transition, by_verifier = "verified", True
        elif state == "pending":
            window_s = policy.window_s
            within = [r for r in reporters.values() if abs(r.at - message.at) <= window_s]
            if voices(within, policy) >= policy.min_independent_reports:
                transition, by_verifier = "verified", False
    if transition:
        new_state = "verified"

    if not message.counted:
        why = message.not_counted or "forwarded"
    elif tainted:
        why = "tainted"
    elif already:
        why = "repeat"
    elif message.verifier:
        why = "verifier"
    elif first_time and voices_after <= voices_before:
        why = "burst"
    else:
        why = "report" if not before.reporters else "confirm"
    return Decision(
        state=new_state, transition=transition, by_verifier=by_verifier,
        add_reporter=add, first_time=first_time,
        add_forwarder=not message.counted and not already and who not in before.forwarders,
        touch=True, refine=counts and before.precision == "area" and message.precision == "point",
        reporters=voices_after, clears=len(before.clears), counted=why in WHY_COUNTED, why=why)


def after(before: IncidentState, message: Message, decision: Decision) -> IncidentState:
    """The incident once `decision` is written."""
    if decision.status != "ok":
        return before
    who, at = message.reporter, message.at
    return IncidentState(
        state=decision.state, by_verifier=decision.by_verifier,
        precision="point" if decision.refine else before.precision,
        reporters=frozen_map({**before.reporters, who: Reporter(at, decision.first_time)})
        if decision.add_reporter else before.reporters,
        clears=frozen_map({**before.clears, who: at}) if decision.add_clear else before.clears,
        disputes=frozen_map({**before.disputes, who: at}) if decision.add_dispute else before.disputes,
        forwarders=before.forwarders | {who} if decision.add_forwarder else before.forwarders)
