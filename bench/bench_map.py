"""Benchmark: the coordinator map's weight, and webhooks while map viewers are connected.

    .venv/bin/python bench/bench_map.py [--posts 1500] [--clients 10] [--concurrency 8] [--weight-only]

1. First load over the wire: /map (HTML), Leaflet JS + CSS, our JS + CSS, the street layer, the area
   outlines and the data, gzip as the server sends them (goal: < 1 MB).
2. Twilio inbound webhooks (signed, real twilio validator, ingest into a real Redis) posted as fast as
   `concurrency` threads can, with one rq worker process draining them (so incidents change and viewers
   get snapshots), first with 0 and then with `clients` map viewers holding /map/events open.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from alertrelay.bot.server import BotContext, build_app, serve  # noqa: E402
from alertrelay.bot.transports import twilio as twilio_transport  # noqa: E402
from alertrelay.config.areas import load_areas  # noqa: E402
from alertrelay.config.settings import Settings  # noqa: E402
from alertrelay.workers.config_state import seed_config  # noqa: E402
from alertrelay.workers.main import start_worker_processes  # noqa: E402
from alertrelay.workers.map_service import map_registrar  # noqa: E402
from alertrelay.workers.runtime import Runtime  # noqa: E402
from tests.transports.twilio_harness import ACCOUNT, PUBLIC, WA_FROM, twilio_settings  # noqa: E402

PLACES = ["Lake St & Hiawatha", "Franklin & Chicago", "38th & Chicago", "Lake & Bloomington", "Cedar & Riverside",
          "Franklin & Bloomington", "26th & Nicollet", "Lake & Nicollet"]
ASSETS = ["/map", "/map/static/leaflet.js", "/map/static/leaflet.css", "/map/static/map.js",
          "/map/static/map.css", "/map/static/streets.geojson", "/map/areas.geojson", "/map/data.json"]


def start_server(ctx: BotContext):  # type: ignore[no-untyped-def]
    import asyncio

    loop = asyncio.new_event_loop()
    ready, port = threading.Event(), []

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def start() -> None:
            runner = await serve(build_app(ctx, [map_registrar(), twilio_transport.register_routes]), "127.0.0.1", 0)
            port.append(runner.addresses[0][1])
            ready.set()

        loop.run_until_complete(start())
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    return f"http://127.0.0.1:{port[0]}"


def page_weight(url: str, cookie: dict[str, str]) -> tuple[int, int]:
    wire = raw = 0
    with httpx.Client(base_url=url, cookies=cookie) as client:
        for path in ASSETS:
            with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
                assert r.status_code == 200, (path, r.status_code)
                body = r.read()
                wire += r.num_bytes_downloaded
                raw += len(body)
    return wire, raw


def viewers(url: str, cookie: dict[str, str], n: int, stop: threading.Event,
            counts: list[int]) -> list[threading.Thread]:
    def watch(i: int) -> None:
        with httpx.Client(base_url=url, cookies=cookie, timeout=None) as client, \
                client.stream("GET", "/map/events") as r:
            for line in r.iter_lines():
                if line.startswith("event: snapshot"):
                    counts[i] += 1
                if stop.is_set():
                    return

    threads = [threading.Thread(target=watch, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads


def post_many(url: str, token: str, n: int, concurrency: int, offset: int) -> float:
    validator = RequestValidator(token)
    local = threading.local()

    def one(k: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=30)
        sid = "SM" + secrets.token_hex(16)
        sender = f"+1612555{(offset + k) % 10000:04d}"
        params = {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "x", "MessageType": "text", "SmsSid": sid,
                  "WaId": sender.lstrip("+"), "SmsStatus": "received",
                  "Body": f"ICE at {PLACES[k % len(PLACES)]} right now, 2 SUVs", "To": WA_FROM,
                  "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT, "From": f"whatsapp:{sender}",
                  "ApiVersion": "2010-04-01"}
        sig = validator.compute_signature(PUBLIC + "/twilio/inbound", params)
        r = local.client.post("/twilio/inbound", data=params, headers={"X-Twilio-Signature": sig})
        assert r.status_code == 200, r.status_code

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - began)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=1500)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--weight-only", action="store_true", help="measure the first load only")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="alertrelay-bench-map-"))
    token = secrets.token_hex(16)
    base = Settings(data_dir=root, secret_key=SecretStr(secrets.token_urlsafe(32)), outbox=root / "outbox.jsonl",
                    log_level="WARNING")
    settings = twilio_settings(base, "http://127.0.0.1:9", token).model_copy(
        update={"outbox": root / "outbox.jsonl", "map_token": SecretStr("bench-" + token)})
    rt = Runtime(settings)
    seed_config(rt.conn, load_areas(settings.areas), rt.identity)
    procs = start_worker_processes(rt, 1, tick=False, log_dir=root)
    try:
        url = start_server(BotContext(settings, rt.conn, rt.queue, rt.identity))
        with httpx.Client(base_url=url) as client:
            r = client.get("/map", params={"token": "bench-" + token}, follow_redirects=False)
            cookie = {k: v for k, v in r.cookies.items()}
        wire, raw = page_weight(url, cookie)
        print(f"first load: {wire / 1024:.0f} KiB over the wire (gzip), {raw / 1024:.0f} KiB uncompressed, "
              f"{len(ASSETS)} requests")
        if args.weight_only:
            return
        post_many(url, token, 200, args.concurrency, 0)  # warm up
        rate0 = post_many(url, token, args.posts, args.concurrency, 1000)
        stop, counts = threading.Event(), [0] * args.clients
        viewers(url, cookie, args.clients, stop, counts)
        time.sleep(1.0)
        rate10 = post_many(url, token, args.posts, args.concurrency, 5000)
        time.sleep(1.5)
        stop.set()
        print(f"webhooks: {rate0:.0f}/s with 0 map viewers, {rate10:.0f}/s with {args.clients} "
              f"({rate10 / rate0 * 100:.0f} %); viewers got {min(counts)}–{max(counts)} snapshots each")
    finally:
        for proc in procs:
            proc.terminate()


if __name__ == "__main__":
    main()
