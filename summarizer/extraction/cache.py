"""Content-addressed store of finished extractions: a re-run makes no model call for an article it has seen
with the same prompt, schema, model and settings.

Why SQLite (stdlib) and not instructor's cache: instructor's cache lives inside one instructor call, so it
would key and store one window's draft, has to be wired in where the backends build their clients (not the
batch's business), and cannot tell the batch that it answered (the progress bar, the summary and the tests
count cached records; a warm run must be provably free of requests). Caching the finished, grounded record
per article is what a re-run needs. diskcache would do too, but it is one more dependency for what one
SQLite table does: keyed rows, atomic commits that survive kill -9 (WAL), safe across processes.

Nothing read back is trusted: each row carries a checksum of its key, identity and record, and a row that
fails it, or does not parse and validate as an `ArticleExtraction`, is a miss (warned, re-extracted and
overwritten). A database error is never fatal either: on read it is a miss, on write the record is only not
stored (its line is in the output already).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from summarizer.io.articles import Article
from summarizer.llm.base import Backend
from summarizer.errors import ConfigError
from summarizer.llm.prompts import Prompt
from summarizer.schema import SCHEMA_VERSION, ArticleExtraction, ClaimNote, EventNote, ExtractionDraft
from summarizer.io.paths import cache_dir


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
                "endpoint": backend.endpoint and backend.endpoint.rstrip("/"),  # two servers may serve one model name
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


Warn = Callable[[str], None]


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _checksum(key: str, *fields: str | None) -> str:
    """Of the key a row is stored under as well as its content: a row copied under another key fails it."""
    return hashlib.sha256(json.dumps([key, *fields]).encode()).hexdigest()


def _verified(key: str, row: tuple[Any, ...]) -> dict[str, Any]:
    """The row's record, parsed and validated; ValueError saying why a row cannot be served."""
    *fields, checksum = row
    if not all(value is None or isinstance(value, str) for value in row):
        raise ValueError("a field is not text")
    if checksum != _checksum(key, *fields):
        raise ValueError("checksum mismatch")
    try:
        data = json.loads(fields[-1])
        ArticleExtraction.model_validate(data)
    except ValueError:  # JSONDecodeError and pydantic's ValidationError both are; their text is many lines
        raise ValueError("not a valid extraction") from None
    return data


def _lenient_text(value: bytes) -> str:
    """Damaged bytes that are not UTF-8 fail the row's checksum instead of the query."""
    return value.decode("utf-8", "surrogateescape")


def _columns(db: sqlite3.Connection) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(extractions)")}


def _migrate(db: sqlite3.Connection) -> None:
    """A cache written before rows had checksums gains the column; its rows (NULL) are misses, overwritten as
    their articles are extracted again."""
    if "checksum" in _columns(db):
        return
    try:
        db.execute("ALTER TABLE extractions ADD COLUMN checksum TEXT")
    except sqlite3.OperationalError:
        if "checksum" not in _columns(db):  # else another process migrated the same file first
            raise


class ResultCache:
    """key -> the extraction's JSON line, plus the id/source/url it was written for (a hit for another
    article with the same text gets its own identity patched in). `warn` gets one line per damaged row and
    one for the first database error (a damaged file fails many lookups alike)."""

    def __init__(self, path: Path, warn: Warn = _stderr_warning):
        self.path, self.warn = path, warn
        self.database_failed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.text_factory = _lenient_text
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across kill -9, no fsync per record
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS extractions"
                " (key TEXT PRIMARY KEY, id TEXT, source TEXT, url TEXT, record TEXT NOT NULL, checksum TEXT)"
            )
            _migrate(self.db)
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the cache ({exc}); pass --no-cache to run without it", source=str(path)) from exc

    def get(self, key: str, article: Article) -> str | None:
        try:
            row = self.db.execute("SELECT id, source, url, record, checksum FROM extractions WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._database_error(exc)
            return None
        if row is None or row[-1] is None:  # no row, or one written before checksums: a plain miss
            return None
        try:
            data = _verified(key, row)
        except ValueError as exc:
            self.warn(f"cache {self.path}: the row for {article.label} is damaged ({exc}): extracting it again")
            return None
        cached_id, source, url, record, _ = row
        if (cached_id, source, url) == (article.id, article.source, article.url):
            return record
        data["article"].update(id=article.id, source=article.source, url=article.url)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def put(self, key: str, article: Article, record: str) -> None:
        identity = (article.id, article.source, article.url)
        try:
            self.db.execute(
                "INSERT OR REPLACE INTO extractions (key, id, source, url, record, checksum) VALUES (?, ?, ?, ?, ?, ?)",
                (key, *identity, record, _checksum(key, *identity, record)),
            )
        except sqlite3.Error as exc:  # a full disk or a damaged file must not lose the record itself: it is in the output
            self._database_error(exc)

    def _database_error(self, exc: sqlite3.Error) -> None:
        if not self.database_failed:
            self.database_failed = True
            self.warn(f"cache {self.path}: {exc} ({type(exc).__name__}): going on without the rows it cannot read or write; delete the file to rebuild it")

    def close(self) -> None:
        self.db.close()


def open_cache(path: Path | None, warn: Warn = _stderr_warning) -> ResultCache:
    return ResultCache(Path(os.path.expanduser(str(path))) if path else default_cache_path(), warn)
