"""The driver of `summarizer batch --engine ray`: read (ArticleSource) -> extract (an actor pool of
Extractors) -> write (PartSink), on a Ray cluster, then the count, the manifest and the summary the live
batch gives (report.finish).

Faults: a provider fault is retried inside the article's extraction (tenacity), and a failure that stays is
the article's error record. A worker that dies (kill -9, out of memory, a crash in native code) costs Ray
task retries (`CRASH_RETRIES`), and the articles of a task whose retries all died are dropped by Ray Data
(`max_errored_blocks=-1`) rather than failing the run; those ids (claimed, yet without a record) are then
run once more, one Ray task each, so an article that kills its worker every time (a poison input) takes
only itself down, and ends as an error record, never as a lost article."""

from __future__ import annotations

import json
import logging
import math
import socket
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

import ray
import ray.data
from rich.console import Console

import summarizer.errors
from summarizer.batch.output import OutputLog, error_line
from summarizer.batch.ray_engine.extractor import Extractor, extract_alone
from summarizer.batch.ray_engine.gate import Limits
from summarizer.batch.ray_engine.ledger import Ledger
from summarizer.batch.ray_engine.parts import ParquetPart, PartSink, Written, next_run, open_part, prepare, read_written
from summarizer.batch.ray_engine.source import ArticleSource
from summarizer.batch.report import finish
from summarizer.batch.run import BatchOptions, BatchResult, non_empty, resume_command
from summarizer.errors import ConfigError, ExtractionError, SummarizerError
from summarizer.io.parts import part_files, part_lines, run_of
from summarizer.llm.base import Backend
from summarizer.llm.prompts import load_prompt

# Ray Data budgets a dataset's CPUs: its share of the cluster, split with every other dataset that holds a
# request in Ray Data's AutoscalingCoordinator (a killed driver's request stays for 180 s). The repartition
# stage's tasks take one CPU each and cannot be given less; when the actor pool and the read and write tasks
# held CPUs too, a shrunken share left none for them and the run waited forever (a --resume right after a
# killed driver, here). So only that stage counts: the extractors wait on their endpoint and the read and
# write tasks are light, and none of them holds a CPU. Ray Data spreads the actors over the nodes (SPREAD).
ACTOR_CPUS = 0
IO_CPUS = 0
CRASH_RETRIES = 1  # Ray re-runs a task whose worker died this many times, in each pass
BATCH_ROWS = 4  # articles per block and map task (several tasks run at once in each actor)
CONNECT_TIMEOUT_S = 5.0


class RayRun:
    """What report.finish needs of a run (BatchRun's fields), for a run whose output is a directory."""

    def __init__(self, options: BatchOptions, backend: Backend, console: Console):
        self.options, self.backend, self.console = options, backend, console
        self.prompt = load_prompt()
        self.result = BatchResult()
        self.cache = None  # each machine would have its own: the Ray engine asks the model every time
        self.out = Written()
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.started_at = datetime.now(timezone.utc)

    def close(self) -> BatchResult:
        self.result.stop_clocks(self.started, self.cpu_started)
        return self.result

    def resume_command(self) -> str:
        return resume_command(self.options)


def run_ray_batch(options: BatchOptions, backend: Backend, make_backend: Callable[[], Backend], console: Console) -> BatchResult:
    non_empty(options)  # nothing to read is an input error, before Ray starts
    prepare(options.out, resume=options.resume, overwrite=options.overwrite)
    run = RayRun(options, backend, console)
    started = time.perf_counter()
    connect(options.ray_address)
    engine = RayEngine(run, make_backend, ray_start_s=time.perf_counter() - started)
    try:
        engine.main()
    except KeyboardInterrupt:
        run.result.interrupted = True
    finally:
        engine.count()
        result = finish(run, {"engine": engine.summary()})
    return result


