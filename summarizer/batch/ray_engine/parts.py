"""The output of a Ray batch: a directory of JSONL part files, each line one record exactly as the live
batch writes it (an `ArticleExtraction`, partial or not, or an error record), plus the manifest beside it.

Exactly one record per input id, across Ray's retries and `--resume`:
- part names are deterministic, `part-<run>-<write task>.jsonl`: a write task Ray re-runs (its worker died)
  rewrites its own file instead of adding a second copy of its rows;
- a run's number is one more than any in the directory, so a later run never overwrites an earlier one;
- `--resume` reads every part file back (`OutputLog`, the live batch's reader: a partial last line, from a
  killed write, is cut off and its article redone) and the `Ledger` drops the ids found before any model call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ray.data.block import BlockAccessor
from ray.data.datasource import BlockBasedFileDatasink, FilenameProvider

from summarizer.batch.output import OutputLog
from summarizer.errors import ConfigError

PART = re.compile(r"^part-(\d{4})-[\w]+\.jsonl$")


def part_name(run: int, task: str) -> str:
    return f"part-{run:04d}-{task}.jsonl"


def part_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if PART.match(p.name)) if out.is_dir() else []


def run_of(path: Path) -> int:
    match = PART.match(path.name)
    return int(match.group(1)) if match else 0


@dataclass
class Written:
    """What the part files hold: ids with a whole record, ids with an error or partial one, lines."""

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    lines: int = 0
    cut_bytes: int = 0
    last_run: int = 0
    retrying = 0  # error records replaced: --retry-errors is the live engine's

    @property
    def ids(self) -> set[str]:
        return self.done | self.failed


def read_written(out: Path) -> Written:
    """Every id the directory has a record for, each part file read (and repaired) as the live batch reads its output."""
    written = Written()
    for path in part_files(out):
        log = OutputLog(path, resume=True, retry_errors=False, overwrite=False)
        log.close()
        written.done |= log.done
        written.failed |= log.failed - log.done
        written.lines += log.lines
        written.cut_bytes += log.cut_bytes
        written.last_run = max(written.last_run, run_of(path))
    written.failed -= written.done
    return written


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
    def __init__(self, run: int):
        super().__init__(file_format="jsonl")
        self.run = run

    def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
        return part_name(self.run, f"{task_index:06d}")


class PartSink(BlockBasedFileDatasink):
    """Writes each block's `line` column, one line per record, to the run's deterministically named parts."""

    def __init__(self, out: Path, run: int, rows_per_file: int):
        super().__init__(str(out), filename_provider=_PartNames(run), min_rows_per_file=rows_per_file)

    def write_block_to_file(self, block: BlockAccessor, file: Any) -> None:
        lines = block.to_arrow().column("line").to_pylist()
        file.write("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"))
