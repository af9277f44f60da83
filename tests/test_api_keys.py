"""Which key goes where: OPENAI_API_KEY to OpenAI's own host only; a `--base-url` server gets the key
`--api-key-env` names, or none. Checked on the headers a real server on 127.0.0.1 receives."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer import cli
from summarizer.llm import resolve_backend
from summarizer.llm.openai_compat import NO_KEY, endpoint_key, is_openai
from summarizer.errors import ConfigError

SECRET = "sk-secret-xyz"


@pytest.fixture(autouse=True)
def openai_key_set(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))


def summarize(server: FakeOpenAI, *args: str):
    return CliRunner().invoke(cli.app, ["summarize", str(SEED_000), "--base-url", server.base_url, "--model", "fake", *args])


def authorizations(server: FakeOpenAI) -> set[str | None]:
    return {headers.get("authorization") for headers in server.headers}


def test_base_url_server_never_sees_the_openai_key():
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = summarize(server)
    assert result.exit_code == 0, result.stderr
    assert server.headers and all(SECRET not in value for headers in server.headers for value in headers.values())
    assert authorizations(server) == {f"Bearer {NO_KEY}"}


def test_api_key_env_sends_that_variables_key(monkeypatch):
    monkeypatch.setenv("MY_KEY", "abc")
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = summarize(server, "--api-key-env", "MY_KEY")
    assert result.exit_code == 0, result.stderr
    assert authorizations(server) == {"Bearer abc"}


def test_unset_api_key_env_is_one_line_exit_3(monkeypatch):
    monkeypatch.delenv("MY_KEY", raising=False)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = summarize(server, "--api-key-env", "MY_KEY")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "MY_KEY is not set" in lines[0], lines
    assert not server.headers, "nothing is sent without the key"


def test_openai_model_without_base_url_sends_openai_api_key(monkeypatch):
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)  # the SDK's own stand-in for api.openai.com
        result = CliRunner().invoke(cli.app, ["summarize", str(SEED_000), "--model", "openai/fake"])
    assert result.exit_code == 0, result.stderr
    assert authorizations(server) == {f"Bearer {SECRET}"}
    assert json.loads(result.stdout)["provenance"]["backend"] == "openai/fake"


def test_provider_batch_to_a_base_url_server_never_sees_the_openai_key(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("summarizer.batch.provider.POLL_CAP_S", 0.01)
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": SEED_000.read_text().split("\n", 2)[2]}) + "\n")
    args = ["batch", "in.jsonl", "--out", "out.jsonl", "--provider-batch", "--poll-interval", "0", "--no-progress", "--no-cache", "--model", "fake"]
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = CliRunner().invoke(cli.app, [*args, "--base-url", server.base_url])
    assert result.exit_code == 0, result.stderr
    assert any(path.startswith("/v1/batches") for _, path in server.routes)
    assert authorizations(server) == {f"Bearer {NO_KEY}"}


@pytest.mark.parametrize(
    ("base_url", "openai"),
    [
        (None, True),
        ("https://api.openai.com/v1", True),
        ("http://api.openai.com/v1", False),  # the key never goes over plain http
        ("https://api.openai.com.example.net/v1", False),
        ("https://example.net/api.openai.com/v1", False),
        ("http://127.0.0.1:8000/v1", False),
    ],
)
def test_openai_key_only_for_openais_own_host(base_url, openai):
    assert is_openai(base_url) is openai
    assert endpoint_key(base_url) == (SECRET if openai else NO_KEY)


def test_openai_model_needs_openai_api_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY is not set"):
        resolve_backend("openai/gpt-4o-mini")


def test_api_key_env_without_a_remote_endpoint_is_refused():
    with pytest.raises(ConfigError, match="--api-key-env"):
        resolve_backend(api_key_env="MY_KEY")
