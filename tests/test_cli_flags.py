"""One meaning per flag across commands (issue 19 item 4): `--out`'s suffix picks the format in every
command, `--cache PATH` names the cache file and `--no-cache` turns it off wherever there is a cache, and
the model options are one group, declared once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import SEED_000, SEED_003, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer import cli


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def summarize(server: FakeOpenAI, *args: str):
    return invoke("summarize", *args, "--base-url", server.base_url, "--model", "fake")


def test_summarize_one_input_to_a_jsonl_out_writes_one_line(tmp_path):
    out = tmp_path / "records.jsonl"
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        assert summarize(server, str(SEED_000), "--out", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["article"]["title"]  # JSON Lines, not a pretty object


def test_summarize_several_inputs_to_a_json_out_writes_one_json_document(tmp_path):
    out = tmp_path / "records.json"
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        assert summarize(server, str(SEED_000), str(SEED_003), "--out", str(out)).exit_code == 0
        stdout = summarize(server, str(SEED_000), str(SEED_003)).stdout
    records = json.loads(out.read_text())
    assert [type(r) for r in records] == [dict, dict] and records[0]["article"]["id"] != records[1]["article"]["id"]
    assert len(stdout.splitlines()) == 2  # to a terminal, several records are still JSON Lines


def test_summarize_and_brief_pick_md_from_the_suffix_and_an_explicit_format_wins(tmp_path):
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        assert summarize(server, str(SEED_000), "--out", str(tmp_path / "r.md")).exit_code == 0
        assert summarize(server, str(SEED_000), "--out", str(tmp_path / "r.txt"), "--format", "jsonl").exit_code == 0
    assert (tmp_path / "r.md").read_text().startswith("#")
    assert json.loads((tmp_path / "r.txt").read_text())["article"]


def test_an_out_suffix_naming_a_format_the_command_does_not_write_is_one_line_before_any_work(tmp_path):
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        html = summarize(server, str(SEED_000), "--out", str(tmp_path / "r.html"))
        csv = invoke("batch", str(SEED_000), "--out", str(tmp_path / "r.csv"), "--base-url", server.base_url, "--model", "fake")
        brief = invoke("brief", str(SEED_000), "--out", str(tmp_path / "b.csv"), "--base-url", server.base_url, "--model", "fake")
    assert server.request_count == 0 and not list(tmp_path.iterdir())
    assert html.exit_code == 3 and html.stderr.strip() == f"error: {tmp_path / 'r.html'}: summarize writes json or jsonl or md, not html: name the file by one of those"
    assert csv.exit_code == 3 and "batch writes jsonl, not csv" in csv.stderr and "summarizer export OUT.jsonl --to events.csv" in csv.stderr
    assert brief.exit_code == 3 and "brief writes md or html or json, not csv" in brief.stderr


def test_eval_refuses_a_report_it_cannot_write_before_the_run(tmp_path):
    for flags, code, said in (
        (("--model", "openai/gpt-4o-mini", "--report", str(tmp_path / "r.json")), 3, "eval --report writes html or md, not json"),
        (("--model", "openai/gpt-4o-mini", "--report", str(tmp_path / "r.txt")), 2, "report must end in .html or .md"),  # as after a run before
        (("--replay", str(tmp_path / "run.jsonl"), "--rules-out", str(tmp_path / "a.html")), 3, "eval --rules-out writes json or md, not html"),
    ):
        result = invoke("eval", *flags)  # refused before the model is made or the run read
        assert result.exit_code == code and said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_brief_cache_takes_a_path_as_batch_does_and_no_cache_turns_it_off(tmp_path):
    lead = {"sentences": [{"text": "The United States imposed sanctions on May 16, 2024.", "entries": [1]}]}

    def responder(body: dict, n: int):
        return lead if body["tools"][0]["function"]["name"] == "LeadDraft" else seed_000_answer()

    def extractions(server: FakeOpenAI) -> int:
        return sum(r["tools"][0]["function"]["name"] != "LeadDraft" for r in server.requests)

    cache, unused = tmp_path / "extractions.sqlite", tmp_path / "unused.sqlite"
    counts = []
    with FakeOpenAI(responder) as server:
        model = ("--base-url", server.base_url, "--model", "fake")
        for flags in (("--cache", str(cache)), ("--cache", str(cache)), ("--no-cache", "--cache", str(unused))):
            assert invoke("brief", str(SEED_000), *flags, *model).exit_code == 0
            counts.append(extractions(server) - sum(counts))
    assert cache.is_file() and not unused.exists()
    assert counts[0] >= 1 and counts[1:] == [0, counts[0]]  # the second brief's article came from that cache file


def test_every_model_calling_command_has_the_same_model_options():
    import typer.main

    def options(name: str) -> dict[str, str]:
        command = typer.main.get_command(cli.app).commands[name]
        return {p.name: p.help for p in command.params if p.name in ("model", "base_url", "api_key_env", "model_path", "mode", "retries", "timeout")}

    shared = options("summarize")
    assert len(shared) == 7 and all(options(name) == shared for name in ("batch", "brief", "eval"))
