"""Benchmark: one alert to a WhatsApp list of 1,000 members through the real pipeline and the real twilio
client, against the fake Twilio API enforcing 80 msg/s (token bucket). Goal: >= 95 % of the rate, zero 429s.

    .venv/bin/python bench/bench_twilio_fanout.py [--members 1000] [--rate 80] [--burst 4] [--procs 4]

Two runs:
  pipeline  two reports → verified incident → the `deliver` rq job (one job per list: sends in sequence)
  procs     N worker processes each sending a share of the members at once: the Redis limiter keeps the
            sum at the rate
The achieved rate is measured where the fake received the messages: (n - 1) / (last - first).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydantic import SecretStr  # noqa: E402
from rq import SimpleWorker  # noqa: E402
from rq.serializers import JSONSerializer  # noqa: E402

from alertrelay.bot.core.models import InboundMessage  # noqa: E402
from alertrelay.bot.ingest import ingest  # noqa: E402
from alertrelay.bot.transports.base import Outbound  # noqa: E402
from alertrelay.config.areas import load_areas  # noqa: E402
from alertrelay.config.settings import Settings  # noqa: E402
from alertrelay.workers.config_state import seed_config  # noqa: E402
from alertrelay.workers.redis_conn import EmbeddedRedis  # noqa: E402
from alertrelay.workers.runtime import Runtime, set_runtime  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

ACCOUNT = "AC" + "0123456789abcdef" * 2


def areas_toml(members: int) -> str:
    numbers = ", ".join(f'"+1612556{k:04d}"' for k in range(members))
    return f"""
[policy]
min_independent_reports = 2

[[group]]
id = "big-es"
channel = "whatsapp"
language = "es"
members = [{numbers}]
areas = [{{ lat = 44.9342, lon = -93.2626, radius_m = 800 }}]
"""


def make_settings(tmp: Path, redis_url: str, api_url: str, token: str, rate: float, members: int) -> Settings:
    areas = tmp / "areas.toml"
    areas.write_text(areas_toml(members))
    return Settings(data_dir=tmp, redis_url=redis_url, secret_key="bench-" + token[:8], areas=areas,
                    twilio_account_sid=ACCOUNT, twilio_auth_token=SecretStr(token),
                    twilio_whatsapp_from="whatsapp:+14155238886", twilio_api_url=api_url,
                    public_url="https://relay.example.org", twilio_whatsapp_rate_per_s=rate,
                    twilio_content_sid_es="HX" + "e5" * 16, job_timeout_s=600, log_level="WARNING")


def measure(fake: FakeTwilio, kind: str = "alert") -> tuple[int, float]:
    times = sorted(s.at for s in fake.sent if s.query.get("k") == kind)
    if len(times) < 2:
        return len(times), 0.0
    return len(times), (len(times) - 1) / (times[-1] - times[0])


def run_pipeline(settings: Settings, fake: FakeTwilio) -> None:
    rt = Runtime(settings)
    rt.conn.flushdb()
    seed_config(rt.conn, load_areas(settings.areas), rt.identity)
    set_runtime(rt)
    now = datetime.now(UTC)
    for k, text in enumerate(["la migra en la 38 y chicago, 3 camionetas",
                              "ICE at 38th St & Chicago Ave right now, agents detaining someone"]):
        ingest(rt.conn, rt.queue, rt.identity, InboundMessage(channel="whatsapp", message_id=f"SM{k:032x}",
                                                              sender=f"+1612555990{k}", text=text, at=now))
    SimpleWorker([rt.queue], connection=rt.conn, serializer=JSONSerializer).work(burst=True)
    set_runtime(None)


def _proc_send(settings: Settings, numbers: list[str], start_at: float) -> None:
    from alertrelay.bot.transports.twilio_sender import TwilioSender

    sender = TwilioSender.from_settings(settings)
    while time.time() < start_at:
        time.sleep(0.001)
    now = datetime.now(UTC)
    for number in numbers:
        sender.send(Outbound(kind="alert", channel="whatsapp", text="ALERTA bench", at=now, group="big-es",
                             recipient=number, alert_id="a-bench", place="38 y Chicago"))


def run_procs(settings: Settings, procs: int, members: int) -> None:
    numbers = [f"+1612556{k:04d}" for k in range(members)]
    start_at = time.time() + 1.5
    ctx = mp.get_context("spawn")
    workers = [ctx.Process(target=_proc_send, args=(settings, numbers[i::procs], start_at)) for i in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--burst", type=int, default=4, help="the fake's bucket size (arrival jitter allowed)")
    parser.add_argument("--procs", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        server = EmbeddedRedis(tmp / "redis").start()
        token = secrets.token_hex(16)
        try:
            results = []
            for mode in ("pipeline", "procs"):
                fake = FakeTwilio(ACCOUNT, token, rate_per_s=args.rate, burst=args.burst).start()
                settings = make_settings(tmp, server.url, fake.url, token, args.rate, args.members)
                started = time.monotonic()
                if mode == "pipeline":
                    run_pipeline(settings, fake)
                else:
                    import redis

                    redis.Redis.from_url(server.url).delete("relay:{twilio}:rate:whatsapp")
                    run_procs(settings, args.procs, args.members)
                wall = time.monotonic() - started
                sent, rate = measure(fake)
                rejected = sum(1 for code, _ in fake.rejected if code == 20429)
                fake.stop()
                label = "pipeline (1 deliver job)" if mode == "pipeline" else f"{args.procs} processes"
                results.append((label, sent, rate, rejected, wall))
        finally:
            server.stop()
    print(f"fake Twilio: {args.rate:g} msg/s token bucket, burst {args.burst}; {args.members} members")
    print(f"{'run':28} {'sent':>6} {'msg/s':>8} {'of rate':>8} {'429s':>5} {'wall s':>7}")
    for label, sent, rate, rejected, wall in results:
        print(f"{label:28} {sent:6d} {rate:8.2f} {100 * rate / args.rate:7.1f}% {rejected:5d} {wall:7.2f}")
    ok = all(sent == args.members and rate >= 0.95 * args.rate and rejected == 0
             for _, sent, rate, rejected, _ in results)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
