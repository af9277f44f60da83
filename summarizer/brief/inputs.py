"""What a briefing is built from: extraction records (from a JSONL of batch output or eval runs, or from
articles extracted on the way), each with its article text when known, numbered in the order it is cited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.brief.models import Skipped
from summarizer.errors import InputError, SummarizerError
from summarizer.schema import ArticleExtraction


@dataclass
class BriefInput:
    """One article's extraction, with its text when known (article files; not always batch output)."""

    record: ArticleExtraction
    text: str | None = None
    origin: str | None = None


def is_extraction_jsonl(path: Path) -> bool:
    """A JSONL file of extraction records (batch output, eval runs) rather than of articles."""
    if path.suffix != ".jsonl" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    first = json.loads(line)
                    return isinstance(first, dict) and ("status" in first or _extraction_dict(first) is not None)
    except (OSError, json.JSONDecodeError):
        return False
    return False


def _extraction_dict(line: dict[str, Any]) -> dict[str, Any] | None:
    if "article" in line and "provenance" in line:
        return line
    for key in ("extraction", "record", "result"):
        if isinstance(line.get(key), dict):
            return _extraction_dict(line[key])
    return None


def _line_name(line: dict[str, Any], fallback: str) -> str:
    for key in ("source", "input", "path", "id", "article_id", "fixture_id"):
        if isinstance(line.get(key), str) and line[key]:
            return line[key]
    return fallback


def _error_reason(line: dict[str, Any]) -> str:
    """`{"error_type", "message"}` (batch), `{"error": {"type", "message"}}` (eval runs) or `{"error": "..."}`."""
    error, kind = line.get("error"), line.get("error_type")
    if isinstance(error, dict):
        kind, error = kind or error.get("type"), error.get("message") or error.get("reason")
    message = " ".join(str(error or line.get("message") or line.get("reason") or "marked as an error, no reason given").split())
    return f"{message} ({kind})" if kind else message


def read_extractions(path: Path) -> tuple[list[BriefInput], list[Skipped]]:
    """Extraction records from a JSONL file: error lines and unreadable lines come back as skipped, with the
    reason; no model calls."""
    inputs: list[BriefInput] = []
    skipped: list[Skipped] = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from exc
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(source=where, reason=f"line is not JSON ({exc.msg})"))
            continue
        if not isinstance(line, dict):
            skipped.append(Skipped(source=where, reason=f"line is {type(line).__name__}, not an extraction record"))
            continue
        if line.get("status") == "error":
            name = _line_name(line, where)
            skipped.append(Skipped(source=name, reason=_error_reason(line).removeprefix(f"{name}: ")))
            continue
        data = _extraction_dict(line)
        if data is None:
            skipped.append(Skipped(source=_line_name(line, where), reason="not an extraction record (no article/provenance)"))
            continue
        try:
            record = ArticleExtraction.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            skipped.append(Skipped(source=_line_name(line, where), reason=f"invalid extraction record ({field}: {first['msg']})"))
            continue
        text = line.get("text") if isinstance(line.get("text"), str) else None
        inputs.append(BriefInput(record, text or _text_from_source(record), origin=where))
    return inputs, skipped


def _text_from_source(record: ArticleExtraction) -> str | None:
    """The article's text, when its id or source names a readable file with the same text hash (batch
    records of article files); else None, and the page shows the cited sentences only."""
    from summarizer.io.readers import stream_inputs as read_inputs

    for candidate in (record.article.id, record.article.source):
        if candidate and Path(candidate).is_file():
            for item in read_inputs([candidate]):
                if not isinstance(item, SummarizerError) and item.text_hash == record.article.text_hash:
                    return item.text
    return None


@dataclass
class Source:
    """One input as the briefing cites it: source [n], numbered in publication order."""

    n: int
    input: BriefInput

    @property
    def record(self) -> ArticleExtraction:
        return self.input.record
