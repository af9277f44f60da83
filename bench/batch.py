"""Benchmark: `summarizer batch` against the fake OpenAI-compatible server (tests/fake_openai.py).

The server runs in its own process, so the client's CPU and memory are measured alone; the client is the
real CLI (`python -m summarizer batch ...`) in a subprocess, measured with wait4 (CPU, peak RSS) and its run
manifest (the run's own wall and CPU time, interpreter start-up excluded). Targets (issue 4):
- 1,000 articles, 200 ms latency, concurrency 32: >= 0.95 of ideal throughput (ideal wall = requests x 0.2 / 32 s:
  an article takes three calls one after the other, the first call, its events call and its claims call)
- client CPU per article < 5 ms (set when an article took one call; per request is reported too)
- peak RSS streaming a 100,000-line JSONL against a fast server < 300 MB
- warm-cache re-run of 1,000 articles < 2 s

The fake server and the client share this machine's two cores, and the server's own overhead is not zero,
so the same 1,000 requests are also sent by a null client (bare aiohttp, nothing parsed): its wall time is
the most any client can reach here, and `ratio_to_null_client` is the client's own share of the gap.

    python bench/batch.py [--rss-lines 100000] [--out bench/results/batch.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SEED_000, seed_000_answer  # noqa: E402
from fake_openai import FakeOpenAI, queue_responder  # noqa: E402
from machine import cpu_model  # noqa: E402  (bench/machine.py, beside this file)

from summarizer.io.readers import stream_inputs  # noqa: E402

LATENCY_S = 0.2
ARTICLES = 1000
CONCURRENCY = 32


def serve(latency: float, conn) -> None:
    """The fake server, in its own process: sends its URL, then its request count whenever asked."""
    server = FakeOpenAI(queue_responder([seed_000_answer()]), latency=latency)
    conn.send(server.base_url)
    while conn.recv() != "stop":
        conn.send(server.request_count)
    server.close()


class Server:
    def __init__(self, latency: float):
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=serve, args=(latency, child), daemon=True)
        self.process.start()
        self.url = self.conn.recv()

    @property
    def requests(self) -> int:
        self.conn.send("count")
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send("stop")
        self.process.join(5)


def write_articles(path: Path, n: int) -> None:
    """Seed 000 plus one numbered sentence: every article is distinct (own cache key) and the answer fits."""
    seed = next(stream_inputs([str(SEED_000)]))
    head = json.dumps({"title": seed.title, "date": str(seed.published)})[:-1]
    with path.open("w") as out:
        for i in range(n):
            text = json.dumps(f"{seed.text} Reference number {i} was given to this report.")
            out.write(f'{head}, "id": "a{i}", "text": {text}}}\n')


def request_body(article) -> bytes:
    """A chat request the size of the client's: the prompt with the article, the tool schema."""
    from summarizer.llm.prompts import load_prompt
    from summarizer.schema import ExtractionDraft
    from summarizer.rules.sentences import numbered, split_sentences

    messages = load_prompt().messages(title=article.title, published=str(article.published), numbered_sentences=numbered(split_sentences(article.text)))
    tool = {"type": "function", "function": {"name": "ExtractionDraft", "parameters": ExtractionDraft.model_json_schema()}}
    return json.dumps({"model": "fake", "messages": messages, "tools": [tool], "tool_choice": {"type": "function", "function": {"name": "ExtractionDraft"}}}).encode()


def null_client(url: str, body: bytes, n: int, concurrency: int) -> float:
    """Wall time for `n` requests, `concurrency` at a time, by a client that does nothing else."""
    import aiohttp

    async def run() -> float:
        slots = asyncio.Semaphore(concurrency)
        async with aiohttp.ClientSession(headers={"Content-Type": "application/json"}) as session:

            async def one() -> None:
                async with slots, session.post(url + "/chat/completions", data=body) as response:
                    await response.read()

            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.perf_counter() - started

    return asyncio.run(run())


def serving_span(out: Path, latency: float) -> float:
    """Seconds from the first request to the last answer: the records' creation times, first to last, plus
    the first request's latency. Leaves out what happens once before the first request (importing openai,
    ~1.5 s, at the first article the cache cannot answer)."""
    stamps = sorted(datetime.fromisoformat(json.loads(line)["provenance"]["created_at"]) for line in out.open())
    return (stamps[-1] - stamps[0]).total_seconds() + latency