def connect(address: str | None) -> None:
    """Join the cluster at `address` (or start one on this machine); one line, exit 3, when there is none."""
    if ray.is_initialized():
        return
    if address and address != "auto":
        _probe(address)
    try:
        ray.init(address=address, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot join the Ray cluster ({' '.join(str(exc).split())[:200]})", source=address or "local Ray") from None


def _probe(address: str) -> None:
    """ray.init retries an address where nothing listens for minutes: a plain connect says so in seconds."""
    parsed = urlparse(address if "://" in address else f"ray://{address}")
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise ConfigError(f"cannot reach the Ray cluster ({reason}): start one with `ray start --head`, or fix --ray-address", source=address) from None


class RayEngine:
    def __init__(self, run: RayRun, make_backend: Callable[[], Backend], *, ray_start_s: float):
        self.run, self.options, self.make_backend = run, run.options, make_backend
        self.ray_start_s = ray_start_s
        self.first_run = next_run(self.options.out)
        self.passes, self.poisoned = 0, 0
        self.admission: dict[str, int] = {"skipped": 0, "duplicates": 0}
        self.limits = ray.remote(Limits).options(num_cpus=0).remote(self.options.rpm, self.options.tpm)
        self.fatal: str | None = None
        context = ray.data.DataContext.get_current()
        context.max_errored_blocks = -1  # a task whose every worker died drops its rows; `main` runs them again
        context.enable_progress_bars = self.options.progress
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.CRITICAL)  # our summary says what happened; Ray's log files keep the rest

    def main(self) -> None:
        written = read_written(self.options.out, retry_errors=self.options.retry_errors)
        self.run.out.cut_bytes, self.run.out.retrying = written.cut_bytes, written.retrying
        ledger = self.execute(written.ids, isolated=False)
        self.admission = ray.get(ledger.counts.remote())
        if self.fatal is None:
            after = read_written(self.options.out).ids
            if ray.get(ledger.claimed.remote()) - after:  # claimed, no record: one task each, so a poison article takes down only itself
                self.execute(after, isolated=True)

    def execute(self, done: set[str], *, isolated: bool = False) -> Any:
        """One pass over the inputs, skipping `done`: read, extract in the actor pool, write the parts (or,
        `isolated`, one Ray task per article); its ledger says which ids it took."""
        options = self.options
        ledger = ray.remote(Ledger).options(num_cpus=0).remote(done)
        batch = 1 if isolated else min(BATCH_ROWS, options.concurrency)
        source = ArticleSource(options.inputs, options.columns, options.input_format, ledger, rows_per_block=batch)
        run = self.first_run + self.passes
        self.passes += 1
        with warnings.catch_warnings():  # Ray Data's advice on tuning (an idle pool on a resumed run...) is not the user's to act on
            warnings.filterwarnings("ignore", module=r"ray\.data")
            warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")  # max_restarts, max_task_retries: the documented form
            # one map task per `batch` articles: Ray would merge a read task's blocks into one, and a task is
            # both what an actor works on at once and what a dead worker takes down
            dataset = ray.data.read_datasource(source, num_cpus=IO_CPUS).repartition(target_num_rows_per_block=batch, strict=True)
            if isolated:
                self.alone(dataset.iter_rows(), run)
            else:
                sink = PartSink(options.out, run, rows_per_file=4 * options.actors * options.concurrency)
                self.pooled(dataset, batch).write_datasink(sink, ray_remote_args={"num_cpus": IO_CPUS})
        self.fatal = ray.get(self.limits.state.remote())["fatal"]
        unread = ray.get(ledger.unread.remote(source.files()))
        if unread and self.fatal is None:
            self.fatal = f"{unread[0]}: could not be read to its end{f' (and {len(unread) - 1} more files)' if len(unread) > 1 else ''}: see Ray's logs (/tmp/ray/session_latest/logs)"
        return ledger

    def extractor_args(self, concurrency: int) -> dict[str, Any]:
        options = self.options
        return {"make_backend": self.make_backend, "retries": options.retries, "concurrency": concurrency, "limits": self.limits, "rpm": options.rpm, "tpm": options.tpm}

    def pooled(self, dataset: Any, batch: int) -> Any:
        """The actor pool: `actors` Extractors, each with --concurrency articles in flight over several batches."""
        concurrency = self.options.concurrency
        calls = 2 * math.ceil(concurrency / batch)  # enough batches at once to keep every slot busy
        compute = ray.data.ActorPoolStrategy(
            size=self.options.actors, max_tasks_in_flight_per_actor=calls, max_concurrent_calls_per_actor=calls, enable_true_multi_threading=True
        )
        return dataset.map_batches(
            Extractor,
            batch_size=batch,
            compute=compute,
            fn_constructor_kwargs=self.extractor_args(concurrency),
            num_cpus=ACTOR_CPUS,
            max_restarts=-1,
            max_task_retries=CRASH_RETRIES,
        )

    def alone(self, rows: Any, run: int) -> None:
        """The articles a dead worker took down, one Ray task each (`actors` x --concurrency at once),
        written here as they finish: a task that dies takes only its article, a finished one is never
        redone, and an article whose every attempt killed its worker (a poison input) is its error record."""
        alone = ray.remote(extract_alone).options(num_cpus=ACTOR_CPUS, max_retries=CRASH_RETRIES, retry_exceptions=False)
        log = open_part(self.options.out, run, "alone")
        pending: dict[Any, str] = {}
        try:
            for row in rows:
                if len(pending) >= self.options.actors * self.options.concurrency:
                    self.settle(pending, log)
                pending[alone.remote({key: [value] for key, value in row.items()}, **self.extractor_args(1))] = row["id"]
            while pending:
                self.settle(pending, log)
        finally:
            log.close()

    def settle(self, pending: dict[Any, str], log: OutputLog | ParquetPart) -> None:
        [ready], _ = ray.wait(list(pending), num_returns=1)
        article_id = pending.pop(ready)
        try:
            lines = ray.get(ready)["line"]
        except ray.exceptions.RayError as exc:  # the worker died in every attempt
            attempts = CRASH_RETRIES + 1
            error = ExtractionError(f"every worker that took this article died ({attempts} attempts, {type(exc).__name__}): see the Ray worker logs", source=article_id)
            lines = [error_line(article_id, error, attempts)]
            self.poisoned += 1
        for line in lines:
            log.write(line)

    def count(self) -> None:
        """The run's counts, read back from the part files it wrote (what is on disk is what counts)."""
        r, out = self.run.result, self.run.out
        r.skipped, r.duplicates = self.admission["skipped"], self.admission["duplicates"]
        r.fatal = r.fatal or self.fatal
        for path in part_files(self.options.out):
            lines = list(part_lines(path))
            out.lines += len(lines)
            if run_of(path) >= self.first_run:
                for line in lines:
                    tally(r, json.loads(line))

    def summary(self) -> dict[str, Any]:
        state = ray.get(self.limits.state.remote())
        return {
            "name": "ray",
            "ray_version": ray.__version__,
            "ray_address": self.options.ray_address,
            "actors": self.options.actors,
            "concurrency_per_actor": self.options.concurrency,
            "ray_start_s": round(self.ray_start_s, 3),
            "passes": self.passes,
            "poison_articles": self.poisoned,
            "throttled": state["throttled"],
            "parts": [p.name for p in part_files(self.options.out) if run_of(p) >= self.first_run],
        }


def tally(r: BatchResult, record: dict[str, Any]) -> None:
    """Count one output record as the live batch counts what it writes."""
    if record.get("status") == "error":
        r.errors += 1
        r.error_types[record["error"]["type"]] += 1
        kind = getattr(summarizer.errors, record["error"]["type"], None)
        r.exit_code = max(r.exit_code, kind.exit_code if isinstance(kind, type) and issubclass(kind, SummarizerError) else 1)
        return
    r.extracted += 1
    if record.get("status") == "partial":
        r.partial += 1
        r.exit_code = max(r.exit_code, ExtractionError.exit_code)
    usage = record["provenance"]["usage"]
    r.prompt_tokens += usage["prompt_tokens"]
    r.completion_tokens += usage["completion_tokens"]
