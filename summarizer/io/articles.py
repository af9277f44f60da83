"""An article and how its text becomes one: the `Article` model, seeds-style text (` date YYYY-MM-DD <title>`
header, blank line, body), JSON/CSV records `{id, title, date, text}` with their column names, and the checks
every article passes (text, no NUL, enough words). Where articles are read from is `readers`; which paths
and which ids is `inputs`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from summarizer.errors import InputError

MIN_WORDS = 8  # fewer words than this is not an article (a stray line, a filename, a log stub)
_HEADER = re.compile(r"^\s*date\s+(\S+)[ \t]*(.*)$")


@dataclass
class Article:
    id: str
    text: str
    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    origin: str = ""  # where it was read from (path, path:line, <stdin>), for messages
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How messages name this article."""
        return self.origin or self.id

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _checked(article: Article, source: str) -> Article:
    article.origin = source
    if not article.text.strip():
        raise InputError("empty article (no text)", source=source)
    if "\x00" in article.text:  # a streamed row past the binary probe, or a JSON "\u0000"
        raise InputError("binary data (NUL) in the text", source=source)
    if len(article.text.split()) < MIN_WORDS:
        raise InputError(f"not an article: only {len(article.text.split())} words", source=source)
    return article


def article_from_text(raw: str, *, default_id: str, source: str, warnings: list[str] | None = None) -> Article:
    """A seeds-style document: optional ` date YYYY-MM-DD title` first line, blank line, body."""
    warnings = list(warnings or [])
    title, published, body = None, None, raw
    first, _, rest = raw.lstrip("\ufeff").partition("\n")
    header = _HEADER.match(first)
    if header:
        published = parse_date(header.group(1))
        if published is None:
            warnings.append(f"unparseable date {header.group(1)!r} in header: relative dates stay unresolved")
        title, body = header.group(2).strip() or None, rest.lstrip("\n")
    return _checked(Article(id=default_id, text=body, title=title, published=published, warnings=warnings), source)


@dataclass(frozen=True)
class Columns:
    """Which JSON keys or CSV columns hold a record's fields (`--text-column body --id-column url`)."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"
    source: str = "source"
    url: str = "url"


DEFAULT_COLUMNS = Columns()


def _optional(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def record_id(record: object, columns: Columns = DEFAULT_COLUMNS) -> str | None:
    """The id a record gives itself, if any (also used to name a record that turns out unusable)."""
    return _optional(record.get(columns.id)) if isinstance(record, dict) else None


def article_from_record(record: object, *, default_id: str, source: str, columns: Columns = DEFAULT_COLUMNS) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"record is {type(record).__name__}, expected an object with {columns.text!r}", source=source)
    text = record.get(columns.text)
    if not isinstance(text, str):
        raise InputError(f"record has no {columns.text!r} string", source=source)
    warnings = []
    raw_date = record.get(columns.date)
    published = parse_date(raw_date) if raw_date else None
    if raw_date and published is None:
        warnings.append(f"unparseable date {raw_date!r}: relative dates stay unresolved")
    article = Article(
        id=record_id(record, columns) or default_id,
        text=text,
        title=_optional(record.get(columns.title)),
        published=published,
        source=_optional(record.get(columns.source)),
        url=_optional(record.get(columns.url)),
        warnings=warnings,
    )
    return _checked(article, source)


def failed(error: InputError, article_id: str) -> InputError:
    """Name the unusable input by the id it would have had, so its error record is recognised on a re-run."""
    error.article_id = article_id  # type: ignore[attr-defined]
    return error