def batch(args: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run the CLI; wall, CPU and peak RSS of the process, plus its manifest."""
    command = [sys.executable, "-m", "summarizer", "batch", *args, "--no-progress"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"batch failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}\n{stderr}")
    out = cwd / args[args.index("--out") + 1]
    manifest = json.loads(out.with_name(out.stem + ".manifest.json").read_text())
    return {"process_wall_s": wall, "process_cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024, "manifest": manifest}


def machine() -> dict:
    """The machine, and how busy it is: CPU time per operation grows when other jobs share the cores."""
    started = time.process_time()
    total = 0
    for i in range(5_000_000):  # a fixed pure-Python loop: ~0.2 s of CPU on an idle modern core
        total += i
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "calibration_loop_cpu_s": round(time.process_time() - started, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rss-lines", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "batch.json")
    options = parser.parse_args()
    results: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SUMMARIZER_CACHE": str(work / "cache")}
        write_articles(work / "in.jsonl", ARTICLES)

        # 1. throughput and CPU: 1,000 articles, 200 ms per request, 32 at a time, the cache empty; then
        # 2. warm cache: the same 1,000 again, to a new output, from the cache the first pass filled. The same
        # server serves both: the cache key holds the endpoint, so a server on a new port is a cold cache.
        server = Server(LATENCY_S)
        try:
            args = ["in.jsonl", "--base-url", server.url, "--model", "fake", "-c", str(CONCURRENCY)]
            run = batch([*args, "--out", "cold.jsonl"], work, env)
            requests = server.requests
            warm = batch([*args, "--out", "warm.jsonl"], work, env)
            warm_requests = server.requests - requests
        finally:
            server.close()
        server = Server(LATENCY_S)
        try:
            null_wall = null_client(server.url, request_body(next(stream_inputs([str(SEED_000)]))), requests, CONCURRENCY)
        finally:
            server.close()
        ideal = requests * LATENCY_S / CONCURRENCY
        wall = run["manifest"]["wall_s"]
        serving = serving_span(work / "cold.jsonl", LATENCY_S)
        results["throughput"] = {
            "articles": ARTICLES,
            "latency_s": LATENCY_S,
            "concurrency": CONCURRENCY,
            "requests": requests,
            "ideal_wall_s": ideal,
            "run_wall_s": round(wall, 3),
            "process_wall_s": round(run["process_wall_s"], 3),
            "ratio_to_ideal": round(ideal / wall, 3),
            "run_wall_from_first_request_s": round(serving, 3),
            "ratio_to_ideal_from_first_request": round(ideal / serving, 3),
            "null_client_wall_s": round(null_wall, 3),
            "null_client_ratio_to_ideal": round(ideal / null_wall, 3),
            "ratio_to_null_client": round(null_wall / wall, 3),
            "client_cpu_ms_per_article_run": round(run["manifest"]["client_cpu_s"] / ARTICLES * 1000, 2),
            "client_cpu_ms_per_article_process": round(run["process_cpu_s"] / ARTICLES * 1000, 2),
            "client_cpu_ms_per_request_run": round(run["manifest"]["client_cpu_s"] / requests * 1000, 2),
        }
        print(f"throughput: {ARTICLES} articles ({requests} requests) in {wall:.2f} s (ideal {ideal:.2f} s): {ideal / wall:.3f} of ideal; "
              f"process {run['process_wall_s']:.2f} s with start-up", flush=True)
        print(f"from the first request on (the one-time client import excluded): {serving:.2f} s, {ideal / serving:.3f} of ideal", flush=True)
        print(f"null client: {null_wall:.2f} s ({ideal / null_wall:.3f} of ideal): the client reaches {null_wall / wall:.3f} of it", flush=True)
        print(f"client CPU per article: {results['throughput']['client_cpu_ms_per_article_run']} ms during the run, "
              f"{results['throughput']['client_cpu_ms_per_article_process']} ms for the whole process; "
              f"{results['throughput']['client_cpu_ms_per_request_run']} ms per request", flush=True)

        results["warm_cache"] = {
            "articles": ARTICLES,
            "cached": warm["manifest"]["counts"]["cached"],
            "requests": warm_requests,
            "run_wall_s": round(warm["manifest"]["wall_s"], 3),
            "process_wall_s": round(warm["process_wall_s"], 3),
        }
        print(f"warm cache: {warm['manifest']['counts']['cached']} cached, {warm_requests} requests, "
              f"{warm['process_wall_s']:.2f} s for the whole process ({warm['manifest']['wall_s']:.2f} s in the run)", flush=True)

        # 3. memory: a 100,000-line JSONL streamed against a fast server (no cache: nothing kept anywhere)
        (work / "in.jsonl").unlink()
        write_articles(work / "big.jsonl", options.rss_lines)
        server = Server(0.0)
        try:
            big = batch(["big.jsonl", "--out", "big-out.jsonl", "--base-url", server.url, "--model", "fake", "-c", str(CONCURRENCY), "--no-cache"], work, env)
        finally:
            server.close()
        lines = big["manifest"]["counts"]["output_lines"]
        results["memory"] = {
            "input_lines": options.rss_lines,
            "input_mb": round((work / "big.jsonl").stat().st_size / 2**20, 1),
            "output_lines": lines,
            "peak_rss_mb": round(big["peak_rss_mb"], 1),
            "run_wall_s": round(big["manifest"]["wall_s"], 1),
            "articles_per_s": round(lines / big["manifest"]["wall_s"], 1),
            "client_cpu_ms_per_article_run": round(big["manifest"]["client_cpu_s"] / lines * 1000, 2),
        }
        print(f"memory: {options.rss_lines:,} lines ({results['memory']['input_mb']} MB) streamed, peak RSS {big['peak_rss_mb']:.0f} MB, "
              f"{results['memory']['articles_per_s']}/s", flush=True)

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = {
        "throughput_ratio>=0.95": results["throughput"]["ratio_to_ideal"] >= 0.95,
        "throughput_ratio_to_null_client>=0.95": results["throughput"]["ratio_to_null_client"] >= 0.95,
        "cpu_ms_per_article<5": results["throughput"]["client_cpu_ms_per_article_run"] < 5,
        "peak_rss_mb<300": results["memory"]["peak_rss_mb"] < 300,
        "warm_rerun_s<2": results["warm_cache"]["process_wall_s"] < 2,
        "warm_rerun_all_cached": results["warm_cache"]["cached"] == ARTICLES and results["warm_cache"]["requests"] == 0,
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["targets"]), f"-> {options.out}")


if __name__ == "__main__":
    main()
