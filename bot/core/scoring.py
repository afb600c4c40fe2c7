"""Score a drill's outbound lines against a truth file (FORMAT.md). Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alertrelay.bot.core.geometry import haversine_m

TOLERANCE_M = {"point": 400.0, "area": 1500.0}

Line = dict[str, Any]
"""One decoded JSON line: an outbound line of a drill, or one of its messages."""


@dataclass
class Score:
    expected_alerts: int = 0
    sent_alerts: int = 0
    correct_alerts: int = 0
    expected_all_clears: int = 0
    correct_all_clears: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_alerts / self.sent_alerts if self.sent_alerts else 1.0

    @property
    def recall(self) -> float:
        return self.correct_alerts / self.expected_alerts if self.expected_alerts else 1.0

    @property
    def exact(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (f"alerts: {self.correct_alerts}/{self.expected_alerts} expected, {self.sent_alerts} sent "
                f"(precision {self.precision:.2f}, recall {self.recall:.2f}); "
                f"all-clears: {self.correct_all_clears}/{self.expected_all_clears}; "
                f"{len(self.errors)} errors")


def _incident_for(alert_lines: list[Line], truth: dict[str, Any]) -> str | None:
    first = alert_lines[0]
    label = truth["messages"].get(first.get("in_reply_to") or "", {})
    if label.get("incident"):
        incident: str = label["incident"]
        return incident
    best, best_d = None, float("inf")
    for inc in truth["incidents"]:
        d = haversine_m(first["lat"], first["lon"], inc["lat"], inc["lon"])
        if d < best_d and d <= TOLERANCE_M[inc["precision"]]:
            best, best_d = inc["id"], d
    return best


def score(outbound: list[Line], truth: dict[str, Any], messages: list[Line]) -> Score:
    result = Score()
    at_of = {m["id"]: datetime.fromisoformat(m["at"]) for m in messages}
    by_alert: dict[str, dict[str, list[Line]]] = defaultdict(lambda: defaultdict(list))
    seen_lines: set[tuple[object, ...]] = set()
    for line in outbound:
        if line["kind"] == "reply":
            continue
        to = line["to"]
        dedupe = (line.get("alert_id"), line["kind"], to.get("group"), to.get("recipient"))
        if dedupe in seen_lines:
            result.errors.append(f"{line.get('alert_id')}: {line['kind']} sent twice to {to.get('group')}")
        seen_lines.add(dedupe)
        by_alert[line.get("alert_id", "?")][line["kind"]].append(line)

    incidents = {inc["id"]: inc for inc in truth["incidents"]}
    matched: dict[str, str | None] = {}
    for alert_id, kinds in by_alert.items():
        if not kinds.get("alert"):
            result.errors.append(f"{alert_id}: {sorted(kinds)} lines without an alert")
            continue
        result.sent_alerts += 1
        incident_id = _incident_for(kinds["alert"], truth)
        inc = incidents.get(incident_id or "")
        if inc is None or not inc.get("expect_alert"):
            first = kinds["alert"][0]
            result.errors.append(f"{alert_id}: false alert at {first.get('place')} (after {first.get('in_reply_to')}; "
                                 f"truth incident {incident_id or 'none'})")
            continue
        if incident_id in matched.values():
            result.errors.append(f"{alert_id}: second alert for {incident_id}")
            continue
        matched[alert_id] = incident_id
        ok = True
        lines = kinds["alert"]
        groups = sorted({ln["to"]["group"] for ln in lines})
        if groups != sorted(inc["groups"]):
            ok = False
            result.errors.append(f"{alert_id} ({incident_id}): groups {groups}, expected {sorted(inc['groups'])}")
        after = {ln.get("in_reply_to") for ln in lines}
        if after != {inc["alert_after"]}:
            ok = False
            result.errors.append(f"{alert_id} ({incident_id}): alert after {sorted(map(str, after))}, "
                                 f"expected {inc['alert_after']}")
        expected_at = at_of.get(inc["alert_after"])
        if any(datetime.fromisoformat(ln["at"]) != expected_at for ln in lines):
            ok = False
            result.errors.append(f"{alert_id} ({incident_id}): alert time differs from {inc['alert_after']}'s")
        d = haversine_m(lines[0]["lat"], lines[0]["lon"], inc["lat"], inc["lon"])
        if d > TOLERANCE_M[inc["precision"]]:
            ok = False
            result.errors.append(f"{alert_id} ({incident_id}): {d:.0f} m from the truth point")
        if ok:
            result.correct_alerts += 1

    for inc in truth["incidents"]:
        if inc.get("expect_alert"):
            result.expected_alerts += 1
            if inc["id"] not in matched.values():
                result.errors.append(f"{inc['id']} ({inc['place']}): no alert, expected after {inc['alert_after']}")
        if inc.get("expect_all_clear"):
            result.expected_all_clears += 1

    for alert_id, kinds in by_alert.items():
        incident_id = matched.get(alert_id)
        inc = incidents.get(incident_id or "")
        clears = kinds.get("all_clear", [])
        if inc is None:
            continue
        if not inc.get("expect_all_clear"):
            if clears:
                result.errors.append(f"{alert_id} ({incident_id}): unexpected all-clear after "
                                     f"{clears[0].get('in_reply_to')}")
            continue
        if not clears:
            result.errors.append(f"{alert_id} ({incident_id}): no all-clear, expected after {inc['all_clear_after']}")
            continue
        groups = sorted({ln["to"]["group"] for ln in clears})
        after = {ln.get("in_reply_to") for ln in clears}
        if groups == sorted(inc["groups"]) and after == {inc["all_clear_after"]}:
            result.correct_all_clears += 1
        else:
            result.errors.append(f"{alert_id} ({incident_id}): all-clear after {sorted(map(str, after))} to {groups}, "
                                 f"expected after {inc['all_clear_after']} to {sorted(inc['groups'])}")
    return result
