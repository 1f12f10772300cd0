"""The package as one Excel workbook, for the people who open data in Excel or WPS: a sheet a
table, Chinese headers in a frozen first row, numbers as numbers, text always as text (so that no
report's text is taken for a formula). Written from the package's SQLite database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import xlsxwriter

from builder.package.schema import ORDER, RESOURCES

MAX_ROWS = 1_048_575  # data rows an Excel sheet holds under its header
_NOT_IN_NAMES = str.maketrans({c: "" for c in "[]:*?/\\"})


def write(database: Path, path: Path) -> None:
    """`path` from `database`; a table too long for one sheet goes on over several."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    # a fixed time, so that the same data makes the same file
    workbook.set_properties({"title": "gongkai 政府信息公开工作年度报告数据", "created": dt.datetime(2000, 1, 1)})
    header = workbook.add_format({"bold": True, "bg_color": "#E8EAF6", "border": 1})
    db = sqlite3.connect(database)
    try:
        for name in ORDER:
            _table(workbook, header, db, name)
    finally:
        db.close()
    workbook.close()


def _table(workbook, header, db: sqlite3.Connection, name: str) -> None:
    fields = RESOURCES[name]["fields"]
    titles = [f"{field['title']}（{field['name']}）" for field in fields]
    columns = ", ".join(f"[{field['name']}]" for field in fields)  # names from our schema, never from data
    booleans = [i for i, field in enumerate(fields) if field["type"] == "boolean"]
    rows = db.execute(f"select {columns} from [{name}] order by rowid")  # noqa: S608 - names from the schema
    part, sheet, written = 0, None, MAX_ROWS
    for row in rows:
        if written == MAX_ROWS:
            part += 1
            sheet = _sheet(workbook, header, RESOURCES[name]["title"], part, titles)
            written = 0
        written += 1
        for column, value in enumerate(row):
            if value is None:
                continue
            if column in booleans:
                sheet.write_boolean(written, column, bool(value))
            elif isinstance(value, str):
                sheet.write_string(written, column, value)
            else:
                sheet.write_number(written, column, value)
    if sheet is None:
        _sheet(workbook, header, RESOURCES[name]["title"], 1, titles)


def _sheet(workbook, header, title: str, part: int, titles: list[str]):
    suffix = f" ({part})" if part > 1 else ""
    sheet = workbook.add_worksheet(title.translate(_NOT_IN_NAMES)[:31 - len(suffix)] + suffix)
    for column, text in enumerate(titles):
        sheet.write_string(0, column, text, header)
        sheet.set_column(column, column, max(10, min(40, len(text) * 2)))
    sheet.freeze_panes(1, 0)
    return sheet
