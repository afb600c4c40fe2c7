"""The `alertrelay` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Verified rapid-response alerts from free-text sightings.")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@app.command()
def drill(
    scenario: Path = typer.Argument(..., exists=True, dir_okay=False, help="scenario .jsonl (FORMAT.md)"),
    areas: Optional[Path] = typer.Option(None, "--areas", exists=True, dir_okay=False,
                                         help="areas.toml; default: areas.toml beside the scenario, else the example"),
    out: Optional[Path] = typer.Option(None, "--out", help="write outbound lines here (default: stdout)"),
    workers: int = typer.Option(1, "--workers", min=1, max=16, help="rq worker processes to start"),
    check: Optional[Path] = typer.Option(None, "--check", exists=True, dir_okay=False, help="truth .json to score"),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="keep the drill's Redis files here"),
    redis_url: Optional[str] = typer.Option(None, "--redis-url", help="use this (empty) Redis instead of an embedded one"),
    output_format: str = typer.Option("auto", "--format", help="text: a timeline and a summary per incident; "
                                      "jsonl: FORMAT.md lines; auto: text on a terminal, else jsonl"),
    stepwise: bool = typer.Option(False, "--stepwise", help="replay one message at a time, as before the "
                                  "message clock (slow; for comparing)"),
) -> None:
    """Replay a scenario through the real pipeline and print what the relay would send."""
    from bot.drill_view import render_text, write_jsonl
    from workers.drill import DrillError, check as check_result, run_drill

    if output_format not in ("auto", "text", "jsonl"):
        typer.echo(f"--format must be auto, text or jsonl, not {output_format!r}", err=True)
        raise typer.Exit(2)
    # a file gets the lines; so does a pipe, unless asked for text
    as_text = output_format == "text" or (output_format == "auto" and out is None and sys.stdout.isatty())

    if areas is None:
        beside = scenario.parent / "areas.toml"
        areas = beside if beside.exists() else Path(__file__).resolve().parents[1] / "config" / "example.areas.toml"
    try:
        with _drill_progress() as progress:
            result = run_drill(scenario, areas, workers=workers, data_dir=data_dir, redis_url=redis_url,
                               stepwise=stepwise, progress=progress)
    except (DrillError, ValueError) as exc:
        typer.echo(f"drill failed: {exc}", err=True)
        raise typer.Exit(2)
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
    if check is not None:
        score = check_result(result, check)
        typer.echo(f"check: {score.summary()}", err=True)
        for error in score.errors:
            typer.echo(f"  MISS {error}", err=True)
        if not score.exact:
            raise typer.Exit(1)


PROGRESS_MIN_MESSAGES = 200
"""A drill this long shows a progress bar on a terminal (a short one is over before it would draw)."""


@contextmanager
def _drill_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while a long drill runs, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("drill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_MIN_MESSAGES:
                return
            if task is None:
                task = bar.add_task("drill", total=total)
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
def run(
    workers: int = typer.Option(1, "--workers", min=0, max=16, help="rq worker processes to start beside the bot"),
) -> None:
    """Run the bot: HTTP webhooks and the configured Signal / WhatsApp / SMS transports (+ N workers)."""
    import asyncio

    from bot.app import run_bot
    from bot.server import BotContext
    from config.areas import load_areas
    from config.logging import configure_logging
    from config.settings import load_settings
    from workers.config_state import seed_config
    from workers.main import start_worker_processes
    from workers.runtime import Runtime

    settings = load_settings()
    configure_logging(settings)
    rt = Runtime(settings)
    if seed_config(rt.conn, load_areas(settings.areas), rt.identity):
        typer.echo(f"seeded groups and policy from {settings.areas}", err=True)
    procs = start_worker_processes(rt, workers)
    try:
        asyncio.run(run_bot(BotContext(settings, rt.conn, rt.queue, rt.identity)))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


@app.command()
def worker(
    fork: bool = typer.Option(False, "--fork", help="fork a work horse per job (rq Worker) instead of SimpleWorker"),
    burst: bool = typer.Option(False, "--burst", help="exit when the queue is empty"),
) -> None:
    """Run one rq worker on the relay queue (start several for more throughput)."""
    from config.settings import load_settings
    from workers.main import run_worker

    run_worker(load_settings(), fork=fork, burst=burst)


@app.command()
def geocode(
    text: Optional[str] = typer.Argument(None, help="a place as people write it"),
    batch: Optional[Path] = typer.Option(None, "--batch", exists=True, dir_okay=False, help="one text per line"),
) -> None:
    """Show how the bot reads a place: one JSON result (or one JSON line per input with --batch)."""
    from bot.geo.cli import geocode_main

    if text is None and batch is None:
        typer.echo("give a TEXT or --batch FILE", err=True)
        raise typer.Exit(2)
    raise typer.Exit(geocode_main(text, batch))


@app.command()
def classify(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="JSONL: {\"id\", \"text\", \"context\"?}"),
    explain: bool = typer.Option(False, "--explain", help="add the claims and cues that decided each label"),
    places: bool = typer.Option(True, "--places/--no-places", help="geocode each message's place"),
) -> None:
    """Read messages as the pipeline does: one JSON line per input with its label, language and place."""
    from bot.classify import classify_lines

    geocode = None
    if places:
        from bot.geo import load_gazetteer

        geocode = load_gazetteer().geocode
    errors: list[str] = []

    def named_lines():  # type: ignore[no-untyped-def]
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
def audit(limit: int = typer.Option(100, "--limit", min=1)) -> None:
    """Print the audit trail (who changed what, as pseudonyms), newest last."""
    from config.settings import load_settings
    from bot import keys
    from workers.redis_conn import connect, redis_url

    settings = load_settings()
    conn = connect(redis_url(settings))
    for entry_id, fields in conn.xrevrange(keys.AUDIT, count=limit)[::-1]:
        record = {k.decode(): v.decode() for k, v in fields.items()}
        typer.echo(json.dumps({"id": entry_id.decode(), **record}, ensure_ascii=False))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
