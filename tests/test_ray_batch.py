"""`summarizer batch --engine ray` (issue 18) on a real local Ray (2 CPUs, started once for the module)
against the fake server: the live batch's ids and records, exactly one record per id through provider
faults, a killed worker, a poison article and a killed driver resumed; one line for a missing Ray or cluster."""

from __future__ import annotations

import csv
import faulthandler
import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from conftest import ROOT, SEED_000, seed_000_answer  # noqa: E402
from fake_openai import FakeOpenAI, Fault, faulty_responder, queue_responder  # noqa: E402
from ray_helpers import POISON, answer_like_vllm, fake_backend  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from summarizer.batch import BatchOptions, run_batch  # noqa: E402
from summarizer.batch.output import line_identity, manifest_path  # noqa: E402
from summarizer.cli.app import app  # noqa: E402
from summarizer.io.readers import stream_inputs  # noqa: E402

SEED = next(stream_inputs([str(SEED_000)]))
TESTS = Path(__file__).resolve().parent
HANG_S = 300  # the slowest test takes ~40 s on 2 cores


@pytest.fixture(scope="module")
def cluster():
    """One local Ray for the module; its workers import this tree and tests/ray_helpers."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), str(ROOT), saved) if p)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        os.environ.pop("PYTHONPATH") if saved is None else os.environ.update(PYTHONPATH=saved)


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI(queue_responder([seed_000_answer()]), latency=0.02) as srv:
        yield srv


@pytest.fixture(autouse=True)
def no_hang():
    """A Ray run that waits forever fails the suite in minutes, with every thread's stack, instead of CI's 90."""
    faulthandler.dump_traceback_later(HANG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path, server):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    server.responder = queue_responder([seed_000_answer()])


def write_jsonl(path: Path, n: int, poison: int | None = None) -> list[str]:
    """Seed 000 with one more sentence each (seed 000's answer still fits); `poison`: that one kills its worker."""
    records = [
        {"id": f"a{i}", "title": SEED.title, "date": str(SEED.published), "text": f"{SEED.text} Reference number {i} was given to this report{' ' + POISON if i == poison else ''}."}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return [r["id"] for r in records]


def ray_options(out: str = "out", **kw) -> BatchOptions:
    kw = {"actors": 2, "concurrency": 8} | kw
    return BatchOptions(inputs=kw.pop("inputs", ["in.jsonl"]), out=Path(out), progress=False, cache=False, engine="ray", **kw)


def run_ray(server, opts: BatchOptions, poison: bool = False):
    return run_batch(opts, functools.partial(fake_backend, server.base_url, poison))


def lines(out: Path) -> list[str]:
    parts = sorted(out.glob("part-*.jsonl")) if out.is_dir() else [out]
    return [line for part in parts for line in part.read_text().splitlines()]


def ids_once(out: Path) -> list[str]:
    """The output's ids, asserting each appears once."""
    ids = [line_identity(line)[0] for line in lines(out)]
    assert None not in ids and len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)[:5]}"
    return ids


def untimed(line: str) -> dict:
    record = json.loads(line)
    for key in ("latency_s", "created_at"):
        record.get("provenance", {}).pop(key, None)
    return record


def test_ids_and_records_equal_the_live_batchs(cluster, server, tmp_path):
    """The same inputs, good and bad (a line that is not JSON, a record without text, a duplicate id, a CSV
    table without the text column, a binary file), JSONL, CSV and Parquet, give the live batch's lines, id for id."""
    dump = tmp_path / "dump"
    dump.mkdir()
    write_jsonl(dump / "in.jsonl", 12)
    with (dump / "in.jsonl").open("a") as f:
        f.write("not json\n" + json.dumps({"id": "nt", "body": "no text key"}) + "\n" + json.dumps({"id": "a3", "text": SEED.text}) + "\n")
    with (dump / "rows.csv").open("w", newline="") as f:
        csv.writer(f).writerows([["title", "text"], *([f"T{i}", f"{SEED.text} Row {i}."] for i in range(3))])
    (dump / "bad.csv").write_text("title,body\nx,y\n")
    pq.write_table(pa.Table.from_pylist([{"title": f"P{i}", "text": f"{SEED.text} Parquet row {i}."} for i in range(2)]), dump / "rows.parquet")
    (dump / "blob.txt").write_bytes(b"\x00\x01binary")
    live = run_batch(BatchOptions(inputs=["dump"], out=Path("live.jsonl"), progress=False, cache=False, concurrency=8), functools.partial(fake_backend, server.base_url))
    result = run_ray(server, ray_options(inputs=["dump"]))
    live_lines = {line_identity(line)[0]: untimed(line) for line in lines(Path("live.jsonl"))}
    ray_lines = {line_identity(line)[0]: untimed(line) for line in lines(Path("out"))}
    assert sorted(ids_once(Path("out"))) == sorted(ids_once(Path("live.jsonl"))) == sorted(ray_lines)
    assert {"dump/in.jsonl:13", "nt", "dump/rows.csv:2", "dump/rows.parquet:2", "dump/bad.csv", "dump/blob.txt"} <= set(ray_lines)
    assert ray_lines == live_lines
    assert (result.extracted, result.errors, result.duplicates, result.exit_code) == (live.extracted, live.errors, live.duplicates, live.exit_code) == (17, 4, 1, 2)
    manifest = json.loads(manifest_path(Path("out")).read_text())
    assert manifest["engine"]["name"] == "ray" and manifest["counts"]["output_lines"] == 21
    assert manifest["engine"]["passes"] == 1, "every record came through Ray's write, none through the rescue pass"


