"""`summarizer export`: extraction JSONL in (batch or summarize output, eval run files), flat tables out, one
row per event, claim or entity, as CSV or Parquet. Streamed: one line read, its rows written, the next
line; memory does not grow with the file (Parquet holds one row group per table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import InputError
from summarizer.export.lines import ErrorLine, Malformed, check_input, read_lines
from summarizer.export.sinks import Sink, check_parquet, open_sink, table_for

__all__ = ["ExportResult", "export"]

WARNINGS_SHOWN = 20  # malformed lines warned about one by one; the rest are counted


@dataclass
class ExportResult:
    records: int = 0  # exported, partial ones included
    partial: int = 0
    errors: int = 0  # error records, skipped
    malformed: int = 0  # lines that are no record, skipped with a warning
    sinks: list[Sink] = field(default_factory=list)


def export(inputs: list[str], to: list[Path], warn: Callable[[str, str], None]) -> ExportResult:
    """Every record of `inputs` into every table `to` names; the files are replaced only once all is written."""
    if not to:
        raise InputError("nothing to write: name the tables, e.g. --to events.csv --to claims.csv --to entities.csv")
    seen: set[Path] = set()
    for path in to:
        table_for(path)
        if path.resolve() in seen:
            raise InputError("named twice in --to", source=str(path))
        seen.add(path.resolve())
    if any(path.suffix.lower() == ".parquet" for path in to):
        check_parquet()
    for spec in inputs:
        check_input(spec)
        if spec != "-" and Path(spec).resolve() in seen:
            raise InputError("is both an input and a --to output", source=spec)
    result = ExportResult()
    try:
        for path in to:
            result.sinks.append(open_sink(path))
        lines = 0
        for spec in inputs:
            for item in read_lines(spec):
                lines += 1
                if isinstance(item, ErrorLine):
                    result.errors += 1
                elif isinstance(item, Malformed):
                    result.malformed += 1
                    if result.malformed <= WARNINGS_SHOWN:
                        warn(item.where, f"skipped: {item.reason}")
                    if result.malformed == WARNINGS_SHOWN:
                        warn(item.where, "further malformed lines are skipped and counted, not shown")
                else:
                    result.records += 1
                    result.partial += item.status == "partial"
                    for sink in result.sinks:
                        for row in sink.table.rows(item.record, item.status):
                            sink.write(row)
        if not lines:
            raise InputError("empty: no extraction records", source=", ".join("<stdin>" if s == "-" else s for s in inputs))
        for sink in result.sinks:
            sink.commit()
    except BaseException:
        for sink in result.sinks:
            sink.discard()
        raise
    return result
