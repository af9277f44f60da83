"""Rate limits across every actor of a Ray batch. One Ray actor (`Limits`) holds a CallGate's buckets, its
429 pause and the batch's fatal error; each extraction actor installs a `SharedGate`, which asks it before
every raw model call (one round trip, ~1 ms, against calls of hundreds of ms). So `--rpm/--tpm` hold for the
whole cluster, a 429 seen by one actor pauses them all, and an error every article would hit (a bad key, an
unknown model) stops them all."""

from __future__ import annotations

from typing import Any

from summarizer.llm.base import provider_error
from summarizer.llm.ratelimit import CallGate


class Limits:
    """The shared state, run as an async Ray actor: concurrent `acquire`s queue on the gate's lock, first
    come first served, exactly as the live batch's coroutines do on its one CallGate."""

    def __init__(self, rpm: float | None, tpm: float | None):
        self.gate = CallGate(rpm, tpm)
        self.fatal: str | None = None

    async def acquire(self, tokens: float) -> str | None:
        """Wait for the buckets and any pause; the batch's fatal error, if it has one, instead."""
        if self.fatal is None and self.gate._limited():
            await self.gate._acquire(tokens)
        return self.fatal

    def throttle(self, retry_after: float | None) -> None:
        self.gate._throttle(retry_after)

    def settle(self, delta: float) -> None:
        if self.gate.tokens is not None:
            self.gate.tokens.settle(delta)

    def fail(self, message: str) -> None:
        self.fatal = self.fatal or message

    def state(self) -> dict[str, Any]:
        return {"fatal": self.fatal, "throttled": self.gate.throttled}


class StoppedError(Exception):
    """Another actor met an error every article would meet: this call is not made (nothing is recorded)."""


class SharedGate(CallGate):
    """A CallGate whose waiting, pauses and fatal error are the `Limits` actor's; estimates stay local."""

    def __init__(self, limits: Any, rpm: float | None, tpm: float | None, backend_id: str):
        super().__init__(rpm, tpm)
        self.limits, self.backend_id = limits, backend_id

    def _limited(self) -> bool:
        return True  # a pause set by another actor is only known there

    async def _acquire(self, tokens: float) -> None:
        fatal = await self.limits.acquire.remote(tokens)
        if fatal is not None:
            self.fatal = self.fatal or StoppedError(fatal)
            raise self.fatal

    def _throttle(self, retry_after: float | None) -> None:
        super()._throttle(retry_after)
        self.limits.throttle.remote(retry_after)

    def _settle(self, estimate: float, usage: Any) -> None:
        super()._settle(estimate, usage)
        if usage is not None and getattr(usage, "total_tokens", None):
            self.limits.settle.remote(usage.total_tokens - estimate)

    def _fail(self, exc: BaseException) -> None:
        super()._fail(exc)
        self.limits.fail.remote(provider_error(exc, self.backend_id).one_line())
