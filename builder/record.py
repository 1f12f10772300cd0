"""A Report as a mapping: the JSON of `gongkai parse` (the project's data contract), of each
report's file on the site, and of the parse cache's entries. A new field of `Report` is added
here once, and every one of them carries it.

The published form writes decimals as JSON numbers (a float holds a short printed figure
exactly) and gives where a figure was found; the cache's form (`exact=True`) keeps decimals as
text, so that 1.50 comes back as 1.50, and the printed text of a cell found nowhere in particular.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

from builder.forms import TABLES, TEMPLATES
from builder.model import Figure, Finding, Number, Report, Source


def to_record(report: Report, exact: bool = False) -> dict[str, Any]:
    number = exact_number if exact else json_number
    data: dict[str, Any] = {
        "agency": report.agency,
        "year": report.year,
        "template": report.template,
        "published": report.published,
        "region": dict(report.region) if report.region else None,
        "contact": dict(report.contact) if report.contact else None,
        "source_url": report.source_url,
        "added": report.added,
        "id": report.report_id,
        "source": {"file": report.source.file, "format": report.source.format,
                   "sha256": report.source.sha256, "size": report.source.size,
                   "encoding": report.source.encoding},
    }
    for table in TABLES:
        data[table] = _nest(report, table, number)
    data["units"] = dict(sorted(report.units.items()))
    data["inferred"] = sorted(p for p, f in report.figures.items() if f.inferred)
    data["provenance"] = {p: _where(f) for p, f in report.figures.items()
                          if f.line is not None or f.page or (exact and f.printed is not None)}
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
    if data["template"] is not None:
        for table in TABLES:
            nested = data[table]
            for path, parents, last in _table_keys(data["template"], table):
                node = nested
                for key in parents:
                    node = node.get(key)
                    if node is None:
                        break
                if node is None or last not in node:
                    continue  # a summary holds some cells only
                where = provenance.get(path)
                value = from_number(node[last])
                figures[path] = Figure(value, where.get("printed"), where.get("line"), where.get("page"),
                                       path in inferred) if where else _bare(value, path in inferred)
    return Report(
        source=Source(**data["source"]), agency=data["agency"], year=data["year"], template=data["template"],
        published=data["published"], region=data["region"], contact=data["contact"],
        source_url=data["source_url"], added=data["added"], report_id=data["id"], figures=figures,
        units=data["units"], sections=data["sections"], tables_found=tuple(data["tables_found"]),
        findings=tuple(Finding(f["rule"], f["severity"], f["message"], tuple(f["cells"]), from_number(f["expected"]),
                               from_number(f["actual"])) for f in data["findings"]),
        status=data["status"])


def _nest(report: Report, table: str, number) -> dict[str, Any]:
    if report.template is None:
        return {}
    values = report.values
    nested: dict[str, Any] = {}
    for path, keys, last in _table_keys(report.template, table):
        if path not in values:
            continue
        node = nested
        for key in keys:
            node = node.setdefault(key, {})
        node[last] = number(values[path])
    return nested


@cache
def _table_keys(version: str, table: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """Each cell of a table as (path, the keys of its parents, its own key)."""
    return tuple((path, tuple(path.split("/")[1:-1]), path.rsplit("/", 1)[1])
                 for path in TEMPLATES[version].table_paths(table))


def _where(figure: Figure) -> dict[str, Any]:
    where = {"line": figure.line} if figure.line is not None else {}
    if figure.page is not None:
        where["page"] = figure.page
    if figure.printed is not None:
        where["printed"] = figure.printed
    return where


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


_BARE: dict[tuple[str, bool], Figure] = {}


def _bare(value: Number | None, inferred: bool) -> Figure:
    """A figure without provenance; one shared object for each value (all a summary holds), so
    that the summaries of 100,000 reports do not hold millions of equal tuples."""
    # by repr: Decimal("1.0") == Decimal("1.00") == 1, yet each prints as it was printed
    return _BARE.setdefault((repr(value), inferred), Figure(value, inferred=inferred))


def dumps(report: Report, indent: int | None = 2) -> str:
    """The JSON text; `indent=None` for files nobody reads by eye (json's C encoder, 5 times faster)."""
    return json.dumps(to_record(report), ensure_ascii=False, indent=indent)
