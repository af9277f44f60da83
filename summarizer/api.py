"""The Python API: an article (text or `Article`) in, a grounded `ArticleExtraction` out, through the same
run, prompt and validation as the CLI. The backend is resolved once per `Extractor` (loading the embedded
model takes seconds), so a notebook makes one and calls it per article."""

from __future__ import annotations

from functools import cache
from typing import Any

from summarizer.io.articles import Article, article_from_text, text_hash
from summarizer.llm import Backend, resolve_backend
from summarizer.extraction.run import DEFAULT_RETRIES
from summarizer.extraction.run import extract as run_extract
from summarizer.extraction.run import extract_async as run_extract_async
from summarizer.schema import ArticleExtraction


def as_article(article: Article | str) -> Article:
    """Text is read as a seeds-style document (optional ` date YYYY-MM-DD title` first line); its id is its
    content hash, as for stdin. Too short or empty text raises InputError."""
    if isinstance(article, Article):
        return article
    return article_from_text(article, default_id="text-" + text_hash(article)[7:19], source="<text>")


class Extractor:
    """`Extractor()` is the embedded default model; `Extractor("qwen2.5-7b", base_url=URL)` any
    OpenAI-compatible server; `Extractor("openai/gpt-4o-mini")` OpenAI. Keyword options are those of
    `resolve_backend` (base_url, model_path, mode, timeout, ...); or pass a ready `backend=`."""

    def __init__(self, model: str | None = None, *, backend: Backend | None = None, retries: int = DEFAULT_RETRIES, **options: Any):
        self.backend = backend or resolve_backend(model, **options)
        self.retries = retries

    def extract(self, article: Article | str) -> ArticleExtraction:
        return run_extract(as_article(article), self.backend, retries=self.retries)

    async def extract_async(self, article: Article | str) -> ArticleExtraction:
        return await run_extract_async(as_article(article), self.backend, retries=self.retries)


@cache
def _extractor(model: str | None, options: tuple[tuple[str, Any], ...]) -> Extractor:
    return Extractor(model, **dict(options))


def extract(article: Article | str, model: str | None = None, **options: Any) -> ArticleExtraction:
    """One article's extraction; the backend for these options is made once and reused by later calls."""
    return _extractor(model, tuple(sorted(options.items()))).extract(article)


async def extract_async(article: Article | str, model: str | None = None, **options: Any) -> ArticleExtraction:
    """`extract` on the backend's async client: many articles in flight with `asyncio.gather`."""
    return await _extractor(model, tuple(sorted(options.items()))).extract_async(article)
