"""`summarizer batch` against a real OpenAI-compatible server on 127.0.0.1 (tests/fake_openai.py): faults,
kill -9 and resume, Ctrl-C, the cache, bad inputs, rate limits, and the provider Batch API."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEED_000, seed_000_answer
from fake_openai import Fault, FakeOpenAI, RawToolCall, Stall, faulty_responder, queue_responder
from summarizer.io.articles import Columns
from summarizer.io.readers import stream_inputs
from summarizer.llm import base, resolve_backend
from summarizer.batch import BatchOptions, run_batch
from summarizer.batch.output import OutputLog, manifest_path
from summarizer.schema import ArticleExtraction

SEED = next(stream_inputs([str(SEED_000)]))
REFERENCE = re.compile(r"Reference number (\d+) ")
CALLS = 3  # model calls per article: the first call, one events call, one claims call


@pytest.fixture(autouse=True)
def quick_and_isolated(monkeypatch, tmp_path):
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)
    monkeypatch.setattr(base, "BACKOFF_CAP_S", 0.3)
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def article_record(i: int, **extra) -> dict:
    """Seed 000 with one more sentence: unique text (own cache key), and seed 000's answer still fits it."""
    return {"id": f"a{i}", "title": SEED.title, "date": str(SEED.published), "text": f"{SEED.text} Reference number {i} was given to this report.", **extra}


def write_jsonl(path: Path, n: int, start: int = 0) -> list[str]:
    path.write_text("".join(json.dumps(article_record(i)) + "\n" for i in range(start, start + n)))
    return [f"a{i}" for i in range(start, start + n)]


def options(inputs, out, **kw) -> BatchOptions:
    return BatchOptions(inputs=[str(i) for i in inputs], out=Path(out), progress=False, **kw)


def run(server, opts: BatchOptions, timeout: float = 2.0):
    return run_batch(opts, lambda: resolve_backend("fake", base_url=server.base_url, timeout=timeout))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def line_id(record: dict) -> str:
    return record["id"] if record.get("status") == "error" else record["article"]["id"]


def assert_one_line_per_input(out: Path, ids: list[str]) -> list[dict]:
    records = lines(out)
    seen = [line_id(r) for r in records]
    assert len(seen) == len(set(seen)), "duplicate lines"
    assert sorted(seen) == sorted(ids), "missing or unexpected lines"
    for record in records:
        if record.get("status") != "error":
            ArticleExtraction.model_validate(record)
    return records


# --- the four tests of the issue -------------------------------------------------------------------


def test_300_articles_with_30_percent_faults_all_end_done_or_recorded(tmp_path):
    ids = write_jsonl(tmp_path / "in.jsonl", 300)
    faults = [
        Fault(429, headers={"Retry-After": "0.05"}),
        Fault(500),
        Fault(503),
        Stall(1.5),  # past the 0.5 s timeout
        RawToolCall('{"headline": "cut'),  # invalid JSON
        {"headline": 5, "key_points": "none"},  # schema-violating JSON
    ]
    responder = faulty_responder(lambda body: seed_000_answer(), 0.3, seed=11, faults=faults)
    with FakeOpenAI(responder) as server:
        result = run(server, options([tmp_path / "in.jsonl"], tmp_path / "out.jsonl", concurrency=32, retries=0), timeout=0.5)
        requests = server.request_count
    records = assert_one_line_per_input(tmp_path / "out.jsonl", ids)
    errors = [r for r in records if r.get("status") == "error"]
    done = [r for r in records if r.get("status") != "error"]
    assert result.extracted == len(done) and result.errors == len(errors) and result.extracted + result.errors == 300
    assert errors and done, "a 30 % fault rate without re-asks leaves some records invalid"
    for error in errors:
        assert set(error) >= {"id", "status", "error", "attempts"} and set(error["error"]) == {"type", "message"}
        assert error["id"] in error["error"]["message"] or error["source"] in error["error"]["message"]
        assert error["error"]["type"] in ("ProviderError", "ExtractionError") and error["attempts"] >= 1
    assert any(r["provenance"]["attempts"] > 1 for r in done), "transient faults were retried"
    assert requests > 300
    manifest = json.loads(manifest_path(tmp_path / "out.jsonl").read_text())
    assert manifest["counts"]["extracted"] + manifest["counts"]["errors"] == 300 and manifest["status"] == "completed"


