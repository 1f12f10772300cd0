"""The package's tables as one SQLite database: sqlite-utils creates the tables with their
keys; rows go in through parameterized statements, never through SQL made from values."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import sqlite_utils

from builder.forms import TEMPLATES
from builder.package.schema import CODE_LISTS, CODE_REFERENCES, OTHER_ROWS, ORDER, PER_REPORT, RESOURCES

NAME = "gongkai.sqlite"
# The package carries the database while its file is at most this big, past it the Parquet files
# alone. GitHub takes no file over 100 MiB in a push (the package is committed) and no Pages site
# over 1 GB, and the database is one file that grows with the corpus: 8.6 KB a synthetic report
# (docs/performance.md, "Parquet and SQLite"; 10.5 KB with the longer ids the synthetic corpus's
# repeated agencies get), so some ten thousand reports, fewer real ones, whose findings and text
# are longer. The Parquet files hold the same tables in a twentieth of the bytes, split by year,
# and DuckDB answers the same SQL from them. Past it the database is still made, in the staging
# folder, where the harmonised table is derived and the workbook read from.
MAX_BYTES = 100 * 2**20
_TYPES = {"integer": int, "number": float, "boolean": int}


class Writer:
    """The database built in `path` as rows arrive, table by table in batches. Rows go in
    through parameterized statements; names come from our schema, values only as parameters."""

    BATCH = 20_000

    def __init__(self, path: Path):
        self.database = sqlite_utils.Database(path, recreate=True)
        # a staged file, moved into place only when complete: no journal or syncing is needed
        self.database.execute("pragma journal_mode = off")
        self.database.execute("pragma synchronous = off")
        self.pending: dict[str, list[tuple]] = {name: [] for name in ORDER}
        # the tables a foreign key refers to first: SQLite checks that they exist
        created = sorted(ORDER, key=lambda name: name not in ("reports", *CODE_LISTS))
        self.statements = {name: _create(self.database, name) for name in created}
        self.closed = False

    def add(self, name: str, rows: list[tuple]) -> None:
        pending = self.pending[name]
        pending.extend(rows)
        if len(pending) >= self.BATCH:
            self._flush(name)

    def _flush(self, name: str) -> None:
        # sqlite-utils' insert_all inspects every value in Python (20 s for 10,000 reports);
        # executemany binds the row tuples in C
        with self.database.conn:
            self.database.conn.executemany(self.statements[name], self.pending[name])
        self.pending[name].clear()

    def flush(self) -> None:
        for name in ORDER:
            self._flush(name)

    def derive_harmonised(self) -> None:
        """applications_harmonised from applications, in SQL: the 2019 template's rows, the 2021
        template's three rows of 其他处理 added into `other` where all three are printed."""
        self.flush()
        conn = self.database.conn
        with conn:
            conn.execute(_HARMONISED, _HARMONISED_ORDER)

    def rows_by_year(self, name: str) -> Iterator[tuple[int | None, list[tuple]]]:
        """The rows of a table of the reports in the order they went in, in runs of one report
        year (at most BATCH rows a run), with that year."""
        columns = ", ".join(f"t.[{f['name']}]" for f in RESOURCES[name]["fields"])
        cursor = self.database.conn.execute(  # noqa: S608 - schema names
            f"select r.year, {columns} from [{name}] t join reports r on r.id = t.report_id order by t.rowid")
        while batch := cursor.fetchmany(self.BATCH):
            for year, run in groupby(batch, key=itemgetter(0)):
                yield year, [row[1:] for row in run]

    def close(self) -> None:
        if self.closed:
            return
        self.flush()
        self.database.close()
        self.closed = True


def _harmonised_sql() -> tuple[str, list]:
    """The statement, and its parameters: each row of the 2019 template with its position."""
    counts = [f["name"] for f in RESOURCES["applications"]["fields"][2:-1]]
    rows = [r.key for r in TEMPLATES["2019"].applications.rows]
    values = ", ".join(f"a.[{c}] as [{c}]" for c in counts)
    added = ", ".join(f"case when count(a.[{c}]) = {len(OTHER_ROWS)} then sum(a.[{c}]) end" for c in counts)
    marks = ", ".join(f"'{row}'" for row in OTHER_ROWS)  # row codes of the form, never data
    columns = ", ".join(f"[{f['name']}]" for f in RESOURCES["applications_harmonised"]["fields"])
    sql = (f"insert into applications_harmonised ({columns}) "
           f"with ord(row, pos) as (values {', '.join('(?, ?)' for _ in rows)}), "
           "firsts as (select report_id, min(rowid) as first from applications group by report_id) "
           f"select report_id, row, {', '.join(f'[{c}]' for c in counts)}, combined_from from ("
           f"select a.report_id as report_id, a.row as row, {values}, null as combined_from, f.first as first, "
           "o.pos as pos from applications a join ord o on o.row = a.row join firsts f on f.report_id = a.report_id "
           f"union all select a.report_id, 'other', {added}, '{' '.join(OTHER_ROWS)}', f.first, "
           "(select pos from ord where row = 'other') from applications a join firsts f on f.report_id = a.report_id "
           f"where a.row in ({marks}) group by a.report_id) order by first, pos")
    return sql, [value for position, row in enumerate(rows) for value in (row, position)]


def _create(database: sqlite_utils.Database, name: str) -> str:
    """Create the table `name` with its keys; the statement that inserts its rows."""
    resource = RESOURCES[name]
    fields = resource["fields"]
    columns = {f["name"]: _TYPES.get(f["type"], str) for f in fields}
    foreign_keys = [("report_id", "reports", "id")] if name in PER_REPORT and name != "reports" else []
    # sqlite-utils makes foreign keys of one column; the package's descriptor has them all
    foreign_keys += [(fields[0], target, target_fields[0]) for (source, fields), (target, target_fields)
                     in CODE_REFERENCES.items() if source == name and len(fields) == 1]
    key = resource["primaryKey"]
    database[name].create(columns, pk=tuple(key) if len(key) > 1 else key[0], foreign_keys=foreign_keys,
                          not_null={f["name"] for f in fields if f.get("constraints", {}).get("required")})
    names = ", ".join(f"[{f['name']}]" for f in fields)
    marks = ", ".join("?" for _ in fields)
    return f"insert into [{name}] ({names}) values ({marks})"


_HARMONISED, _HARMONISED_ORDER = _harmonised_sql()
