"""The one structured call: every validated model answer (an extraction step, a briefing lead) is asked,
re-asked, read leniently and mapped to one-line errors here.

The validation context (what the model was shown) is set around the call, the lenient re-read and a Batch
API answer's validation alike, so the validators in the schema see the same thing on every path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.errors import ExtractionError
from summarizer.llm.base import Backend, completion_json, provider_error, relax_json
from summarizer.llm.prompts import Prompt
from summarizer.schema import Provenance, Usage, validation_context


@dataclass
class Answer:
    """A validated answer and what validation dropped (bad citations, ...), counted by kind. `value` is None
    when the answer stayed invalid and could not be read leniently either: `failure` says why, and the caller
    decides what that costs (an article's record, or only one call's items)."""

    value: BaseModel | None
    dropped: dict[str, int] = field(default_factory=dict)
    failure: ExtractionError | None = None


def _api_cause(exc: BaseException | None) -> Any:
    """instructor wraps a provider error that survived our transient retries; find it."""
    import openai

    while exc is not None:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__
    return None


def _lenient(text: str | None, response_model: type[BaseModel], shown: dict[int, str], attempts: int, source: str) -> Answer:
    """Re-asking did not fix the answer: keep what is valid, drop (and count) bad citations."""
    with validation_context(shown, lenient=True) as ctx:
        try:
            value = response_model.model_validate_json(text or "")
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "answer"
            failure = ExtractionError(f"no valid record after {attempts} attempts ({where}: {first['msg']})", source=source)
            return Answer(None, {**ctx["dropped"], "invalid_answers": attempts}, failure)
    return Answer(value, {**ctx["dropped"], "invalid_answers": attempts})


def _failed(exc: Exception, backend: Backend, response_model: type[BaseModel], shown: dict[int, str], source: str) -> Answer:
    """Map a failed call: provider faults raise one-line errors; answers that stayed invalid are read leniently."""
    import openai
    from instructor.core.exceptions import (
        IncompleteOutputException,
        InstructorRetryException,
    )

    if isinstance(exc, InstructorRetryException):
        cause = _api_cause(exc)
        if cause is not None:
            raise provider_error(cause, backend.id, source) from None
        return _lenient(completion_json(exc.last_completion), response_model, shown, exc.n_attempts, source)
    if isinstance(exc, IncompleteOutputException):
        raise ExtractionError("the answer was cut off at the token limit", source=source) from None
    if isinstance(exc, openai.APIError):
        raise provider_error(exc, backend.id, source) from None
    raise exc


def _call_errors() -> tuple[type[Exception], ...]:
    import openai
    from instructor.core.exceptions import (
        IncompleteOutputException,
        InstructorRetryException,
    )

    return (InstructorRetryException, IncompleteOutputException, openai.APIError)


def structured_call(backend: Backend, kwargs: dict[str, Any], shown: dict[int, str], source: str) -> Answer:
    """One validated answer to the instructor call `kwargs` (response_model, messages, max_retries, ...);
    `shown` is what citations may refer to. Raises ProviderError, or ExtractionError for a cut-off answer."""
    with validation_context(shown) as ctx:
        try:
            return Answer(backend.create(**kwargs), dict(ctx["dropped"]))
        except _call_errors() as exc:
            failure = exc
    return _failed(failure, backend, kwargs["response_model"], shown, source)


async def astructured_call(backend: Backend, kwargs: dict[str, Any], shown: dict[int, str], source: str) -> Answer:
    """`structured_call` through the backend's async client."""
    assert backend.acreate is not None
    with validation_context(shown) as ctx:
        try:
            return Answer(await backend.acreate(**kwargs), dict(ctx["dropped"]))
        except _call_errors() as exc:
            failure = exc
    return _failed(failure, backend, kwargs["response_model"], shown, source)


def accept_completion(completion: Any, backend: Backend, response_model: type[BaseModel], shown: dict[int, str], source: str) -> Answer:
    """A raw chat completion made elsewhere (the Batch API, a Ray engine) read as `structured_call` reads
    an answer: there is no re-ask, so an invalid answer is read leniently at once."""
    from instructor.core.exceptions import IncompleteOutputException
    from instructor.processing import process_response

    relax_json(completion)
    with validation_context(shown) as ctx:
        try:
            value = process_response(completion, response_model=response_model, stream=False, mode=backend.mode)
        except IncompleteOutputException:
            raise ExtractionError("the answer was cut off at the token limit", source=source) from None
        except Exception:  # whatever made it unreadable (JSON, schema, no tool call): read leniently below
            value = None
        if value is not None:
            return Answer(value, dict(ctx["dropped"]))
    return _lenient(completion_json(completion), response_model, shown, 1, source)


def provenance(backend: Backend, prompt: Prompt, stats: dict[str, Any], latency: float, dropped: dict[str, int], *, windows: int = 1) -> Provenance:
    """Provenance of the model calls counted by `call_stats`: an extraction's or a briefing lead's."""
    usage = Usage(prompt_tokens=stats["prompt_tokens"], completion_tokens=stats["completion_tokens"])
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
    return Provenance(
        model=backend.model,
        backend=backend.id,
        mode=backend.mode.value,
        prompt_name=prompt.name,
        prompt_version=prompt.version,
        usage=usage,
        latency_s=round(latency, 3),
        attempts=stats["attempts"],
        windows=windows,
        dropped=dropped,
        created_at=datetime.now(timezone.utc),
    )
