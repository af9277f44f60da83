"""The real CLI, through the real openai client and instructor, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, ModelAnswer, seed_000_answer
from fake_openai import FakeOpenAI, Fault, Stall, queue_responder
from summarizer import cli
from summarizer.io.inputs import path_id
from summarizer.llm import base


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)


def run(server: FakeOpenAI, *args: str):
    argv = ["summarize", str(SEED_000), "--base-url", server.base_url, "--model", "fake", *args]
    return CliRunner().invoke(cli.app, argv)


def test_normal_reply_gives_grounded_json():
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = run(server)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    text = SEED_000.read_text().split("\n", 2)[2]
    assert [e["type"] for e in record["events"]] == ["sanction", "veto_or_vote"]
    for ev in record["events"][0]["evidence"]:
        assert text[ev["start"] : ev["end"]] == ev["text"]
    assert record["events"][0]["date"] == {"value": "2024-05-16", "precision": "day", "text": "Thursday"}  # read off the sentence by code
    prov = record["provenance"]
    assert prov["backend"] == "openai-compatible/fake" and prov["attempts"] == 3 and prov["usage"]["total_tokens"] > 0
    assert server.request_count == 3 and server.requests[0]["tools"]  # default remote mode: forced tool call
    assert [(c["claimant"], c["stance"]) for c in record["claims"]] == [("Matthew Miller", "accuse"), ("US State Department", "condemn")]
    first, events, claims = server.requests
    # events and claims calls repeat the first call's prompt and append their request: a local model reuses the KV cache
    for call, request in [(events, "Now list only the actions"), (claims, "Now list only the claims")]:
        assert call["messages"][0] == first["messages"][0]
        assert call["messages"][1]["content"].startswith(first["messages"][1]["content"] + "\n\n" + request)
    asked = {name: list(call["tools"][0]["function"]["parameters"]["properties"]) for name, call in [("events", events), ("claims", claims)]}
    assert asked["claims"][:3] == ["sentence 1", "sentence 2", "sentence 3"] and "sentence 11" not in asked["claims"]
    assert "sentence 1" in asked["events"] and "sentence 3" not in asked["events"]  # quoted speech is asked for claims only


def test_429_then_success_honours_retry_after():
    with FakeOpenAI(queue_responder([Fault(429, headers={"Retry-After": "0.2"}), seed_000_answer()])) as server:
        result = run(server)
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 4  # the 429, its retry, the events and claims calls
    assert json.loads(result.stdout)["provenance"]["attempts"] == 4


def test_500_storm_exhausts_retries_with_one_line_error():
    with FakeOpenAI(queue_responder([Fault(500)])) as server:
        result = run(server)
    assert result.exit_code == 3
    assert server.request_count == base.TRANSIENT_ATTEMPTS
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(SEED_000) in lines[0] and "HTTP 500" in lines[0]
    assert "Traceback" not in result.output


def test_unsupported_request_is_not_retried():
    fault = Fault(500, body={"error": {"message": "1 validation error: response_format json_schema", "type": "server_error"}})
    with FakeOpenAI(queue_responder([fault])) as server:
        result = run(server, "--mode", "json_schema")
    assert result.exit_code == 3 and server.request_count == 1
    assert "--mode" in result.stderr


def test_invalid_json_then_valid_is_reasked():
    with FakeOpenAI(queue_responder(["this is {not json", seed_000_answer()])) as server:
        result = run(server, "--mode", "json")
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 4  # bad answer, re-ask, events and claims calls
    assert json.loads(result.stdout)["provenance"]["attempts"] == 4


def test_out_of_range_citation_is_reasked_with_the_reason():
    bad = seed_000_answer()
    bad["key_points"][0]["sentences"] = [1, 99]
    with FakeOpenAI(queue_responder([bad, seed_000_answer()])) as server:
        result = run(server)
    assert result.exit_code == 0, result.stderr
    assert "[99] were not shown" in json.dumps(server.requests[1]["messages"])
    assert json.loads(result.stdout)["provenance"]["dropped"] == {}


def test_persistent_bad_citation_is_dropped_and_counted_never_kept():
    bad = seed_000_answer()
    bad["key_points"][1]["sentences"] = [99]
    with FakeOpenAI(queue_responder([bad])) as server:
        result = run(server, "--retries", "1")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert server.request_count == 4  # the first call and its re-ask, then the events and claims calls
    assert [k["text"] for k in record["summary"]["key_points"]] == [bad["key_points"][0]["text"], bad["key_points"][2]["text"]]
    assert record["provenance"]["dropped"] == {"citations": 1, "invalid_answers": 2, "ungrounded_key_points": 1}


def test_never_valid_answer_is_a_one_line_extraction_error():
    with FakeOpenAI(queue_responder(["no json at all"])) as server:
        result = run(server, "--mode", "json")
    assert result.exit_code == 4
    assert "no valid record after 2 attempts" in result.stderr


def test_stalled_response_times_out_and_is_retried():
    with FakeOpenAI(queue_responder([Stall(2.0), seed_000_answer()])) as server:
        result = run(server, "--timeout", "0.3")
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 4


def test_several_inputs_give_one_record_each_and_bad_ones_one_line(tmp_path):
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        argv = ["summarize", str(SEED_000), str(tmp_path / "missing.txt"), str(SEED_000), "--base-url", server.base_url, "--model", "fake", "--out", str(out)]
        result = CliRunner().invoke(cli.app, argv)
    assert result.exit_code == 2  # an input was bad; the others were still processed
    assert [json.loads(line)["article"]["id"] for line in out.read_text().splitlines()] == [path_id(SEED_000)] * 2  # the path: the same id batch and brief give it
    assert result.stderr.strip() == f"error: {tmp_path / 'missing.txt'}: no such file or directory"


def test_markdown_briefing():
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = run(server, "--format", "md")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# US sanctions Russian entities")
    assert "**E1** 2024-05-16 (day) · `sanction` · occurred" in md and "[S1]" in md
    assert "Matthew Miller · accuse" in md


def test_missing_openai_key_is_exit_3_naming_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(cli.app, ["summarize", str(SEED_000), "--model", "openai/gpt-4o-mini"])
    assert result.exit_code == 3 and "OPENAI_API_KEY" in result.stderr


def test_schema_command_prints_the_output_schema():
    result = CliRunner().invoke(cli.app, ["schema"])
    schema = json.loads(result.stdout)
    assert {"article", "summary", "events", "claims", "entities", "provenance"} <= set(schema["properties"])


def test_5mb_article_is_windowed_and_citations_point_into_the_whole_text(tmp_path):
    """Each window is answered by citing its own first sentence; the merged record must cite across the article."""
    import re

    path = tmp_path / "huge.txt"
    # long sentences and no one quoted: one events call per window and 24 sentences, no claims calls
    paragraph = " ".join(f"Officials in city {i} met and {'then talked about the agenda ' * 30}next week." for i in range(4))
    path.write_text(" date 2024-05-17 Huge\n\n" + "\n\n".join([paragraph] * 1300))  # ~5 MB

    def first_cited(body: dict, n: int) -> dict:
        number = int(re.search(r"\[(\d+)\]", body["messages"][-1]["content"]).group(1))
        event = {"type": "meeting_or_visit", "description": f"Window starting at sentence {number} ({'x' * (n % 7)}).", "actors": [], "when": "", "status": "planned"}
        return ModelAnswer({"headline": "h", "events": [{"sentences": [number], **event}], "key_points": [{"sentences": [number], "text": f"Point {number}"}], "entities": []})(body)

    with FakeOpenAI(first_cited) as server:
        result = CliRunner().invoke(cli.app, ["summarize", str(path), "--base-url", server.base_url, "--model", "fake", "--mode", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    windows = record["provenance"]["windows"]
    assert windows > 100 and server.request_count > windows
    text = path.read_text().split("\n", 2)[2]
    cited = [ev for e in record["events"] for ev in e["evidence"]]
    assert max(ev["sentence"] for ev in cited) > record["article"]["n_sentences"] * 0.9
    assert all(text[ev["start"] : ev["end"]] == ev["text"] for ev in cited)


def test_a_400_about_the_article_is_not_retried_nor_blamed_on_the_mode():
    fault = Fault(400, body={"error": {"message": "This model's maximum context length is 8192 tokens", "type": "invalid_request_error"}})
    with FakeOpenAI(queue_responder([fault])) as server:
        result = run(server)
    assert result.exit_code == 3 and server.request_count == 1
    assert "HTTP 400: " in result.stderr and "maximum context length" in result.stderr and "--mode" not in result.stderr
