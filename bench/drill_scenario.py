"""A synthetic drill scenario (FORMAT.md lines), seeded: days of a network's traffic over Minneapolis corners,
for comparing the drill's two replays byte for byte and for timing them.

    .venv/bin/python bench/drill_scenario.py --messages 4000 --seed 10 > /tmp/synthetic.jsonl

Every kind of line the pipeline treats differently appears: first reports in groups and direct messages,
independent confirmations, repeats, forwards and pasted copies, questions quoting a report, all-clears,
reports left to go quiet (the quiet-period expiry, with an update when they were alerted), a report with no
place answered by a pin, verifier reports, chatter, and redeliveries of a line already sent (the last line
too). Bursts of first-time senders come after the first day. Runs with config/example.areas.toml.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=-6))
START = datetime(2026, 3, 2, 7, 0, tzinfo=CST)
AVENUES = ["Chicago Ave", "Bloomington Ave", "Cedar Ave", "Nicollet Ave", "Portland Ave", "Park Ave", "Lyndale Ave",
           "Hiawatha Ave", "Minnehaha Ave", "4th Ave", "Blaisdell Ave", "16th Ave"]
STREETS = [f"{n}th St" for n in range(24, 47)] + ["Lake St", "Franklin Ave"]
GROUPS = ["franklin-en", "seward-en"]
VERIFIER = "+16125559009"
REPORT = ["ICE at {p} right now, {n} unmarked SUVs", "agents stopping cars at {p}, stay away",
          "la migra en {p}, {n} camionetas", "I see ICE vans parked at {p}", "hay agentes en {p} pidiendo papeles"]
CONFIRM = ["yes they are at {p}, I just walked past", "confirmo, migra en {p} ahorita", "still there at {p}, {n} cars"]
CLEAR = ["they left {p}", "ya se fueron de {p}", "all clear at {p} now, they drove off"]
CHATTER = ["stay safe everyone", "does anyone have the hotline number?", "gracias a todos", "meeting tonight at 7",
           "what's the rights card link"]
QUESTION = ["is this now?", "¿todavía están?", "which corner exactly?"]


class Scenario:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.lines: list[tuple[datetime, int, dict]] = []
        self.senders = [f"+1612555{n:04d}" for n in range(2000, 2600)]

    def add(self, at: datetime, sender: str, text: str, **extra: object) -> dict:
        channel = extra.pop("channel", None) or self.rng.choice(["signal", "whatsapp", "sms"])
        group = extra.pop("group", None)
        if channel == "signal" and group is None and self.rng.random() < 0.5:
            group = self.rng.choice(GROUPS)
        line = {"id": "", "at": at.isoformat(), "channel": channel, "sender": sender,
                "group": group if channel == "signal" else None, "text": text, **extra}
        self.lines.append((at, len(self.lines), line))
        return line

    def person(self) -> str:
        return self.rng.choice(self.senders)

    def incident(self, at: datetime) -> None:
        rng = self.rng
        place = f"{rng.choice(AVENUES)} & {rng.choice(STREETS)}"
        first_by = self.person()
        first = self.add(at, first_by, rng.choice(REPORT).format(p=place, n=rng.randint(2, 4)))
        if rng.random() < 0.3:
            self.add(at + timedelta(minutes=rng.uniform(1, 8)), self.person(), rng.choice(QUESTION),
                     quote=first, channel=first["channel"])
        if rng.random() < 0.25:
            self.add(at + timedelta(minutes=rng.uniform(1, 10)), self.person(), first["text"], forwarded=True)
        if rng.random() < 0.15:
            self.add(at + timedelta(minutes=rng.uniform(1, 10)), self.person(), "pls share " + first["text"])
        if rng.random() < 0.2:
            self.add(at + timedelta(minutes=rng.uniform(1, 10)), first_by, rng.choice(CONFIRM).format(p=place, n=3))
        if rng.random() < 0.1:
            self.add(at + timedelta(minutes=rng.uniform(2, 20)), VERIFIER, f"Checked in person: ICE at {place}",
                     channel="signal", group=None)
        elif rng.random() < 0.7:
            for _ in range(rng.choice([1, 1, 2])):
                self.add(at + timedelta(minutes=rng.uniform(2, 30)), self.person(),
                         rng.choice(CONFIRM).format(p=place, n=rng.randint(2, 5)))
        if rng.random() < 0.5:  # else it goes quiet and expires
            end = at + timedelta(minutes=rng.uniform(35, 80))
            for k in range(2):
                self.add(end + timedelta(minutes=4 * k), self.person(), rng.choice(CLEAR).format(p=place))

    def no_place_then_pin(self, at: datetime) -> None:
        sender = self.person()
        self.add(at, sender, "ICE here right now!!", channel="whatsapp")
        lat, lon = 44.9627 + self.rng.uniform(-0.004, 0.004), -93.2626 + self.rng.uniform(-0.004, 0.004)
        self.add(at + timedelta(seconds=self.rng.uniform(30, 120)), sender, "", channel="whatsapp",
                 location={"lat": round(lat, 5), "lon": round(lon, 5)})

    def build(self, count: int) -> list[dict]:
        rng = self.rng
        at = START
        while len(self.lines) < count:
            at += timedelta(minutes=rng.expovariate(1 / 9))
            if at.hour >= 22:  # a quiet night: everything open expires before morning
                at = (at + timedelta(days=1)).replace(hour=7, minute=rng.randint(0, 59))
            roll = rng.random()
            if roll < 0.55:
                self.incident(at)
            elif roll < 0.65:
                self.no_place_then_pin(at)
            elif roll < 0.7 and at - START > timedelta(days=1):  # first-time senders, one burst
                place = f"{rng.choice(AVENUES)} & {rng.choice(STREETS)}"
                for k in range(rng.randint(2, 4)):
                    self.add(at + timedelta(minutes=k), f"+1763555{rng.randrange(10_000):04d}",
                             rng.choice(REPORT).format(p=place, n=2))
            else:
                self.add(at, self.person(), rng.choice(CHATTER))
        ordered = [line for _, _, line in sorted(self.lines, key=lambda item: (item[0], item[1]))][:count]
        for number, line in enumerate(ordered, start=1):
            line["id"] = f"s{number:05d}"
        for line in ordered:  # quotes name the quoted line by its id
            if isinstance(line.get("quote"), dict):
                line["quote"] = line["quote"]["id"] or None
                if line["quote"] is None:
                    del line["quote"]
        out: list[dict] = []
        for line in ordered:
            out.append(line)
            if rng.random() < 0.01:  # a provider redelivers a line it already sent
                out.append(dict(line))
        out.append(dict(out[-1]))
        return out


def scenario(count: int, seed: int = 10) -> list[dict]:
    return Scenario(seed).build(count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    for line in scenario(args.messages, args.seed):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
