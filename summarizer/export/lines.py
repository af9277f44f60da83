"""Reading extraction JSONL (what `batch` and `summarize` write, or an eval run file) line by line, in
constant memory: each line is a record (complete or partial), an error record, or malformed. A file whose
first line is no record at all (not JSON, binary, a dump of articles) is refused as a whole. A directory is
read as `batch --engine ray` output: its part files (JSONL or Parquet) in order."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.io.parts import part_files, part_lines
from summarizer.schema import ArticleExtraction


@dataclass
class Record:
    record: ArticleExtraction
    status: str = "ok"  # or "partial": an events or claims answer stayed invalid, those items are missing
    missing: list[str] = field(default_factory=list)


@dataclass
class ErrorLine:
    where: str


@dataclass
class Malformed:
    where: str
    reason: str


Line = Record | ErrorLine | Malformed


def check_input(spec: str) -> None:
    """Fail early, before any output is opened: a file that is missing or not a file."""
    if spec == "-":
        return
    path = Path(spec)
    if not path.exists():
        raise InputError("no such file", source=spec)
    if path.is_dir() and not part_files(path):
        raise InputError("a directory without part files: export reads a JSONL of extraction records (what `batch` writes) or the directory `batch --engine ray` writes", source=spec)
    if not path.is_file() and not path.is_dir():
        raise InputError("not a file: export reads a JSONL of extraction records (what `batch` writes)", source=spec)


def _open(spec: str) -> IO[bytes]:
    if spec == "-":
        return sys.stdin.buffer
    try:
        return gzip.open(spec, "rb") if spec.endswith(".gz") else open(spec, "rb")  # noqa: SIM115 - closed by read_lines
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=spec) from exc


def _extraction(line: dict[str, Any]) -> dict[str, Any] | None:
    if "article" in line and "provenance" in line:
        return line
    nested = line.get("extraction")  # an eval run line: {"fixture_id", "status", "extraction": {...}}
    return nested if isinstance(nested, dict) and "article" in nested else None


def parse(raw: bytes, where: str) -> Line:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Malformed(where, "not UTF-8 text")
    if "\0" in text:
        return Malformed(where, "binary data (a NUL byte)")
    try:
        line = json.loads(text)
    except json.JSONDecodeError as exc:
        return Malformed(where, f"not JSON ({exc.msg})")
    if not isinstance(line, dict):
        return Malformed(where, f"a JSON {type(line).__name__}, not an extraction record")
    if line.get("status") == "error":
        return ErrorLine(where)
    data = _extraction(line)
    if data is None:
        reason = "an article (id, text), not an extraction record: run `summarizer batch` on it first" if "text" in line else "not an extraction record (no article/provenance)"
        return Malformed(where, reason)
    try:
        record = ArticleExtraction.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        return Malformed(where, f"invalid extraction record ({'.'.join(map(str, first['loc']))}: {first['msg']})")
    if line.get("status") == "partial":
        missing = line.get("missing")
        return Record(record, "partial", [str(m) for m in missing] if isinstance(missing, list) else [])
    return Record(record)


def read_lines(spec: str) -> Iterator[Line]:
    """Every non-blank line of one input, in order (of a Ray output directory, of each part in turn). The
    first one must be a record or an error record, else the input is no extraction JSONL (InputError); later
    bad lines come back as Malformed."""
    if spec != "-" and Path(spec).is_dir():
        for part in part_files(Path(spec)):
            yield from _read_lines(part_lines(part), str(part))
        return
    handle = _open(spec)
    try:
        yield from _read_lines(handle, "<stdin>" if spec == "-" else spec)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _read_lines(handle: Iterable[bytes], name: str) -> Iterator[Line]:
    first = True
    try:
        for lineno, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            item = parse(raw, f"{name}:{lineno}")
            if first and isinstance(item, Malformed) and not item.reason.startswith("invalid extraction record"):
                raise InputError(f"not a JSONL of extraction records (what `batch` writes): line {lineno} is {item.reason}", source=name)
            first = False
            yield item
    except (OSError, EOFError) as exc:  # a gzip file that is not gzip or cut short, a read error
        raise InputError(f"cannot read file ({exc.strerror or exc})", source=name) from exc
