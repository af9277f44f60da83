"""extract(): article in, grounded ArticleExtraction out. The one instructor call every backend goes through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

from .articles import Article
from .attribution import Quotes
from .backends.base import Backend, call_stats, completion_json, provider_error
from .errors import ExtractionError
from .grounding import GroundedWindow
from .prompts import Prompt, load_prompt
from .schema import ArticleExtraction, ArticleMeta, ExtractionDraft, Provenance, Usage, validation_context
from .sentences import Sentence, numbered, split_sentences
from .windows import merge_windows, plan_windows

DEFAULT_RETRIES = 1  # validation re-asks after the first answer: each costs a full generation on a small model


def api_cause(exc: BaseException) -> openai.APIError | None:
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


_CALL_ERRORS = (InstructorRetryException, IncompleteOutputException, openai.APIError)


@dataclass
class _Call:
    kwargs: dict[str, Any]
    draft: ExtractionDraft | None = None

    def answer(self, draft: ExtractionDraft) -> None:
        self.draft = draft


class _Run:
    """One article's extraction: everything but the model call itself, shared by `extract` and `extract_async`."""

    def __init__(self, article: Article, backend: Backend, prompt: Prompt | None, retries: int):
        self.article, self.backend, self.retries = article, backend, retries
        self.prompt = prompt or load_prompt()
        self.sentences = split_sentences(article.text)
        self.by_number = {s.n: s for s in self.sentences}
        self.quotes = Quotes(article.text)
        self.windows = plan_windows(self.sentences, backend.window_chars)
        self.grounded: list[GroundedWindow] = []
        self.dropped: dict[str, int] = {}
        self.started = time.perf_counter()

    def request(self, window: list[Sentence]) -> dict[str, Any]:
        """The keyword arguments of the one instructor call."""
        published = self.article.published.isoformat() if self.article.published else None
        messages = self.prompt.messages(title=self.article.title, published=published, numbered_sentences=numbered(window))
        return {"response_model": ExtractionDraft, "messages": messages, "max_retries": self.retries, "model": self.backend.model, **self.backend.settings}

    def recover(self, exc: Exception, shown: dict[int, str]) -> tuple[ExtractionDraft, dict[str, int]]:
        """Map a failed call: provider faults raise one-line errors; answers that stayed invalid are kept leniently."""
        label = self.article.label
        if isinstance(exc, InstructorRetryException):
            cause = api_cause(exc)
            if cause is not None:
                raise provider_error(cause, self.backend.id, label) from None
            return _lenient_draft(exc, shown, label)
        if isinstance(exc, IncompleteOutputException):
            raise ExtractionError("the answer was cut off at the token limit", source=label) from None
        if isinstance(exc, openai.APIError):
            raise provider_error(exc, self.backend.id, label) from None
        raise exc

    @contextmanager
    def call(self, window: list[Sentence]) -> Iterator[_Call]:
        """Around one model call: validation context in, answer or failure grounded out."""
        shown = {s.n: s.text for s in window}
        call = _Call(self.request(window))
        with validation_context(shown) as ctx:
            try:
                yield call
                self.add(call.draft, ctx["dropped"])
            except _CALL_ERRORS as exc:
                self.add(*self.recover(exc, shown))

    def add(self, draft: ExtractionDraft, dropped: dict[str, int]) -> None:
        _add(self.dropped, dropped)
        self.grounded.append(GroundedWindow(draft, self.by_number, self.article.published, self.quotes))

    def result(self, stats: dict[str, Any]) -> ArticleExtraction:
        summary, events, claims, entities, ungrounded = merge_windows(self.grounded)
        _add(self.dropped, ungrounded)
        latency = time.perf_counter() - self.started
        return ArticleExtraction(
            article=article_meta(self.article, len(self.sentences)),
            summary=summary,
            events=events,
            claims=claims,
            entities=entities,
            provenance=make_provenance(self.backend, self.prompt, stats, latency, self.dropped, windows=len(self.windows)),
        )


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for kind, n in more.items():
        counts[kind] = counts.get(kind, 0) + n


def extract(article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES) -> ArticleExtraction:
    run = _Run(article, backend, prompt, retries)
    with call_stats() as stats:
        for window in run.windows:
            with run.call(window) as call:
                call.answer(backend.create(**call.kwargs))
    return run.result(stats)


async def extract_async(article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES) -> ArticleExtraction:
    """`extract` through the backend's async client; backends without one run in a worker thread."""
    if backend.acreate is None:
        return await asyncio.to_thread(extract, article, backend, prompt=prompt, retries=retries)
    run = _Run(article, backend, prompt, retries)
    with call_stats() as stats:
        for window in run.windows:
            with run.call(window) as call:
                call.answer(await backend.acreate(**call.kwargs))
    return run.result(stats)


def article_meta(article: Article, n_sentences: int) -> ArticleMeta:
    return ArticleMeta(
        id=article.id,
        title=article.title,
        published=article.published,
        source=article.source,
        url=article.url,
        text_hash=article.text_hash,
        n_sentences=n_sentences,
    )


def make_provenance(
    backend: Backend, prompt: Prompt, stats: dict[str, Any], latency: float, dropped: dict[str, int], *, windows: int = 1
) -> Provenance:
    """Provenance of model calls counted by `call_stats`; shared by extraction and the briefing lead."""
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
