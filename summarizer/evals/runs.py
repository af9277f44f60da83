"""Run files: what a live eval got from the model, one JSON line per fixture, so scoring can be redone
offline (`--replay`) with zero model calls.

    {"fixture_id": ..., "status": "ok" | "error", "backend": ..., "schema_version": ...,
     "extraction": {ArticleExtraction} | null, "error": {"type", "message"} | null,
     "timings": {"started_at": ISO time, "latency_s": seconds},
     "answers": [{"window", "kind", "sentences", "answer": {validated answer} | null, "dropped"}, ...]}

`error` is the error object of a batch's error record too (batch/output.py): one shape for every failed line.
`answers` (the model's answers the record was made from, summarizer/answers.py) lets `--rules` re-make the
record under other post-processing steps; runs made before it have none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, TextIO

from pydantic import BaseModel, ValidationError

from summarizer.extraction.answers import StepAnswer
from summarizer.errors import FixtureError
from summarizer.schema import SCHEMA_VERSION, ArticleExtraction
from summarizer.evals.fixtures import Fixture


class RunError(BaseModel):
    type: str
    message: str


class Timings(BaseModel):
    started_at: datetime | None = None
    latency_s: float = 0.0


class RunLine(BaseModel):
    fixture_id: str
    status: Literal["ok", "error"]
    backend: str = ""
    schema_version: str = SCHEMA_VERSION
    extraction: ArticleExtraction | None = None
    error: RunError | None = None
    timings: Timings = Timings()
    answers: list[StepAnswer] | None = None


def ok_line(
    fixture_id: str, extraction: ArticleExtraction, started_at: datetime, latency_s: float, answers: list[StepAnswer] | None = None
) -> RunLine:
    return RunLine(
        fixture_id=fixture_id,
        status="ok",
        backend=extraction.provenance.backend,
        extraction=extraction,
        timings=Timings(started_at=started_at, latency_s=round(latency_s, 3)),
        answers=answers,
    )


def error_line(fixture_id: str, backend: str, exc: Exception, started_at: datetime, latency_s: float) -> RunLine:
    message = exc.one_line() if hasattr(exc, "one_line") else str(exc)
    return RunLine(
        fixture_id=fixture_id,
        status="error",
        backend=backend,
        error=RunError(type=type(exc).__name__, message=message),
        timings=Timings(started_at=started_at, latency_s=round(latency_s, 3)),
    )


def default_run_path() -> Path:
    return Path("runs") / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}.jsonl"


@contextmanager
def run_writer(path: Path) -> Iterator[TextIO]:
    """Lines are flushed one by one: an interrupted live eval keeps what it already paid for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot write run file ({exc.strerror})", source=str(path)) from None
    with handle:
        yield handle


def write_line(sink: TextIO, line: RunLine) -> None:
    sink.write(line.model_dump_json(exclude_none=True) + "\n")
    sink.flush()


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    path: Path
    lines: dict[str, RunLine] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one line each, reported, never fatal


def read_run(path: Path) -> Run:
    """Every line of a run file by fixture id. A run written under another schema version is refused: its
    records are not the records this version scores."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"cannot read run file ({getattr(exc, 'strerror', None) or exc})", source=str(path)) from None
    run = Run(path)
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            _add_line(run, number, raw)
    if not run.lines:
        first = run.problems[0].removeprefix(f"{path}:").removesuffix("; line skipped") if run.problems else ""
        reason = f"not a run file (line {first})" if first else "run file is empty"
        raise FixtureError(reason, source=str(path))
    return run


def _add_line(run: Run, number: int, raw: str) -> None:
    where = f"{run.path}:{number}"
    try:  # the common case in one step: pydantic's JSON parser validates as it parses
        line = RunLine.model_validate_json(raw)
    except ValidationError:
        line = _diagnosed(run, where, raw)
    if line is None:
        return
    if line.schema_version != SCHEMA_VERSION:
        raise _version_error(line.schema_version, where)
    if line.fixture_id in run.lines:
        run.problems.append(f"{where}: second line for fixture {line.fixture_id!r}; the later one is used")
    run.lines[line.fixture_id] = line


def _diagnosed(run: Run, where: str, raw: str) -> RunLine | None:
    """A line that did not validate: not JSON or no fixture id (skipped, reported), another schema version
    (refused), or a record that no longer validates (scored as a schema-invalid answer, not a crash)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        run.problems.append(f"{where}: not JSON ({exc.msg}); line skipped")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("fixture_id"), str):
        run.problems.append(f"{where}: not a run line (no fixture_id); line skipped")
        return None
    if data.get("schema_version") != SCHEMA_VERSION:
        raise _version_error(data.get("schema_version"), where)
    try:
        return RunLine.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return RunLine(
            fixture_id=data["fixture_id"],
            status="error",
            backend=str(data.get("backend", "")),
            error=RunError(type="SchemaError", message=f"{where}: {loc}: {first['msg']}"),
        )


def _version_error(version: object, where: str) -> FixtureError:
    return FixtureError(
        f"run was made with schema version {version!r} and this summarizer scores version {SCHEMA_VERSION!r}: "
        "its records can't be read as today's; make a new run with a live eval (--save-run)",
        source=where,
    )


def pair_with(fixtures: list[Fixture], run: Run) -> tuple[list[tuple[Fixture, RunLine]], list[str]]:
    """Fixtures with their run lines, and a message for every fixture without a line and every line
    without a fixture (fixtures added or removed since the run)."""
    pairs = [(f, run.lines[f.id]) for f in fixtures if f.id in run.lines]
    known = {f.id for f in fixtures}
    notes = [f"{f.path}: no line for fixture {f.id!r} in {run.path}; not scored" for f in fixtures if f.id not in run.lines]
    notes += [f"{run.path}: line for fixture {fid!r}, which no longer exists; ignored" for fid in run.lines if fid not in known]
    notes += [
        f"{f.path}: the article text changed since the run; sentence numbers may not line up"
        for f, line in pairs
        if line.extraction and line.extraction.article.text_hash != f.article.text_hash
    ]
    return pairs, notes


def now() -> datetime:
    return datetime.now(timezone.utc)