def test_200_articles_with_30pc_faults_give_200_unique_ids(cluster, server):
    ids = write_jsonl(Path("in.jsonl"), 200)
    faults = [Fault(500), Fault(503), Fault(429, headers={"Retry-After": "0.05"}), "not json"]
    server.responder = faulty_responder(lambda body: seed_000_answer(), 0.3, seed=18, faults=faults)
    result = run_ray(server, ray_options())
    assert sorted(ids_once(Path("out"))) == sorted(ids)
    assert result.written == 200 and result.extracted >= 150, "tenacity and re-asks recover most faults inside the task"
    assert json.loads(manifest_path(Path("out")).read_text())["engine"]["throttled"] > 0, "the 429s reached the shared gate"


def test_a_worker_killed_mid_run_loses_nothing_and_doubles_nothing(cluster, server, tmp_path):
    ids = write_jsonl(Path("in.jsonl"), 120)
    server.responder = queue_responder([seed_000_answer()])
    callers = tmp_path / "callers"  # the pids of this run's processes that made a model call
    callers.mkdir()
    killed: list[int] = []
    start = server.request_count

    def kill_one() -> None:
        while server.request_count - start < 60 or not any(callers.iterdir()):
            if server.request_count - start >= 300:
                return  # too late to be mid-run: the assertion below says so
            time.sleep(0.05)
        pid = int(sorted(callers.iterdir())[0].name)
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    result = run_batch(ray_options(), functools.partial(fake_backend, server.base_url, callers=str(callers)))
    killer.join(timeout=1)
    assert killed and server.request_count - start > 360, "a working actor was killed mid-run, and its calls made again"
    assert sorted(ids_once(Path("out"))) == sorted(ids) and result.extracted == 120


def test_a_poison_article_ends_as_its_error_record_and_no_other_is_lost(cluster, server):
    ids = write_jsonl(Path("in.jsonl"), 24, poison=5)
    result = run_ray(server, ray_options(actors=1, concurrency=4), poison=True)
    records = {line_identity(line)[0]: json.loads(line) for line in lines(Path("out"))}
    assert sorted(ids_once(Path("out"))) == sorted(ids)
    assert records["a5"]["status"] == "error" and "every worker that took this article died" in records["a5"]["error"]["message"]
    assert result.extracted == 23 and result.errors == 1 and result.exit_code == 4


def test_a_killed_driver_resumes_to_exactly_n(cluster, server):
    ids = write_jsonl(Path("in.jsonl"), 160)
    server.responder = queue_responder([seed_000_answer()])
    command = [sys.executable, "-m", "summarizer", "batch", "in.jsonl", "--engine", "ray", "--ray-address", cluster, "--out", "out",
               "--base-url", server.base_url, "--model", "fake", "--actors", "1", "--concurrency", "2", "--no-progress", "--no-cache"]  # fmt: skip
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ | {"PYTHONPATH": f"{TESTS}{os.pathsep}{ROOT}"})
    deadline = time.monotonic() + 90
    while not list(Path("out").glob("part-*.jsonl")) and time.monotonic() < deadline and driver.poll() is None:
        time.sleep(0.1)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    whole = [line for part in Path("out").glob("part-*.jsonl") for line in part.read_bytes().split(b"\n")[:-1]]  # a cut last line is redone
    before = len(whole)
    assert 0 < before < 160, f"the driver was killed mid-run ({before} records then)"
    result = run_ray(server, ray_options(resume=True))
    assert sorted(ids_once(Path("out"))) == sorted(ids)
    assert result.skipped == before and result.written == 160 - before


