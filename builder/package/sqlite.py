"""The package's tables as one SQLite database, written by sqlite-utils."""

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


def _table(database: sqlite_utils.Database, name: str, rows: list[dict]) -> None:
    resource = RESOURCES[name]
    fields = resource["fields"]
    columns = {f["name"]: _TYPES.get(f["type"], str) for f in fields}
    foreign_keys = [("report_id", "reports", "id")] if name != "reports" else []
    table = database[name]
    table.create(columns, pk=tuple(resource["primaryKey"]) if len(resource["primaryKey"]) > 1
                 else resource["primaryKey"][0], foreign_keys=foreign_keys, not_null=_required(fields))
    table.insert_all((_typed(row, fields) for row in rows), batch_size=1000)


def _required(fields: list[dict]) -> set[str]:
    return {f["name"] for f in fields if f.get("constraints", {}).get("required")}


def _typed(row: dict, fields: list[dict]) -> dict:
    typed = {}
    for field in fields:
        text = row[field["name"]]
        if text == "":
            typed[field["name"]] = None
        elif field["type"] == "boolean":
            typed[field["name"]] = 1 if text == "true" else 0
        else:
            typed[field["name"]] = _TYPES.get(field["type"], str)(text)
    return typed
