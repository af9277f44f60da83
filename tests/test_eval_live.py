"""A live eval: the real CLI through the real openai client against the loopback fake server, then a
replay of the run it saved, which must score the same with zero model calls."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fake_openai import FakeOpenAI
from summarizer import cli
from summarizer.llm import base
from test_eval_support import answer_for, write_fixtures

WIDE = {"COLUMNS": "200"}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)


def responder(body: dict, n: int):
    return answer_for(json.dumps(body["messages"]))


def test_live_eval_saves_a_run_that_replays_identically(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = tmp_path / "runs" / "fake.jsonl"
    with FakeOpenAI(responder) as server:
        live = CliRunner().invoke(
            cli.app, ["eval", "--fixtures", str(folder), "--base-url", server.base_url, "--model", "fake", "--save-run", str(run)], env=WIDE
        )
        calls = server.request_count
    assert live.exit_code == 0, live.stderr
    assert calls == 6 and f"run saved to {run}" in live.stderr  # per article: the first call, one events and one claims call
    lines = [json.loads(raw) for raw in run.read_text().splitlines()]
    assert [line["fixture_id"] for line in lines] == ["000_fc4c5d789ceb7862", "small"]
    assert all(line["status"] == "ok" and line["backend"] == "openai-compatible/fake" for line in lines)
    assert lines[1]["extraction"]["provenance"]["usage"]["total_tokens"] > 0 and lines[1]["timings"]["latency_s"] > 0

    replay = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--replay", str(run)], env=WIDE)
    assert replay.exit_code == 0, replay.stderr

    def tables(output: str) -> str:  # the score tables, without the run label line
        return output.split("attempts")[0]

    assert tables(replay.stdout) == tables(live.stdout)


def test_a_model_that_never_answers_validly_is_scored_not_fatal(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = tmp_path / "run.jsonl"
    with FakeOpenAI(lambda body, n: "not json at all") as server:
        result = CliRunner().invoke(
            cli.app,
            ["eval", "--fixtures", str(folder), "--base-url", server.base_url, "--model", "fake", "--mode", "json", "--save-run", str(run)],
            env=WIDE,
        )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("no valid record after 2 attempts") == 2
    lines = [json.loads(raw) for raw in run.read_text().splitlines()]
    assert [(line["status"], line["error"]["type"]) for line in lines] == [("error", "ExtractionError")] * 2
    assert "schema-valid rate" in result.stdout and "│  0.00 │  0.00 │" in result.stdout.split("schema-valid rate")[1]


def test_an_unreachable_server_fails_the_command_after_recording_it(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = tmp_path / "run.jsonl"
    with FakeOpenAI(responder) as server:
        url = server.base_url
    # the server is gone: connection refused, retried, then recorded as a provider error
    result = CliRunner().invoke(
        cli.app, ["eval", "--fixtures", str(folder), "--base-url", url, "--model", "fake", "--save-run", str(run)], env=WIDE
    )
    assert result.exit_code == 3
    assert all(json.loads(raw)["error"]["type"] == "ProviderError" for raw in run.read_text().splitlines())
