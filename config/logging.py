"""One log format. Log lines carry message keys, incident and alert ids: never numbers or texts.

ALERTRELAY_LOG_FORMAT=text (default): `time LEVEL logger: message`. =json: one JSON object per line,
{"ts", "level", "logger", "event", "message_key"?, "incident"?, "alert"?, "error"?}. The ids come from the
record's `extra` (message_key=, incident=, alert=) or from its arguments when one has that shape (a 24-hex
message key, i12, a3). Every line is scrubbed of phone numbers; a `text=` extra (a message's words) is
written at DEBUG only."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from alertrelay.config.settings import Settings

_SHAPES = (("message_key", re.compile(r"[0-9a-f]{24}")), ("incident", re.compile(r"i\d+")),
           ("alert", re.compile(r"a\d+")))
IDS = ("message_key", "incident", "alert")


def _scrub(text: str) -> str:
    from alertrelay.bot.identity import scrub_numbers

    return scrub_numbers(text)


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "event": _scrub(record.getMessage())}
        for name in IDS:
            value = getattr(record, name, None)
            if value:
                line[name] = str(value)
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, str):
                for name, shape in _SHAPES:
                    if name not in line and shape.fullmatch(arg):
                        line[name] = arg
        text = getattr(record, "text", None)
        if text is not None and record.levelno <= logging.DEBUG:
            line["text"] = _scrub(str(text))
        if record.exc_info:
            line["error"] = _scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _scrub(super().format(record))


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonLinesFormatter())
    else:
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: a host that set up logging (pytest) keeps its own
        root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # rq logs job descriptions (arguments); ours hold no clear numbers, but keep its chatter down
    logging.getLogger("rq.worker").setLevel(max(logging.WARNING, logging.getLogger().level))
