"""One log format. Log lines carry message keys, incident and alert ids: never numbers or texts."""

from __future__ import annotations

import logging

from config.settings import Settings


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # rq logs job descriptions (arguments); ours hold no clear numbers, but keep its chatter down
    logging.getLogger("rq.worker").setLevel(max(logging.WARNING, logging.getLogger().level))
