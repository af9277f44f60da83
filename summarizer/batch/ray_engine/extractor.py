"""The endpoint engine's actor: one async backend and one event loop per actor, `concurrency` articles in
flight, each through the live batch's extraction (`extract_async`: prompt, validation, re-asks, grounding,
tenacity retries of provider faults), each ending as one output line, its record or its error record."""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections.abc import Callable
from typing import Any

from summarizer.batch.output import error_line, extraction_line
from summarizer.batch.ray_engine.gate import SharedGate
from summarizer.errors import ConfigError
from summarizer.llm.base import CALL_GATE, Backend, call_stats
from summarizer.llm.instructor_speedups import speed_up_instructor
from summarizer.llm.prompts import load_prompt


class Extractor:
    """A Ray Data callable class: `__call__` takes a batch of rows (`id`, `line`, `article`) and returns the
    rows' output lines. Ray calls it from several threads at once (`max_concurrent_calls_per_actor`); the
    articles of all those calls share one event loop and one semaphore of `concurrency` slots."""

    def __init__(self, make_backend: Callable[[], Backend], retries: int, concurrency: int, limits: Any, rpm: float | None, tpm: float | None):
        speed_up_instructor()
        self.backend = make_backend()
        self.prompt, self.retries = load_prompt(), retries  # the live batch's prompt: the one in the package
        self.gate = SharedGate(limits, rpm, tpm, self.backend.id)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="extract-loop", daemon=True).start()
        self.slots = asyncio.Semaphore(concurrency)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        rows = list(zip(batch["id"], batch["line"], batch["article"]))
        lines = asyncio.run_coroutine_threadsafe(self.lines(rows), self.loop).result()
        kept = [(article_id, line) for (article_id, _, _), line in zip(rows, lines) if line is not None]
        return {"id": [str(article_id) for article_id, _ in kept], "line": [line for _, line in kept]}

    async def lines(self, rows: list[tuple[Any, Any, Any]]) -> list[str | None]:
        token = CALL_GATE.set(self.gate)
        try:
            return await asyncio.gather(*(self.line(line, article) for _, line, article in rows))
        finally:
            CALL_GATE.reset(token)

    async def line(self, line: str | None, pickled: bytes | None) -> str | None:
        """An input error's line as read, else the article's record or error record; None once the batch
        is stopping (an error every article would meet): nothing is recorded, --resume does it."""
        if pickled is None:
            return line
        from summarizer.extraction.run import extract_async

        article = pickle.loads(pickled)
        async with self.slots:
            if self.gate.fatal is not None:
                return None
            with call_stats() as stats:  # the article's raw calls, failed ones included
                try:
                    record = await extract_async(article, self.backend, prompt=self.prompt, retries=self.retries)
                except ConfigError as err:  # the backend cannot start: no article would do better
                    self.gate._fail(err)
                    return None
                except Exception as exc:
                    if self.gate.fatal is not None:
                        return None
                    return error_line(article.id, exc, stats["attempts"] or None)
        return extraction_line(record)[0]


def extract_alone(batch: dict[str, Any], **extractor: Any) -> dict[str, list]:
    """One batch in a Ray task of its own (the pass that isolates articles whose worker died): a task's
    results survive its worker, which an actor's do not always, so only the article that kills it is lost."""
    worker = Extractor(**extractor)
    try:
        return worker(batch)
    finally:
        worker.close()
