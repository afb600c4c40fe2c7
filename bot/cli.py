"""The `alertrelay` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    import redis

    from alertrelay.config.settings import Settings
    from alertrelay.workers.drill import DrillResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Verified rapid-response alerts from free-text sightings.")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@app.command()
def drill(
    scenario: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="scenario .jsonl (FORMAT.md)")],
    areas: Annotated[Path | None, typer.Option("--areas", exists=True, dir_okay=False, help="areas.toml; "
                                               "default: areas.toml beside the scenario, else the example")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write outbound lines here (default: stdout)")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="rq worker processes to start")] = 1,
    check: Annotated[Path | None, typer.Option("--check", exists=True, dir_okay=False,
                                               help="truth .json to score")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="keep the drill's Redis files here")] = None,
    redis_url: Annotated[str | None, typer.Option(
        "--redis-url", help="use this (empty) Redis instead of an embedded one")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="then serve the map and feeds over the finished drill "
                                        "(HTTP_HOST:HTTP_PORT; prints a map link; Ctrl-C to stop)")] = False,
    output_format: Annotated[str, typer.Option(
        "--format", help="text: a timeline and a summary per incident; jsonl: FORMAT.md lines; auto: text on a "
        "terminal, else jsonl")] = "auto",
    stepwise: Annotated[bool, typer.Option("--stepwise", help="replay one message at a time, as before the "
                                           "message clock (slow; for comparing)")] = False,
    metrics_port: Annotated[int | None, typer.Option("--metrics-port", min=0, max=65535, help="serve Prometheus "
                                                     "/metrics on this port (0: any free one) during the drill "
                                                     "and after it (Ctrl-C to stop)")] = None,
) -> None:
    """Replay a scenario through the real pipeline and print what the relay would send."""
    from alertrelay.bot.drill_view import drill_progress, render_text, write_jsonl
    from alertrelay.bot.errors import DrillError
    from alertrelay.workers.drill import check as check_result
    from alertrelay.workers.drill import run_drill

    if output_format not in ("auto", "text", "jsonl"):
        typer.echo(f"--format must be auto, text or jsonl, not {output_format!r}", err=True)
        raise typer.Exit(2)
    # a file gets the lines; so does a pipe, unless asked for text
    as_text = output_format == "text" or (output_format == "auto" and out is None and sys.stdout.isatty())

    if (serve or metrics_port is not None) and data_dir is None and redis_url is None:
        import tempfile

        # kept: the map and /metrics read its Redis and its metrics files after the drill
        data_dir = Path(tempfile.mkdtemp(prefix="alertrelay-drill-serve-"))

    if areas is None:
        from alertrelay.config.settings import load_settings

        environment = load_settings()
        beside = scenario.parent / "areas.toml"
        if "areas" in environment.model_fields_set:
            areas = environment.areas
        else:
            areas = beside if beside.exists() else environment.areas
    def announce_metrics(url: str) -> None:
        typer.echo(f"metrics: {url}", err=True)

    try:
        with drill_progress() as progress:
            result = run_drill(scenario, areas, workers=workers, data_dir=data_dir, redis_url=redis_url,
                               stepwise=stepwise, progress=progress, metrics_port=metrics_port,
                               on_metrics=announce_metrics)
    except (DrillError, ValueError) as exc:
        typer.echo(f"drill failed: {exc}", err=True)
        raise typer.Exit(2) from exc
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            write_jsonl(result.outbound, handle)
    if as_text:
        from rich.console import Console

        console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 140)
        render_text(result.outbound, result.incidents, console)
    elif out is None:
        write_jsonl(result.outbound, sys.stdout)
    kinds: dict[str, int] = {}
    for line in result.outbound:
        kinds[line["kind"]] = kinds.get(line["kind"], 0) + 1
    typer.echo(f"drill: {len(result.messages)} messages, {len(result.outbound)} outbound "
               f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items())) or 'none'}) "
               f"in {result.seconds:.2f} s with {workers} worker(s), {result.mode}", err=True)
    # DrillResult holds it as an object (workers/drill.py); it is bot/metrics.py serve_http's server
    metrics_server = cast("ThreadingHTTPServer | None", result.metrics_server)
    if check is not None:
        score = check_result(result, check)
        typer.echo(f"check: {score.summary()}", err=True)
        for error in score.errors:
            typer.echo(f"  MISS {error}", err=True)
        if not score.exact:
            if metrics_server is not None:
                metrics_server.shutdown()
            raise typer.Exit(1)
    if serve:
        if metrics_server is not None:
            metrics_server.shutdown()  # the map's server has /metrics too
        serve_drill(result, data_dir=data_dir, redis_url=redis_url)
    elif metrics_server is not None:
        _serve_metrics_until_stopped(metrics_server)


def _serve_metrics_until_stopped(server: ThreadingHTTPServer) -> None:
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo("metrics: still serving over the finished drill (Ctrl-C to stop)", err=True)
    stop.wait()
    server.shutdown()


def serve_drill(result: DrillResult, *, data_dir: Path | None, redis_url: str | None) -> None:
    """The map and feeds over a finished drill's Redis, with the drill's last message time as now; every
    CAP message says status Exercise."""
    import asyncio
    from datetime import datetime

    from alertrelay.bot import keys, metrics
    from alertrelay.bot.app import run_bot
    from alertrelay.bot.map.access import DASHBOARD, Signer
    from alertrelay.bot.server import BotContext
    from alertrelay.config.settings import load_settings
    from alertrelay.workers.map_service import map_registrar
    from alertrelay.workers.runtime import Runtime

    flags: dict[str, object] = {"data_dir": data_dir, "redis_url": redis_url}
    settings = load_settings(**flags)
    if "feeds" not in settings.model_fields_set:  # a rehearsal's feeds are open unless ALERTRELAY_FEEDS says
        settings = settings.model_copy(update={"feeds": "public"})
    metrics.use_directory(settings.data_dir)  # /metrics shows the drill's counts
    if settings.secret_key is None:
        import secrets

        from pydantic import SecretStr

        settings = settings.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(32))})
    rt = Runtime(settings)
    rt.conn.set(keys.EXERCISE, "1")
    end = max(datetime.fromisoformat(m["at"]).timestamp() for m in result.messages)
    base = settings.public_url or f"http://{settings.http_host}:{settings.http_port}"
    token = settings.map_token.get_secret_value() if settings.map_token else None
    import time as _time

    expires = _time.time() + settings.map_link_ttl_s
    link = f"{base}/map?token={token}" if token else \
        f"{base}/map?k={Signer(settings.secret_bytes()).sign(DASHBOARD, expires, 'link')}"
    typer.echo(f"map: {link}\nfeeds: {base}/feeds/cap.atom {base}/feeds/alerts.geojson (Ctrl-C to stop)", err=True)
    ctx = BotContext(settings.model_copy(update={"signal_service": None, "twilio_account_sid": None}),
                     rt.conn, rt.queue, rt.identity)
    asyncio.run(run_bot(ctx, extra=[map_registrar(clock=lambda: end + 60)]))


@app.command()
def run(
    workers: Annotated[int, typer.Option("--workers", min=0, max=16,
                                         help="rq worker processes to start beside the bot")] = 1,
) -> None:
    """Run the bot: HTTP webhooks and the configured Signal / WhatsApp / SMS transports (+ N workers)."""
    import asyncio

    from alertrelay.bot import metrics
    from alertrelay.bot.app import run_bot
    from alertrelay.bot.server import BotContext
    from alertrelay.config.areas import load_areas
    from alertrelay.config.logging import configure_logging
    from alertrelay.config.settings import load_settings
    from alertrelay.workers.config_state import seed_config
    from alertrelay.workers.main import start_worker_processes
    from alertrelay.workers.map_service import map_registrar
    from alertrelay.workers.runtime import Runtime

    settings = load_settings()
    configure_logging(settings)
    metrics.use_directory(settings.data_dir, clean=True)  # GET /metrics merges this process's and the workers'
    rt = Runtime(settings, conn=_store(settings))
    _check_key(rt.conn, settings)
    if seed_config(rt.conn, load_areas(settings.areas), rt.identity):
        typer.echo(f"seeded groups and policy from {settings.areas}", err=True)
    _store(settings, rt.conn, runnable=True)
    procs = start_worker_processes(rt, workers)
    try:
        asyncio.run(run_bot(BotContext(settings, rt.conn, rt.queue, rt.identity), extra=[map_registrar()]))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
            metrics.process_exited(proc.pid)


@app.command()
def worker(
    fork: Annotated[bool, typer.Option(
        "--fork", help="fork a work horse per job (rq Worker) instead of SimpleWorker")] = False,
    burst: Annotated[bool, typer.Option("--burst", help="exit when the queue is empty")] = False,
) -> None:
    """Run one rq worker on the relay queue (start several for more throughput)."""
    from alertrelay.config.settings import load_settings
    from alertrelay.workers.main import run_worker

    settings = load_settings()
    _check_key(_store(settings, runnable=True), settings)
    run_worker(settings, fork=fork, burst=burst)


def _check_key(conn: redis.Redis, settings: Settings) -> None:
    """Refuse to start with a key other than the one that sealed this Redis (workers/ops/keycheck.py)."""
    from alertrelay.bot.errors import WrongSecretKey
    from alertrelay.workers.ops.keycheck import ensure_key_check

    try:
        ensure_key_check(conn, settings.secret_bytes())
    except WrongSecretKey as exc:
        typer.echo(f"alertrelay: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def geocode(
    text: Annotated[str | None, typer.Argument(help="a place as people write it")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", exists=True, dir_okay=False,
                                               help="one text per line")] = None,
) -> None:
    """Show how the bot reads a place: one JSON result (or one JSON line per input with --batch)."""
    from alertrelay.bot.geo.cli import geocode_main

    if text is None and batch is None:
        typer.echo("give a TEXT or --batch FILE", err=True)
        raise typer.Exit(2)
    raise typer.Exit(geocode_main(text, batch))


@app.command()
def classify(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False,
                                                help="JSONL: {\"id\", \"text\", \"context\"?}")],
    explain: Annotated[bool, typer.Option("--explain", help="add the claims and cues that decided each label")] = False,
    places: Annotated[bool, typer.Option("--places/--no-places", help="geocode each message's place")] = True,
) -> None:
    """Read messages as the pipeline does: one JSON line per input with its label, language and place."""
    from alertrelay.bot.classify import classify_lines

    geocode = None
    if places:
        from alertrelay.bot.geo import load_gazetteer

        geocode = load_gazetteer().geocode
    errors: list[str] = []

    def named_lines() -> Iterator[tuple[str, str]]:
        for path in files:
            with path.open(encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    yield f"{path}:{number}", line

    for out in classify_lines(named_lines(), geocode, explain, errors):
        typer.echo(json.dumps(out, ensure_ascii=False))
    for error in errors:
        typer.echo(f"alertrelay classify: {error}", err=True)
    raise typer.Exit(1 if errors else 0)


@app.command()
def audit(limit: Annotated[int, typer.Option("--limit", min=1)] = 100) -> None:
    """Print the audit trail (who changed what, as pseudonyms), newest last."""
    from alertrelay.bot import keys, replies
    from alertrelay.config.settings import load_settings

    settings = load_settings()
    conn = _store(settings)
    # redis-py's type allows a None reply, entry id and fields; XREVRANGE gives none of them
    for entry_id, fields in (conn.xrevrange(keys.AUDIT, count=limit) or [])[::-1]:
        record = {replies.text(k): replies.text(v) for k, v in (fields or {}).items()}
        typer.echo(json.dumps({"id": replies.text(entry_id), **record}, ensure_ascii=False))


def _store(settings: Settings, conn: redis.Redis | None = None, *, runnable: bool = False) -> redis.Redis:
    """open_store (workers/ops/store_checks.py); bad Redis settings (or, `runnable`, a config a cluster
    cannot run) end the command with their reason."""
    from alertrelay.bot.errors import ConfigError
    from alertrelay.workers.ops.store_checks import open_store

    try:
        return open_store(settings, conn, runnable=runnable)
    except ConfigError as exc:
        typer.echo(f"alertrelay: {exc}", err=True)
        raise typer.Exit(2) from None


def _ops_runtime() -> tuple[Settings, redis.Redis]:
    """Settings and a Redis connection for the operations commands (export, import, rotate-key, purge)."""
    from alertrelay.config.settings import load_settings

    settings = load_settings()
    return settings, _store(settings)


@app.command("export")
def export_(file: Annotated[Path, typer.Argument(dir_okay=False, help="JSON file to write ('-': stdout)")]) -> None:
    """Back up the configuration (groups, areas, policy, roles, places, rights, opt-outs; sealed stays sealed)."""
    from alertrelay.workers.ops.backup import export_config, summary

    settings, conn = _ops_runtime()
    data = export_config(conn, settings.secret_bytes())
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if str(file) == "-":
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
    typer.echo(f"exported {summary(data)}", err=True)


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                 help="a file `alertrelay export` wrote")]) -> None:
    """Restore an exported configuration into an empty Redis (same secret key as the export)."""
    from alertrelay.bot.errors import BackupError
    from alertrelay.workers.ops.backup import import_config, summary

    settings, conn = _ops_runtime()
    try:
        backup = import_config(conn, settings.secret_bytes(), file.read_text(encoding="utf-8"))
    except BackupError as exc:
        typer.echo(f"import failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"imported {summary(backup)}", err=True)


@app.command("rotate-key")
def rotate_key_(
    new_key_file: Annotated[Path | None, typer.Option(
        "--new-key-file", exists=True, dir_okay=False,
        help="the new secret key (default: ALERTRELAY_NEW_SECRET_KEY)")] = None,
    person: Annotated[list[str] | None, typer.Option(
        "--person", help="an admin's number or Signal UUID the relay does not hold (added by chat); repeatable")
    ] = None,
) -> None:
    """Move to a new secret key (relay stopped): reseal every sealed value, re-key every known pseudonym."""
    import os

    from alertrelay.bot.errors import RotationError
    from alertrelay.config.areas import load_areas
    from alertrelay.workers.ops.rotate import rotate_key
    from alertrelay.workers.redis_conn import connect_queue

    settings, conn = _ops_runtime()
    if new_key_file is not None:
        new_secret = new_key_file.read_text().strip().encode()
    else:
        new_secret = os.environ.get("ALERTRELAY_NEW_SECRET_KEY", "").strip().encode()
    if len(new_secret) < 16:
        typer.echo("rotate-key: give the new key (at least 16 characters) with --new-key-file or "
                   "ALERTRELAY_NEW_SECRET_KEY", err=True)
        raise typer.Exit(2)
    areas = load_areas(settings.areas) if Path(settings.areas).exists() else None
    try:
        report = rotate_key(conn, settings.secret_bytes(), new_secret, areas=areas, people=person or [],
                            report_ttl_s=settings.report_ttl_s, queue_conn=connect_queue(settings, conn))
    except RotationError as exc:
        typer.echo(f"rotate-key failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"rotate-key: {report.summary()}", err=True)
    if settings.secret_key is None:  # the key lives in data_dir/secret.key: replace it, the old one is gone
        path = Path(settings.data_dir) / "secret.key"
        spare = path.with_suffix(".new")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_secret.decode())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(spare, path)
        typer.echo(f"rotate-key: {path} now holds the new key; the old key is gone", err=True)
    else:
        typer.echo("rotate-key: now set ALERTRELAY_SECRET_KEY to the new key for the bot and every worker, "
                   "start them, and destroy the old key", err=True)


@app.command()
def purge(
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
    keep_audit: Annotated[bool, typer.Option(
        "--keep-audit", help="keep the audit trail (who changed the config)")] = False,
) -> None:
    """Delete everything about incidents and reports now (alerts, deliveries, queued jobs); keep the config."""
    from rq import Worker

    from alertrelay.workers.ops.retention import purge as purge_all
    from alertrelay.workers.redis_conn import connect_queue

    settings, conn = _ops_runtime()
    if not yes and not typer.confirm("Delete every incident, report, alert and queued job in this Redis now?"):
        raise typer.Exit(1)
    queue_conn = connect_queue(settings, conn)
    running = len(Worker.all(connection=queue_conn))
    report = purge_all(conn, keep_audit=keep_audit, queue_conn=queue_conn)
    typer.echo(f"purge: {report.relay_keys} relay keys and {report.rq_keys} job keys deleted; the configuration "
               f"is kept{' (and the audit trail)' if keep_audit else ''}", err=True)
    if running:
        typer.echo(f"purge: {running} worker(s) are running: a message they held may have written again; stop "
                   "the relay and purge once more to be sure", err=True)


@app.command()
def doctor(as_json: Annotated[bool, typer.Option(
        "--json", help="one JSON object: {ok, checks: [{name, ok, verdict, fix, needed}]}")] = False) -> None:
    """Check Redis, the secret key, areas.toml, Signal, Twilio, the clock and the workers; exit 0 only if healthy."""
    from alertrelay.bot.errors import ConfigError
    from alertrelay.config.settings import load_settings
    from alertrelay.workers.ops.doctor import as_json as to_json
    from alertrelay.workers.ops.doctor import as_text, doctor_connections, healthy, run_checks

    settings = load_settings()
    try:  # a store or queue Redis that does not answer is a FAIL line; settings that cannot work end here
        checks = run_checks(settings, *doctor_connections(settings))
    except ConfigError as exc:
        typer.echo(f"alertrelay: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(to_json(checks), ensure_ascii=False) if as_json else as_text(checks))
    raise typer.Exit(0 if healthy(checks) else 1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
