"""Where `summarize` writes and what it prints: `--out` is replaced only by a run that wrote a record, a
directory is one line, and instructor's multi-line logs stay off stderr (issue 16, defects 7 and 12)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer import cli
from summarizer.io.inputs import path_id

OLD = '{"old": "record"}\n'


def summarize(server: FakeOpenAI, *args: str):
    return CliRunner().invoke(cli.app, ["summarize", *args, "--base-url", server.base_url, "--model", "fake"])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point in its own process: its real stderr, logging and error handling."""
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def old_out(tmp_path):
    out = tmp_path / "out" / "records.jsonl"
    out.parent.mkdir()
    out.write_text(OLD)
    return out


def test_a_run_with_no_record_leaves_the_old_out_untouched(tmp_path, old_out):
    (tmp_path / "empty.txt").write_text("")
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = summarize(server, str(tmp_path / "missing.txt"), str(tmp_path / "empty.txt"), "--out", str(old_out))
    assert result.exit_code == 2 and server.request_count == 0
    assert len(result.stderr.splitlines()) == 2
    assert old_out.read_text() == OLD
    assert [p.name for p in old_out.parent.iterdir()] == ["records.jsonl"]  # no temporary file left


def test_a_good_run_replaces_the_old_out(old_out):
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = summarize(server, str(SEED_000), str(old_out.parent / "missing.txt"), "--out", str(old_out))
    assert result.exit_code == 2  # the missing input; the good one's record replaces the old file
    assert [json.loads(line)["article"]["id"] for line in old_out.read_text().splitlines()] == [path_id(SEED_000)]
    assert [p.name for p in old_out.parent.iterdir()] == ["records.jsonl"]


def test_a_symlinked_out_keeps_its_link(tmp_path, old_out):
    link = tmp_path / "link.jsonl"
    link.symlink_to(old_out)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        assert summarize(server, str(SEED_000), "--out", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(old_out.read_text())["article"]["id"] == path_id(SEED_000)


def test_summarize_out_directory_is_one_line_before_any_work(tmp_path):
    result = run_cli("summarize", str(SEED_000), "--out", str(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--model", "fake")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: is a directory: --out takes a file"]


def test_batch_out_directory_is_one_line_not_exists(tmp_path):
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        argv = ["batch", str(SEED_000), "--out", str(tmp_path), "--base-url", server.base_url, "--model", "fake", "--no-cache", "--no-progress"]
        result = CliRunner().invoke(cli.app, argv)
    assert result.exit_code == 3 and server.request_count == 0
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: is a directory: --out takes a file"]


def test_instructor_logs_stay_off_stderr_unless_verbose():
    with FakeOpenAI(queue_responder(["this is {not json"])) as server:  # every answer invalid: instructor re-asks and logs
        args = ["summarize", str(SEED_000), "--base-url", server.base_url, "--model", "fake", "--mode", "json"]
        quiet, verbose = run_cli(*args), run_cli("--verbose", *args)
    assert quiet.returncode == verbose.returncode == 4
    assert quiet.stderr.strip().splitlines() == [verbose.stderr.splitlines()[-1]]
    assert quiet.stderr.strip().startswith(f"error: {SEED_000}: no valid record after 2 attempts")
    assert "pydantic" not in quiet.stderr and "errors.pydantic.dev" in verbose.stderr  # --verbose still shows them
