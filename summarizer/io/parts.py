"""The part files `summarizer batch --engine ray` writes to its --out directory, read without Ray: the names
(`part-<run>-<task>.jsonl` or `.parquet`) and each part's records, each the line the live batch would write
(a Parquet part keeps it in its `record` column). `export` reads a Ray output directory through these."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

PARQUET_EXTRA = 'pip install -e ".[parquet]"'
PART = re.compile(r"^part-(\d{4})-[\w]+\.(jsonl|parquet)$")


def part_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if PART.match(p.name)) if out.is_dir() else []


def run_of(path: Path) -> int:
    match = PART.match(path.name)
    return int(match.group(1)) if match else 0


def part_lines(path: Path) -> Iterator[bytes]:
    """A part's records as UTF-8 lines (no newline), a JSONL part streamed, a Parquet part by row group."""
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            yield from (line.rstrip(b"\n") for line in handle)
        return
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise OSError(f"reading Parquet needs pyarrow: {PARQUET_EXTRA}") from None
    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowException as exc:  # a part cut by a kill (`batch --resume` sets those aside)
        raise OSError(f"not a readable Parquet part ({' '.join(str(exc).split())[:200]})") from None
    for group in range(parquet.num_row_groups):
        yield from (line.encode("utf-8", "surrogatepass") for line in parquet.read_row_group(group, columns=["record"]).column("record").to_pylist())
