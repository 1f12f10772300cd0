"""A Report as a mapping: the JSON of `gongkai parse` (the project's data contract), of each
report's file on the site, and of the parse cache's entries. A new field of `Report` is added
here once, and every one of them carries it.

The published form writes decimals as JSON numbers (a float holds a short printed figure
exactly) and gives where a figure was found; the cache's form (`exact=True`) keeps decimals as
text, so that 1.50 comes back as 1.50, and the printed text of a cell found nowhere in particular.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from builder.forms import TABLES, TEMPLATES
from builder.model import Figure, Finding, Number, OcrCell, Report, Source


def to_record(report: Report, exact: bool = False) -> dict[str, Any]:
    number = exact_number if exact else json_number
    data: dict[str, Any] = {_KEYS.get(name, name): _plain(getattr(report, name)) for name in METADATA}
    data["source"] = {name: getattr(report.source, name) for name in _SOURCE}
    for table in TABLES:
        data[table] = _nest(report, table, number)
    data["units"] = dict(sorted(report.units.items()))
    inferred, provenance = [], {}
    for path, (_, printed, line, page, was_inferred) in report.figures.items():
        if was_inferred:
            inferred.append(path)
        if line is not None or page or (exact and printed is not None):
            where = provenance[path] = {"line": line} if line is not None else {}
            if page is not None:
                where["page"] = page
            if printed is not None:
                where["printed"] = printed
            if path in report.ocr:  # read from a picture: where, and how surely
                cell = report.ocr[path]
                where["ocr"] = {"cell": cell.number, "box": list(cell.box), "confidence": cell.confidence}
                if cell.picture:
                    where["ocr"]["picture"] = cell.picture
    data["inferred"] = sorted(inferred)
    data["provenance"] = provenance
    data["sections"] = dict(report.sections)
    data["tables_found"] = list(report.tables_found)
    data["findings"] = [_finding(f, number) for f in report.findings]
    data["status"] = report.status
    return data


def from_record(data: dict[str, Any]) -> Report:
    """The Report that `to_record(report, exact=True)` was made from."""
    inferred = set(data["inferred"])
    provenance = data["provenance"]
    figures: dict[str, Figure] = {}
    ocr = {path: OcrCell(where["ocr"]["cell"], where.get("page"), tuple(where["ocr"]["box"]), where.get("printed") or "",
                         where["ocr"]["confidence"], picture=where["ocr"].get("picture", ""))
           for path, where in provenance.items() if "ocr" in where}
    if data["template"] is not None:
        paths = TEMPLATES[data["template"]].path_index()
        # the cells the mapping holds (a summary holds some only), in its order, which is the form's
        cells = [((table, article, item, metric), value) for table in TABLES[:1]
                 for article, items in data[table].items() for item, metrics in items.items()
                 for metric, value in metrics.items()]
        cells += [((table, row, column), value) for table in TABLES[1:]
                  for row, columns in data[table].items() for column, value in columns.items()]
        for keys, value in cells:
            path = paths[keys]
            if type(value) is dict:
                value = Decimal(value["d"])
            where = provenance.get(path)
            figures[path] = Figure(value, where.get("printed"), where.get("line"), where.get("page"),
                                   path in inferred) if where else _bare(value, path in inferred)
    return Report(
        source=Source(**data["source"]), **{name: data[_KEYS.get(name, name)] for name in METADATA}, figures=figures,
        units=data["units"], sections=data["sections"], tables_found=tuple(data["tables_found"]),
        findings=tuple(Finding(f["rule"], f["severity"], f["message"], tuple(f["cells"]), from_number(f["expected"]),
                               from_number(f["actual"])) for f in data["findings"]),
        status=data["status"], ocr=ocr)


# What a report says of itself: every field of Report but its source and what was read from
# its tables and text, in the order of Report's fields. A field added to Report comes here too.
_READ = ("source", "figures", "units", "sections", "tables_found", "findings", "status", "ocr")
METADATA = tuple(f.name for f in dataclasses.fields(Report) if f.name not in _READ)
_KEYS = {"report_id": "id"}  # names in the mapping other than the field's
_SOURCE = tuple(f.name for f in dataclasses.fields(Source))


def _plain(value):
    return (dict(value) or None) if isinstance(value, Mapping) else value


def _nest(report: Report, table: str, number) -> dict[str, Any]:
    if report.template is None:
        return {}
    values = report.values
    nested: dict[str, Any] = {}
    for parents, cells in _table_rows(report.template, table):
        present = [(last, values[path]) for path, last in cells if path in values]
        if not present:
            continue
        node = nested
        for key in parents:
            node = node.setdefault(key, {})
        for last, value in present:
            node[last] = value if value is None or type(value) is int else number(value)
    return nested


@cache
def _table_rows(version: str, table: str) -> tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...]:
    """Each row of a table as (the keys of its parents, ((path, own key) of each cell))."""
    rows: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for cell in TEMPLATES[version].cells:
        if cell.table == table:
            rows.setdefault((cell.article, cell.row) if cell.article else (cell.row,), []).append((cell.path, cell.column))
    return tuple((parents, tuple(cells)) for parents, cells in rows.items())


def _finding(finding: Finding, number) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity, "message": finding.message,
            "cells": list(finding.cells), "expected": number(finding.expected), "actual": number(finding.actual)}


def json_number(value: Number | str | None) -> int | float | str | None:
    """Decimals as JSON numbers; they come from short printed figures, so a float holds them exactly
    as printed (the shortest repr of the float is the printed decimal)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 \
            else float(value)
    return value


def exact_number(value: Number | str | None):
    return {"d": str(value)} if isinstance(value, Decimal) else value


def from_number(value):
    return Decimal(value["d"]) if isinstance(value, dict) else value


_BARE: dict[tuple, Figure] = {}


def _bare(value: Number | None, inferred: bool) -> Figure:
    """A figure without provenance; one shared object for each value (all a summary holds), so
    that the summaries of 100,000 reports do not hold millions of equal tuples."""
    # a decimal by its repr: Decimal("1.0") == Decimal("1.00") == 1, yet each prints as it was printed
    key = (value if value is None or type(value) is int else repr(value), inferred)
    found = _BARE.get(key)
    if found is None:
        found = _BARE[key] = Figure(value, inferred=inferred)
    return found


def dumps(report: Report, indent: int | None = 2) -> str:
    """The JSON text; `indent=None` for files nobody reads by eye (json's C encoder, 5 times faster)."""
    return json.dumps(to_record(report), ensure_ascii=False, indent=indent)
