"""`summarizer batch`: a dump of articles in, one JSONL line per article out; concurrent, rate-limited,
cached, resumable, nothing lost.

Every input gets exactly one line: its `ArticleExtraction`, or an error record
`{"id", "status": "error", "error_type", "message", "attempts", "source"}`. Lines are appended with one
`write` each, so a kill -9 loses at most the calls in flight (and leaves at most a partial last line, cut
off by the next `--resume`). `--resume` reads the output back and skips every id already in it;
`--retry-errors` first drops the error records, and the partial ones (an events or claims answer that
stayed invalid: `"status": "partial"`), so those inputs are tried again. Extraction is the
`summarize` pipeline (`extract_async`): same prompt, schema, validation, grounding and provenance.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import itertools
import json
import os
import shlex
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from summarizer.io.articles import BATCH_SUFFIXES, DEFAULT_COLUMNS, Article, Columns, count_inputs, stream_inputs
from summarizer.llm.base import CALL_GATE, Backend, provider_error
from summarizer.extraction.cache import Keyer, ResultCache, open_cache
from summarizer.errors import ConfigError, ExtractionError, InputError, OutputError, SummarizerError
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.llm.ratelimit import CallGate, count_attempts
from summarizer.schema import SCHEMA_VERSION, ArticleExtraction

DEFAULT_CONCURRENCY = 8
# provenance.dropped counts a whole events or claims call whose answer stayed invalid (pipeline's `recover`):
# the record lacks those items, so its line is marked partial.
PARTIAL_COUNTS = {"events": "invalid_events_answers", "claims": "invalid_claims_answers"}
SHOWN_PROBLEMS = 10  # error and warning lines printed while running; the output file has them all
# USD per million tokens (input, output), list prices for the OpenAI models people batch with; the Batch
# API halves them. Anything else (local servers, unknown models) reports no cost.
PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


@dataclass
class BatchOptions:
    inputs: list[str]
    out: Path
    concurrency: int = DEFAULT_CONCURRENCY
    rpm: float | None = None
    tpm: float | None = None
    retries: int = 1
    resume: bool = False
    retry_errors: bool = False
    overwrite: bool = False
    cache: bool = True
    cache_path: Path | None = None
    columns: Columns = DEFAULT_COLUMNS
    input_format: str | None = None
    provider_batch: bool = False
    poll_interval: float = 10.0  # first wait between polls of a provider batch; grows to POLL_CAP_S
    base_url: str | None = None  # the provider batch talks to the same endpoint as the backend
    api_key_env: str | None = None  # ... with the same key
    progress: bool = True
    command: list[str] | None = None  # the CLI arguments, to print the resume command


@dataclass
class BatchResult:
    """What a run did; also the manifest's `counts`."""

    extracted: int = 0  # new extractions (model calls made)
    cached: int = 0  # extractions served from the cache
    errors: int = 0  # error records written
    partial: int = 0  # of `extracted`: records missing events or claims (an answer that stayed invalid)
    skipped: int = 0  # already in the output (--resume)
    duplicates: int = 0  # inputs whose id was already seen in this run (not written twice)
    error_types: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0  # client CPU time (process, all threads) during the run
    interrupted: bool = False
    fatal: str | None = None
    exit_code: int = 0

    @property
    def written(self) -> int:
        return self.extracted + self.cached + self.errors

    @property
    def seen(self) -> int:
        return self.written + self.skipped + self.duplicates


# --- the output file --------------------------------------------------------------------------------


def line_identity(line: bytes | str) -> tuple[str | None, bool]:
    """(id, redo) of one output line, `redo` for an error or partial record (--retry-errors redoes them);
    (None, False) when it is not one of ours."""
    try:
        data = json.loads(line)
    except ValueError:
        return None, False
    if not isinstance(data, dict):
        return None, False
    if data.get("status") == "error":
        return _str_or_none(data.get("id")), True
    article = data.get("article")
    return (_str_or_none(article.get("id")), data.get("status") == "partial") if isinstance(article, dict) else (None, False)


def missing_parts(record: ArticleExtraction) -> list[str]:
    """The parts (events, claims) a record lacks because a whole call's answer stayed invalid."""
    return [part for part, count in PARTIAL_COUNTS.items() if record.provenance.dropped.get(count)]


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


