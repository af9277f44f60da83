"""Reading articles: seeds-style .txt (` date YYYY-MM-DD <title>` header), plain .txt/.md, JSON/JSONL
records `{id, title, date, text}`, CSV/TSV rows and stdin. Readers yield `Article` or `InputError` values, so
one bad input never stops the others. `read_inputs` serves `summarize`; `stream_inputs` serves `batch`:
constant memory (JSONL, CSV and stdin are read line by line, directories walked lazily, globs expanded
lazily) and ids that are unique and stable across runs (given id, else path, else content hash)."""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from summarizer.errors import InputError

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl")
TABLE_SUFFIXES = (".csv", ".tsv")
BATCH_SUFFIXES = ARTICLE_SUFFIXES + TABLE_SUFFIXES
INPUT_FORMATS = ("jsonl", "json", "csv", "tsv", "text")
_BINARY_PROBE = 8192  # bytes looked at for NUL before streaming a dump (whole-read inputs are checked whole)
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


def _decode(raw: bytes, source: str, warnings: list[str]) -> str:
    if b"\x00" in raw:
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


def _failed(error: InputError, article_id: str) -> InputError:
    """Name the unusable input by the id it would have had, so its error record is recognised on a re-run."""
    error.article_id = article_id  # type: ignore[attr-defined]
    return error


def _decode_line(line: bytes, first: bool, warnings: list[str]) -> str:
    if first:
        line = line.removeprefix(b"\xef\xbb\xbf")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        warnings.append(f"not valid UTF-8 (byte {line[exc.start]:#04x} at column {exc.start}); undecodable bytes replaced")
        return line.decode("utf-8", errors="replace")


def _read_jsonl(lines: Iterable[bytes | str], name: str, id_base: str | None, columns: Columns = DEFAULT_COLUMNS) -> Iterator[Article | InputError]:
    """One record per line, read lazily; blank lines skipped. A record without an id is `<id_base>:<line>`,
    or, with no base (stdin), its content hash."""
    for lineno, line in enumerate(lines, 1):
        warnings: list[str] = []
        if isinstance(line, bytes):
            line = _decode_line(line, lineno == 1, warnings)
        if not line.strip():
            continue
        source = f"{name}:{lineno}"
        default_id = f"{id_base}:{lineno}" if id_base is not None else ""
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _failed(InputError(f"line is not JSON ({exc.msg})", source=source), default_id or source)
            continue
        try:
            article = article_from_record(record, default_id=default_id, source=source, columns=columns)
        except InputError as exc:
            yield _failed(exc, record_id(record, columns) or default_id or source)
            continue
        article.id = article.id or article.text_hash
        article.warnings[:0] = warnings
        yield article


def _probe_binary(handle: BinaryIO, source: str) -> None:
    if b"\x00" in handle.peek(_BINARY_PROBE)[:_BINARY_PROBE]:  # type: ignore[attr-defined]
        raise InputError("binary file, not text", source=source)


