"""The live run of a batch: asyncio over the async client (or the embedded backend one article at a time,
in a daemon thread), rate-limited by one CallGate; Ctrl-C and SIGTERM stop it with the output consistent."""

from __future__ import annotations

import asyncio
import contextvars
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from summarizer.batch.run import BatchRun
from summarizer.errors import ConfigError, OutputError
from summarizer.io.articles import Article
from summarizer.llm.base import CALL_GATE, call_stats, provider_error
from summarizer.llm.instructor_speedups import speed_up_instructor
from summarizer.llm.ratelimit import CallGate


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
        from summarizer.extraction.run import (  # here: a run answered from the cache never loads it
            extract,
            extract_async,
        )

        speed_up_instructor()
        with call_stats() as stats:  # the article's raw calls, failed ones included
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
                self.run.write_error(article.id, exc, stats["attempts"] or None)
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
