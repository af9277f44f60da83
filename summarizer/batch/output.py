"""The output file of a batch: one JSONL line per input, appended by one `write` each.

Every input gets exactly one line: its `ArticleExtraction`, or an error record
`{"id", "status": "error", "error": {"type", "message"}, "attempts", "source"}`: the error object of an eval
run line (evals/runs.py) and of OpenAI's API. Lines written before that shape had `error_type` and `message`
at the top level; every reader goes by `status` and the id, so those files resume and export as before. Lines are appended with one
`write` each, so a kill -9 loses at most the calls in flight (and leaves at most a partial last line, cut
off by the next `--resume`). `--resume` reads the output back and skips every id already in it;
`--retry-errors` first drops the error records, and the partial ones (an events or claims answer that
stayed invalid: `"status": "partial"`), so those inputs are tried again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigError, OutputError, SummarizerError
from summarizer.schema import ArticleExtraction

# provenance.dropped counts a whole events or claims call whose answer stayed invalid (pipeline's `recover`):
# the record lacks those items, so its line is marked partial.
PARTIAL_COUNTS = {"events": "invalid_events_answers", "claims": "invalid_claims_answers"}


def line_identity(line: bytes | str) -> tuple[str | None, bool]:
    """(id, redo) of one output line, `redo` for an error or partial record (--retry-errors redoes them);
    (None, False) when it is not one of ours."""
    try:
        data = json.loads(line)
    except ValueError:
        return None, False
    if not isinstance(data, dict):
        return None, False
    if data.get("status") == "error":
        return _str_or_none(data.get("id")), True
    article = data.get("article")
    return (_str_or_none(article.get("id")), data.get("status") == "partial") if isinstance(article, dict) else (None, False)


def missing_parts(record: ArticleExtraction) -> list[str]:
    """The parts (events, claims) a record lacks because a whole call's answer stayed invalid."""
    return [part for part, count in PARTIAL_COUNTS.items() if record.provenance.dropped.get(count)]


def extraction_line(record: ArticleExtraction) -> tuple[str, list[str]]:
    """A record's output line and the parts it lacks; a record lacking some is marked partial."""
    line, missing = record.model_dump_json(), missing_parts(record)
    if missing:
        line = json.dumps({"status": "partial", "missing": missing, **json.loads(line)}, ensure_ascii=False)
    return line, missing


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


class OutputLog:
    """The output JSONL, owned by one process at a time (an exclusive lock on it). Each line goes out in
    one `os.write` on an O_APPEND descriptor: nothing is buffered in the process, so a kill -9 loses only
    what was in flight."""

    def __init__(self, path: Path, *, resume: bool, retry_errors: bool, overwrite: bool):
        self.path = path
        self.done: set[str] = set()  # ids that have a whole extraction
        self.failed: set[str] = set()  # ids that have only an error or partial record
        self.lines = 0  # lines in the file
        self.cut_bytes = 0  # a partial last line (killed mid-write) removed on resume
        self.unreadable = 0  # complete lines that are not ours (left alone)
        self.retrying = 0  # error records dropped for --retry-errors
        if path.is_dir():
            raise ConfigError("is a directory: --out takes a file", source=str(path))
        existing = path.exists() and path.stat().st_size > 0
        if existing and not (resume or overwrite):
            raise ConfigError(f"{path} exists: pass --resume to add only what is missing, or --overwrite to start over")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = self._open_locked(truncate=overwrite)
        except OSError as exc:
            raise OutputError(f"cannot write output ({exc.strerror})", source=str(path)) from exc
        if existing and resume:
            self._scan()
            if retry_errors and self.failed:
                self._drop_error_records()

    def _open_locked(self, truncate: bool = False) -> int:
        """Truncated (--overwrite) only once the lock is held: a refused writer leaves the file as it was."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(f"another batch is writing {self.path}: wait for it, or choose another --out") from None
        if truncate:
            os.ftruncate(fd, 0)
        return fd

    def _scan(self) -> None:
        offset = 0
        with self.path.open("rb") as lines:
            for line in lines:
                if not line.endswith(b"\n"):
                    ident, _ = line_identity(line)
                    if ident is None:  # killed mid-write: cut it off, its article is redone
                        os.truncate(self.path, offset)
                        self.cut_bytes = len(line)
                        break
                    os.write(self.fd, b"\n")  # a complete record someone saved without the final newline
                offset += len(line)
                if not line.strip():
                    continue
                self.lines += 1
                ident, failed = line_identity(line)
                if ident is None:
                    self.unreadable += 1
                elif failed:
                    if ident not in self.done:
                        self.failed.add(ident)
                else:
                    self.done.add(ident)
                    self.failed.discard(ident)

    def _drop_error_records(self) -> None:
        """--retry-errors: rewrite the file without the error records (atomically: a temp file renamed over)."""
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        kept = 0
        try:
            with self.path.open("rb") as source, temp.open("wb") as target:
                for line in source:
                    ident, failed = line_identity(line)
                    if failed and ident in self.failed:
                        continue
                    target.write(line)
                    kept += 1
                target.flush()
                os.fsync(target.fileno())
            os.replace(temp, self.path)
        except OSError as exc:  # the output is untouched: only the copy failed
            temp.unlink(missing_ok=True)
            raise OutputError(f"cannot rewrite the output without its error records ({exc.strerror})", source=str(self.path)) from exc
        os.close(self.fd)
        self.fd = self._open_locked()
        self.retrying, self.lines = len(self.failed), kept
        self.failed = set()

    def has(self, article_id: str, *, retry_errors: bool = False) -> bool:
        return article_id in self.done or (not retry_errors and article_id in self.failed)

    def write(self, line: str) -> None:
        """Appends one line, or raises OutputError with the file as it was: a partial line (disk full
        mid-write) is cut off again, so a later --resume finds whole lines only."""
        data = (line + "\n").encode("utf-8", "surrogatepass")
        start = os.lseek(self.fd, 0, os.SEEK_END)
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError as exc:
            with contextlib.suppress(OSError):  # if even this fails, --resume cuts the partial line
                os.ftruncate(self.fd, start)
            raise OutputError(f"cannot write the output ({exc.strerror})", source=str(self.path)) from exc
        self.lines += 1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # also releases the lock
            self.fd = -1


def error_record(article_id: str, error: BaseException, attempts: int | None) -> dict[str, Any]:
    if isinstance(error, SummarizerError):
        message = error.one_line()
    else:  # a bug on one article's path: recorded, and the batch goes on
        message = f"internal error: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
    return {
        "id": article_id,
        "status": "error",
        "error": {"type": type(error).__name__, "message": message},
        "attempts": attempts,
        "source": getattr(error, "source", None),
    }


def error_line(article_id: str, error: BaseException, attempts: int | None) -> str:
    """The error record's output line, as the live batch writes it."""
    return json.dumps(error_record(article_id, error, attempts), ensure_ascii=False)


def manifest_path(out: Path) -> Path:
    """`structured.jsonl` -> `structured.manifest.json`, beside it."""
    return out.with_name((out.stem if out.suffix else out.name) + ".manifest.json")