def _read_table(handle: Iterable[str], name: str, id_base: str, columns: Columns, delimiter: str) -> Iterator[Article | InputError]:
    """CSV/TSV rows as records, read lazily. Rows are numbered as in a spreadsheet (the header is row 1)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # articles are longer than csv's 128 KiB default
    reader = csv.DictReader(handle, delimiter=delimiter)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield _failed(InputError(f"not a valid table ({exc})", source=name), id_base)
        return
    if not header:
        yield _failed(InputError("empty table (no header row)", source=name), id_base)
        return
    if columns.text not in header:
        shown = ", ".join(repr(h) for h in header[:12])
        yield _failed(InputError(f"no {columns.text!r} column (columns: {shown}): name it with --text-column", source=name), id_base)
        return
    row = 1
    while True:
        row += 1
        source, default_id = f"{name}:{row}", f"{id_base}:{row}"
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _failed(InputError(f"row is not valid CSV ({exc})", source=source), default_id)
            continue
        try:
            yield article_from_record(record, default_id=default_id, source=source, columns=columns)
        except InputError as exc:
            yield _failed(exc, record_id(record, columns) or default_id)


def input_format(path: str | Path, forced: str | None = None) -> str:
    """How a file is read: `--input-format`, else its suffix (anything unknown is one text article)."""
    if forced:
        return forced
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}.get(suffix, "text")


def _read_file(path: Path, id_base: str | None = None, columns: Columns = DEFAULT_COLUMNS, fmt: str | None = None) -> Iterator[Article | InputError]:
    """Every article in one file. Ids default to the file's stem (`summarize`) or `id_base` (`batch`)."""
    name = str(path)
    base = path.stem if id_base is None else id_base
    kind = input_format(path, fmt)
    try:
        if kind in ("jsonl", "csv", "tsv"):  # streamed: a dump is never loaded whole
            with path.open("rb") as raw:
                _probe_binary(raw, name)  # type: ignore[arg-type]
                if kind == "jsonl":
                    yield from _read_jsonl(raw, name, base, columns)
                else:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")  # type: ignore[arg-type]
                    yield from _read_table(text, name, base, columns, "," if kind == "csv" else "\t")
            return
        raw_bytes = path.read_bytes()
    except OSError as exc:
        yield _failed(InputError(f"cannot read file ({exc.strerror})", source=name), base)
        return
    except InputError as exc:
        yield _failed(exc, base)
        return
    warnings: list[str] = []
    try:
        text = _decode(raw_bytes, name, warnings)
        if kind == "json":
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
            for i, record in enumerate(records, 1):
                default_id = base if len(records) == 1 else f"{base}:{i}"
                try:
                    yield article_from_record(record, default_id=default_id, source=name, columns=columns)
                except InputError as exc:
                    yield _failed(exc, record_id(record, columns) or default_id)
        else:
            yield article_from_text(text, default_id=base, source=name, warnings=warnings)
    except json.JSONDecodeError as exc:
        yield _failed(InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", source=name), base)
    except InputError as exc:
        yield _failed(exc, base)


def read_inputs(paths: Iterable[str]) -> Iterator[Article | InputError]:
    """Every article named by `paths` (files, directories, `-` for stdin), in order, errors included."""
    for spec in paths:
        if spec == "-":
            yield from _read_whole_stdin()
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


def _read_whole_stdin() -> Iterator[Article | InputError]:
    """stdin for `summarize`: JSONL when it starts with `{`, else one article. Read as bytes, so binary or
    non-UTF-8 input is one error or a warning, as for a file, not a decoding crash."""
    raw = sys.stdin.buffer.read()
    if raw.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        yield from _read_jsonl(raw.splitlines(), "<stdin>", "stdin")
    else:
        yield _stdin_article(raw, "stdin-")


def _stdin_article(raw: bytes, id_prefix: str) -> Article | InputError:
    """stdin as one text article, id'd by its text's hash, or the one error that makes it unusable."""
    warnings: list[str] = []
    try:
        article = article_from_text(_decode(raw, "<stdin>", warnings), default_id="", source="<stdin>", warnings=warnings)
    except InputError as exc:
        return _failed(exc, "<stdin>")
    article.id = id_prefix + article.text_hash[7:19] if id_prefix else article.text_hash
    return article


# --- batch: streamed inputs with stable ids ------------------------------------------------------------


def path_id(path: str | Path) -> str:
    """A file's id: its path relative to the working directory (absolute when outside it), so `dump`,
    `./dump/` and `$PWD/dump` name the same articles on every run."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return Path(absolute if relative.startswith("..") else relative).as_posix()


def _walk(root: str) -> Iterator[os.DirEntry[str]]:
    """Files under `root`, depth first in name order; one directory listing in memory at a time.
    Hidden entries (.git, .DS_Store) are skipped; symlinked directories are not followed."""
    with os.scandir(root) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry


def _is_glob(spec: str) -> bool:
    return any(c in spec for c in "*?[") and not os.path.exists(spec)


def _expand(spec: str) -> Iterator[tuple[str, InputError | None]]:
    """The files a path, directory or glob names, each with the error that makes it unusable, if any."""
    if _is_glob(spec):
        matched = False
        for match in glob.iglob(spec, recursive=True):
            if os.path.isdir(match):
                if "**" in spec:
                    continue  # `dump/**/*.txt`-style patterns list the files themselves
                yield from _expand(match)
            else:
                yield match, None
            matched = True
        if not matched:
            yield spec, InputError("no files match this pattern", source=spec)
    elif os.path.isdir(spec):
        try:
            for entry in _walk(spec):
                if entry.name.lower().endswith(BATCH_SUFFIXES):
                    yield entry.path, None
                else:
                    suffix = Path(entry.name).suffix or "no suffix"
                    yield entry.path, InputError(f"not an article file ({suffix}): batch reads {', '.join(BATCH_SUFFIXES)}", source=entry.path)
        except OSError as exc:
            yield spec, InputError(f"cannot list directory ({exc.strerror})", source=spec)
    elif os.path.isfile(spec):
        yield spec, None
    else:
        yield spec, InputError("no such file or directory", source=spec)


def _read_stdin(columns: Columns, fmt: str | None) -> Iterator[Article | InputError]:
    """JSONL (a first line starting with `{`), CSV/TSV with `--input-format`, else one text article."""
    stdin = sys.stdin.buffer
    head = [stdin.readline().removeprefix(b"\xef\xbb\xbf")]  # BOM off: a BOM then `{` is JSONL, as for `summarize -`
    while head[-1] and not head[-1].strip():
        head.append(stdin.readline())
    first = head[-1].lstrip()
    lines = _chain(head, stdin)
    if fmt == "jsonl" or (fmt is None and first.startswith(b"{")):
        yield from _read_jsonl(lines, "<stdin>", None, columns)
    elif fmt in ("csv", "tsv"):
        text = io.TextIOWrapper(io.BufferedReader(_LineStream(lines)), encoding="utf-8-sig", errors="replace", newline="")
        yield from _read_table(text, "<stdin>", "stdin", columns, "," if fmt == "csv" else "\t")
    else:
        yield _stdin_article(b"".join(lines), "")


def _chain(head: list[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from (line for line in head if line)
    yield from rest


class _LineStream(io.RawIOBase):
    """A readable stream over an iterator of byte lines (stdin after peeking at its first line)."""

    def __init__(self, lines: Iterator[bytes]):
        self.lines, self.pending = lines, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.pending:
            self.pending = next(self.lines, b"")
        n = min(len(buffer), len(self.pending))
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


def stream_inputs(specs: Iterable[str], *, columns: Columns = DEFAULT_COLUMNS, fmt: str | None = None) -> Iterator[Article | InputError]:
    """Every article named by `specs` (files, directories, globs, `-`), lazily, in constant memory. Ids are
    stable across runs: the record's own id, else the path (`path:line` for a JSONL line, `path:row` for a
    table row), else the content hash (stdin). Unusable inputs come as `InputError`s carrying `article_id`."""
    for spec in specs:
        if spec == "-":
            yield from _read_stdin(columns, fmt)
            continue
        for path, error in _expand(spec):
            if error is not None:
                yield _failed(error, path_id(path) if os.path.exists(path) else path)
            else:
                yield from _read_file(Path(path), path_id(path), columns, fmt)


def count_inputs(specs: Iterable[str], *, fmt: str | None = None) -> int | None:
    """How many items `stream_inputs` will yield, for a progress bar's total (None when it can't know:
    stdin). Quick: lines and rows are counted, not parsed."""
    total = 0
    for spec in specs:
        if spec == "-":
            return None
        for path, error in _expand(spec):
            kind = input_format(path, fmt)
            if error is not None or kind not in ("jsonl", "csv", "tsv"):
                total += 1
                continue
            try:
                with open(path, "rb") as raw:
                    if kind == "jsonl":
                        total += sum(1 for line in raw if line.strip())
                    else:
                        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
                        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
                        total += max(0, sum(1 for row in csv.reader(text, delimiter="," if kind == "csv" else "\t") if row) - 1)
            except (OSError, csv.Error):
                total += 1
    return total
