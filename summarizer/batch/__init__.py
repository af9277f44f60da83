"""`summarizer batch`: a dump of articles in, one JSONL line per article out, live (asyncio over the async
client) or through the provider's Batch API; both drive the same BatchRun (output, cache, counts)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.console import Console

from summarizer.batch.live import LiveRun
from summarizer.batch.report import finish
from summarizer.batch.run import BatchOptions, BatchResult, BatchRun, non_empty
from summarizer.errors import ConfigError, OutputError
from summarizer.llm.base import Backend
from summarizer.llm.instructor_speedups import speed_up_instructor

__all__ = ["BatchOptions", "BatchResult", "run_batch"]


def run_batch(options: BatchOptions, make_backend: Callable[[], Backend], console: Console | None = None) -> BatchResult:
    """Run a batch to the end (or to Ctrl-C); the CLI exits with `result.exit_code`."""
    console = console or Console(stderr=True, highlight=False)
    if options.resume and options.overwrite:
        raise ConfigError("--resume and --overwrite contradict each other: choose one")
    if options.provider_batch and (options.rpm or options.tpm):
        console.print("note: --rpm/--tpm do not apply to --provider-batch (the provider schedules the work)", highlight=False, markup=False)
    if options.engine == "ray":
        from summarizer.batch.ray_engine import run_ray_batch  # here: the live engine never loads Ray

        if options.provider_batch:
            raise ConfigError("--provider-batch and --engine ray contradict each other: choose one")
        return run_ray_batch(options, make_backend(), make_backend, console)
    inputs = non_empty(options)  # before the backend and the output: nothing to do is an input error
    backend = make_backend()
    if backend.acreate is None and not options.provider_batch:
        console.print(
            f"note: the embedded backend runs one article at a time (--concurrency {options.concurrency} ignored); for throughput, "
            "serve a model with llama.cpp's or vLLM's server and pass --base-url URL --model NAME",
            highlight=False,
            soft_wrap=True,
        )
    run = BatchRun(options, backend, console, inputs)
    extra: dict[str, Any] = {}
    try:
        run.count_in_background()
        run.progress.start()
        if options.provider_batch:
            from summarizer.batch.provider import ProviderBatch  # here: a live run never loads the Batch API path

            speed_up_instructor()
            extra = ProviderBatch(run).run()
        else:
            asyncio.run(LiveRun(run).main())
    except KeyboardInterrupt:  # outside the event loop (no signal handler there)
        run.result.interrupted = True
    except OutputError as err:  # the provider batch's collection could not write a line
        run.result.fatal = err.one_line()
    finally:
        result = finish(run, extra)
    return result

