"""Where a table's rows go: a CSV file (stdlib csv, row by row) or a Parquet file (pyarrow, in row groups of
ROW_GROUP_ROWS rows). Both write to a temporary file beside the target, renamed over it by `commit`: a run
that fails leaves an existing file as it was."""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path
from typing import Any, Protocol

from summarizer.errors import ConfigError, InputError, OutputError
from summarizer.export.tables import TABLES, Row, Table

SUFFIXES = (".csv", ".parquet")
LIST_SEPARATOR = "|"  # a CSV cell holding a list: `United States|Britain`, `1|3`
ROW_GROUP_ROWS = 16_384  # Parquet rows held before a row group is written: the memory bound of a Parquet sink
PARQUET_EXTRA = "pip install 'summarizer[parquet]'"


def table_for(path: Path) -> Table:
    """The table a `--to` path names: its name (before .csv/.parquet) is the table's or ends in `_<table>`,
    `-<table>` or `.<table>` (`events.csv`, `dump_claims.parquet`)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"--to takes a .csv or .parquet file, not {suffix or 'a name without a suffix'}", source=str(path))
    stem = path.stem.lower()
    for name, table in TABLES.items():
        if stem == name or any(stem.endswith(sep + name) for sep in "_-."):
            return table
    raise InputError(f"its name picks the table: call it {', '.join(f'{n}{suffix}' for n in TABLES)} (or end its name in _events, ...)", source=str(path))


def check_parquet() -> None:
    if importlib.util.find_spec("pyarrow") is None:
        raise ConfigError(f"writing .parquet needs pyarrow: {PARQUET_EXTRA}")


class Sink(Protocol):
    path: Path
    table: Table
    rows: int

    def write(self, row: Row) -> None: ...
    def commit(self) -> None: ...
    def discard(self) -> None: ...


class _TempFile:
    def __init__(self, path: Path, table: Table):
        self.path, self.table, self.rows = path, table, 0
        if path.is_dir():
            raise OutputError("is a directory: --to takes a file", source=str(path))
        target = path.resolve()  # a symlink keeps its link: the file it points to is replaced
        self.target, self.temp = target, target.with_name(f".{target.name}.{os.getpid()}.tmp")

    def failed(self, exc: OSError, doing: str) -> OutputError:
        self.discard()
        return OutputError(f"cannot {doing} ({exc.strerror or exc})", source=str(self.path))

    def replace(self) -> None:
        try:
            self.temp.replace(self.target)
        except OSError as exc:
            raise self.failed(exc, "write it") from exc

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


class CsvSink(_TempFile):
    """RFC 4180 CSV (the csv module's excel dialect), UTF-8 without BOM, a header row; None is an empty cell,
    a list is its items joined with `|`, a date is ISO."""

    def __init__(self, path: Path, table: Table):
        super().__init__(path, table)
        self.lists = [i for i, (_, kind) in enumerate(table.columns) if kind in ("ints", "strs")]
        self.dates = [i for i, (_, kind) in enumerate(table.columns) if kind == "date"]
        try:
            self.handle = self.temp.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(table.names)
        except OSError as exc:
            raise self.failed(exc, "write it") from exc

    def write(self, row: Row) -> None:
        cells = list(row)
        for i in self.lists:
            cells[i] = LIST_SEPARATOR.join(map(str, cells[i]))
        for i in self.dates:
            cells[i] = cells[i].isoformat() if cells[i] else None
        try:
            self.writer.writerow(cells)
        except OSError as exc:
            raise self.failed(exc, "write it") from exc
        self.rows += 1

    def commit(self) -> None:
        try:
            self.handle.close()
        except OSError as exc:
            raise self.failed(exc, "write it") from exc
        self.replace()

    def discard(self) -> None:
        handle = getattr(self, "handle", None)
        if handle is not None and not handle.closed:
            try:
                handle.close()
            except OSError:
                pass
        super().discard()


class ParquetSink(_TempFile):
    """Typed columns (lists are list<int64>/list<string>, `published` a date32), one row group per
    ROW_GROUP_ROWS rows, so memory holds at most one row group."""

    def __init__(self, path: Path, table: Table, row_group_rows: int = ROW_GROUP_ROWS):
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(path, table)
        types = {"str": pa.string(), "int": pa.int64(), "date": pa.date32(), "ints": pa.list_(pa.int64()), "strs": pa.list_(pa.string())}
        self.pa, self.row_group_rows = pa, row_group_rows
        self.schema = pa.schema([(name, types[kind]) for name, kind in table.columns])
        self.buffer: list[list[Any]] = [[] for _ in table.columns]
        try:
            self.writer = pq.ParquetWriter(str(self.temp), self.schema)
        except OSError as exc:
            raise self.failed(exc, "write it") from exc

    def write(self, row: Row) -> None:
        for column, value in zip(self.buffer, row):
            column.append(value)
        self.rows += 1
        if len(self.buffer[0]) >= self.row_group_rows:
            self.flush()

    def flush(self) -> None:
        if not self.buffer[0]:
            return
        batch = self.pa.RecordBatch.from_arrays([self.pa.array(c, type=f.type) for c, f in zip(self.buffer, self.schema)], schema=self.schema)
        self.buffer = [[] for _ in self.buffer]
        try:
            self.writer.write_batch(batch)
        except OSError as exc:
            raise self.failed(exc, "write it") from exc

    def commit(self) -> None:
        self.flush()
        try:
            self.writer.close()
        except OSError as exc:
            raise self.failed(exc, "write it") from exc
        self.replace()

    def discard(self) -> None:
        writer = getattr(self, "writer", None)
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - already failing; the temp file goes either way
                pass
        super().discard()


def open_sink(path: Path) -> Sink:
    table = table_for(path)
    return ParquetSink(path, table) if path.suffix.lower() == ".parquet" else CsvSink(path, table)
