"""A Report as the JSON of `gongkai parse`: the project's data contract."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

from builder.model import Finding, Number, Report
from builder.templates import TEMPLATES

TABLES = ("active_disclosure", "applications", "reviews_litigation")


def report_to_dict(report: Report) -> dict[str, Any]:
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
        data[table] = _nest(report, table)
    data["units"] = dict(sorted(report.units.items()))
    data["inferred"] = sorted(p for p, f in report.figures.items() if f.inferred)
    data["provenance"] = {p: _where(f) for p, f in report.figures.items() if f.line is not None or f.page}
    data["sections"] = dict(report.sections)
    data["tables_found"] = list(report.tables_found)
    data["findings"] = [finding_to_dict(f) for f in report.findings]
    data["status"] = report.status
    return data


def _nest(report: Report, table: str) -> dict[str, Any]:
    if report.template is None:
        return {}
    values = report.values
    nested: dict[str, Any] = {}
    for path, keys, last in _table_keys(report.template, table):
        node = nested
        for key in keys:
            node = node.setdefault(key, {})
        node[last] = json_number(values[path])
    return nested


@cache
def _table_keys(version: str, table: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """Each cell of a table as (path, the keys of its parents, its own key)."""
    return tuple((path, tuple(path.split("/")[1:-1]), path.rsplit("/", 1)[1])
                 for path in TEMPLATES[version].table_paths(table))


def _where(figure) -> dict[str, Any]:
    where = {"line": figure.line} if figure.line is not None else {}
    if figure.page is not None:
        where["page"] = figure.page
    if figure.printed is not None:
        where["printed"] = figure.printed
    return where


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity, "message": finding.message,
            "cells": list(finding.cells), "expected": json_number(finding.expected),
            "actual": json_number(finding.actual)}


def json_number(value: Number | str | None) -> int | float | str | None:
    """Decimals as JSON numbers; they come from short printed figures, so a float holds them exactly
    as printed (the shortest repr of the float is the printed decimal)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 \
            else float(value)
    return value


def dumps(report: Report, indent: int | None = 2) -> str:
    """The JSON text; `indent=None` for files nobody reads by eye (json's C encoder, 5 times faster)."""
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=indent)
