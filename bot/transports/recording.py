"""A sender that records instead of sending: drills, tests and local runs without a transport."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from alertrelay.bot.transports.base import Outbound


class RecordingSender:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, message: Outbound) -> str | None:
        line = (json.dumps(message.drill_line(), ensure_ascii=False) + "\n").encode()
        # One write() on an O_APPEND file: lines from several worker processes never interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        return None

    def find(self, message: Outbound, since: datetime) -> str | None:
        """The outbox is the provider here: a line is written whole or not at all, and a line of one
        delivery is the same on every attempt. "" if it is there."""
        wanted = message.drill_line()
        return "" if any(line == wanted for line in self.read()) else None

    def read(self) -> list[dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
