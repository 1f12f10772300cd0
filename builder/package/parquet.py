"""The package's tables as Parquet files, which DuckDB, Polars or Spark query without loading
them: each table of the reports split by the report's year, in hive partitioning
(parquet/<table>/year=<YYYY>/part-0.parquet), each code list one file (parquet/<list>.parquet).

The columns and their types come from the Table Schemas (schema.RESOURCES). A blank cell is
null, as the CSV's missing value "" is. Rows go out a row group at a time, so a corpus of a
million reports is never held; the same rows give the same bytes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from builder.package.schema import CODE_LISTS, RESOURCES

FOLDER = "parquet"
# The key of the partitions, in the files' paths only: Spark and pyarrow refuse a column that is
# also a partition key, so the reports' files leave out their year
PARTITION = "year"
# hive's name for the partition of a null key: a report whose year could not be read; DuckDB
# and pyarrow read it back as null
NULL_YEAR = "__HIVE_DEFAULT_PARTITION__"
# Rows a row group holds: DuckDB reads a file's row groups in parallel, about 120,000 rows each
ROW_GROUP = 122_880
# Fixed, so that two builds write the same bytes whatever pyarrow's defaults become.
# zstd: a third smaller than snappy on these tables, and every Parquet reader has it
OPTIONS = {"compression": "zstd", "compression_level": 9, "version": "2.6", "use_dictionary": True,
           "write_statistics": True, "data_page_size": 1 << 20}

# A number keeps the CSV's text: Parquet's decimal needs one scale a column, and a figure's is
# the report's own (a confidence is a binary float besides); DuckDB casts it: value::DECIMAL(38, 10)
_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.string(), "boolean": pa.bool_(),
          "date": pa.date32()}


def fields(name: str) -> list[dict]:
    """The fields of a resource its Parquet files hold."""
    return [f for f in RESOURCES[name]["fields"] if name in CODE_LISTS or f["name"] != PARTITION]


def arrow_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(f["name"], _TYPES[f["type"]], nullable=not f.get("constraints", {}).get("required"))
                      for f in fields(name)])


def file_of(name: str, year: int | None = None) -> str:
    """A table's file for the reports of `year`, or a code list's file, relative to the package."""
    if name in CODE_LISTS:
        return f"{FOLDER}/{name}.parquet"
    return f"{FOLDER}/{name}/{PARTITION}={NULL_YEAR if year is None else year}/part-0.parquet"


def table(name: str, rows: list[tuple]) -> pa.Table:
    """Rows in the order of the resource's fields as an Arrow table of its schema."""
    kept = fields(name)
    positions = [RESOURCES[name]["fields"].index(f) for f in kept]
    columns = list(zip(*rows)) if rows else [()] * len(RESOURCES[name]["fields"])
    arrays = [_array(columns[position], f["type"]) for position, f in zip(positions, kept)]
    return pa.Table.from_arrays(arrays, schema=arrow_schema(name))


def _array(values: Iterable, kind: str) -> pa.Array:
    if kind == "number":
        return pa.array([None if v is None else str(v) for v in values], pa.string())  # as the CSV writes it
    if kind == "string":
        return pa.array([v or None for v in values], pa.string())  # "" is blank, as in the CSV
    if kind == "date":
        return pa.array([v or None for v in values], pa.string()).cast(pa.date32())  # ISO dates
    return pa.array(values, _TYPES[kind])


@dataclass
class _Part:
    """One file being written: rows wait here until a row group is full."""

    name: str
    path: Path
    waiting: list[tuple] = field(default_factory=list)
    writer: pq.ParquetWriter | None = None

    def flush(self) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, arrow_schema(self.name), **OPTIONS)
        if self.waiting:
            self.writer.write_table(table(self.name, self.waiting), row_group_size=ROW_GROUP)
            self.waiting.clear()


class Writer:
    """The Parquet files under `package`/parquet as rows arrive: by table and report year, each
    file's rows in the order they came. Files stay open until `close`; a report's rows are
    written with the year of its report."""

    def __init__(self, package: Path):
        self.package = package
        self.parts: dict[tuple[str, int | None], _Part] = {}
        self.year: int | None = None

    def add(self, name: str, rows: list[tuple], year: int | None = None) -> None:
        """Rows of table `name` for reports of `year`, or of a code list."""
        if name not in CODE_LISTS and year != self.year:
            # reports come in id order, which is by year: the rows waiting for the year before go
            # out, so that what waits is at most a row group a table
            for (_, waited), part in self.parts.items():
                if waited == self.year:
                    part.flush()
            self.year = year
        part = self.parts.get((name, year))
        if part is None:
            part = self.parts[(name, year)] = _Part(name, self.package / file_of(name, year))
        part.waiting.extend(rows)
        if len(part.waiting) >= ROW_GROUP:
            part.flush()

    def close(self, tables: Sequence[str], years: Iterable[int | None]) -> dict[str, tuple[str, ...]]:
        """Finish every file; a table with no row in one of `years` gets an empty file, so that
        every table has a file for each year. Each table's files, relative to the package, by year."""
        years = sorted(set(years), key=lambda year: (year is None, year))
        files = {name: tuple(file_of(name, year) for year in ((None,) if name in CODE_LISTS else years))
                 for name in tables}
        for name in tables:
            for year in (None,) if name in CODE_LISTS else years:
                self.parts.setdefault((name, year), _Part(name, self.package / file_of(name, year)))
        for part in self.parts.values():
            part.flush()
            part.writer.close()
        return files

    def abandon(self) -> None:
        """Close what is open after a failed build (the staging folder is then removed)."""
        for part in self.parts.values():
            if part.writer is not None:
                part.writer.close()
