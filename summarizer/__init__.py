"""summarizer: news articles in, typed and grounded events and claims out.

    from summarizer import extract
    record = extract(open("article.txt").read())          # the embedded model, offline
    for event in record.events:
        print(event.type.value, event.description, [e.sentence for e in event.evidence])

Names are loaded on first use, so `import summarizer` (and the CLI's start-up) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.api import Extractor, extract, extract_async
    from summarizer.extraction.run import ExtractionRun
    from summarizer.io.articles import Article
    from summarizer.llm import Backend, resolve_backend
    from summarizer.errors import ConfigError, ExtractionError, InputError, ProviderError, SummarizerError
    from summarizer.schema import ArticleExtraction, Claim, Entity, Event

_PUBLIC = {
    "extract": "api", "extract_async": "api", "Extractor": "api",
    "ExtractionRun": "extraction.run",
    "Article": "io.articles",
    "Backend": "llm", "resolve_backend": "llm",
    "ArticleExtraction": "schema", "Event": "schema", "Claim": "schema", "Entity": "schema",
    "SummarizerError": "errors", "InputError": "errors", "ConfigError": "errors", "ProviderError": "errors", "ExtractionError": "errors",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
