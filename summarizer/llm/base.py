"""What every backend shares: the raw-call wrapper (transient retries, lenient JSON, usage and attempt
counting) under one instructor-patched `create`, so local, OpenAI and any compatible server take the
same path.

`openai` is imported where a call or its failure is handled, not here: it costs ~1.5 s to import, and a
batch served from the cache, or `summarizer schema`, never talks to a model."""

from __future__ import annotations

import errno
import json
import random
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import instructor
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

from summarizer.errors import ProviderError

TRANSIENT_ATTEMPTS = 5  # per model call; with backoff below that is at most ~40 s of waiting
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 20.0
RETRY_AFTER_CAP_S = 120.0  # a server's own Retry-After is honoured up to this; beyond it the call fails instead
# A 500 whose message says the request itself is bad (llama.cpp's server answers json_schema this way)
# is not transient: retrying can't help, the mode must change.
_UNSUPPORTED_HINTS = ("response_format", "json_schema", "validation error", "not supported", "unsupported")


@dataclass(frozen=True)
class Prefix:
    """The fixed start of every prompt a run sends (instructions, a worked example) and the prompt version
    that names it: a local model evaluates it once and keeps its state."""

    messages: list[dict[str, str]]
    version: str


@dataclass
class Backend:
    """A configured model endpoint. `create` is the instructor-patched chat completion call."""

    id: str  # "embedded/qwen2.5-coder-1.5b-instruct-q4", "openai/gpt-4o-mini", "openai-compatible/qwen2.5-7b"
    model: str
    mode: instructor.Mode
    create: Callable[..., Any]
    window_chars: int  # article characters per window: longer articles are windowed on sentence bounds
    settings: dict[str, Any] = field(default_factory=dict)  # generation settings, part of the cache key
    acreate: Callable[..., Awaitable[Any]] | None = None  # async twin of `create`; None: one call at a time
    aclose: Callable[[], Awaitable[None]] | None = None  # closes what `acreate` opened in the running event loop
    endpoint: str | None = None  # the server's base URL (None: the provider's own): part of the cache key, not sent
    warm: Callable[[Prefix], None] | None = None  # told the prompt prefix to come; None: the server's business

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[0]


def on_first_call(build: Callable[[], Callable[..., Any]]) -> Callable[..., Any]:
    """`create` built when first called: a client costs an import (openai, ~1.5 s) or a model load
    (llama.cpp, seconds) that a run answered from the cache never needs. A build that failed (a bad model
    file) fails every later call the same way instead of loading again for each article."""
    built: list[Callable[..., Any]] = []
    failed: list[BaseException] = []
    lock = threading.Lock()

    def call(*args: Any, **kwargs: Any) -> Any:
        if not built:
            with lock:
                if failed:
                    raise failed[0]
                try:
                    built[:] = built or [build()]
                except Exception as exc:
                    failed.append(exc)
                    raise
        return built[0](*args, **kwargs)

    return call


# --- per-extraction call statistics -------------------------------------------------------------------

# Raw attempts and token usage reach the counters through a ContextVar because instructor makes the raw
# calls (re-asks included) inside its own `create`: there is no argument to pass them through. Blocks nest:
# a batch counts an article's attempts around the extraction, which counts its own.
_STATS: ContextVar[tuple[dict[str, Any], ...]] = ContextVar("call_stats", default=())


@contextmanager
def call_stats() -> Iterator[dict[str, Any]]:
    """Collects every raw model call made inside the block: attempts and token usage."""
    stats: dict[str, Any] = {"attempts": 0, "prompt_tokens": 0, "completion_tokens": 0}
    token = _STATS.set((*_STATS.get(), stats))
    try:
        yield stats
    finally:
        _STATS.reset(token)


def _record(response: Any) -> None:
    usage = getattr(response, "usage", None)
    for stats in _STATS.get() if usage is not None else ():
        stats["prompt_tokens"] += usage.prompt_tokens or 0
        stats["completion_tokens"] += usage.completion_tokens or 0


# --- transient errors -------------------------------------------------------------------------------


def is_unsupported(exc: BaseException) -> bool:
    """The server refuses the request's form (mode, response_format), not this article: change --mode."""
    import openai

    rejected = (openai.BadRequestError, openai.UnprocessableEntityError, openai.InternalServerError)
    return isinstance(exc, rejected) and any(h in str(exc).lower() for h in _UNSUPPORTED_HINTS)


def is_refused(exc: BaseException) -> bool:
    """A connection refused (nothing listens at the endpoint), however the HTTP client wrapped it: openai's
    aiohttp transport reports it as a timeout."""
    import openai

    cause: BaseException | None = exc if isinstance(exc, openai.APIConnectionError) else None
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def is_transient(exc: BaseException) -> bool:
    import openai

    if is_unsupported(exc):
        return False
    return isinstance(exc, (openai.RateLimitError, openai.APITimeoutError, openai.APIConnectionError, openai.InternalServerError)) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
    )


def retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), RETRY_AFTER_CAP_S) if value is not None else None
    except ValueError:
        return None


def _wait(state: RetryCallState) -> float:
    """Honour Retry-After; else exponential backoff with full jitter, capped."""
    exc = state.outcome.exception() if state.outcome else None
    hinted = retry_after(exc)
    if hinted is not None:
        return hinted
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (state.attempt_number - 1)))


def _retry_policy(attempts: int) -> dict[str, Any]:
    return {"retry": retry_if_exception(is_transient), "wait": _wait, "stop": stop_after_attempt(attempts), "reraise": True}


def provider_error(exc: BaseException, backend_id: str, source: str | None = None) -> ProviderError:
    """One line saying what the endpoint did to which input, with the fix when there is one."""
    return ProviderError(f"{backend_id}: {_cause(exc)}", source=source)


def _cause(exc: BaseException) -> str:
    import openai

    if is_unsupported(exc):
        return f"the server rejected the request; try another --mode (tools, json, md_json): {_short(exc)}"
    if isinstance(exc, openai.RateLimitError):
        return f"rate limited (HTTP 429) after {TRANSIENT_ATTEMPTS} attempts"
    if is_refused(exc):
        return "cannot connect (connection refused)"
    if isinstance(exc, openai.APITimeoutError):
        return f"timed out after {TRANSIENT_ATTEMPTS} attempts"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect ({_short(exc)})"
    if isinstance(exc, openai.AuthenticationError):
        return "authentication failed: check the API key"
    if isinstance(exc, openai.APIStatusError):
        tried = f" after {TRANSIENT_ATTEMPTS} attempts" if is_transient(exc) else ""
        return f"HTTP {exc.status_code}{tried}: {_short(exc)}"
    return _short(exc)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


# --- lenient JSON -------------------------------------------------------------------------------------


def _relaxed(text: str | None) -> str | None:
    """Grammar-constrained output once held a raw control character inside a string, which strict JSON
    parsing rejects; re-serialize such text so validation sees the object the model meant."""
    if not text:
        return text
    try:
        json.loads(text)
        return text  # strict JSON already (nearly always)
    except ValueError:
        try:
            return json.dumps(json.loads(text, strict=False), ensure_ascii=False)
        except ValueError:
            return text  # not JSON at all: leave it for instructor to reject and re-ask


def relax_json(response: Any) -> Any:
    for choice in getattr(response, "choices", None) or []:
        message = choice.message
        message.content = _relaxed(message.content)
        for call in message.tool_calls or []:
            call.function.arguments = _relaxed(call.function.arguments)
    return response


def completion_json(completion: Any) -> str | None:
    """The JSON text a completion carries, whichever mode produced it."""
    if not getattr(completion, "choices", None):
        return None
    message = completion.choices[0].message
    if message.tool_calls:
        return message.tool_calls[0].function.arguments
    return message.content


def _count_attempt() -> None:
    for stats in _STATS.get():
        stats["attempts"] += 1


def wrap_raw_create(create: Callable[..., Any], attempts: int = TRANSIENT_ATTEMPTS) -> Callable[..., Any]:
    """The function instructor patches: counts attempts, retries transient faults, relaxes JSON."""

    def raw_create(*args: Any, **kwargs: Any) -> Any:
        for attempt in Retrying(**_retry_policy(attempts)):
            with attempt:
                _count_attempt()
                response = create(*args, **kwargs)
        _record(response)
        return relax_json(response)

    return raw_create


# Batch sets a gate around every raw async attempt: `await gate(acreate, *args, **kwargs)` applies client-side
# rate limits and lets one 429 pause every worker (summarizer/ratelimit.py).
CALL_GATE: ContextVar[Callable[..., Awaitable[Any]] | None] = ContextVar("call_gate", default=None)


def wrap_raw_acreate(acreate: Callable[..., Awaitable[Any]], attempts: int = TRANSIENT_ATTEMPTS) -> Callable[..., Awaitable[Any]]:
    """`wrap_raw_create` for the async client (batch concurrency)."""

    async def raw_acreate(*args: Any, **kwargs: Any) -> Any:
        gate = CALL_GATE.get()
        async for attempt in AsyncRetrying(**_retry_policy(attempts)):
            with attempt:
                _count_attempt()
                response = await (acreate(*args, **kwargs) if gate is None else gate(acreate, *args, **kwargs))
        _record(response)
        return relax_json(response)

    return raw_acreate
