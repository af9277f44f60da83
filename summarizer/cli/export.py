"""`summarizer export`: extraction JSONL in, flat tables (CSV, or Parquet with the `parquet` extra) out; the
work is summarizer.export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.errors import SummarizerError
from summarizer.io.console import report, stderr, warn


def export(
    paths: Annotated[list[str], typer.Argument(help="JSONL of extraction records: what `batch` writes (one line each), or an eval run file (.gz too); the directory `batch --engine ray` writes (JSONL or Parquet parts); - for stdin.")],
    to: Annotated[
        list[Path],
        typer.Option("--to", "-t", help="A table to write, repeatable: the name picks the table (events, claims, entities; or ending in _events, ...), the suffix the format (.csv, .parquet)."),
    ],
) -> None:
    """Flat tables for pandas, DuckDB or a spreadsheet: one row per event, claim or entity.

    Every row carries the article id and published date, the record's status (ok or partial) and its
    provenance (model, backend, prompt version); events and claims carry their sentence numbers and
    evidence offsets into the article text. In CSV a list cell is its items joined with `|`; in Parquet it
    is a list column. Error records are skipped and counted; a malformed line is skipped with a warning
    naming file:line. Streamed in constant memory. Exit code: 0, 2 bad input, 3 cannot write (or .parquet
    without pyarrow).

    Examples:

        summarizer export out.jsonl --to events.csv --to claims.csv --to entities.csv

        summarizer export out.jsonl --to events.parquet --to claims.parquet
    """
    from summarizer.export import export as run_export

    try:
        result = run_export(paths, to, warn)
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    partial = f" ({result.partial:,} partial)" if result.partial else ""
    tables = ", ".join(f"{s.rows:,} {s.table.name} -> {s.path}" for s in result.sinks)
    skipped = f"; skipped {result.errors:,} error record{'s' * (result.errors != 1)}"
    if result.malformed:
        skipped += f" and {result.malformed:,} malformed line{'s' * (result.malformed != 1)}"
    stderr.print(f"exported {result.records:,} record{'s' * (result.records != 1)}{partial}: {tables}{skipped}", markup=False, highlight=False, soft_wrap=True)
