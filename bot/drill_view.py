"""How `alertrelay drill` shows its result: a timeline and a summary per incident for a person at a terminal,
or the outbound JSON lines of FORMAT.md for a file or a program."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

KIND_LABEL = {"alert": "ALERT", "update": "update", "all_clear": "ALL CLEAR", "retraction": "RETRACTION",
              "reply": "reply"}
KIND_STYLE = {"alert": "bold red", "update": "yellow", "all_clear": "bold green", "retraction": "bold magenta",
              "reply": "dim"}
LISTED_INCIDENTS_MAX = 40
"""Above this many incidents the summary lists those that alerted and counts the rest."""

Line = dict[str, Any]
"""A decoded JSON object: an outbound line of FORMAT.md, an incident of the drill's result, a timeline row."""


def write_jsonl(lines: Iterable[Line], out: IO[str]) -> None:
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def timeline_rows(lines: list[Line]) -> Iterator[Line]:
    """The outbound lines as a person reads them: a member list's copies of one message (one line per
    member) become one row naming the list and how many members it reached."""
    row: Line | None = None
    for line in lines:
        to = line["to"]
        same = (row is not None and line["kind"] != "reply" and to.get("group") is not None
                and (line["at"], line["kind"], line.get("alert_id"), to.get("group"), line["text"])
                == (row["at"], row["kind"], row.get("alert_id"), row["group"], row["text"]))
        if same:
            assert row is not None
            row["members"] += 1
            continue
        if row is not None:
            yield row
        row = {**line, "group": to.get("group"), "recipient": to.get("recipient"), "channel": to["channel"],
               "members": 1 if to.get("recipient") else 0}
    if row is not None:
        yield row


def why(row: Line, by_alert: dict[str, Line]) -> str:
    """Why this went out, in an organiser's words."""
    incident = by_alert.get(row.get("alert_id") or "", {})
    kind = row["kind"]
    caused_by = f" ({row['in_reply_to']})" if row.get("in_reply_to") else ""
    if kind == "alert":
        return (incident.get("verified_by") or f"{row.get('independent_reports')} independent reports") + caused_by
    if kind == "all_clear":
        return (incident.get("cleared_by") or "all-clear reports") + caused_by
    if kind == "update":
        return "no new report for the quiet period"
    if kind == "retraction":
        return "retracted by an admin" + caused_by
    if row["text"].startswith("🔎"):
        return "asks a verifier to go and look"
    return f"answer to {row['in_reply_to']}" if row.get("in_reply_to") else "answer"


def recipient_cell(row: Line) -> str:
    if row["kind"] == "reply" and row["group"] is None:
        return f"{row['recipient']} ({row['channel']})"
    if row["members"]:
        return f"{row['group']} ({row['members']} member{'s' if row['members'] != 1 else ''})"
    return f"{row['group']} ({row['channel']})"


def timeline(lines: list[Line], incidents: list[Line], console: Console) -> None:
    """One entry per message that went out: time, kind, to whom and why on one line, the text below it,
    under a heading per day. Rows rather than a table, so it reads at any terminal width."""
    by_alert = {i["alert_id"]: i for i in incidents if i.get("alert_id")}
    console.print(Text("What went out", style="bold"))
    day = None
    for row in timeline_rows(lines):
        at = datetime.fromisoformat(row["at"])
        if at.date() != day:
            day = at.date()
            console.print(Text(at.strftime("%a %d %b %Y"), style="bold underline"))
        style = KIND_STYLE.get(row["kind"], "")
        what = KIND_LABEL.get(row["kind"], str(row["kind"])) + (f" {row['alert_id']}" if row.get("alert_id") else "")
        head = Text.assemble(f"  {at.strftime('%H:%M:%S')}  ", (what, style), f" → {recipient_cell(row)}",
                             ("  · " + why(row, by_alert), "italic"))
        console.print(head)
        console.print(Padding(Text(row["text"], style="dim" if row["kind"] == "reply" else ""), (0, 0, 0, 12),
                              expand=False))


def incident_summary(lines: list[Line], incidents: list[Line]) -> tuple[Table, str]:
    """A row per incident (every one, or those that alerted when there are many) and a tally of the rest."""
    groups: dict[str, set[str]] = {}
    for line in lines:
        if line["kind"] == "alert" and line["to"].get("group"):
            groups.setdefault(str(line["alert_id"]), set()).add(line["to"]["group"])
    listed = incidents if len(incidents) <= LISTED_INCIDENTS_MAX else [i for i in incidents if i["alert_id"]]
    table = Table(title="Incidents", title_justify="left", expand=True)
    table.add_column("incident", no_wrap=True)
    table.add_column("place", ratio=2, overflow="fold")
    table.add_column("state", no_wrap=True)
    table.add_column("reports", justify="right", no_wrap=True)
    table.add_column("alert → groups", ratio=2, overflow="fold")
    table.add_column("why", ratio=3)
    for item in listed:
        place = item["place"] + (f", {item['area']}" if item["area"] and item["area"] not in item["place"] else "")
        alerted = ""
        if item["alert_id"]:
            alerted = f"{item['alert_id']} → " + (", ".join(sorted(groups.get(item["alert_id"], set())))
                                                 or "no group covers it")
        reasons = [f"verified by {_who(item['verified_by'])}"] if item["verified_by"] else []
        reasons += [f"cleared by {_who(item['cleared_by'])}"] if item["cleared_by"] else []
        table.add_row(item["incident"], place, Text(item["state"], style=STATE_STYLE.get(item["state"], "")),
                      str(item["reports"]), alerted, ", ".join(reasons))
    rest = [i for i in incidents if i not in listed]
    tally: dict[str, int] = {}
    for item in rest:
        tally[item["state"]] = tally.get(item["state"], 0) + 1
    note = (f"and {len(rest)} incidents that never alerted ("
            + ", ".join(f"{count} {state}" for state, count in sorted(tally.items())) + ")") if rest else ""
    return table, note


def _who(reason: str) -> str:
    return "a verifier" if reason == "verifier" else reason


STATE_STYLE = {"verified": "red", "cleared": "green", "expired": "yellow", "retracted": "magenta",
               "blocked": "cyan"}


def render_text(lines: list[Line], incidents: list[Line], console: Console) -> None:
    if lines:
        timeline(lines, incidents, console)
    else:
        console.print("Nothing went out.")
    if incidents:
        table, note = incident_summary(lines, incidents)
        console.print(table)
        if note:
            console.print(note, highlight=False)


PROGRESS_MIN_MESSAGES = 200
"""A drill this long shows a progress bar on a terminal (a short one is over before it would draw)."""


@contextmanager
def drill_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while a long drill runs, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("drill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_MIN_MESSAGES:
                return
            if task is None:
                task = bar.add_task("drill", total=total)
            bar.update(task, completed=done, total=total)

        yield update
