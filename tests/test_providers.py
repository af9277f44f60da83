"""`--model provider/name` as instructor and simonw/llm read it (issue 19 item 3): providers instructor builds an
OpenAI client for are resolved by instructor.from_provider (base URL, key from the provider's own variable)
and run on the one OpenAI path; an unknown `embedded/<x>` or provider is one line listing what exists; a
backend plugs in by registering; `summarizer models` and `--version`. No network: the fake server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer import cli, llm
from summarizer.errors import ConfigError
from summarizer.llm import register, resolve_backend
from summarizer.llm.embedded.weights import DEFAULT_MODEL_NAME


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    for name in ("DEEPSEEK_API_KEY", "DATABRICKS_TOKEN", "DATABRICKS_API_KEY", "DATABRICKS_HOST", "DATABRICKS_BASE_URL", "DATABRICKS_WORKSPACE_URL"):
        monkeypatch.delenv(name, raising=False)


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def test_a_provider_string_takes_instructors_endpoint_and_the_providers_own_key(monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "ds-key")
    backend = resolve_backend("deepseek/deepseek-chat")
    assert (backend.id, backend.model, backend.endpoint) == ("deepseek/deepseek-chat", "deepseek-chat", "https://api.deepseek.com")
    assert backend.acreate is not None  # the OpenAI path: concurrent in a batch, rate-limited, counted


def test_a_providers_unset_key_is_one_line_naming_its_variable():
    with pytest.raises(ConfigError) as caught:
        resolve_backend("deepseek/deepseek-chat")
    assert caught.value.one_line() == "--model deepseek/deepseek-chat: DEEPSEEK_API_KEY is not set (or name the key's variable with --api-key-env)"


def test_a_provider_model_runs_end_to_end_with_that_providers_key(monkeypatch):
    """Databricks, as instructor builds it: workspace from DATABRICKS_HOST, key from DATABRICKS_TOKEN."""
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.base_url)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dbx-token")
        result = invoke("summarize", str(SEED_000), "--model", "databricks/my-endpoint")
    assert result.exit_code == 0, result.stderr
    assert {h.get("authorization") for h in server.headers} == {"Bearer dbx-token"}
    assert {r["model"] for r in server.requests} == {"my-endpoint"} and "tools" in server.requests[0]  # instructor's mode for it
    assert json.loads(result.stdout)["provenance"]["backend"] == "databricks/my-endpoint"


def test_api_key_env_names_another_variable_for_a_provider(monkeypatch):
    monkeypatch.setenv("TEAM_DEEPSEEK", "team-key")
    backend = resolve_backend("deepseek/deepseek-chat", api_key_env="TEAM_DEEPSEEK")
    assert backend.id == "deepseek/deepseek-chat"
    with pytest.raises(ConfigError, match="UNSET_VAR is not set"):
        resolve_backend("deepseek/deepseek-chat", api_key_env="UNSET_VAR")


def test_an_unknown_embedded_name_is_refused_listing_what_exists(tmp_path):
    with pytest.raises(ConfigError) as caught:
        resolve_backend("embedded/llama-70b")
    assert caught.value.one_line() == f"unknown embedded model 'llama-70b': there is embedded/{DEFAULT_MODEL_NAME}; or pass --model-path FILE.gguf"
    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    (models / "tiny.gguf").write_bytes(b"GGUF")  # loaded at the first call only
    assert resolve_backend("embedded/tiny").id == "embedded/tiny"
    with pytest.raises(ConfigError, match=f"there is embedded/{DEFAULT_MODEL_NAME}, embedded/tiny;"):
        resolve_backend("embedded/other")


def test_unknown_providers_and_bare_names_are_one_line():
    with pytest.raises(ConfigError, match=r"unknown provider 'nope' in --model nope/x: use one of openai, .*deepseek.*embedded"):
        resolve_backend("nope/x")
    with pytest.raises(ConfigError, match=r"unknown model 'gpt-4o': name its provider \(openai/gpt-4o\)"):
        resolve_backend("gpt-4o")
    with pytest.raises(ConfigError, match="through a client of its own"):
        resolve_backend("anthropic/claude-sonnet-4-6")  # instructor's anthropic SDK path counts no tokens here


def test_a_server_model_name_with_a_slash_goes_to_the_server_whole():
    backend = resolve_backend("Qwen/Qwen2.5-7B-Instruct", base_url="http://127.0.0.1:9/v1")
    assert (backend.id, backend.model) == ("openai-compatible/Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct")


def test_a_backend_plugs_in_by_registering(monkeypatch):
    made = []
    monkeypatch.setattr(llm, "_FACTORIES", dict(llm._FACTORIES))  # the registration ends with the test
    register("mine", lambda request: made.append(request) or "my backend")
    assert resolve_backend("mine/m-1", timeout=5) == "my backend"
    assert (made[0].provider, made[0].name, made[0].timeout) == ("mine", "m-1", 5)
    assert "mine" in invoke("models").stdout


def test_models_lists_the_embedded_default_the_cached_files_and_the_providers(tmp_path):
    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    (models / "tiny.gguf").write_bytes(b"GGUF")
    result = invoke("models")
    assert result.exit_code == 0
    out = result.stdout
    assert f"embedded/{DEFAULT_MODEL_NAME}  (default; assembled from the installed data packages on first use)" in out
    assert f"embedded/tiny  (cached at {models / 'tiny.gguf'})" in out
    assert "deepseek       through instructor.from_provider" in out and "anthropic      not yet" in out
    assert "--base-url URL --model NAME" in out


def test_version():
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith(f"summarizer {version('summarizer')} (record schema ")
