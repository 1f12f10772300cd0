"""The package's tables as one SQLite database: sqlite-utils creates the tables with their
keys; rows go in through parameterized statements, never through SQL made from values."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlite_utils

from builder.package.schema import ORDER, RESOURCES

_TYPES = {"integer": int, "number": float, "boolean": int}


def write(path: Path, tables: dict[str, list[dict]]) -> None:
    """Build the database in a temporary file and move it into place, so a reader never sees
    half a database and an unchanged database keeps its bytes."""
    handle, temporary = tempfile.mkstemp(suffix=".sqlite", dir=path.parent)
    os.close(handle)
    try:
        database = sqlite_utils.Database(temporary, recreate=True)
        # a new file, moved into place only when complete: no journal or syncing is needed
        database.execute("pragma journal_mode = off")
        database.execute("pragma synchronous = off")
        for name in ORDER:
            _table(database, name, tables[name])
        database.conn.commit()
        database.close()
        if path.is_file() and path.read_bytes() == Path(temporary).read_bytes():
            return
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _table(database: sqlite_utils.Database, name: str, rows: list[tuple]) -> None:
    resource = RESOURCES[name]
    fields = resource["fields"]
    columns = {f["name"]: _TYPES.get(f["type"], str) for f in fields}
    foreign_keys = [("report_id", "reports", "id")] if name != "reports" else []
    key = resource["primaryKey"]
    database[name].create(columns, pk=tuple(key) if len(key) > 1 else key[0], foreign_keys=foreign_keys,
                          not_null={f["name"] for f in fields if f.get("constraints", {}).get("required")})
    # sqlite-utils' insert_all inspects every value in Python (20 s for 10,000 reports);
    # executemany binds the row tuples in C. Names come from our schema, values only as parameters.
    names = ", ".join(f"[{f['name']}]" for f in fields)
    marks = ", ".join("?" for _ in fields)
    with database.conn:
        database.conn.executemany(f"insert into [{name}] ({names}) values ({marks})", rows)
