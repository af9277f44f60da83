"""Reading articles from where they are: a file (seeds-style .txt, plain .txt/.md, JSON, JSONL, CSV/TSV,
Parquet) or stdin. Readers yield `Article` or `InputError` values, so one bad input never stops the others, and stream:
JSONL, CSV and stdin are read line by line and Parquet in record batches, so a dump is never loaded whole. `stream_inputs` is the one
reader `summarize`, `batch` and `brief` use; ids follow the rule in `inputs`."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from summarizer.errors import InputError
from summarizer.io.articles import DEFAULT_COLUMNS, Article, Columns, article_from_record, article_from_text, failed, record_id
from summarizer.io.inputs import STDIN, expand_inputs, part_id, path_id
from summarizer.io.parts import PARQUET_EXTRA

INPUT_FORMATS = ("jsonl", "json", "csv", "tsv", "parquet", "text")
_BINARY_PROBE = 8192  # bytes looked at for NUL before streaming a dump (whole-read inputs are checked whole)
PARQUET_BATCH = 1024  # Parquet rows decoded at once: a row group can be far larger than memory wants


def _decode(raw: bytes, source: str, warnings: list[str]) -> str:
    if b"\x00" in raw:
        raise InputError("binary file, not text", source=source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(f"not valid UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); undecodable bytes replaced")
        return raw.decode("utf-8", errors="replace")


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
        default_id = part_id(id_base, lineno) if id_base is not None else ""
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield failed(InputError(f"line is not JSON ({exc.msg})", source=source), default_id or source)
            continue
        try:
            article = article_from_record(record, default_id=default_id, source=source, columns=columns)
        except InputError as exc:
            yield failed(exc, record_id(record, columns) or default_id or source)
            continue
        article.id = article.id or article.text_hash
        article.warnings[:0] = warnings
        yield article


def _probe_binary(handle: BinaryIO, source: str) -> None:
    if b"\x00" in handle.peek(_BINARY_PROBE)[:_BINARY_PROBE]:  # type: ignore[attr-defined]
        raise InputError("binary file, not text", source=source)


def _record(record: object, default_id: str, source: str, columns: Columns) -> Article | InputError:
    """One record of a table or JSON file as an article, or its error named by the id it would have had."""
    try:
        return article_from_record(record, default_id=default_id, source=source, columns=columns)
    except InputError as exc:
        return failed(exc, record_id(record, columns) or default_id)


def _no_text_column(header: list[str], name: str, id_base: str, columns: Columns) -> InputError | None:
    """A table (CSV/TSV, Parquet) without the text column is one error for the whole file."""
    if columns.text in header:
        return None
    shown = ", ".join(repr(h) for h in header[:12])
    return failed(InputError(f"no {columns.text!r} column (columns: {shown}): name it with --text-column", source=name), id_base)


def _read_table(handle: Iterable[str], name: str, id_base: str, columns: Columns, delimiter: str) -> Iterator[Article | InputError]:
    """CSV/TSV rows as records, read lazily. Rows are numbered as in a spreadsheet (the header is row 1)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # articles are longer than csv's 128 KiB default
    reader = csv.DictReader(handle, delimiter=delimiter)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield failed(InputError(f"not a valid table ({exc})", source=name), id_base)
        return
    if not header:
        yield failed(InputError("empty table (no header row)", source=name), id_base)
        return
    if (missing := _no_text_column(header, name, id_base, columns)) is not None:
        yield missing
        return
    row = 1
    while True:
        row += 1
        source, default_id = f"{name}:{row}", part_id(id_base, row)
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield failed(InputError(f"row is not valid CSV ({exc})", source=source), default_id)
            continue
        yield _record(record, default_id, source, columns)


def input_format(path: str | Path, forced: str | None = None) -> str:
    """How a file is read: `--input-format`, else its suffix (anything unknown is one text article)."""
    if forced:
        return forced
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}.get(suffix, "text")


