"""ALERTRELAY_LOG_FORMAT=json: one JSON object per line, ids as fields, no phone number, no text above DEBUG."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from alertrelay.config.logging import JsonLinesFormatter, ScrubbingFormatter
from tests.conftest import REPO


def record(level: int, msg: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("alertrelay.workers.pipeline", level, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


def test_one_object_per_line_with_the_ids() -> None:
    fmt = JsonLinesFormatter()
    line = fmt.format(record(logging.INFO, "incident %s verified: alert %s after message %s", "i12", "a3",
                             "0123456789abcdef01234567"))
    data = json.loads(line)
    assert "\n" not in line
    assert (data["incident"], data["alert"], data["message_key"]) == ("i12", "a3", "0123456789abcdef01234567")
    assert data["level"] == "INFO" and data["logger"] == "alertrelay.workers.pipeline" and data["ts"].endswith("+00:00")
    assert json.loads(fmt.format(record(logging.INFO, "sent", incident="i7")))["incident"] == "i7"


def test_no_phone_number_and_no_text_above_debug() -> None:
    fmt = JsonLinesFormatter()
    data = json.loads(fmt.format(record(logging.WARNING, "reply to %s failed", "+1 612 555 0101",
                                        text="ICE at Lake St, call me 612-555-0101")))
    assert "555" not in json.dumps(data) and "[number]" in data["event"] and "text" not in data
    debug = json.loads(fmt.format(record(logging.DEBUG, "read", text="ICE at Lake St, call me 612-555-0101")))
    assert debug["text"] == "ICE at Lake St, call me [number]"
    try:
        raise ValueError("bad sender +16125550101")
    except ValueError:
        import sys as _sys

        rec = record(logging.ERROR, "failed")
        rec.exc_info = _sys.exc_info()
    assert "5550101" not in fmt.format(rec)
    assert "5550101" not in ScrubbingFormatter("%(message)s").format(record(logging.INFO, "to %s", "+16125550101"))


def test_the_setting_picks_the_format() -> None:
    code = ("import logging; from config.settings import Settings; from config.logging import configure_logging; "
            "configure_logging(Settings(log_format='json')); logging.getLogger('x').info('alert %s', 'a1')")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert json.loads(out.stderr.strip())["alert"] == "a1"