def test_kill_9_mid_run_then_resume_gives_exactly_one_line_per_article(tmp_path):
    ids = write_jsonl(tmp_path / "in.jsonl", 150)
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(queue_responder([seed_000_answer()]), latency=0.05) as server:
        command = [sys.executable, "-m", "summarizer", "batch", "in.jsonl", "--out", "out.jsonl", "--base-url", server.base_url, "--model", "fake", "-c", "4", "--no-cache"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while (not out.exists() or out.read_text().count("\n") < 30) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        before = out.read_bytes().count(b"\n")
        assert 30 <= before < 150, "killed mid-run"
        time.sleep(0.3)  # requests already on the wire reach the server's count
        sent = server.request_count
        result = run(server, options(["in.jsonl"], out, resume=True, concurrency=8, cache=False))
        resumed_requests = server.request_count - sent
    assert_one_line_per_input(out, ids)
    assert result.skipped == before and result.extracted == 150 - before
    assert resumed_requests == CALLS * (150 - before), "only what was missing went to the model"


def test_warm_cache_rerun_makes_zero_requests(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", 20)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        cold = run(server, options(["in.jsonl"], "cold.jsonl"))
        assert cold.extracted == 20 and server.request_count == CALLS * 20
        warm = run(server, options(["in.jsonl"], "warm.jsonl"))
        assert server.request_count == CALLS * 20, "the warm run asked the server"
        assert warm.cached == 20 and warm.extracted == 0
        assert sorted(Path("warm.jsonl").read_text().splitlines()) == sorted(Path("cold.jsonl").read_text().splitlines())
        other_settings = run(server, options(["in.jsonl"], "retries.jsonl", retries=2))  # generation settings are in the key
        assert other_settings.cached == 0 and server.request_count == CALLS * 40
        bypass = run(server, options(["in.jsonl"], "nocache.jsonl", cache=False))
        assert bypass.extracted == 20 and server.request_count == CALLS * 60


def test_bad_inputs_become_error_records_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "dump"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(SEED_000.read_text())
    (folder / "sub" / "also_good.md").write_text(SEED.text)
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" * 50)
    (folder / "empty.txt").write_text("")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00")
    good = json.dumps(article_record(1))
    (tmp_path / "d.jsonl").write_text("\n".join([good, "{not json", json.dumps({"id": "no-text", "title": "x"}), "[1, 2]", "", json.dumps(article_record(2))]) + "\n")
    body = SEED.text.replace('"', '""')
    (tmp_path / "t.csv").write_text(f'url,body\nhttps://x/1,"{body} Reference number 9 was given to this report."\nhttps://x/2,\n')
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = run(server, options(["dump", "d.jsonl", "missing.jsonl"], "out.jsonl"))
        table = run(server, options(["t.csv"], "table.jsonl", columns=Columns(text="body", id="url")))
    records = {line_id(r): r for r in lines(tmp_path / "out.jsonl") + lines(tmp_path / "table.jsonl")}
    errors = {k: r["error"]["message"] for k, r in records.items() if r.get("status") == "error"}
    assert set(records) == {
        "dump/good.txt", "dump/sub/also_good.md", "dump/binary.txt", "dump/empty.txt", "dump/photo.jpg",
        "a1", "d.jsonl:2", "no-text", "d.jsonl:4", "a2", "https://x/1", "https://x/2", "missing.jsonl",
    }  # fmt: skip
    assert "binary file" in errors["dump/binary.txt"] and "empty article" in errors["dump/empty.txt"]
    assert "not an article file (.jpg)" in errors["dump/photo.jpg"]
    assert "line is not JSON" in errors["d.jsonl:2"] and "d.jsonl:2" in errors["d.jsonl:2"]
    assert "no 'text' string" in errors["no-text"] and "expected an object" in errors["d.jsonl:4"]
    assert "empty article" in errors["https://x/2"] and "t.csv:3" in errors["https://x/2"]
    assert "no such file" in errors["missing.jsonl"]
    assert (result.extracted, result.errors, result.exit_code) == (4, 7, 2) and (table.extracted, table.errors) == (1, 1)
    assert all(r["error"]["type"] == "InputError" and r["attempts"] == 0 for r in records.values() if r.get("status") == "error")


# --- the provider Batch API ---------------------------------------------------------------------------


def per_article(answers: dict[int, object]):
    """A responder that answers by the article's reference number, whatever order requests come in."""

    def respond(body: dict, n: int):
        number = int(REFERENCE.search(json.dumps(body["messages"])).group(1))
        return answers.get(number, seed_000_answer())

    return respond


def test_provider_batch_submits_polls_and_maps_results_back(tmp_path, monkeypatch):
    ids = write_jsonl(tmp_path / "in.jsonl", 8)
    with open("in.jsonl", "a") as handle:
        handle.write("{broken\n")
    bad_citation = seed_000_answer()
    bad_citation["key_points"][0]["sentences"] = [1, 99]
    answers = {2: Fault(500), 3: RawToolCall("{not json"), 4: bad_citation}
    with FakeOpenAI(per_article(answers)) as server:
        backend = resolve_backend("fake", base_url=server.base_url)
        server.responder = queue_responder([seed_000_answer()])
        from summarizer.extraction.run import extract
        from summarizer.io.articles import article_from_record

        extract(article_from_record(article_record(0), default_id="", source="x"), backend)
        live_bodies = server.requests[-CALLS:]
        server.responder = per_article(answers)
        monkeypatch.setattr("summarizer.batch.provider.POLL_CAP_S", 0.01)
        result = run_batch(options(["in.jsonl"], "out.jsonl", provider_batch=True, poll_interval=0, base_url=server.base_url), lambda: backend)
        batch = next(iter(server.batches.values()))
        polls = [r for r in server.routes if r[0] == "GET" and r[1].startswith("/v1/batches/")]
        uploaded = [json.loads(line) for line in server.file_content(batch["input_file_id"]).splitlines()]
    assert batch["status"] == "completed" and len(polls) >= 2
    assert len(uploaded) == CALLS * 8 and uploaded[0]["custom_id"] == "0.0" and uploaded[0]["url"] == "/v1/chat/completions"
    assert [u["body"]["tools"][0]["function"]["name"] for u in uploaded[:CALLS]] == ["ExtractionDraft", "EventsDraft", "ClaimsDraft"]
    assert [u["custom_id"] for u in uploaded[:CALLS]] == ["0.0", "0.1", "0.2"]
    assert [u["body"] for u in uploaded[:CALLS]] == live_bodies, "the batch requests are the live requests"
    records = {line_id(r): r for r in lines(tmp_path / "out.jsonl")}
    assert set(records) == {*ids, "in.jsonl:9"}
    assert "HTTP 500" in records["a2"]["error"]["message"] and records["a2"]["error"]["type"] == "ProviderError"
    assert records["a3"]["error"]["type"] == "ExtractionError"
    assert records["a4"]["provenance"]["dropped"]["citations"] == 1, "validated like the live path: bad citation dropped"
    grounded = ArticleExtraction.model_validate(records["a0"])
    text = article_record(0)["text"]
    assert all(text[e.start : e.end] == e.text for event in grounded.events for e in event.evidence)
    assert result.extracted == 6 and result.errors == 3
    assert not (tmp_path / "out.provider-batch").exists()
    manifest = json.loads(manifest_path(tmp_path / "out.jsonl").read_text())
    assert manifest["provider_batches"][0]["batch_id"] == batch["id"]


def test_provider_batch_interrupted_while_polling_is_collected_by_resume(tmp_path, monkeypatch):
    ids = write_jsonl(tmp_path / "in.jsonl", 5)

    def interrupt(_seconds):
        raise KeyboardInterrupt

    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        make = lambda: resolve_backend("fake", base_url=server.base_url)  # noqa: E731
        monkeypatch.setattr("summarizer.batch.provider.time.sleep", interrupt)
        first = run_batch(options(["in.jsonl"], "out.jsonl", provider_batch=True, poll_interval=0, base_url=server.base_url), make)
        assert first.interrupted and first.exit_code == 130
        assert (tmp_path / "out.provider-batch" / "state.json").exists()
        monkeypatch.setattr("summarizer.batch.provider.time.sleep", lambda s: None)
        second = run_batch(options(["in.jsonl"], "out.jsonl", provider_batch=True, resume=True, base_url=server.base_url), make)
        assert len(server.batches) == 1, "re-attached instead of submitting again"
    assert second.extracted == 5
    assert_one_line_per_input(tmp_path / "out.jsonl", ids)


# --- the rest of the contract -------------------------------------------------------------------------


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path):
    ids = write_jsonl(tmp_path / "in.jsonl", 60)
    with FakeOpenAI(queue_responder([seed_000_answer()]), latency=0.1) as server:
        command = [sys.executable, "-m", "summarizer", "batch", "in.jsonl", "-o", "out.jsonl", "--base-url", server.base_url, "--model", "fake", "-c", "2"]
        process = subprocess.Popen(command, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while (not Path("out.jsonl").exists() or Path("out.jsonl").read_text().count("\n") < 4) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 130
        assert "interrupted" in stderr and "resume with: summarizer batch in.jsonl -o out.jsonl" in stderr and "--resume" in stderr
        assert "Traceback" not in stderr
        partial = lines(tmp_path / "out.jsonl")
        assert 4 <= len(partial) < 60
        assert json.loads(manifest_path(tmp_path / "out.jsonl").read_text())["status"] == "interrupted"
        run(server, options(["in.jsonl"], "out.jsonl", resume=True))
    assert_one_line_per_input(tmp_path / "out.jsonl", ids)


def test_resume_cuts_a_partial_last_line_and_retry_errors_replaces_error_records(tmp_path):
    ids = write_jsonl(tmp_path / "in.jsonl", 6)
    with FakeOpenAI(per_article({1: Fault(400)})) as server:
        run(server, options(["in.jsonl"], "out.jsonl"))
        first = lines(tmp_path / "out.jsonl")
        assert sum(r.get("status") == "error" for r in first) == 1
        kept = [line for line in Path("out.jsonl").read_text().splitlines() if '"a5"' not in line]
        Path("out.jsonl").write_text("\n".join(kept) + "\n" + '{"schema_version": "1.0", "article": {"id": "a5", "te')  # killed mid-write
        with pytest.raises(Exception, match="exists: pass --resume"):
            run(server, options(["in.jsonl"], "out.jsonl"))
        resumed = run(server, options(["in.jsonl"], "out.jsonl", resume=True, cache=False))
        assert resumed.extracted == 1 and resumed.skipped == 5  # a5 redone, the error record kept
        server.responder = queue_responder([seed_000_answer()])
        retried = run(server, options(["in.jsonl"], "out.jsonl", retry_errors=True, cache=False))
        assert retried.extracted == 1 and retried.skipped == 5
    records = assert_one_line_per_input(tmp_path / "out.jsonl", ids)
    assert not any(r.get("status") == "error" for r in records)


OLD_ERROR_RECORD = {"id": "a1", "status": "error", "error_type": "ProviderError", "message": "a1: HTTP 400", "attempts": 1, "source": None}


def test_an_output_with_old_shape_error_records_resumes_retries_and_exports(tmp_path):
    """Before the error object, batch wrote `error_type` and `message` at the top level: such a file still
    resumes (the id is done), `--retry-errors` replaces the line with one of today's shape, export skips it."""
    from summarizer.export import export

    ids = write_jsonl(tmp_path / "in.jsonl", 2)
    with FakeOpenAI(per_article({1: Fault(400)})) as server:
        run(server, options(["in.jsonl"], "out.jsonl"))
        kept = [line for line in Path("out.jsonl").read_text().splitlines() if json.loads(line).get("status") != "error"]
        Path("out.jsonl").write_text("\n".join([*kept, json.dumps(OLD_ERROR_RECORD)]) + "\n")
        exported = export(["out.jsonl"], [tmp_path / "events.csv"], lambda *_: None)
        assert (exported.records, exported.errors) == (1, 1)
        assert run(server, options(["in.jsonl"], "out.jsonl", resume=True, cache=False)).skipped == 2
        retried = run(server, options(["in.jsonl"], "out.jsonl", retry_errors=True, cache=False))
    assert retried.errors == 1 and retried.skipped == 1
    records = assert_one_line_per_input(tmp_path / "out.jsonl", ids)
    assert [r["error"]["type"] for r in records if r.get("status") == "error"] == ["ProviderError"]
    assert not any("error_type" in r for r in records)


def test_a_429_pauses_every_worker_not_just_the_one_that_got_it(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", 9)
    arrivals: list[float] = []

    def respond(body, n):
        arrivals.append(time.monotonic())
        if n == 0:
            return Fault(429, headers={"Retry-After": "0.3"})
        # the other first calls answer after the client has seen the 429: their claims calls must wait
        return Stall(0.1, then=seed_000_answer()) if n < 3 else seed_000_answer()

    with FakeOpenAI(respond, latency=0.05) as server:
        result = run(server, options(["in.jsonl"], "out.jsonl", concurrency=3))
    assert result.extracted == 9
    throttled_at = arrivals[0] + 0.05  # when the 429 reached the client
    in_flight = [t for t in arrivals[1:] if t <= throttled_at]
    later = [t for t in arrivals[1:] if t > throttled_at]
    assert len(in_flight) <= 2 and later
    assert min(later) >= throttled_at + 0.28, "requests went out during the pause"


def test_rpm_limits_requests_client_side(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", 10)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        started = time.monotonic()
        result = run(server, options(["in.jsonl"], "out.jsonl", concurrency=10, rpm=300, cache=False))  # 5/s, burst 5
        elapsed = time.monotonic() - started
    assert result.extracted == 10 and elapsed >= 0.9


def test_duplicate_ids_are_extracted_once(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", 3)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        result = run(server, options(["in.jsonl", "in.jsonl"], "out.jsonl"))
    assert result.extracted == 3 and result.duplicates == 3 and len(lines(tmp_path / "out.jsonl")) == 3


def test_cli_reads_stdin_and_refuses_to_clobber(tmp_path):
    from summarizer.cli.app import app

    stdin = "".join(json.dumps(article_record(i, id=None)) + "\n" for i in range(3))
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        args = ["batch", "-", "--out", "out.jsonl", "--base-url", server.base_url, "--model", "fake", "--no-progress"]
        first = CliRunner().invoke(app, args, input=stdin)
        again = CliRunner().invoke(app, args, input=stdin)
    assert first.exit_code == 0, first.output
    assert "cost: unknown price (openai-compatible/fake is not in the price table)" in first.output  # as the eval report says it
    assert all(line_id(r).startswith("sha256:") for r in lines(tmp_path / "out.jsonl"))  # no id, no path: content hash
    assert again.exit_code == 3 and "--resume" in again.output


def test_output_log_refuses_a_second_writer(tmp_path):
    first = OutputLog(tmp_path / "out.jsonl", resume=False, retry_errors=False, overwrite=False)
    try:
        with pytest.raises(Exception, match="another batch is writing"):
            OutputLog(tmp_path / "out.jsonl", resume=True, retry_errors=False, overwrite=False)
    finally:
        first.close()


def test_stream_inputs_ids_are_stable_however_the_input_is_named(tmp_path):
    from summarizer.io.readers import count_inputs, stream_inputs

    (tmp_path / "dump" / "a").mkdir(parents=True)
    (tmp_path / "dump" / "a" / "one.txt").write_text(SEED.text)
    (tmp_path / "dump" / "two.md").write_text(SEED.text)
    (tmp_path / "dump" / ".hidden").write_text("x")
    body = SEED.text.replace('"', '""')
    (tmp_path / "t.tsv").write_text(f'body\tid\n"{body}\nsecond paragraph"\tr1\n')
    ids = lambda *specs, **kw: [getattr(i, "id", None) or i.article_id for i in stream_inputs(list(specs), **kw)]  # noqa: E731
    assert ids("dump") == ids("./dump/") == ids(str(tmp_path / "dump")) == ["dump/a/one.txt", "dump/two.md"]
    assert ids("dump/**/*.txt") == ["dump/a/one.txt"] and ids("dump/*.md") == ["dump/two.md"]
    assert ids("t.tsv", columns=Columns(text="body")) == ["r1"]
    assert ids("t.tsv", columns=Columns(text="body", id="none")) == ["t.tsv:2"]
    assert count_inputs(["dump", "t.tsv"]) == 3 and count_inputs(["-"]) is None


def test_a_backend_without_async_client_runs_one_article_at_a_time(tmp_path, capsys):
    import dataclasses
    import threading

    write_jsonl(tmp_path / "in.jsonl", 4)
    active, peak, lock = [0], [0], threading.Lock()

    def respond(body, n):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return seed_000_answer()

    with FakeOpenAI(respond) as server:  # the embedded backend's shape: a sync `create`, no `acreate`
        sync_only = lambda: dataclasses.replace(resolve_backend("fake", base_url=server.base_url), acreate=None)  # noqa: E731
        result = run_batch(options(["in.jsonl"], "out.jsonl", concurrency=8), sync_only)
    assert result.extracted == 4 and peak[0] == 1
    assert "one article at a time" in capsys.readouterr().err


def test_a_bad_key_stops_the_batch_instead_of_recording_every_article(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", 50)
    with FakeOpenAI(queue_responder([Fault(401)])) as server:
        result = run(server, options(["in.jsonl"], "out.jsonl", concurrency=4))
        requests = server.request_count
    assert result.fatal is not None and "authentication failed" in result.fatal  # as summarize words it
    assert result.exit_code == 3 and result.errors == 0 and requests <= 4
    assert not Path("out.jsonl").read_text(), "nothing recorded: a --resume with the right key does it all"


def test_an_embedded_model_that_cannot_load_stops_the_batch(tmp_path):
    """The model loads at the first article that needs it (a cached run never does); a file that is not a
    GGUF stops the batch with one line instead of recording the same error for every article."""
    write_jsonl(tmp_path / "in.jsonl", 5)
    (tmp_path / "broken.gguf").write_bytes(b"not a model")
    result = run_batch(options(["in.jsonl"], "out.jsonl"), lambda: resolve_backend(model_path=tmp_path / "broken.gguf"))
    assert result.fatal is not None and "broken.gguf" in result.fatal and "cannot load GGUF model" in result.fatal
    assert result.exit_code == 3 and result.errors == 0
    assert not Path("out.jsonl").read_text()
