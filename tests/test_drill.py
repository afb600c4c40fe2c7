"""`alertrelay drill` end to end: real embedded Redis, real rq worker processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alertrelay.bot.errors import DrillError
from alertrelay.workers.drill import check, load_scenario, run_drill
from tests.conftest import REPO, SHARED_CORPUS

EXAMPLE = REPO / "examples" / "drill.jsonl"
EXAMPLE_TRUTH = REPO / "examples" / "drill.truth.json"
EXAMPLE_AREAS = REPO / "config" / "example.areas.toml"
CORPUS = sorted(SHARED_CORPUS.glob("*.jsonl")) if SHARED_CORPUS.exists() else []


def without_replies(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["kind"] != "reply"]


def test_example_drill_is_exact() -> None:
    result = run_drill(EXAMPLE, EXAMPLE_AREAS)
    score = check(result, EXAMPLE_TRUTH)
    assert score.errors == []
    assert (score.correct_alerts, score.expected_alerts, score.sent_alerts) == (3, 3, 3)


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("scenario", CORPUS, ids=lambda p: p.stem)
def test_shared_corpus_drills_are_exact(scenario: Path) -> None:
    result = run_drill(scenario, SHARED_CORPUS / "areas.toml")
    score = check(result, scenario.with_suffix(".truth.json"))
    assert score.errors == [], score.errors


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not beside this checkout")
def test_four_workers_decide_exactly_what_one_decides() -> None:
    scenario = SHARED_CORPUS / "noisy.jsonl"
    one = run_drill(scenario, SHARED_CORPUS / "areas.toml", workers=1)
    four = run_drill(scenario, SHARED_CORPUS / "areas.toml", workers=4)
    assert four.outbound == one.outbound


def test_privacy_no_number_in_the_append_only_file_or_logs(tmp_path: Path) -> None:
    scenario = SHARED_CORPUS / "noisy.jsonl" if CORPUS else EXAMPLE
    areas = SHARED_CORPUS / "areas.toml" if CORPUS else EXAMPLE_AREAS
    data_dir = tmp_path / "drill"
    run_drill(scenario, areas, data_dir=data_dir, log_level="INFO")
    from alertrelay.workers.redis_conn import _embedded

    _embedded.pop(data_dir.resolve()).stop()  # flush and close the AOF
    identities = set()
    for message in load_scenario(scenario):
        identities.add(message["sender"])
    areas_text = areas.read_text()
    identities |= set(re.findall(r"\+1\d{10}", areas_text))
    forms = set()
    for ident in identities:
        digits = re.sub(r"\D", "", ident)
        forms |= {ident, ident.lower()}
        if len(digits) == 11:
            forms |= {digits, digits[1:], f"{digits[1:4]}-{digits[4:7]}-{digits[7:]}",
                      f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"}
    stored = [p for p in data_dir.rglob("*") if p.is_file() and p.name != "outbox.jsonl"]
    assert any("appendonly" in p.name for p in stored) and any(p.suffix == ".log" for p in stored)
    for path in stored:
        blob = path.read_bytes().decode("latin-1")
        for form in forms:
            assert form not in blob, f"{form} found in {path.name}"


def test_bad_scenario_line_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "at": "2026-01-01T10:00:00-06:00", "channel": "fax", "sender": "+16125550100"}\n')
    with pytest.raises(DrillError, match=r"bad\.jsonl:1"):
        load_scenario(bad)


def test_cli_drill_prints_lines_and_exits_nonzero_on_a_miss(tmp_path: Path) -> None:
    truth = json.loads(EXAMPLE_TRUTH.read_text())
    truth["incidents"][0]["alert_after"] = "e02"  # wrong on purpose
    wrong = tmp_path / "wrong.truth.json"
    wrong.write_text(json.dumps(truth))
    out = tmp_path / "out.jsonl"
    run = subprocess.run([sys.executable, "-m", "alertrelay.bot.cli", "drill", str(EXAMPLE), "--out", str(out),
                          "--check", str(wrong)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 1
    assert "MISS" in run.stderr and "expected e02" in run.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["kind"] for line in lines} >= {"alert", "all_clear", "reply"}


def test_commands_drill_is_exact() -> None:
    """examples/commands.jsonl: /subscribe binds a new group, a member's /retract is refused, the admin's reaches
    every group that got the alert, a place taught with /lugar agregar then alerts."""
    result = run_drill(REPO / "examples" / "commands.jsonl", EXAMPLE_AREAS)
    score = check(result, REPO / "examples" / "commands.truth.json")
    assert score.errors == [] and score.sent_alerts == 2
    retracted = {line["to"].get("group") for line in result.outbound if line["kind"] == "retraction"}
    assert retracted == {"group.DRILLGROUP==", "sur-es"}


def outbound_bytes(result) -> bytes:  # type: ignore[no-untyped-def]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in result.outbound).encode()


SHARED_AND_EXAMPLES = [(path, SHARED_CORPUS / "areas.toml") for path in CORPUS] + [
    (REPO / "examples" / name, EXAMPLE_AREAS) for name in ("drill.jsonl", "commands.jsonl")]


@pytest.mark.parametrize("scenario,areas", SHARED_AND_EXAMPLES, ids=lambda p: p.stem)
def test_message_clock_sends_byte_for_byte_what_the_stepwise_replay_sends(scenario: Path, areas: Path) -> None:
    stepwise = run_drill(scenario, areas, workers=2, stepwise=True)
    clocked = run_drill(scenario, areas, workers=2)
    assert clocked.mode == "message clock"
    assert outbound_bytes(clocked) == outbound_bytes(stepwise)


def test_message_clock_on_a_synthetic_drill_with_expiries_and_redeliveries(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own seeded scenario (bench/drill_scenario.py): quiet-period expiries fall between messages, and
    lines are redelivered, the last one too; both replays send the same bytes, also when the drill may only
    queue a few messages ahead of the drainer (as a month-long one does, to stay under the inbox's cap)."""
    from alertrelay.workers import drill
    from bench.drill_scenario import scenario

    lines = scenario(300, seed=3)
    assert lines[-1] == lines[-2] and len({line["id"] for line in lines}) < len(lines)
    path = tmp_path / "synthetic.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    stepwise = run_drill(path, EXAMPLE_AREAS, workers=2, stepwise=True)
    clocked = run_drill(path, EXAMPLE_AREAS, workers=2)
    assert outbound_bytes(clocked) == outbound_bytes(stepwise)
    kinds = {line["kind"] for line in clocked.outbound}
    assert {"alert", "update", "all_clear", "reply"} <= kinds
    monkeypatch.setattr(drill, "INBOX_BACKLOG_MAX", 40)
    monkeypatch.setattr(drill, "INGEST_SLICE", 15)
    assert outbound_bytes(run_drill(path, EXAMPLE_AREAS, workers=2)) == outbound_bytes(stepwise)


