"""extract(): article in, grounded ArticleExtraction out. The one instructor call every backend goes through."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

from .articles import Article
from .backends.base import Backend, call_stats, completion_json, provider_error
from .errors import ExtractionError
from .grounding import GroundedWindow
from .prompts import Prompt, load_prompt
from .schema import ArticleExtraction, ArticleMeta, ExtractionDraft, Provenance, Usage, validation_context
from .sentences import Sentence, numbered, split_sentences
from .windows import merge_windows, plan_windows

DEFAULT_RETRIES = 1  # validation re-asks after the first answer: each costs a full generation on a small model


def _api_cause(exc: BaseException) -> openai.APIError | None:
    """instructor wraps a provider error that survived our transient retries; find it."""
    while exc is not None:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__
    return None


def _lenient_draft(exc: InstructorRetryException, shown: dict[int, str], source: str) -> tuple[ExtractionDraft, dict[str, int]]:
    """Re-asking did not fix the answer: keep what is valid, drop (and count) bad citations and quotes."""
    text = completion_json(exc.last_completion)
    with validation_context(shown, lenient=True) as ctx:
        try:
            draft = ExtractionDraft.model_validate_json(text or "")
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "answer"
            raise ExtractionError(
                f"no valid record after {exc.n_attempts} attempts ({where}: {first['msg']})", source=source
            ) from None
    return draft, {**ctx["dropped"], "invalid_answers": exc.n_attempts}


def extract_window(
    article: Article, window: list[Sentence], backend: Backend, prompt: Prompt, retries: int
) -> tuple[ExtractionDraft, dict[str, int]]:
    shown = {s.n: s.text for s in window}
    messages = prompt.messages(
        title=article.title, published=article.published.isoformat() if article.published else None, numbered_sentences=numbered(window)
    )
    with validation_context(shown) as ctx:
        try:
            draft = backend.create(
                response_model=ExtractionDraft, messages=messages, max_retries=retries, model=backend.model, **backend.settings
            )
            return draft, ctx["dropped"]
        except InstructorRetryException as exc:
            cause = _api_cause(exc)
            if cause is not None:
                raise provider_error(cause, backend.id, article.label) from None
            return _lenient_draft(exc, shown, article.label)
        except IncompleteOutputException:
            raise ExtractionError("the answer was cut off at the token limit", source=article.label) from None
        except openai.APIError as exc:
            raise provider_error(exc, backend.id, article.label) from None


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for kind, n in more.items():
        counts[kind] = counts.get(kind, 0) + n


def extract(article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES) -> ArticleExtraction:
    prompt = prompt or load_prompt()
    sentences = split_sentences(article.text)
    by_number = {s.n: s for s in sentences}
    windows = plan_windows(sentences, backend.window_chars)
    started = time.perf_counter()
    grounded, dropped = [], {}
    with call_stats() as stats:
        for window in windows:
            draft, window_dropped = extract_window(article, window, backend, prompt, retries)
            _add(dropped, window_dropped)
            grounded.append(GroundedWindow(draft, by_number, article.published))
    summary, events, claims, entities, ungrounded = merge_windows(grounded)
    _add(dropped, ungrounded)
    return ArticleExtraction(
        article=_meta(article, len(sentences)),
        summary=summary,
        events=events,
        claims=claims,
        entities=entities,
        provenance=_provenance(backend, prompt, stats, time.perf_counter() - started, len(windows), dropped),
    )


def _meta(article: Article, n_sentences: int) -> ArticleMeta:
    return ArticleMeta(
        id=article.id,
        title=article.title,
        published=article.published,
        source=article.source,
        url=article.url,
        text_hash=article.text_hash,
        n_sentences=n_sentences,
    )


def _provenance(backend: Backend, prompt: Prompt, stats: dict[str, Any], latency: float, windows: int, dropped: dict[str, int]) -> Provenance:
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
