"""Replay of run files through the CLI, and the baseline gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from summarizer import cli
from summarizer.evals.runs import read_run
from test_eval_support import make_run, write_fixtures

WIDE = {"COLUMNS": "200"}  # rich wraps fixture ids at 80 columns


def run_eval(*args: str):
    return CliRunner().invoke(cli.app, ["eval", *map(str, args)], env=WIDE)


def setup(tmp_path: Path) -> tuple[Path, Path]:
    folder = write_fixtures(tmp_path / "fixtures")
    return folder, make_run(folder, tmp_path / "run.jsonl")


def edit_lines(src: Path, dst: Path, edit) -> Path:
    lines = [json.loads(raw) for raw in src.read_text().splitlines()]
    dst.write_text("".join(json.dumps(edit(line)) + "\n" for line in lines))
    return dst


def test_replay_scores_a_stored_run(tmp_path):
    folder, run = setup(tmp_path)
    result = run_eval("--fixtures", folder, "--replay", run)
    assert result.exit_code == 0, result.stderr
    assert "000_fc4c5d789ceb7862" in result.stdout and "small" in result.stdout
    assert "event F1" in result.stdout and "2 articles" in result.stdout


def test_missing_and_orphan_lines_are_reported_not_fatal(tmp_path):
    folder, run = setup(tmp_path)
    lines = run.read_text().splitlines()
    orphan = json.loads(lines[1]) | {"fixture_id": "deleted_fixture"}
    run.write_text(lines[0] + "\n" + json.dumps(orphan) + "\n")
    result = run_eval("--fixtures", folder, "--replay", run)
    assert result.exit_code == 0, result.stderr
    assert "no line for fixture 'small'" in result.stderr and "'deleted_fixture', which no longer exists" in result.stderr
    assert "1 articles" in result.stdout


def test_malformed_line_is_reported_and_fails_at_the_end(tmp_path):
    folder, run = setup(tmp_path)
    run.write_text(run.read_text() + "{not json\n")
    result = run_eval("--fixtures", folder, "--replay", run)
    assert result.exit_code == 2 and f"{run}:3: not JSON" in result.stderr
    assert "2 articles" in result.stdout


def test_record_that_no_longer_validates_scores_as_schema_invalid(tmp_path):
    _, run = setup(tmp_path)

    def break_small(line: dict) -> dict:
        if line["fixture_id"] == "small":
            line["extraction"]["events"][0]["type"] = "invasion"
        return line

    loaded = read_run(edit_lines(run, tmp_path / "broken.jsonl", break_small))
    small = loaded.lines["small"]
    assert small.status == "error" and small.error.type == "SchemaError" and "events.0.type" in small.error.message
    assert loaded.lines["000_fc4c5d789ceb7862"].status == "ok"


def test_run_from_another_schema_version_is_refused_with_the_reason(tmp_path):
    folder, run = setup(tmp_path)
    old = edit_lines(run, tmp_path / "old.jsonl", lambda line: line | {"schema_version": "0.9"})
    result = run_eval("--fixtures", folder, "--replay", old)
    assert result.exit_code == 2
    assert "schema version '0.9'" in result.stderr and "make a new run" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_replay_refuses_model_options(tmp_path):
    folder, run = setup(tmp_path)
    result = run_eval("--fixtures", folder, "--replay", run, "--model", "openai/gpt-4o-mini")
    assert result.exit_code == 3 and "--replay re-scores a stored run" in result.stderr


def worsened(line: dict) -> dict:
    """Half the events and every claim gone: what a bad prompt change looks like."""
    extraction = line["extraction"]
    extraction["events"] = extraction["events"][: len(extraction["events"]) // 2]
    extraction["claims"] = []
    return line


def test_gate_passes_an_equal_run_and_fails_a_worse_one(tmp_path):
    folder, run = setup(tmp_path)
    baseline = tmp_path / "baseline.json"
    written = run_eval("--fixtures", folder, "--replay", run, "--write-baseline", baseline)
    assert written.exit_code == 0, written.stderr
    assert json.loads(baseline.read_text())["metrics"]["events.f1"] > 0

    same = run_eval("--fixtures", folder, "--replay", run, "--baseline", baseline)
    assert same.exit_code == 0, same.stderr
    assert "baseline gate" in same.stdout and "regression" not in same.stdout

    worse = run_eval("--fixtures", folder, "--replay", edit_lines(run, tmp_path / "worse.jsonl", worsened), "--baseline", baseline)
    assert worse.exit_code == 1
    assert "↓ regression" in worse.stdout
    assert "regression: " in worse.stderr and "claims.f1" in worse.stderr


def test_tolerance_absorbs_a_small_drop(tmp_path):
    folder, run = setup(tmp_path)
    baseline = tmp_path / "baseline.json"
    run_eval("--fixtures", folder, "--replay", run, "--write-baseline", baseline)
    data = json.loads(baseline.read_text())
    data["metrics"]["events.f1"] += 0.01
    baseline.write_text(json.dumps(data))
    assert run_eval("--fixtures", folder, "--replay", run, "--baseline", baseline).exit_code == 0
    assert run_eval("--fixtures", folder, "--replay", run, "--baseline", baseline, "--tolerance", "0.005").exit_code == 1


def test_no_baseline_from_an_incomplete_eval(tmp_path):
    folder, run = setup(tmp_path)
    (folder / "bad.yaml").write_text("article: [")
    result = run_eval("--fixtures", folder, "--replay", run, "--write-baseline", tmp_path / "b.json")
    assert result.exit_code == 2 and "not writing a baseline" in result.stderr
    assert not (tmp_path / "b.json").exists()


def test_unreadable_baseline_is_one_line(tmp_path):
    folder, run = setup(tmp_path)
    (tmp_path / "b.json").write_text("[]")
    result = run_eval("--fixtures", folder, "--replay", run, "--baseline", tmp_path / "b.json")
    assert result.exit_code == 2 and "not a baseline file" in result.stderr


SHIPPED_RUN = ROOT / "evals" / "runs" / "embedded-qwen1.5b.jsonl"
SHIPPED_BASELINE = ROOT / "evals" / "baseline.json"


@pytest.mark.skipif(not (SHIPPED_RUN.exists() and SHIPPED_BASELINE.exists()), reason="no shipped run and baseline yet")
def test_shipped_run_passes_the_shipped_baseline():
    """What CI gates on: the embedded model's stored run, re-scored by today's harness, against the baseline."""
    result = run_eval("--fixtures", ROOT / "evals" / "fixtures", "--replay", SHIPPED_RUN, "--baseline", SHIPPED_BASELINE)
    assert result.exit_code == 0, result.stdout[-3000:] + result.stderr


def test_a_file_that_is_not_a_run_is_one_line(tmp_path):
    folder, _ = setup(tmp_path)
    (tmp_path / "notes.txt").write_text("just some notes\n")
    result = run_eval("--fixtures", folder, "--replay", tmp_path / "notes.txt")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'notes.txt'}: not a run file (line 1: not JSON (Expecting value))"
