"""Screenshots of the coordinator map over the example drill, for the README.

    .venv/bin/python docs/screenshots.py      # writes docs/map.png and docs/map-phone.png

Runs examples/drill.jsonl through the real pipeline (config/example.areas.toml), serves the map over the
drill's Redis on a free port (the drill's last message time as now), and photographs it in headless
Chromium (/usr/bin/chromium): a desktop window, and the list view on a phone-sized screen.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydantic import SecretStr  # noqa: E402

from alertrelay.bot import keys  # noqa: E402
from alertrelay.bot.server import BotContext, build_app, serve  # noqa: E402
from alertrelay.config.settings import Settings  # noqa: E402
from alertrelay.workers.drill import run_drill  # noqa: E402
from alertrelay.workers.map_service import map_registrar  # noqa: E402
from alertrelay.workers.runtime import Runtime  # noqa: E402

SCENARIO = REPO / "examples" / "drill.jsonl"
AREAS = REPO / "config" / "example.areas.toml"


def serve_in_thread(ctx: BotContext, now: float) -> tuple[str, object]:
    """The map server on a free port; returns its URL and a function that stops it."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    runners: list[object] = []

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def start() -> None:
            runner = await serve(build_app(ctx, [map_registrar(clock=lambda: now)]), "127.0.0.1", 0)
            port.append(runner.addresses[0][1])
            runners.append(runner)
            ready.set()

        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(60)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runners[0].cleanup(), loop).result(30)  # type: ignore[attr-defined]
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return f"http://127.0.0.1:{port[0]}", stop


def main() -> None:
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="alertrelay-screens-"))
    result = run_drill(SCENARIO, AREAS, data_dir=root)
    token = secrets.token_urlsafe(16)
    settings = Settings(data_dir=root, areas=AREAS, secret_key=SecretStr(secrets.token_urlsafe(32)),
                        map_token=SecretStr(token), outbox=root / "outbox.jsonl")
    rt = Runtime(settings)
    rt.conn.set(keys.EXERCISE, "1")
    end = max(datetime.fromisoformat(m["at"]).timestamp() for m in result.messages)
    url, stop = serve_in_thread(BotContext(settings, rt.conn, rt.queue, rt.identity), end + 60)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        shots = [({"width": 1280, "height": 800}, "", REPO / "docs" / "map.png"),
                 ({"width": 390, "height": 844}, "?view=list", REPO / "docs" / "map-phone.png")]
        for viewport, view, out in shots:
            context = browser.new_context(viewport=viewport, device_scale_factor=1, timezone_id="America/Chicago")
            page = context.new_page()
            page.goto(f"{url}/map?token={token}")
            page.wait_for_selector("#incidents li[data-state]")
            if view:
                page.click("#toggle-map")
            page.wait_for_timeout(800)  # outlines and markers drawn
            page.screenshot(path=str(out), full_page=bool(view))
            print(f"wrote {out.relative_to(REPO)}")
            context.close()
        browser.close()
    stop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
