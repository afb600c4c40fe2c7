"""`alertrelay drill --serve` as a user runs it: the example drill, then the map and feeds over its Redis
(embedded, in the drill's own directory): no token no map, the token opens a session, ALERTRELAY_FEEDS is
obeyed (public when unset, as a rehearsal's feeds carry only Exercise messages)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REPO

TOKEN = "drill-dashboard-" + "5" * 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTRELAY_")}
    env.update({"ALERTRELAY_HTTP_PORT": str(port), "ALERTRELAY_MAP_TOKEN": TOKEN, "ALERTRELAY_FEEDS": "token"})
    proc = subprocess.Popen([sys.executable, "-m", "alertrelay.bot.cli", "drill",
                             str(REPO / "examples" / "drill.jsonl"),
                             "--serve", "--format", "jsonl", "--out", str(tmp_path / "out.jsonl"),
                             "--data-dir", str(tmp_path / "drill")],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_drill_serve_guards_the_map_and_obeys_the_feeds_setting(served: str) -> None:
    with httpx.Client(base_url=served, timeout=30) as http:
        page = http.get("/map")
        assert page.status_code == 403 and "data-incident-id" not in page.text and "Franklin" not in page.text
        assert http.get("/map/data.json").status_code == 403
        opened = http.get("/map", params={"token": TOKEN}, follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/map"
        data = http.get("/map/data.json", cookies=opened.cookies).json()
        assert data["exercise"] is True
        assert {(i["alert_id"], i["state"]) for i in data["incidents"]} >= {("a1", "cleared"), ("a3", "cleared")}

        assert http.get("/feeds/cap.atom").status_code == 403  # ALERTRELAY_FEEDS=token, not the drill's public
        atom = http.get("/feeds/cap.atom", headers={"Authorization": f"Bearer {TOKEN}"})
        assert atom.status_code == 200 and "/feeds/cap/a1.xml" in atom.text
        cap = http.get("/feeds/cap/a1.xml", params={"token": TOKEN})
        assert cap.status_code == 200 and "<status>Exercise</status>" in cap.text