def test_parquet_parts_hold_the_same_records_and_resume_and_retry_errors(cluster, server):
    """`--out DIR.parquet`: one row per record (`id`, `status`, `record` = the JSONL line); a resume after a
    part was cut by a kill redoes its ids, `--retry-errors` replaces the error records; one record per id."""
    ids = write_jsonl(Path("in.jsonl"), 16)
    failing = ("Reference number 3 ", "Reference number 11 ")

    def answer(body: dict, n: int):
        return Fault(500) if any(mark in json.dumps(body) for mark in failing) else seed_000_answer()

    server.responder = answer
    first = run_ray(server, ray_options("out.parquet", retries=0, actors=1, concurrency=1))  # parts of 4 rows
    parts = sorted(Path("out.parquet").glob("part-*.parquet"))
    rows = [row for part in parts for row in pq.read_table(part).to_pylist()]
    assert parts and not list(Path("out.parquet").glob("*.jsonl")) and sorted(row["id"] for row in rows) == sorted(ids)
    assert {row["id"]: row["status"] for row in rows if row["status"] != "ok"} == {"a3": "error", "a11": "error"}
    assert all(line_identity(row["record"])[0] == row["id"] for row in rows) and (first.extracted, first.errors) == (14, 2)
    assert json.loads(manifest_path(Path("out.parquet")).read_text())["engine"]["passes"] == 1, "Ray wrote them, not the rescue pass"
    cut = next(part for part in parts if not {"a3", "a11"} & set(pq.read_table(part, columns=["id"]).column("id").to_pylist()))
    lost = pq.read_table(cut, columns=["id"]).column("id").to_pylist()
    cut.write_bytes(cut.read_bytes()[:100])  # a write killed before the footer
    server.responder = queue_responder([seed_000_answer()])
    resumed = run_ray(server, ray_options("out.parquet", resume=True, retry_errors=True))
    rows = [row for part in sorted(Path("out.parquet").glob("part-*.parquet")) for row in pq.read_table(part).to_pylist()]
    assert sorted(row["id"] for row in rows) == sorted(ids), "one record per id"
    assert all(row["status"] == "ok" for row in rows) and Path(f"{cut}.cut").exists()
    assert resumed.written == len(lost) + 2 and resumed.skipped == 16 - len(lost) - 2


def test_the_vllm_engines_rows_through_ray_data_make_the_live_batchs_records(cluster, server):
    """Part 3 where vLLM cannot run: its pre- and postprocess through Ray Data (Arrow blocks, the group
    by article), a stand-in for the engine stage answering from the fake server."""
    from summarizer.batch.ray_engine.ledger import Ledger
    from summarizer.batch.ray_engine.processor import extract_with, vllm_answer, vllm_request
    from summarizer.batch.ray_engine.source import ArticleSource
    from summarizer.io.articles import DEFAULT_COLUMNS

    ids = write_jsonl(Path("in.jsonl"), 6)
    make = functools.partial(fake_backend, server.base_url, False, "json_schema")
    articles = ray.data.read_datasource(ArticleSource(["in.jsonl"], DEFAULT_COLUMNS, None, ray.remote(Ledger).remote(set()), 4))
    engine = functools.partial(answer_like_vllm, base_url=server.base_url)
    rows = extract_with(lambda steps: steps.map(vllm_request).map(engine).map(vllm_answer), articles, make).take_all()
    run_batch(BatchOptions(inputs=["in.jsonl"], out=Path("live.jsonl"), progress=False, cache=False), make)
    live = {line_identity(line)[0]: untimed(line) for line in lines(Path("live.jsonl"))}
    assert sorted(row["id"] for row in rows) == sorted(ids) == sorted(live)
    assert {row["id"]: untimed(row["line"]) for row in rows} == live


def test_without_ray_one_line_names_the_install_command(cluster, monkeypatch):
    write_jsonl(Path("in.jsonl"), 2)
    monkeypatch.setitem(sys.modules, "ray.data", None)  # as if not installed
    result = CliRunner().invoke(app, ["batch", "in.jsonl", "--engine", "ray", "--out", "out", "--model", "fake", "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 3 and result.output.strip() == 'error: --engine ray needs Ray Data: pip install -e ".[ray]"'


def test_an_unreachable_ray_address_is_one_line_and_exit_3(tmp_path):
    write_jsonl(Path("in.jsonl"), 2)
    command = [sys.executable, "-m", "summarizer", "batch", "in.jsonl", "--engine", "ray", "--ray-address", "127.0.0.1:9", "--out", "out", "--model", "fake", "--base-url", "http://127.0.0.1:9/v1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 3 and done.stderr.strip().splitlines() == [
        "error: 127.0.0.1:9: cannot reach the Ray cluster (Connection refused): start one with `ray start --head`, or fix --ray-address"
    ]
