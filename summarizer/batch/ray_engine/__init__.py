"""`summarizer batch --engine ray`: the same records, ids and guarantees as the live batch, on Ray Data.

source (read tasks: the one reader, the id rule, the Ledger's admission) -> extractor (an actor pool, each
actor one async backend with --concurrency articles in flight, rate limits shared through gate.Limits) ->
parts (deterministically named JSONL part files) -> driver (passes, crashed articles, counts, manifest).
processor builds the same run's requests as `ray.data.llm` rows for vLLM replicas on GPUs and accepts their answers.

Ray is imported inside these modules only, and they are imported only for `--engine ray`: the package
imports without Ray installed."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from summarizer.batch.run import BatchOptions, BatchResult
from summarizer.errors import ConfigError
from summarizer.llm.base import Backend

INSTALL_HINT = 'pip install -e ".[ray]"'


def run_ray_batch(options: BatchOptions, backend: Backend, make_backend: Callable[[], Backend], console: Console) -> BatchResult:
    """`make_backend` is sent to every actor (pickled by value), which builds its own backend with it."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(f"--engine ray needs Ray Data: {INSTALL_HINT}") from None
    from summarizer.batch.ray_engine.driver import run_ray_batch as run

    return run(options, backend, make_backend, console)