class OutputLog:
    """The output JSONL, owned by one process at a time (an exclusive lock on it). Each line goes out in
    one `os.write` on an O_APPEND descriptor: nothing is buffered in the process, so a kill -9 loses only
    what was in flight."""

    def __init__(self, path: Path, *, resume: bool, retry_errors: bool, overwrite: bool):
        self.path = path
        self.done: set[str] = set()  # ids that have a whole extraction
        self.failed: set[str] = set()  # ids that have only an error or partial record
        self.lines = 0  # lines in the file
        self.cut_bytes = 0  # a partial last line (killed mid-write) removed on resume
        self.unreadable = 0  # complete lines that are not ours (left alone)
        self.retrying = 0  # error records dropped for --retry-errors
        if path.is_dir():
            raise ConfigError("is a directory: --out takes a file", source=str(path))
        existing = path.exists() and path.stat().st_size > 0
        if existing and not (resume or overwrite):
            raise ConfigError(f"{path} exists: pass --resume to add only what is missing, or --overwrite to start over")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = self._open_locked(truncate=overwrite)
        except OSError as exc:
            raise OutputError(f"cannot write output ({exc.strerror})", source=str(path)) from exc
        if existing and resume:
            self._scan()
            if retry_errors and self.failed:
                self._drop_error_records()

    def _open_locked(self, truncate: bool = False) -> int:
        """Truncated (--overwrite) only once the lock is held: a refused writer leaves the file as it was."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(f"another batch is writing {self.path}: wait for it, or choose another --out") from None
        if truncate:
            os.ftruncate(fd, 0)
        return fd

    def _scan(self) -> None:
        offset = 0
        with self.path.open("rb") as lines:
            for line in lines:
                if not line.endswith(b"\n"):
                    ident, _ = line_identity(line)
                    if ident is None:  # killed mid-write: cut it off, its article is redone
                        os.truncate(self.path, offset)
                        self.cut_bytes = len(line)
                        break
                    os.write(self.fd, b"\n")  # a complete record someone saved without the final newline
                offset += len(line)
                if not line.strip():
                    continue
                self.lines += 1
                ident, failed = line_identity(line)
                if ident is None:
                    self.unreadable += 1
                elif failed:
                    if ident not in self.done:
                        self.failed.add(ident)
                else:
                    self.done.add(ident)
                    self.failed.discard(ident)

    def _drop_error_records(self) -> None:
        """--retry-errors: rewrite the file without the error records (atomically: a temp file renamed over)."""
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        kept = 0
        try:
            with self.path.open("rb") as source, temp.open("wb") as target:
                for line in source:
                    ident, failed = line_identity(line)
                    if failed and ident in self.failed:
                        continue
                    target.write(line)
                    kept += 1
                target.flush()
                os.fsync(target.fileno())
            os.replace(temp, self.path)
        except OSError as exc:  # the output is untouched: only the copy failed
            temp.unlink(missing_ok=True)
            raise OutputError(f"cannot rewrite the output without its error records ({exc.strerror})", source=str(self.path)) from exc
        os.close(self.fd)
        self.fd = self._open_locked()
        self.retrying, self.lines = len(self.failed), kept
        self.failed = set()

    def has(self, article_id: str, *, retry_errors: bool = False) -> bool:
        return article_id in self.done or (not retry_errors and article_id in self.failed)

    def write(self, line: str) -> None:
        """Appends one line, or raises OutputError with the file as it was: a partial line (disk full
        mid-write) is cut off again, so a later --resume finds whole lines only."""
        data = (line + "\n").encode("utf-8", "surrogatepass")
        start = os.lseek(self.fd, 0, os.SEEK_END)
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError as exc:
            with contextlib.suppress(OSError):  # if even this fails, --resume cuts the partial line
                os.ftruncate(self.fd, start)
            raise OutputError(f"cannot write the output ({exc.strerror})", source=str(self.path)) from exc
        self.lines += 1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # also releases the lock
            self.fd = -1


def error_record(article_id: str, error: BaseException, attempts: int | None) -> dict[str, Any]:
    if isinstance(error, SummarizerError):
        message = error.one_line()
    else:  # a bug on one article's path: recorded, and the batch goes on
        message = f"internal error: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
    return {
        "id": article_id,
        "status": "error",
        "error_type": type(error).__name__,
        "message": message,
        "attempts": attempts,
        "source": getattr(error, "source", None),
    }


def manifest_path(out: Path) -> Path:
    """`structured.jsonl` -> `structured.manifest.json`, beside it."""
    return out.with_name((out.stem if out.suffix else out.name) + ".manifest.json")


# --- progress -------------------------------------------------------------------------------------------


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "-/s", style="progress.data.speed")


def _progress(console: Console, enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.fields[total_text]}"),
        TextColumn("[green]done {task.fields[done]:,}[/] [red]errors {task.fields[errors]:,}[/] cached {task.fields[cached]:,} skipped {task.fields[skipped]:,}"),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        refresh_per_second=4,
    )


# --- instructor overhead ------------------------------------------------------------------------------


def speed_up_instructor() -> None:
    """instructor 1.17 rebuilds the response model on every call: a new wrapper class (so its lru-cached
    JSON schema always misses) and a walk of the model tree checking for async validators, six times per
    request. Per call that is ~10 ms of CPU, more than everything else a batch does per article. Both
    depend only on the class, so memoize them. Only the cost changes; a later instructor without these
    functions is left alone."""
    try:
        from instructor.v2.core import function_calls, patch
        from instructor.v2.validation import async_validators
    except ImportError:
        return
    if getattr(function_calls.response_schema, "_memoized", False):
        return
    wrap, reject = function_calls.response_schema, async_validators.reject_async_validators
    wrapped: dict[type, type] = {}
    checked: set[Any] = set()

    def response_schema(cls: Any) -> Any:
        if cls not in wrapped:
            wrapped[cls] = wrap(cls)
        return wrapped[cls]

    def reject_async_validators(model: Any) -> None:
        try:
            if model in checked:
                return
        except TypeError:  # unhashable: no memo
            return reject(model)
        reject(model)
        if isinstance(model, type):
            checked.add(model)

    response_schema._memoized = True  # type: ignore[attr-defined]
    function_calls.response_schema = response_schema
    async_validators.reject_async_validators = reject_async_validators
    if hasattr(patch, "reject_async_validators"):
        patch.reject_async_validators = reject_async_validators


# --- the run ------------------------------------------------------------------------------------------


class BatchRun:
    """State shared by the live (async) run and the provider-batch run: output, cache, counts, progress."""

    def __init__(self, options: BatchOptions, backend: Backend, console: Console, inputs: Iterator[Article | InputError], prompt: Prompt | None = None):
        self.options, self.backend, self.console = options, backend, console
        self.inputs = inputs  # streamed (non_empty): one pass
        self.prompt = prompt or load_prompt()
        self.result = BatchResult()
        self.cache: ResultCache | None = open_cache(options.cache_path, self.warn) if options.cache else None
        self.out = OutputLog(options.out, resume=options.resume or options.retry_errors, retry_errors=options.retry_errors, overwrite=options.overwrite)
        self.key = Keyer(backend, self.prompt, options.retries)
        self.claimed: set[str] = set()  # ids admitted in this run
        self.stopping = False
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.started_at = datetime.now(timezone.utc)
        self.shown = 0
        self.progress = _progress(console, options.progress)
        self.task = self.progress.add_task("batch", total=None, total_text="?", done=0, errors=0, cached=0, skipped=0)

    # -- admission: everything decided without a model call ------------------------------------------

    def admit(self, item: Article | InputError) -> tuple[Article, str] | None:
        """An article that needs the model (with its cache key), or None when handled here: input errors
        recorded, ids already done skipped, duplicates dropped, cache hits written."""
        if isinstance(item, InputError):
            article_id = getattr(item, "article_id", None) or item.source or "?"
            if self._already(article_id):
                return None
            self.write_error(article_id, item, 0)
            return None
        if self._already(item.id):
            return None
        for message in item.warnings:
            self.note(f"[yellow]warning:[/yellow] {escape(item.label)}: {escape(message)}")
        key = self.key(item)
        if self.cache is not None:
            line = self.cache.get(key, item)
            if line is not None:
                self.out.write(line)
                self.result.cached += 1
                self.advance()
                return None
        return item, key

    def _already(self, article_id: str) -> bool:
        if self.out.has(article_id, retry_errors=self.options.retry_errors):
            self.result.skipped += 1
            self.advance()
            return True
        if article_id in self.claimed:
            self.result.duplicates += 1
            self.note(f"[yellow]warning:[/yellow] duplicate id {escape(repr(article_id))}: only its first input is extracted")
            self.advance()
            return True
        self.claimed.add(article_id)
        return False

    # -- results ------------------------------------------------------------------------------------

    def write_extraction(self, article: Article, key: str, record: ArticleExtraction) -> None:
        """One record's line. A partial one is marked, counted, not cached (--retry-errors asks the model
        again) and exits like an answer that stayed invalid."""
        line, missing = record.model_dump_json(), missing_parts(record)
        if missing:
            line = json.dumps({"status": "partial", "missing": missing, **json.loads(line)}, ensure_ascii=False)
        self.out.write(line)
        if self.cache is not None and not missing:
            self.cache.put(key, article, line)
        self.result.extracted += 1
        if missing:
            self.result.partial += 1
            self.result.exit_code = max(self.result.exit_code, ExtractionError.exit_code)
            self.note(f"[yellow]partial:[/yellow] {escape(article.label)}: no valid {' or '.join(missing)} answer; its {' and '.join(missing)} are missing")
        usage = record.provenance.usage
        self.result.prompt_tokens += usage.prompt_tokens
        self.result.completion_tokens += usage.completion_tokens
        self.advance()

    def write_error(self, article_id: str, error: BaseException, attempts: int | None) -> None:
        record = error_record(article_id, error, attempts)
        self.out.write(json.dumps(record, ensure_ascii=False))
        self.result.errors += 1
        self.result.error_types[record["error_type"]] += 1
        exit_code = error.exit_code if isinstance(error, SummarizerError) else 1
        self.result.exit_code = max(self.result.exit_code, exit_code)
        self.note(f"[red]error:[/red] {escape(record['message'])}")
        self.advance()

    def note(self, message: str) -> None:
        self.shown += 1
        if self.shown <= SHOWN_PROBLEMS:
            self.console.print(message, markup=True, highlight=False, soft_wrap=True)
        elif self.shown == SHOWN_PROBLEMS + 1:
            self.console.print(f"(more errors and warnings are not shown: see the error records in {self.options.out})", highlight=False, markup=False)

    def warn(self, message: str) -> None:
        self.note(f"[yellow]warning:[/yellow] {escape(message)}")

    def advance(self) -> None:
        r = self.result
        self.progress.update(self.task, advance=1, done=r.extracted + r.cached, errors=r.errors, cached=r.cached, skipped=r.skipped + r.duplicates)

    # -- inputs and progress total -------------------------------------------------------------------

    def items(self) -> Iterator[Article | InputError]:
        return self.inputs

    def count_in_background(self) -> None:
        """The bar's total (for the ETA), counted in a daemon thread so work starts at once."""

        def count() -> None:
            try:
                total = count_inputs(self.options.inputs, fmt=self.options.input_format)
            except Exception:
                return
            if total is not None:
                self.progress.update(self.task, total=total, total_text=f"{total:,}")

        threading.Thread(target=count, name="count-inputs", daemon=True).start()

    # -- the end ------------------------------------------------------------------------------------

    def finish(self, extra: dict[str, Any] | None = None) -> BatchResult:
        r = self.result
        r.wall_s = time.perf_counter() - self.started
        r.cpu_s = time.process_time() - self.cpu_started
        r.cost_usd = cost_usd(self.backend, r.prompt_tokens, r.completion_tokens, provider_batch=self.options.provider_batch)
        if r.interrupted:
            r.exit_code = 130
        elif r.fatal:
            r.exit_code = max(r.exit_code, 3)
        self.progress.stop()
        self.out.close()
        if self.cache is not None:
            self.cache.close()
        print_summary(self, write_manifest(self, extra or {}))
        return r

    def resume_command(self) -> str:
        if not self.options.command:
            return "the same command with --resume"
        args = [a for a in self.options.command if a not in ("--resume", "--overwrite")]
        return shlex.join(["summarizer", *args, "--resume"])


