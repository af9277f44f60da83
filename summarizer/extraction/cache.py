"""Content-addressed store of finished extractions: a re-run makes no model call for an article it has seen
with the same prompt, schema, model and settings.

Why SQLite (stdlib) and not instructor's cache: instructor's cache lives inside one instructor call, so it
would key and store one window's draft, has to be wired in where the backends build their clients (not the
batch's business), and cannot tell the batch that it answered (the progress bar, the summary and the tests
count cached records; a warm run must be provably free of requests). Caching the finished, grounded record
per article is what a re-run needs. diskcache would do too, but it is one more dependency for what one
SQLite table does: keyed rows, atomic commits that survive kill -9 (WAL), safe across processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

from summarizer.io.articles import Article
from summarizer.llm.base import Backend
from summarizer.errors import ConfigError
from summarizer.llm.prompts import Prompt
from summarizer.schema import SCHEMA_VERSION, ArticleExtraction, ClaimNote, EventNote, ExtractionDraft
from summarizer.llm.embedded.weights import cache_dir


def default_cache_path() -> Path:
    """`$SUMMARIZER_CACHE/extractions.sqlite` (default `~/.cache/summarizer/`)."""
    return cache_dir() / "extractions.sqlite"


@cache
def _schema_fingerprint() -> str:
    """SCHEMA_VERSION plus a hash of the JSON schemas: an edit to the schema that forgets to bump the version
    still misses the cache."""
    drafts = [model.model_json_schema() for model in (ExtractionDraft, EventNote, ClaimNote)]
    schemas = json.dumps([*drafts, ArticleExtraction.model_json_schema()], sort_keys=True)
    return f"{SCHEMA_VERSION}:{hashlib.sha256(schemas.encode()).hexdigest()[:16]}"


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("summarizer")
    except Exception:  # not installed (running from a checkout)
        return "dev"


class Keyer:
    """Cache keys for one run: everything that shapes the answer, hashed with the article's inputs."""

    def __init__(self, backend: Backend, prompt: Prompt, retries: int):
        self.run_part = json.dumps(
            {
                "prompt": [prompt.name, prompt.version],
                "schema": _schema_fingerprint(),
                "code": _package_version(),
                "backend": backend.id,
                "model": backend.model,
                "mode": backend.mode.value,
                "settings": backend.settings,
                "window_chars": backend.window_chars,
                "retries": retries,
            },
            sort_keys=True,
            default=str,
        )

    def __call__(self, article: Article) -> str:
        """The article's text hash, plus what else the prompt shows the model (title, date)."""
        digest = hashlib.sha256(self.run_part.encode())
        digest.update(b"\0" + article.text.encode("utf-8", "surrogatepass"))
        digest.update(f"\0{article.title}\0{article.published}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


class ResultCache:
    """key -> the extraction's JSON line, plus the id/source/url it was written for (a hit for another
    article with the same text gets its own identity patched in)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across kill -9, no fsync per record
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS extractions (key TEXT PRIMARY KEY, id TEXT, source TEXT, url TEXT, record TEXT NOT NULL)"
            )
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the cache ({exc}); pass --no-cache to run without it", source=str(path)) from exc

    def get(self, key: str, article: Article) -> str | None:
        row = self.db.execute("SELECT id, source, url, record FROM extractions WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        cached_id, source, url, record = row
        if (cached_id, source, url) == (article.id, article.source, article.url):
            return record
        data: dict[str, Any] = json.loads(record)
        data["article"].update(id=article.id, source=article.source, url=article.url)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def put(self, key: str, article: Article, record: str) -> None:
        try:
            self.db.execute(
                "INSERT OR REPLACE INTO extractions (key, id, source, url, record) VALUES (?, ?, ?, ?, ?)",
                (key, article.id, article.source, article.url, record),
            )
        except sqlite3.Error:  # a full disk or a locked file must not lose the record itself: it is in the output
            pass

    def close(self) -> None:
        self.db.close()


def open_cache(path: Path | None) -> ResultCache:
    return ResultCache(Path(os.path.expanduser(str(path))) if path else default_cache_path())
