"""The output of a Ray batch: a directory of part files plus the manifest beside it. Each record is exactly
the line the live batch writes (an `ArticleExtraction`, partial or not, or an error record): a JSONL part
holds the lines, a Parquet part (`--out DIR.parquet`) one row per record with `id`, `status` (ok, partial,
error) and `record`, that line, for DuckDB, Spark or pandas to query.

Exactly one record per input id, across Ray's retries and `--resume`:
- part names are deterministic, `part-<run>-<write task>.<jsonl|parquet>`: a write task Ray re-runs (its
  worker died) rewrites its own file instead of adding a second copy of its rows;
- a run's number is one more than any in the directory, so a later run never overwrites an earlier one;
- `--resume` reads every part back and the `Ledger` drops the ids found before any model call. A part cut
  by a kill is repaired first: a JSONL part's partial last line is cut off (`OutputLog`, the live batch's
  reader), a Parquet part without its footer is set aside as `<name>.cut`; their articles are redone.
- `--retry-errors` takes the error and partial records out of the parts first, so their ids are redone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ray.data.block import BlockAccessor
from ray.data.datasource import BlockBasedFileDatasink, FilenameProvider

from summarizer.batch.output import OutputLog, line_identity
from summarizer.errors import ConfigError, OutputError
from summarizer.io.parts import part_files, run_of

PARQUET_COLUMNS = ("id", "status", "record")


def part_format(out: Path) -> str:
    """What `--out` asks for: a directory named `*.parquet` holds Parquet parts, any other JSONL parts."""
    return "parquet" if out.suffix.lower() == ".parquet" else "jsonl"


def part_name(run: int, task: str, fmt: str = "jsonl") -> str:
    return f"part-{run:04d}-{task}.{fmt}"


@dataclass
class Written:
    """What the part files hold: ids with a whole record, ids with an error or partial one, lines."""

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    lines: int = 0
    cut_bytes: int = 0
    retrying: int = 0  # error and partial records taken out for --retry-errors

    @property
    def ids(self) -> set[str]:
        return self.done | self.failed

    def add(self, ids: list[tuple[str | None, bool]]) -> None:
        self.lines += len(ids)
        for ident, redo in ids:
            if ident is not None:
                (self.failed if redo else self.done).add(ident)


def next_run(out: Path) -> int:
    """This run's number: one more than any part's in the directory, so it never overwrites an earlier run's."""
    return max((run_of(path) for path in part_files(out)), default=0) + 1


def read_written(out: Path, *, retry_errors: bool = False) -> Written:
    """Every id the directory has a record for, each part read (and repaired) as the live batch reads its
    output; with `retry_errors`, the error and partial records are taken out of the parts first."""
    written = Written()
    for path in part_files(out):
        (_read_jsonl_part if path.suffix == ".jsonl" else _read_parquet_part)(path, written, retry_errors)
    written.failed -= written.done
    return written


def _read_jsonl_part(path: Path, written: Written, retry_errors: bool) -> None:
    log = OutputLog(path, resume=True, retry_errors=retry_errors, overwrite=False)
    log.close()
    written.done |= log.done
    written.failed |= log.failed - log.done
    written.lines += log.lines
    written.cut_bytes += log.cut_bytes
    written.retrying += log.retrying


def _read_parquet_part(path: Path, written: Written, retry_errors: bool) -> None:
    ids = parquet_ids(path)
    if ids is None:  # killed while Ray wrote it: no footer, no rows to trust
        written.cut_bytes += path.stat().st_size
        path.rename(path.with_name(path.name + ".cut"))
        return
    redo = sum(1 for _, again in ids if again)
    if retry_errors and redo:
        ids = drop_redo_rows(path)
        written.retrying += redo
    written.add(ids)


def parquet_ids(path: Path) -> list[tuple[str | None, bool]] | None:
    """(id, redo) of each row of a Parquet part, as `line_identity` gives them for a line; None if unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["id", "status"])
    except (OSError, pa.ArrowException):
        return None
    return [(ident, status != "ok") for ident, status in zip(table.column("id").to_pylist(), table.column("status").to_pylist())]


def drop_redo_rows(path: Path) -> list[tuple[str | None, bool]]:
    """--retry-errors on a Parquet part: the part again without its error and partial rows (a temp file renamed over)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    kept = table.filter(pc.equal(table.column("status"), "ok"))
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(kept, temp)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(f"cannot rewrite the part without its error records ({exc.strerror})", source=str(path)) from exc
    return [(ident, False) for ident in kept.column("id").to_pylist()]


def parquet_rows(lines: list[str]) -> dict[str, list]:
    """Output lines as a Parquet part's columns (`id`, `status`, `record`)."""
    rows: dict[str, list] = {name: [] for name in PARQUET_COLUMNS}
    for line in lines:
        ident, redo = line_identity(line)
        rows["id"].append(ident)
        rows["status"].append(json.loads(line).get("status", "ok") if redo else "ok")
        rows["record"].append(line)
    return rows


def prepare(out: Path, *, resume: bool, overwrite: bool) -> None:
    """The output directory, refused as the live batch refuses its file: exists without --resume/--overwrite."""
    if out.exists() and not out.is_dir():
        raise ConfigError("is a file: --engine ray writes a directory of part files to --out", source=str(out))
    parts = part_files(out)
    if parts and not (resume or overwrite):
        raise ConfigError(f"{out} has part files: pass --resume to add only what is missing, or --overwrite to start over")
    if overwrite:
        for path in parts:
            path.unlink()
    out.mkdir(parents=True, exist_ok=True)


class _PartNames(FilenameProvider):
    def __init__(self, run: int, fmt: str):
        super().__init__(file_format=fmt)
        self.run, self.fmt = run, fmt

    def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
        return part_name(self.run, f"{task_index:06d}", self.fmt)


class PartSink(BlockBasedFileDatasink):
    """Writes each block's `line` column, one record per line or Parquet row, to the run's deterministically named parts."""

    def __init__(self, out: Path, run: int, rows_per_file: int):
        self.fmt = part_format(out)
        # absolute: a write task's worker, here or on another node, does not share the driver's directory
        super().__init__(str(Path(out).resolve()), filename_provider=_PartNames(run, self.fmt), min_rows_per_file=rows_per_file)

    def write_block_to_file(self, block: BlockAccessor, file: Any) -> None:
        lines = block.to_arrow().column("line").to_pylist()
        if self.fmt == "parquet":
            write_parquet_part(lines, file)
        else:
            file.write("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"))


def write_parquet_part(lines: list[str], where: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.string()) for name in PARQUET_COLUMNS])
    pq.write_table(pa.Table.from_pydict(parquet_rows(lines), schema=schema), where)


class ParquetPart:
    """The driver's own Parquet part (the isolated pass: few lines, only articles whose worker died), written
    whole when closed; a driver killed before then leaves those ids to the next --resume, never a second record."""

    def __init__(self, path: Path):
        self.path, self.lines = path, []

    def write(self, line: str) -> None:
        self.lines.append(line)

    def close(self) -> None:
        if self.lines:
            write_parquet_part(self.lines, str(self.path))


def open_part(out: Path, run: int, task: str) -> OutputLog | ParquetPart:
    """A part the driver writes itself, line by line, in the format `--out` asks for."""
    path = out / part_name(run, task, part_format(out))
    return OutputLog(path, resume=False, retry_errors=False, overwrite=True) if path.suffix == ".jsonl" else ParquetPart(path)