def test_a_scenario_out_of_time_order_is_replayed_stepwise(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]  # e03 (08:11:40) before e02 (08:10:30)
    path = tmp_path / "swapped.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run_drill(path, EXAMPLE_AREAS)
    assert result.mode.startswith("stepwise") and "time order" in result.mode
    assert any(line["kind"] == "alert" for line in result.outbound)


def test_cli_writes_json_lines_to_a_pipe_and_a_timeline_when_asked(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from alertrelay.bot.cli import app

    runner = CliRunner()
    piped = runner.invoke(app, ["drill", str(EXAMPLE)])
    assert piped.exit_code == 0, piped.output
    lines = [json.loads(line) for line in piped.stdout.splitlines()]
    assert [line["kind"] for line in lines].count("alert") == 5 and all("to" in line for line in lines)

    text = runner.invoke(app, ["drill", str(EXAMPLE), "--format", "text", "--out", str(tmp_path / "out.jsonl")])
    assert text.exit_code == 0, text.output
    shown = text.stdout
    assert "What went out" in shown and "Incidents" in shown
    assert "ALERT a1" in shown and "franklin-en" in shown and "2 independent reports (e07)" in shown
    assert "verifier (e17)" in shown and "eastside-es (3 members)" in shown  # one row for the member list
    assert "ALL CLEAR a3" in shown and "update a2" in shown
    assert not any(line.startswith("{") for line in shown.splitlines())
    assert [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()] == lines

    bad = runner.invoke(app, ["drill", str(EXAMPLE), "--format", "html"])
    assert bad.exit_code == 2
