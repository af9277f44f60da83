"""Reading a dump through Ray Data: a Datasource with one read task per file, each running the project's one
reader (`io.readers.read_file`: JSONL, CSV/TSV, Parquet, JSON, text, with the column options and the id
rule of every other command).

A row is an input that needs the model (`article`: the pickled Article) or one that failed to read (`line`:
its error record, the live batch's). Before a block leaves its read task, the `Ledger` actor admits its ids,
so what is already in the output (--resume) and duplicate ids never reach the extraction actors. Paths are
opened as the driver names them: on a cluster, the inputs sit on storage every node mounts at that path."""

from __future__ import annotations

import functools
import itertools
import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import ray
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from summarizer.batch.output import error_line
from summarizer.errors import InputError
from summarizer.io.articles import Article, Columns
from summarizer.io.inputs import STDIN, expand_inputs
from summarizer.io.readers import read_file

SCHEMA = pa.schema([("id", pa.string()), ("line", pa.string()), ("article", pa.binary())])


def as_row(item: Article | InputError) -> dict[str, Any]:
    if isinstance(item, InputError):
        article_id = getattr(item, "article_id", None) or item.source or "?"
        return {"id": article_id, "line": error_line(article_id, item, 0), "article": None}
    return {"id": item.id, "line": None, "article": pickle.dumps(item)}


def admitted_blocks(items: Iterable[Article | InputError], place: str, ledger: Any, size: int) -> Iterator[pa.Table]:
    """Blocks of (at most) `size` rows the ledger admits; `place` and an input's position name its claim.
    A block is what one map task takes, and what a worker's death costs: small blocks, small losses."""
    numbered = enumerate(items)
    while chunk := list(itertools.islice(numbered, size)):
        rows = [as_row(item) for _, item in chunk]
        keep = ray.get(ledger.admit.remote([(row["id"], f"{place}#{n}") for row, (n, _) in zip(rows, chunk)]))
        kept = [row for row, admit in zip(rows, keep) if admit]
        if kept:
            yield pa.Table.from_pylist(kept, schema=SCHEMA)


class ArticleSource(Datasource):
    """The inputs `expand_inputs` names (files, directories, globs), one read task per file; inputs that
    cannot be read at all (no such file, not an article file) come from one more task, as error rows."""

    def __init__(self, specs: list[str], columns: Columns, fmt: str | None, ledger: Any, rows_per_block: int):
        super().__init__()
        if STDIN in specs:
            raise InputError("--engine ray reads files, not stdin: save the dump to a file first", source=STDIN)
        self.items = list(expand_inputs(specs))  # paths only: what is in them is read in the tasks
        self.columns, self.fmt, self.ledger = columns, fmt, ledger
        self.rows = rows_per_block
        self.cwd = os.getcwd()  # paths and ids are relative to the driver's directory

    def files(self) -> list[str]:
        return [item for item in self.items if isinstance(item, str)]

    def estimate_inmemory_data_size(self) -> int | None:
        return sum(os.path.getsize(path) for path in self.files() if os.path.exists(path))

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None) -> list[ReadTask]:
        tasks = [
            ReadTask(
                functools.partial(_read_one, path, self.cwd, self.columns, self.fmt, self.ledger, self.rows),
                BlockMetadata(num_rows=None, size_bytes=os.path.getsize(path) if os.path.exists(path) else None, exec_stats=None, input_files=[path]),
            )
            for path in self.files()
        ]
        unreadable = [item for item in self.items if isinstance(item, InputError)]
        if unreadable:
            read = functools.partial(admitted_blocks, unreadable, "<unreadable>", self.ledger, self.rows)
            tasks.append(ReadTask(read, BlockMetadata(num_rows=len(unreadable), size_bytes=None, exec_stats=None, input_files=None)))
        return tasks


def _read_one(path: str, cwd: str, columns: Columns, fmt: str | None, ledger: Any, rows: int) -> Iterator[pa.Table]:
    """One file's blocks; the ledger hears when the file was read to its end (a read that failed is a
    stopped batch, not articles silently missing)."""
    if os.getcwd() != cwd and os.path.isdir(cwd):
        os.chdir(cwd)  # a worker starts where the job began, which a driver may since have left
    yield from admitted_blocks(read_file(Path(path), columns, fmt), path, ledger, rows)
    ray.get(ledger.read.remote(path))