def non_empty(options: BatchOptions) -> Iterator[Article | InputError]:
    """The inputs, or the one-line InputError `summarize` and `brief` give when they name no article at all
    (an empty directory or dump): a batch of nothing is a mistake, not a success."""
    items = stream_inputs(options.inputs, columns=options.columns, fmt=options.input_format)
    first = next(items, None)
    if first is not None:
        return itertools.chain([first], items)
    spec = options.inputs[0] if len(options.inputs) == 1 else None
    if spec is not None and os.path.isdir(spec):
        raise InputError(f"directory has no articles ({', '.join(BATCH_SUFFIXES)})", source=spec)
    raise InputError("no articles: the input is empty", source=spec)


def cost_usd(backend: Backend, prompt_tokens: int, completion_tokens: int, *, provider_batch: bool = False) -> float | None:
    if not backend.id.startswith("openai/"):
        return None
    price = PRICES.get(backend.model) or next((p for name, p in PRICES.items() if backend.model.startswith(name + "-20")), None)
    if price is None:
        return None
    cost = (prompt_tokens * price[0] + completion_tokens * price[1]) / 1e6
    return round(cost / 2 if provider_batch else cost, 4)


def write_manifest(run: BatchRun, extra: dict[str, Any]) -> Path | None:
    """The manifest's path, or None when it could not be written (a warning says why)."""
    r, options = run.result, run.options
    processed = r.written
    manifest = {
        "status": "interrupted" if r.interrupted else "stopped" if r.fatal else "completed",
        "started_at": run.started_at.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "command": shlex.join(["summarizer", *options.command]) if options.command else None,
        "inputs": options.inputs,
        "output": str(options.out),
        "backend": run.backend.id,
        "model": run.backend.model,
        "mode": run.backend.mode.value,
        "settings": run.backend.settings,
        "prompt": {"name": run.prompt.name, "version": run.prompt.version},
        "schema_version": SCHEMA_VERSION,
        "options": {
            "concurrency": options.concurrency if run.backend.acreate is not None else 1,
            "rpm": options.rpm,
            "tpm": options.tpm,
            "retries": options.retries,
            "resume": options.resume,
            "retry_errors": options.retry_errors,
            "cache": str(run.cache.path) if run.cache is not None else None,
            "provider_batch": options.provider_batch,
        },
        "counts": {
            "extracted": r.extracted,
            "cached": r.cached,
            "errors": r.errors,
            "partial": r.partial,
            "skipped": r.skipped,
            "duplicates": r.duplicates,
            "error_types": dict(r.error_types),
            "output_lines": run.out.lines,
        },
        "tokens": {"prompt": r.prompt_tokens, "completion": r.completion_tokens, "total": r.prompt_tokens + r.completion_tokens},
        "cost_usd": r.cost_usd,
        "wall_s": round(r.wall_s, 3),
        "client_cpu_s": round(r.cpu_s, 3),
        "throughput_per_s": round(processed / r.wall_s, 2) if r.wall_s > 0 else None,
        "fatal": r.fatal,
        **extra,
    }
    path = manifest_path(options.out)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)  # a disk-full manifest: no empty temp file left behind
        run.console.print(f"[yellow]warning:[/yellow] cannot write the manifest {escape(str(path))} ({exc.strerror})", markup=True)
        return None
    return path


