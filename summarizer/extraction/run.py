"""extract(): article in, grounded ArticleExtraction out. Every backend goes through the same instructor calls."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from summarizer.extraction.answers import NOTES, StepAnswer, grounded, step_answer
from summarizer.io.articles import Article
from summarizer.rules.attribution import QUOTE_MARKS, Quotes, says_something
from summarizer.llm.base import Backend, call_stats, completion_json, provider_error
from summarizer.errors import ExtractionError
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.schema import ArticleExtraction, ArticleMeta, ExtractionDraft, Provenance, Usage, per_sentence, validation_context
from summarizer.rules.sentences import Sentence, numbered, split_sentences
from summarizer.extraction.windows import plan_windows

DEFAULT_RETRIES = 1  # validation re-asks after the first answer: each costs a full generation on a small model


def api_cause(exc: BaseException) -> openai.APIError | None:
    """instructor wraps a provider error that survived our transient retries; find it."""
    while exc is not None:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__
    return None


def _lenient_draft(exc: InstructorRetryException, model: type[BaseModel], shown: dict[int, str], source: str) -> tuple[BaseModel, dict[str, int]]:
    """Re-asking did not fix the answer: keep what is valid, drop (and count) bad citations."""
    text = completion_json(exc.last_completion)
    with validation_context(shown, lenient=True) as ctx:
        try:
            draft = model.model_validate_json(text or "")
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "answer"
            raise ExtractionError(
                f"no valid record after {exc.n_attempts} attempts ({where}: {first['msg']})", source=source
            ) from None
    return draft, {**ctx["dropped"], "invalid_answers": exc.n_attempts}


_CALL_ERRORS = (InstructorRetryException, IncompleteOutputException, openai.APIError)
SENTENCES_PER_CALL = 24  # sentences asked about per events or claims call: a bounded answer, like every list


@dataclass(frozen=True)
class Step:
    """One model call: a window's first call (headline, key points, entities), or the events or claims of
    some of its sentences."""

    window: int
    kind: str = "draft"  # or a key of NOTES
    sentences: tuple[Sentence, ...] = ()

    @property
    def response_model(self) -> type[BaseModel]:
        return per_sentence(NOTES[self.kind], tuple(s.n for s in self.sentences)) if self.kind in NOTES else ExtractionDraft


def plan_steps(windows: list[list[Sentence]], quotes: Quotes) -> list[Step]:
    """Per window: the first call, then events asked of every sentence but quoted speech, then claims asked
    of the sentences that attribute or quote (code decides both)."""
    steps = []
    for i, window in enumerate(windows):
        asked = {
            "events": [s for s in window if not s.text.lstrip().startswith(QUOTE_MARKS)],
            "claims": [s for s in window if says_something(s, quotes)],
        }
        steps.append(Step(i))
        for kind, sentences in asked.items():
            steps += [Step(i, kind, tuple(sentences[k : k + SENTENCES_PER_CALL])) for k in range(0, len(sentences), SENTENCES_PER_CALL)]
    return steps


ANSWER_CACHE_ENV = "SUMMARIZER_ANSWER_CACHE"


@cache
def _answer_cache(folder: str) -> Any:
    from instructor.cache import DiskCache

    return DiskCache(directory=folder)


def answer_cache(backend: Backend) -> dict[str, Any]:
    """instructor's own cache of validated answers, keyed by request and schema, when $SUMMARIZER_ANSWER_CACHE
    names a folder: an eval re-run after a change to code alone (grounding, folding, typing) makes no model
    call. Usage and latency are not re-counted for an answer served from it."""
    folder = os.environ.get(ANSWER_CACHE_ENV)
    return {"cache": _answer_cache(folder), "cache_namespace": backend.id} if folder else {}


@dataclass
class _Call:
    kwargs: dict[str, Any]
    draft: BaseModel | None = None

    def answer(self, draft: BaseModel) -> None:
        self.draft = draft


class _Run:
    """One article's extraction: everything but the model calls themselves, shared by `extract`,
    `extract_async` and the Batch API path."""

    def __init__(self, article: Article, backend: Backend, prompt: Prompt | None, retries: int, post: PostSteps = ALL_STEPS):
        self.article, self.backend, self.retries, self.post = article, backend, retries, post
        self.prompt = prompt or load_prompt()
        self.sentences = split_sentences(article.text)
        self.quotes = Quotes(article.text)
        self.windows = plan_windows(self.sentences, backend.window_chars)
        self.steps = plan_steps(self.windows, self.quotes)
        self.answers: list[StepAnswer] = []  # in call order, as JSON: the records are made from them
        self.started = time.perf_counter()

    def request(self, step: Step) -> dict[str, Any]:
        """The keyword arguments of one instructor call. An events or claims call's prompt is the first call's
        plus its request, so a local model reuses the first call's KV cache for all of it."""
        published = self.article.published.isoformat() if self.article.published else None
        values: dict[str, Any] = {"title": self.article.title, "published": published, "numbered_sentences": numbered(self.windows[step.window])}
        if step.kind in NOTES:
            values[f"{step.kind}_for"] = numbered(list(step.sentences))
        messages = self.prompt.messages(**values)
        return {"response_model": step.response_model, "messages": messages, "max_retries": self.retries, "model": self.backend.model, **self.backend.settings}

    def recover(self, exc: Exception, step: Step, shown: dict[int, str]) -> tuple[BaseModel | None, dict[str, int]]:
        """Map a failed call: provider faults raise one-line errors; answers that stayed invalid are kept
        leniently. An events or claims answer that cannot be read at all costs its items, not the article's record."""
        label = self.article.label
        if isinstance(exc, InstructorRetryException):
            cause = api_cause(exc)
            if cause is not None:
                raise provider_error(cause, self.backend.id, label) from None
            try:
                return _lenient_draft(exc, step.response_model, shown, label)
            except ExtractionError:
                if step.kind not in NOTES:
                    raise
                return None, {f"invalid_{step.kind}_answers": 1}
        if isinstance(exc, IncompleteOutputException):
            raise ExtractionError("the answer was cut off at the token limit", source=label) from None
        if isinstance(exc, openai.APIError):
            raise provider_error(exc, self.backend.id, label) from None
        raise exc

    def shown(self, step: Step) -> dict[int, str]:
        """The sentences a call's prompt shows ({number: text}): the citations it may make."""
        return {s.n: s.text for s in self.windows[step.window]}

    @contextmanager
    def call(self, step: Step) -> Iterator[_Call]:
        """Around one model call: validation context in, answer or failure out."""
        shown = self.shown(step)
        call = _Call(self.request(step) | answer_cache(self.backend))  # the Batch API path writes `request` alone
        with validation_context(shown) as ctx:
            try:
                yield call
                self.add(step, call.draft, ctx["dropped"])
            except _CALL_ERRORS as exc:
                self.add(step, *self.recover(exc, step, shown))

    def add(self, step: Step, answer: BaseModel | None, dropped: dict[str, int]) -> None:
        self.answers.append(step_answer(step.window, step.kind, [s.n for s in step.sentences], answer, dropped))

    def result(self, stats: dict[str, Any]) -> ArticleExtraction:
        summary, events, claims, entities, dropped = grounded(self.article, self.answers, self.post)
        latency = time.perf_counter() - self.started
        return ArticleExtraction(
            article=article_meta(self.article, len(self.sentences)),
            summary=summary,
            events=events,
            claims=claims,
            entities=entities,
            provenance=make_provenance(self.backend, self.prompt, stats, latency, dropped, windows=len(self.windows)),
        )


def extract_answered(
    article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES, post: PostSteps = ALL_STEPS
) -> tuple[ArticleExtraction, list[StepAnswer]]:
    """`extract`, with the model's answers the record was made from (an eval's run file keeps them)."""
    run = _Run(article, backend, prompt, retries, post)
    with call_stats() as stats:
        for step in run.steps:
            with run.call(step) as call:
                call.answer(backend.create(**call.kwargs))
    return run.result(stats), run.answers


def extract(
    article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES, post: PostSteps = ALL_STEPS
) -> ArticleExtraction:
    """One article's record; `post` says which post-processing steps run (all by default)."""
    return extract_answered(article, backend, prompt=prompt, retries=retries, post=post)[0]


async def extract_async(
    article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES, post: PostSteps = ALL_STEPS
) -> ArticleExtraction:
    """`extract` through the backend's async client; backends without one run in a worker thread."""
    if backend.acreate is None:
        return await asyncio.to_thread(extract, article, backend, prompt=prompt, retries=retries, post=post)
    run = _Run(article, backend, prompt, retries, post)
    with call_stats() as stats:
        for step in run.steps:
            with run.call(step) as call:
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
