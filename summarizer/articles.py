"""Reading articles: seeds-style .txt (` date YYYY-MM-DD <title>` header), plain .txt/.md, JSON/JSONL
records `{id, title, date, text}` and stdin. Readers yield `Article` or `InputError` values, so one bad
input never stops the others."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import InputError

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl")
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
    if len(article.text.split()) < MIN_WORDS:
        raise InputError(f"not an article: only {len(article.text.split())} words", source=source)
    return article


def _decode(raw: bytes, source: str, warnings: list[str]) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError("binary file, not text", source=source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(f"not valid UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); undecodable bytes replaced")
        return raw.decode("utf-8", errors="replace")


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


def article_from_record(record: object, *, default_id: str, source: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"record is {type(record).__name__}, expected an object with 'text'", source=source)
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("record has no 'text' string", source=source)
    warnings = []
    published = parse_date(record["date"]) if record.get("date") else None
    if record.get("date") and published is None:
        warnings.append(f"unparseable date {record['date']!r}: relative dates stay unresolved")
    article = Article(
        id=str(record.get("id") or default_id),
        text=text,
        title=record.get("title"),
        published=published,
        source=record.get("source"),
        url=record.get("url"),
        warnings=warnings,
    )
    return _checked(article, source)


def _read_jsonl(lines: Iterable[str], name: str, stem: str) -> Iterator[Article | InputError]:
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        source = f"{name}:{lineno}"
        try:
            yield article_from_record(json.loads(line), default_id=f"{stem}:{lineno}", source=source)
        except json.JSONDecodeError as exc:
            yield InputError(f"line is not JSON ({exc.msg})", source=source)
        except InputError as exc:
            yield exc


def _read_file(path: Path) -> Iterator[Article | InputError]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield InputError(f"cannot read file ({exc.strerror})", source=name)
        return
    warnings: list[str] = []
    try:
        text = _decode(raw, name, warnings)
        if path.suffix == ".jsonl":
            yield from _read_jsonl(text.splitlines(), name, path.stem)
        elif path.suffix == ".json":
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
            for i, record in enumerate(records, 1):
                try:
                    default_id = path.stem if len(records) == 1 else f"{path.stem}:{i}"
                    yield article_from_record(record, default_id=default_id, source=name)
                except InputError as exc:
                    yield exc
        else:
            yield article_from_text(text, default_id=path.stem, source=name, warnings=warnings)
    except json.JSONDecodeError as exc:
        yield InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", source=name)
    except InputError as exc:
        yield exc


def read_inputs(paths: Iterable[str]) -> Iterator[Article | InputError]:
    """Every article named by `paths` (files, directories, `-` for stdin), in order, errors included."""
    for spec in paths:
        if spec == "-":
            text = sys.stdin.read()
            if text.lstrip().startswith("{"):
                yield from _read_jsonl(text.splitlines(), "<stdin>", "stdin")
            else:
                try:
                    yield article_from_text(text, default_id="stdin-" + text_hash(text)[7:19], source="<stdin>")
                except InputError as exc:
                    yield exc
            continue
        path = Path(spec)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in ARTICLE_SUFFIXES)
            if not files:
                yield InputError(f"directory has no articles ({', '.join(ARTICLE_SUFFIXES)})", source=spec)
            for file in files:
                yield from _read_file(file)
        elif path.is_file():
            yield from _read_file(path)
        else:
            yield InputError("no such file or directory", source=spec)