def print_summary(run: BatchRun, manifest: Path | None) -> None:
    r, console = run.result, run.console
    processed = r.written
    rate = processed / r.wall_s if r.wall_s > 0 else 0.0
    head = "[yellow]interrupted[/yellow]" if r.interrupted else "[red]stopped[/red]" if r.fatal else "[green]done[/green]"
    partial = f" ({r.partial:,} partial: redo with --retry-errors)" if r.partial else ""
    console.print(
        f"{head}: {r.seen:,} inputs in {r.wall_s:,.1f} s ({rate:,.1f}/s): {r.extracted:,} extracted{partial}, {r.cached:,} from cache, "
        f"{r.errors:,} errors, {r.skipped:,} already done, {r.duplicates:,} duplicate ids",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    if r.error_types:
        console.print("errors by type: " + ", ".join(f"{kind} {n:,}" for kind, n in r.error_types.most_common()), highlight=False, markup=False, soft_wrap=True)
    cost = f", cost ≈ ${r.cost_usd:,.4f} (list price)" if r.cost_usd is not None else ""
    console.print(f"tokens: {r.prompt_tokens:,} prompt + {r.completion_tokens:,} completion{cost}", highlight=False, markup=False, soft_wrap=True)
    if run.out.cut_bytes:
        console.print(f"repaired: a partial last line ({run.out.cut_bytes:,} bytes, from a killed run) was cut off and redone", highlight=False, markup=False)
    if run.out.retrying:
        console.print(f"retried: {run.out.retrying:,} error records were replaced (--retry-errors)", highlight=False, markup=False)
    console.print(f"output: {run.options.out} ({run.out.lines:,} lines) · manifest: {manifest or 'not written'}", highlight=False, markup=False, soft_wrap=True)
    if r.fatal:
        console.print(f"[red]error:[/red] {escape(r.fatal)}", markup=True, highlight=False, soft_wrap=True)
    if r.interrupted or r.fatal:
        console.print(f"resume with: {run.resume_command()}", highlight=False, markup=False, soft_wrap=True)


# --- live run: asyncio over the async client --------------------------------------------------------


async def _in_daemon_thread(fn: Callable[[], Any]) -> Any:
    """Run blocking `fn` in a daemon thread: unlike asyncio.to_thread, Ctrl-C needn't wait for it to end."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def target() -> None:
        try:
            value = context.run(fn)
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(settle, lambda error=exc: future.set_exception(error))  # bound now: `exc` is unset after the block
        else:
            loop.call_soon_threadsafe(settle, lambda: future.set_result(value))

    threading.Thread(target=target, name="extract", daemon=True).start()
    return await future


class LiveRun:
    def __init__(self, run: BatchRun):
        self.run = run
        self.backend = run.backend
        self.gate = CallGate(run.options.rpm, run.options.tpm, on_fatal=self.provider_failed)
        self.inflight: set[asyncio.Task] = set()
        self.concurrency = max(1, run.options.concurrency) if self.backend.acreate is not None else 1

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        installed = _install_signals(loop, self.interrupt)
        token = CALL_GATE.set(self.gate)
        try:
            await self.feed(asyncio.Semaphore(self.concurrency))
            while self.inflight:
                await asyncio.wait(set(self.inflight))
        finally:
            CALL_GATE.reset(token)
            for sig in installed:
                loop.remove_signal_handler(sig)
            if self.backend.aclose is not None:
                await self.backend.aclose()

    async def feed(self, semaphore: asyncio.Semaphore) -> None:
        """Admit the inputs in order, starting a task per article that needs the model."""
        for n, item in enumerate(self.run.items(), 1):
            if self.run.stopping:
                break
            if n % 128 == 0:
                await asyncio.sleep(0)  # a warm run never awaits otherwise: let signals and the bar in
            try:
                admitted = self.run.admit(item)
            except OutputError as err:  # a cache hit or an input error could not be written
                self.stop(fatal=err.one_line())
                break
            if admitted is None:
                continue
            await semaphore.acquire()
            if self.run.stopping:
                semaphore.release()
                break
            task = asyncio.create_task(self.one(*admitted))
            self.inflight.add(task)
            task.add_done_callback(lambda t: (self.inflight.discard(t), semaphore.release()))

    async def one(self, article: Article, key: str) -> None:
        try:
            await self.extract(article, key)
        except OutputError as err:  # the disk is full (or the file gone): no later line could be written either
            self.stop(fatal=err.one_line())

    async def extract(self, article: Article, key: str) -> None:
        from summarizer.extraction.run import extract, extract_async  # here: a run answered from the cache never loads it

        speed_up_instructor()
        with count_attempts() as attempts:
            try:
                if self.backend.acreate is None:  # embedded: one at a time, off the event loop
                    retries = self.run.options.retries
                    record = await _in_daemon_thread(lambda: extract(article, self.backend, prompt=self.run.prompt, retries=retries))
                else:
                    record = await extract_async(article, self.backend, prompt=self.run.prompt, retries=self.run.options.retries)
            except asyncio.CancelledError:
                raise
            except ConfigError as err:  # the backend cannot start (a bad model file): no article would do better
                self.stop(fatal=err.one_line())
                return
            except Exception as exc:
                if self.gate.fatal is not None:  # the batch is stopping (provider_failed): record nothing
                    return
                self.run.write_error(article.id, exc, attempts[0] or None)
                return
        self.run.write_extraction(article, key, record)

    def provider_failed(self, exc: BaseException) -> None:
        """Every article would fail the same way: stop now, in-flight retries included; --resume does them all."""
        self.stop(fatal=provider_error(exc, self.backend.id).one_line())

    def interrupt(self) -> None:
        if self.run.stopping and self.run.result.interrupted:
            os._exit(130)  # a second Ctrl-C: the output is consistent line by line, leave now
        self.run.result.interrupted = True
        self.stop()

    def stop(self, fatal: str | None = None) -> None:
        if fatal and not self.run.result.fatal:
            self.run.result.fatal = fatal
        self.run.stopping = True
        for task in list(self.inflight):
            task.cancel()


def _install_signals(loop: asyncio.AbstractEventLoop, handler: Callable[[], None]) -> list[int]:
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, handler)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            pass
    return installed
