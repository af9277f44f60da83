"""Client-side rate limits shared by every worker of a batch.

`CallGate` is installed as `backends.base.CALL_GATE`, so it sits around every raw async model call,
retries and re-asks included:
- requests and tokens per minute are token buckets (`--rpm`, `--tpm`); a bucket holds one second of
  allowance, so a run never bursts a whole minute's quota at once;
- a 429 pauses *every* worker until its `Retry-After` (or a backoff when the server gives none), not just
  the one that got it: the others would only collect 429s of their own;
- answers the request itself can never fix (bad key, unknown model, a mode the server rejects), and a
  refused connection before any call succeeded (nothing listens there), are noted as `fatal` and reported
  to `on_fatal` at once, so the batch stops instead of writing thousands of identical error records (or
  waiting out every article's retries first). A refusal after an answer may be a server restarting: it is
  retried like any transient fault.
Tokens are estimated before a call (prompt characters / 4 plus a running mean of answer sizes) and settled
with the usage the server reports.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from summarizer.llm import base

BURST_S = 1.0  # a bucket holds at most this many seconds of allowance
CHARS_PER_TOKEN = 4  # rough, for estimates only; usage from the server settles the difference

class Bucket:
    """`per_minute` units, refilled continuously; holds at most BURST_S seconds' worth (at least one unit).
    A take larger than the capacity is allowed from a full bucket and leaves it in debt."""

    def __init__(self, per_minute: float, now: float):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * BURST_S)
        self.level, self.stamp = self.capacity, now

    def _refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, amount: float, now: float) -> float:
        """Seconds until `amount` can be taken."""
        self._refill(now)
        need = min(amount, self.capacity)
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    def take(self, amount: float) -> None:
        self.level -= amount

    def settle(self, delta: float) -> None:
        """Correct an estimate: positive `delta` takes more, negative gives back."""
        self.level = min(self.capacity, self.level - delta)


def is_fatal(exc: BaseException) -> bool:
    """Errors every other article would hit too: stop the batch rather than record them all."""
    import openai  # here, not at the top: a batch served from the cache never loads it (backends/base.py)

    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError)):
        return True
    if isinstance(exc, openai.BadRequestError):  # usually about this article (too long); about the mode when it says so
        return any(hint in str(exc).lower() for hint in ("response_format", "json_schema", "tool_choice"))
    return base.is_unsupported(exc)


class CallGate:
    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_fatal: Callable[[BaseException], None] | None = None,
    ):
        self.clock = clock
        self.on_fatal = on_fatal
        now = clock()
        self.requests = Bucket(rpm, now) if rpm else None
        self.tokens = Bucket(tpm, now) if tpm else None
        self.paused_until = 0.0
        self.throttled = 0  # 429s seen
        self._streak = 0  # 429s in a row, for the backoff when no Retry-After is given
        self.fatal: BaseException | None = None
        self.answered = False  # a call got an answer: from then on a refused connection is transient
        self._lock: asyncio.Lock | None = None
        self._answer_tokens = 500.0  # running mean of completion tokens
        self._schema_chars: dict[str, int] = {}  # the tool/response schema is the same on every call: size it once

    async def __call__(self, create: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        import openai  # here, not at the top: see is_fatal

        estimate = self._estimate(kwargs) if self.tokens else 0
        if self._limited():
            await self._acquire(estimate)
        try:
            response = await create(*args, **kwargs)
        except openai.RateLimitError as exc:
            self._throttle(base.retry_after(exc))
            raise
        except openai.APIError as exc:
            if is_fatal(exc) or (not self.answered and base.is_refused(exc)):
                self._fail(exc)
            raise
        self._streak = 0
        self.answered = True
        if self.tokens:
            self._settle(estimate, getattr(response, "usage", None))
        return response

    def _limited(self) -> bool:
        """Whether a call waits for the buckets or a pause (a gate shared across processes always asks)."""
        return bool(self.requests or self.tokens or self.paused_until > self.clock())

    def _fail(self, exc: BaseException) -> None:
        if self.fatal is None:
            self.fatal = exc
            if self.on_fatal is not None:
                self.on_fatal(exc)

    async def _acquire(self, tokens: float) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # one waiter at a time: first come, first served
            while True:
                now = self.clock()
                wait = max(
                    self.paused_until - now,
                    self.requests.wait(1, now) if self.requests else 0.0,
                    self.tokens.wait(tokens, now) if self.tokens else 0.0,
                )
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            if self.requests:
                self.requests.take(1)
            if self.tokens:
                self.tokens.take(tokens)

    def _throttle(self, retry_after: float | None) -> None:
        """A 429: nobody sends until the server said, or a backoff that doubles while 429s keep coming."""
        self.throttled += 1
        self._streak += 1
        pause = retry_after if retry_after is not None else min(base.BACKOFF_CAP_S, base.BACKOFF_BASE_S * 2 ** (self._streak - 1))
        self.paused_until = max(self.paused_until, self.clock() + pause)

    def _estimate(self, kwargs: dict[str, Any]) -> float:
        chars = sum(len(m.get("content") or "") for m in kwargs.get("messages") or [] if isinstance(m.get("content"), str))
        key = _schema_key(kwargs)
        if key is not None:
            if key not in self._schema_chars:
                self._schema_chars[key] = len(json.dumps(kwargs.get("tools") or kwargs.get("response_format"), default=str))
            chars += self._schema_chars[key]
        return chars / CHARS_PER_TOKEN + self._answer_tokens

    def _settle(self, estimate: float, usage: Any) -> None:
        if usage is None or not getattr(usage, "total_tokens", None):
            return
        self._answer_tokens = 0.9 * self._answer_tokens + 0.1 * (usage.completion_tokens or 0)
        self.tokens.settle(usage.total_tokens - estimate)  # type: ignore[union-attr]


def _schema_key(kwargs: dict[str, Any]) -> str | None:
    """Names the output schema a request carries (tool or response_format), without serializing it."""
    if kwargs.get("tools"):
        return "tools:" + ",".join(str((t.get("function") or {}).get("name")) for t in kwargs["tools"])
    fmt = kwargs.get("response_format")
    if isinstance(fmt, dict):
        return "format:" + str((fmt.get("json_schema") or {}).get("name") or fmt.get("type"))
    return None