def _read_parquet(path: Path, name: str, base: str, columns: Columns) -> Iterator[Article | InputError]:
    """A Parquet file's rows as records (`<path>:<row>`, rows from 1); no text column is one error, as in CSV."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield failed(InputError(f"reading Parquet needs pyarrow: {PARQUET_EXTRA}", source=name), base)
        return
    try:
        table = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        yield failed(InputError(f"not a readable Parquet file ({' '.join(str(exc).split())[:200]})", source=name), base)
        return
    if (missing := _no_text_column(table.schema_arrow.names, name, base, columns)) is not None:
        yield missing
        return
    rows = (record for batch in table.iter_batches(batch_size=PARQUET_BATCH) for record in batch.to_pylist())
    for n, record in enumerate(rows, 1):
        yield _record(record, part_id(base, n), f"{name}:{n}", columns)


def read_file(path: Path, columns: Columns = DEFAULT_COLUMNS, fmt: str | None = None) -> Iterator[Article | InputError]:
    """Every article in one file; a record without an id of its own is named by the file's `path_id`."""
    name = str(path)
    base = path_id(path)
    kind = input_format(path, fmt)
    if kind == "parquet":
        yield from _read_parquet(path, name, base, columns)
        return
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
        yield failed(InputError(f"cannot read file ({exc.strerror})", source=name), base)
        return
    except InputError as exc:
        yield failed(exc, base)
        return
    warnings: list[str] = []
    try:
        text = _decode(raw_bytes, name, warnings)
        if kind == "json":
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
            for i, record in enumerate(records, 1):
                yield _record(record, base if len(records) == 1 else part_id(base, i), name, columns)
        else:
            yield article_from_text(text, default_id=base, source=name, warnings=warnings)
    except json.JSONDecodeError as exc:
        yield failed(InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", source=name), base)
    except InputError as exc:
        yield failed(exc, base)


def read_stdin(columns: Columns = DEFAULT_COLUMNS, fmt: str | None = None) -> Iterator[Article | InputError]:
    """JSONL (a first line starting with `{`), CSV/TSV with `--input-format`, else one text article; nothing
    at all when stdin is empty (or only blank lines). Read as bytes, so binary or non-UTF-8 input is one
    error or a warning, as for a file, not a decoding crash."""
    stdin = sys.stdin.buffer
    head = [stdin.readline().removeprefix(b"\xef\xbb\xbf")]  # BOM off: a BOM then `{` is JSONL, as for `summarize -`
    while head[-1] and not head[-1].strip():
        head.append(stdin.readline())
    first = head[-1].lstrip()
    if not first:
        return
    lines = _chain(head, stdin)
    if fmt == "jsonl" or (fmt is None and first.startswith(b"{")):
        yield from _read_jsonl(lines, "<stdin>", None, columns)
    elif fmt in ("csv", "tsv"):
        text = io.TextIOWrapper(io.BufferedReader(_LineStream(lines)), encoding="utf-8-sig", errors="replace", newline="")
        yield from _read_table(text, "<stdin>", "stdin", columns, "," if fmt == "csv" else "\t")
    else:
        yield _stdin_article(b"".join(lines))


def _stdin_article(raw: bytes) -> Article | InputError:
    """stdin as one text article, id'd by its text's hash, or the one error that makes it unusable."""
    warnings: list[str] = []
    try:
        article = article_from_text(_decode(raw, "<stdin>", warnings), default_id="", source="<stdin>", warnings=warnings)
    except InputError as exc:
        return failed(exc, "<stdin>")
    article.id = article.text_hash
    return article


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
    """Every article named by `specs` (files, directories, globs, `-`), lazily, in constant memory, with ids
    by the rule in `inputs`. Unusable inputs come as `InputError`s carrying `article_id`; an empty dump or
    stdin yields nothing (`inputs.no_articles` is the line to give then)."""
    for item in expand_inputs(specs):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_input(item, columns, fmt)


def read_input(path: str, columns: Columns = DEFAULT_COLUMNS, fmt: str | None = None) -> Iterator[Article | InputError]:
    """The articles in one file `expand_inputs` named, or in stdin for `-`."""
    return read_stdin(columns, fmt) if path == STDIN else read_file(Path(path), columns, fmt)


def count_inputs(specs: Iterable[str], *, fmt: str | None = None) -> int | None:
    """How many items `stream_inputs` will yield, for a progress bar's total (None when it can't know:
    stdin). Quick: lines and rows are counted, not parsed."""
    total = 0
    for path in expand_inputs(specs):
        if path == STDIN:
            return None
        kind = None if isinstance(path, InputError) else input_format(path, fmt)
        if kind == "parquet":
            total += _parquet_rows(path)
            continue
        if isinstance(path, InputError) or kind not in ("jsonl", "csv", "tsv"):
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


def _parquet_rows(path: str) -> int:
    """Rows in a Parquet file, from its footer (1 for a file that will be one error record)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        return max(1, pq.ParquetFile(path).metadata.num_rows)
    except (ImportError, OSError, pa.ArrowException):
        return 1
