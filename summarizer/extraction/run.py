"""extract(): article in, grounded ArticleExtraction out. `ExtractionRun` is the one run every driver (sync,
async, the Batch API, Ray) answers; every backend goes through the same structured call."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from summarizer.extraction.answers import NOTES, StepAnswer, grounded, step_answer
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.extraction.windows import plan_windows
from summarizer.io.articles import Article
from summarizer.llm.base import Backend, Prefix, call_stats
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.llm.structured import (
    Answer,
    accept_completion,
    astructured_call,
    provenance,
    structured_call,
)
from summarizer.rules.attribution import QUOTE_MARKS, Quotes, says_something
from summarizer.rules.sentences import Sentence, numbered, split_sentences
from summarizer.schema import (
    ArticleExtraction,
    ArticleMeta,
    ExtractionDraft,
    per_sentence,
)

DEFAULT_RETRIES = 1  # validation re-asks after the first answer: each costs a full generation on a small model
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


class ExtractionRun:
    """One article's extraction as a fixed list of model calls (`steps`, planned from the text alone) that a
    driver answers in order: `call`/`acall` ask the backend; a driver that sends the requests itself (the
    Batch API, a Ray engine) sends `chat_body(step)` and hands back the completion to `accept_completion`.
    `result()` grounds the answers into the record. Every driver shares prompt, validation and grounding."""

    def __init__(
        self, article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES, post: PostSteps = ALL_STEPS
    ):
        self.article, self.backend, self.retries, self.post = article, backend, retries, post
        self.prompt = prompt or load_prompt()
        self.sentences = split_sentences(article.text)
        self.quotes = Quotes(article.text)
        self.windows = plan_windows(self.sentences, backend.window_chars)
        self.steps = plan_steps(self.windows, self.quotes)
        self.answers: list[StepAnswer] = []  # in call order, as JSON: the records are made from them
        self.stats: dict[str, Any] = {"attempts": 0, "prompt_tokens": 0, "completion_tokens": 0}
        self.started = time.perf_counter()
        if backend.warm is not None:
            backend.warm(prompt_prefix(self.prompt))

    def request(self, step: Step) -> dict[str, Any]:
        """The keyword arguments of one instructor call. An events or claims call's prompt is the first call's
        plus its request, so a local model reuses the first call's KV cache for all of it."""
        published = self.article.published.isoformat() if self.article.published else None
        values: dict[str, Any] = {"title": self.article.title, "published": published, "numbered_sentences": numbered(self.windows[step.window])}
        if step.kind in NOTES:
            values[f"{step.kind}_for"] = numbered(list(step.sentences))
        messages = self.prompt.messages(**values)
        return {"response_model": step.response_model, "messages": messages, "max_retries": self.retries, "model": self.backend.model, **self.backend.settings}

    def chat_body(self, step: Step) -> dict[str, Any]:
        """The chat-completions request body the live call sends for `step`, in the backend's mode (instructor
        adds the schema as tools or response_format), for a driver that sends requests itself."""
        from instructor.processing import handle_response_model

        kwargs = self.request(step)
        kwargs.pop("max_retries")
        response_model = kwargs.pop("response_model")
        return handle_response_model(response_model, self.backend.mode, **kwargs)[1]

    def shown(self, step: Step) -> dict[int, str]:
        """The sentences a call's prompt shows ({number: text}): the citations it may make."""
        return {s.n: s.text for s in self.windows[step.window]}

    def call(self, step: Step) -> None:
        """Ask the backend for `step`'s answer (re-asks and the lenient fallback included) and keep it."""
        with call_stats() as stats:
            self._keep(step, structured_call(self.backend, self.request(step) | answer_cache(self.backend), self.shown(step), self.article.label))
        self._count(stats)

    async def acall(self, step: Step) -> None:
        """`call` through the backend's async client."""
        with call_stats() as stats:
            self._keep(step, await astructured_call(self.backend, self.request(step) | answer_cache(self.backend), self.shown(step), self.article.label))
        self._count(stats)

    def accept_completion(self, step: Step, completion: Any) -> None:
        """Keep the answer a chat completion (a ChatCompletion or its JSON) gives to `step`'s `chat_body`."""
        from openai.types.chat import ChatCompletion

        if isinstance(completion, dict):
            completion = ChatCompletion.model_validate(completion)
        usage = completion.usage
        self._count({"attempts": 1, "prompt_tokens": usage.prompt_tokens if usage else 0, "completion_tokens": usage.completion_tokens if usage else 0})
        self._keep(step, accept_completion(completion, self.backend, step.response_model, self.shown(step), self.article.label))

    def _keep(self, step: Step, answer: Answer) -> None:
        dropped = answer.dropped
        if answer.value is None:
            if step.kind not in NOTES:
                raise answer.failure  # no headline, key points or entities: no record
            dropped = {f"invalid_{step.kind}_answers": 1}  # an unreadable events or claims answer costs its items only
        self.answers.append(step_answer(step.window, step.kind, [s.n for s in step.sentences], answer.value, dropped))

    def _count(self, stats: dict[str, Any]) -> None:
        for key in self.stats:
            self.stats[key] += stats[key]

    def result(self) -> ArticleExtraction:
        summary, events, claims, entities, dropped = grounded(self.article, self.answers, self.post)
        latency = time.perf_counter() - self.started
        return ArticleExtraction(
            article=article_meta(self.article, len(self.sentences)),
            summary=summary,
            events=events,
            claims=claims,
            entities=entities,
            provenance=provenance(self.backend, self.prompt, self.stats, latency, dropped, windows=len(self.windows)),
        )


def prompt_prefix(prompt: Prompt) -> Prefix:
    """What every extraction prompt starts with: the messages before any article."""
    return Prefix(prompt.messages(title="", published="", numbered_sentences=""), prompt.version)


def extract_answered(
    article: Article, backend: Backend, *, prompt: Prompt | None = None, retries: int = DEFAULT_RETRIES, post: PostSteps = ALL_STEPS
) -> tuple[ArticleExtraction, list[StepAnswer]]:
    """`extract`, with the model's answers the record was made from (an eval's run file keeps them)."""
    run = ExtractionRun(article, backend, prompt=prompt, retries=retries, post=post)
    for step in run.steps:
        run.call(step)
    return run.result(), run.answers


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
    run = ExtractionRun(article, backend, prompt=prompt, retries=retries, post=post)
    for step in run.steps:
        await run.acall(step)
    return run.result()


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
