"""`summarizer batch` when the output, the endpoint or the answers fail (issue 16, items 1, 2, 8, 9, 10):
a refused --overwrite, a full disk, an empty input, nothing listening, answers that stayed invalid."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import gc
import json
import logging
import os
import socket
import subprocess
from pathlib import Path

import openai
import pytest
from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, RawToolCall, queue_responder
from typer.testing import CliRunner

import summarizer.extraction.run  # noqa: F401  (imported up front: the timing below is the batch's, not the import's)
from summarizer.llm import ratelimit
from summarizer.io.readers import stream_inputs
from summarizer.llm import base, resolve_backend
from summarizer.batch import BatchOptions, run_batch
from summarizer.batch.output import OutputLog, manifest_path
from summarizer.cli.app import app
from summarizer.errors import ConfigError
from summarizer.schema import ArticleExtraction

SEED = next(stream_inputs([str(SEED_000)]))


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)
    monkeypatch.setattr(base, "BACKOFF_CAP_S", 0.3)


def write_jsonl(path: Path, n: int) -> list[str]:
    """Seed 000 with one more sentence each: unique texts (own cache keys) that seed 000's answer still fits."""
    records = [{"id": f"a{i}", "title": SEED.title, "date": str(SEED.published), "text": f"{SEED.text} Reference number {i} was given to this report."} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return [r["id"] for r in records]


def options(out: str, **kw) -> BatchOptions:
    return BatchOptions(inputs=["in.jsonl"], out=Path(out), progress=False, **kw)


def run(base_url: str, opts: BatchOptions):
    return run_batch(opts, lambda: resolve_backend("fake", base_url=base_url, timeout=2.0))


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def record_id(record: dict) -> str:
    return record["id"] if record.get("status") == "error" else record["article"]["id"]


# --- 1. a refused --overwrite touches nothing -----------------------------------------------------------


def test_a_refused_overwrite_leaves_the_running_batchs_output_untouched(tmp_path):
    out = tmp_path / "c.jsonl"
    out.write_text('{"id": "a0", "status": "error"}\n' * 3)
    before = out.read_bytes()
    holder = subprocess.Popen(  # a running batch: another process holds the lock on the output
        ["python", "-c", f"import fcntl, os, sys; fd = os.open({str(out)!r}, os.O_WRONLY | os.O_APPEND); fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ConfigError, match="another batch is writing"):
            OutputLog(out, resume=False, retry_errors=False, overwrite=True)
        assert out.read_bytes() == before, "the refusal truncated the running batch's output"
    finally:
        holder.communicate("")
    started_over = OutputLog(out, resume=False, retry_errors=False, overwrite=True)  # the lock is free now
    probe = os.open(out, os.O_RDONLY)
    try:
        assert out.read_bytes() == b""
        with pytest.raises(BlockingIOError):  # truncated under the lock, which it still holds
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(probe)
        started_over.close()


# --- 2. a full disk stops the batch, and --resume completes it -------------------------------------------


def disk_full_after(monkeypatch, out: Path, lines: int) -> None:
    """os.write on `out` writes `lines` lines, then half of the next (as a filling disk does), then ENOSPC."""
    real_write, written = os.write, [0]

    def write(fd: int, data: bytes) -> int:
        if not out.exists() or os.fstat(fd).st_ino != out.stat().st_ino:
            return real_write(fd, data)
        if written[0] < lines:
            written[0] += data.count(b"\n")
            return real_write(fd, data)
        if written[0] == lines:
            written[0] += 1
            return real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("warm", [False, True], ids=["extracted", "from-cache"])
def test_a_full_disk_stops_the_batch_and_resume_completes_it(tmp_path, monkeypatch, capsys, caplog, warm):
    quick_retries(monkeypatch)
    ids = write_jsonl(tmp_path / "in.jsonl", 24)
    out, n = tmp_path / "out.jsonl", 7
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        if warm:  # the lines then come from the cache, written by the input loop rather than by workers
            run(server.base_url, options("warm.jsonl"))
        with monkeypatch.context() as patch:
            disk_full_after(patch, out, n)
            full = run(server.base_url, options("out.jsonl", concurrency=4))
        gc.collect()  # an exception left in a task is logged ("never retrieved") when the task is collected
        stderr = capsys.readouterr().err
        assert full.exit_code == 3 and full.fatal == f"{out.name}: cannot write the output (No space left on device)"
        assert full.written == n and (full.cached if warm else full.extracted) == n, "nothing counted that was not written"
        assert out.read_bytes().count(b"\n") == n and out.read_bytes().endswith(b"\n"), "the partial line was cut off"
        assert len({record_id(r) for r in records(out)}) == n
        manifest = json.loads(manifest_path(out).read_text())
        assert manifest["status"] == "stopped" and manifest["counts"]["output_lines"] == n and "No space left" in manifest["fatal"]
        assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("*.tmp"))
        assert stderr.count("error:") == 1 and "Traceback" not in stderr and "resume with:" in stderr
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "asyncio logged an exception"
        resumed = run(server.base_url, options("out.jsonl", resume=True))
    assert resumed.exit_code == 0 and resumed.skipped == n and resumed.written == len(ids) - n
    assert sorted(record_id(r) for r in records(out)) == sorted(ids), "exactly one line per input"


def test_a_full_disk_on_a_real_tmpfs(tmp_path):
    """The same through the CLI on a 48 KB tmpfs (root only): stopped, exit 3, whole lines, then resumed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(disk)], check=False, capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        ids = write_jsonl(tmp_path / "in.jsonl", 30)
        with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
            args = ["batch", "in.jsonl", "--out", str(disk / "c.jsonl"), "--base-url", server.base_url, "--model", "fake", "--no-progress", "--no-cache"]
            full = CliRunner().invoke(app, args)
            written = (disk / "c.jsonl").read_bytes()
            assert full.exit_code == 3 and "cannot write the output (No space left on device)" in full.output, full.output
            assert "Traceback" not in full.output and written.endswith(b"\n") and 0 < written.count(b"\n") < 30
            assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]
            subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True)
            resumed = CliRunner().invoke(app, [*args, "--resume"])
        assert resumed.exit_code == 0, resumed.output
        assert sorted(record_id(r) for r in records(disk / "c.jsonl")) == sorted(ids)
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- 8. nothing to do is an input error --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("dump", Path.mkdir, "error: dump: directory has no articles (.txt, .md, .json, .jsonl, .csv, .tsv, .parquet)"),
        ("dump.jsonl", Path.touch, "error: dump.jsonl: no articles: the input is empty"),
    ],
    ids=["directory", "dump"],
)
def test_an_empty_input_is_one_line_and_exit_2_like_summarize(tmp_path, name, make, message):
    make(tmp_path / name)
    result = CliRunner().invoke(app, ["batch", name, "--out", "out.jsonl", "--model", "fake", "--base-url", "http://127.0.0.1:9/v1", "--no-progress"])
    assert result.exit_code == 2 and result.output.strip() == message
    assert not (tmp_path / "out.jsonl").exists() and not manifest_path(tmp_path / "out.jsonl").exists()


# --- 9. nothing listening ----------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nothing_listening_stops_the_batch_at_once(tmp_path, monkeypatch, capsys):
    """Real backoff (not shortened): 40 articles x 5 attempts took 23 s and wrote 40 "timed out" records."""
    write_jsonl(tmp_path / "in.jsonl", 40)
    calls = []
    gate_call = ratelimit.CallGate.__call__

    async def counted(self, *args, **kwargs):
        calls.append(1)
        return await gate_call(self, *args, **kwargs)

    monkeypatch.setattr(ratelimit.CallGate, "__call__", counted)
    result = run(f"http://127.0.0.1:{closed_port()}/v1", options("out.jsonl", concurrency=8))
    stderr = capsys.readouterr().err
    assert result.exit_code == 3 and result.fatal == "openai-compatible/fake: cannot connect (connection refused)"
    assert result.errors == 0 and not Path("out.jsonl").read_text(), "no error records: --resume does them all"
    assert len(calls) <= 8, "one attempt per article in flight, no retries"
    assert result.wall_s < 5.0 and stderr.count("error:") == 1


async def _refused(*args, **kwargs):
    import httpx2  # openai's HTTP library

    try:
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")
    except ConnectionRefusedError as exc:  # openai's aiohttp transport reports a refusal as a timeout
        raise openai.APITimeoutError(request=httpx2.Request("POST", "http://127.0.0.1:1/v1")) from exc


async def _answer(*args, **kwargs):
    return object()


def test_a_refusal_after_an_answer_is_transient_not_fatal():
    """A server restarting mid-batch refuses too: after one answer, a refusal is retried and recorded."""
    fatal: list[BaseException] = []
    first = ratelimit.CallGate(on_fatal=fatal.append)
    with pytest.raises(openai.APITimeoutError):
        asyncio.run(first(_refused))
    assert first.fatal is not None and fatal == [first.fatal]
    later = ratelimit.CallGate(on_fatal=fatal.append)
    asyncio.run(later(_answer))
    with pytest.raises(openai.APITimeoutError) as raised:
        asyncio.run(later(_refused))
    assert later.fatal is None and len(fatal) == 1 and base.is_transient(raised.value)
    assert "cannot connect (connection refused)" in base.provider_error(raised.value, "fake").one_line()


# --- 10. a record missing its events or claims is partial, not ok ------------------------------------------


def events_invalid_for(numbers: set[int]):
    """seed 000's answer, except an invalid events answer for the articles whose reference number is given."""

    def respond(body: dict, n: int):
        tool = body["tools"][0]["function"]["name"]
        text = json.dumps(body["messages"])
        if tool == "EventsDraft" and any(f"Reference number {i} " in text for i in numbers):
            return RawToolCall("{not json")
        return seed_000_answer()

    return respond


def test_a_record_whose_events_answer_stayed_invalid_is_partial_and_retry_errors_redoes_it(tmp_path, monkeypatch, capsys):
    quick_retries(monkeypatch)
    ids = write_jsonl(tmp_path / "in.jsonl", 6)
    with FakeOpenAI(events_invalid_for({1, 4})) as server:
        first = run(server.base_url, options("out.jsonl", retries=0))
        stderr = capsys.readouterr().err
        lines = {record_id(r): r for r in records(tmp_path / "out.jsonl")}
        assert sorted(lines) == sorted(ids)
        partial = {i for i, r in lines.items() if r.get("status") == "partial"}
        assert partial == {"a1", "a4"} and all(lines[i]["missing"] == ["events"] for i in partial)
        assert all(ArticleExtraction.model_validate(r).provenance.dropped.get("invalid_events_answers") for r in map(lines.get, partial))
        assert first.partial == 2 and first.extracted == 6 and first.errors == 0 and first.exit_code == 4
        assert "6 extracted (2 partial: redo with --retry-errors)" in stderr
        assert json.loads(manifest_path(tmp_path / "out.jsonl").read_text())["counts"]["partial"] == 2
        resumed = run(server.base_url, options("out.jsonl", resume=True))
        assert resumed.skipped == 6 and resumed.written == 0, "--resume keeps partial records, as it keeps error records"
        warm = run(server.base_url, options("warm.jsonl", retries=0))
        assert warm.cached == 4 and warm.partial == 2, "partial records are not cached"
        server.responder = queue_responder([seed_000_answer()])
        retried = run(server.base_url, options("out.jsonl", retry_errors=True, retries=0))
    assert retried.extracted == 2 and retried.partial == 0 and retried.skipped == 4 and retried.exit_code == 0
    final = records(tmp_path / "out.jsonl")
    assert sorted(map(record_id, final)) == sorted(ids) and not [r for r in final if "status" in r]
