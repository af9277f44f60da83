"""Benchmark: `summarizer batch --engine ray` with 1 and 2 actors against the live batch (issue 18).

1,000 articles (three requests each) against the fake OpenAI-compatible server in its own process at 500 ms
per request. The Ray runs use one local Ray cluster this script starts (`ray.init`, 2 CPUs: its start-up is
timed) and the real CLI as the driver (`--ray-address` to that cluster), in a subprocess measured with wait4
(wall, peak RSS); the extraction actors' peak RSS is their VmHWM, sampled while they run. The live run gets
the same total concurrency as the two actors. Latency-bound, so the cores are not the limit; targets:
- 2 actors >= 1.6 x the throughput of 1 actor
- Ray (2 actors) >= 0.8 of the live batch's throughput at equal total concurrency

Throughput is given over the whole run (Ray's connect and actor start-up included) and from the first
request to the last answer (the records' creation times), as bench/batch.py does.

    python bench/ray_batch.py [--articles 1000] [--concurrency 16] [--out bench/results/ray_batch.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from batch import Server, batch, machine, write_articles  # noqa: E402  (bench/batch.py: the fake server's process, the CLI's run, the input, the machine)

LATENCY_S = 0.5
WORKER_TITLE = b"MapWorker(MapBatches(Extractor))"


class WorkerPeak:
    """The largest VmHWM (peak RSS) of any extraction actor process, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak_kb, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.stop.wait(0.2):
            for entry in Path("/proc").iterdir():
                try:
                    if entry.name.isdigit() and WORKER_TITLE in (entry / "cmdline").read_bytes():
                        line = next(x for x in (entry / "status").read_text().splitlines() if x.startswith("VmHWM:"))
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except (OSError, StopIteration):
                    continue

    def close(self) -> float:
        self.stop.set()
        self.thread.join()
        return round(self.peak_kb / 1024, 1)


def serving_span(records: list[dict], latency: float) -> float:
    stamps = sorted(datetime.fromisoformat(r["provenance"]["created_at"]) for r in records if "provenance" in r)
    return (stamps[-1] - stamps[0]).total_seconds() + latency


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """bench/batch.py's run of the CLI (wall, CPU, peak RSS, manifest), plus the records it wrote."""
    run = batch([*args, "--no-cache"], cwd, env)
    out = cwd / args[args.index("--out") + 1]
    files = sorted(out.glob("part-*.jsonl")) if out.is_dir() else [out]
    return run | {"driver_peak_rss_mb": round(run["peak_rss_mb"], 1), "records": [json.loads(line) for f in files for line in f.read_text().splitlines()]}


def measure(name: str, args: list[str], work: Path, env: dict[str, str], concurrency: int, articles: int) -> dict:
    server = Server(LATENCY_S)
    peak = WorkerPeak()
    try:
        run = run_cli([*args, "--base-url", server.url, "--model", "fake"], work, env)
        requests = server.requests
    finally:
        worker_mb = peak.close()
        server.close()
    ids = [r.get("id") or r["article"]["id"] for r in run["records"]]
    assert len(ids) == len(set(ids)) == articles, f"{name}: {len(ids)} records, {len(set(ids))} ids"
    wall, serving = run["manifest"]["wall_s"], serving_span(run["records"], LATENCY_S)
    ideal = requests * LATENCY_S / concurrency
    result = {
        "total_concurrency": concurrency,
        "requests": requests,
        "ideal_wall_s": round(ideal, 2),
        "run_wall_s": round(wall, 2),
        "articles_per_s": round(articles / wall, 2),
        "ratio_to_ideal": round(ideal / wall, 3),
        "from_first_request_s": round(serving, 2),
        "articles_per_s_from_first_request": round(articles / serving, 2),
        "ratio_to_ideal_from_first_request": round(ideal / serving, 3),
        "process_wall_s": round(run["process_wall_s"], 2),
        "driver_peak_rss_mb": run["driver_peak_rss_mb"],
        "worker_peak_rss_mb": worker_mb or None,
        "errors": run["manifest"]["counts"]["errors"],
        # the calls the kept records made; fewer than `requests` means work Ray did twice and threw away
        "attempts_in_records": sum(r["provenance"]["attempts"] for r in run["records"] if "provenance" in r),
    }
    if "engine" in run["manifest"]:
        result["driver_ray_connect_s"] = run["manifest"]["engine"]["ray_start_s"]
        result["ray_passes"] = run["manifest"]["engine"]["passes"]
    print(f"{name}: {articles} articles ({requests} requests) in {wall:.1f} s = {articles / wall:.2f}/s, {ideal / wall:.3f} of ideal "
          f"({serving:.1f} s from the first request: {ideal / serving:.3f}); driver RSS {result['driver_peak_rss_mb']} MB, "
          f"worker RSS {worker_mb or '-'} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16, help="per actor; the live run gets twice this")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ray_batch.json")
    options = parser.parse_args()
    import ray

    results: dict = {"machine": machine(), "articles": options.articles, "latency_s": LATENCY_S, "concurrency_per_actor": options.concurrency}
    c = options.concurrency
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        work = Path(tmp)
        os.environ["PYTHONPATH"] = str(ROOT)  # the workers of the cluster started here import this tree
        write_articles(work / "in.jsonl", options.articles)
        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        results["ray_start_s"] = round(time.perf_counter() - started, 2)
        env = dict(os.environ)  # after ray.init: RAY_AUTH_MODE=token, which a driver joining this cluster needs
        print(f"Ray {ray.__version__} started in {results['ray_start_s']} s (local, 2 CPUs)", flush=True)
        address = ray.get_runtime_context().gcs_address
        try:
            for actors in (1, 2):
                args = ["in.jsonl", "--engine", "ray", "--ray-address", address, "--actors", str(actors), "-c", str(c), "--out", f"ray{actors}"]
                results[f"ray_{actors}_actors"] = measure(f"ray, {actors} actor(s) x {c}", args, work, env, actors * c, options.articles)
        finally:
            ray.shutdown()
        results["live"] = measure(f"live, concurrency {2 * c}", ["in.jsonl", "-c", str(2 * c), "--out", "live.jsonl"], work, env, 2 * c, options.articles)

    one, two, live = results["ray_1_actors"], results["ray_2_actors"], results["live"]
    results["scaling_2_over_1"] = round(two["articles_per_s"] / one["articles_per_s"], 3)
    results["scaling_2_over_1_from_first_request"] = round(two["articles_per_s_from_first_request"] / one["articles_per_s_from_first_request"], 3)
    results["ray_over_live"] = round(two["articles_per_s"] / live["articles_per_s"], 3)
    results["ray_over_live_from_first_request"] = round(two["articles_per_s_from_first_request"] / live["articles_per_s_from_first_request"], 3)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = {"2_actors>=1.6x_1_actor": results["scaling_2_over_1"] >= 1.6, "ray>=0.8x_live": results["ray_over_live"] >= 0.8}
    print(f"2 actors / 1 actor: {results['scaling_2_over_1']}x ({results['scaling_2_over_1_from_first_request']}x from the first request); "
          f"ray / live: {results['ray_over_live']} ({results['ray_over_live_from_first_request']} from the first request)", flush=True)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["targets"]), f"-> {options.out}")


if __name__ == "__main__":
    main()
