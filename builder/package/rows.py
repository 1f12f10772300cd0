"""Reports as the rows of the package's resources, and the reports' stable ids."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal

from builder.model import Number, Report
from builder.package.schema import FORMATS
from builder.templates import TEMPLATES


def report_ids(reports: Sequence[Report]) -> list[str]:
    """Ids in the order of `reports`: year and a digest of agency and region; where two files
    would share one, each gets a suffix from its own sha256, so no id depends on file order."""
    bases = [_base_id(r) for r in reports]
    shared = {base for base, count in Counter(bases).items() if count > 1}
    ids = [f"{base}-{_file_digest(r)[:8]}" if base in shared else base for base, r in zip(bases, reports)]
    # two copies of one file still share a digest: number them by their file names
    for duplicate in {i for i, count in Counter(ids).items() if count > 1}:
        same = sorted((r.source.file, n) for n, (i, r) in enumerate(zip(ids, reports)) if i == duplicate)
        for rank, (_, n) in enumerate(same, start=1):
            ids[n] = f"{duplicate}-{rank}"
    return ids


def _base_id(report: Report) -> str:
    if not report.agency:
        return f"file-{_file_digest(report)[:12]}"
    region = report.region or {}
    key = "|".join([report.agency, region.get("province", ""), region.get("city", ""), region.get("county", ""),
                    region.get("name", "")])
    key = unicodedata.normalize("NFKC", key)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{report.year or 'unknown'}-{digest}"


def _file_digest(report: Report) -> str:
    return report.source.sha256 or hashlib.sha256(report.source.file.encode("utf-8")).hexdigest()


def number_text(value: Number | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def report_row(report: Report, report_id: str) -> dict:
    region, contact = report.region or {}, report.contact or {}
    severities = Counter(f.severity for f in report.findings)
    return {
        "id": report_id, "agency": report.agency or "", "year": number_text(report.year),
        "template": report.template or "", "province": region.get("province", ""), "city": region.get("city", ""),
        "county": region.get("county", "") or region.get("name", ""), "published": report.published or "",
        "source_file": report.source.file,
        "source_format": report.source.format if report.source.format in FORMATS else "unknown",
        "source_sha256": report.source.sha256, "source_url": report.source_url or "",
        "contact_phone": contact.get("phone", ""), "contact_address": contact.get("address", ""),
        "contact_email": contact.get("email", ""), "status": report.status,
        "errors": str(severities["error"]), "warnings": str(severities["warning"]),
    }


def active_rows(report: Report, report_id: str) -> Iterator[dict]:
    if report.template is None:
        return
    for path in TEMPLATES[report.template].table_paths("active_disclosure"):
        _, article, item, metric = path.split("/")
        figure = report.figures[path]
        yield {"report_id": report_id, "article": article, "item": item, "metric": metric,
               "value": number_text(figure.value), "unit": report.units.get(path, ""),
               "inferred": "true" if figure.inferred else "false"}


def grid_rows(report: Report, report_id: str, table: str, key_name: str) -> Iterator[dict]:
    if report.template is None:
        return
    template = TEMPLATES[report.template]
    grid = template.applications if table == "applications" else template.reviews_litigation
    for row in grid.rows:
        figures = [(column.key, report.figures[f"{table}/{row.key}/{column.key}"]) for column in grid.columns]
        out = {"report_id": report_id, key_name: row.key}
        out.update((key, number_text(figure.value)) for key, figure in figures)
        out["inferred"] = " ".join(key for key, figure in figures if figure.inferred)
        yield out


def finding_rows(report: Report, report_id: str) -> Iterator[dict]:
    for position, finding in enumerate(report.findings, start=1):
        yield {"report_id": report_id, "position": str(position), "rule": finding.rule,
               "severity": finding.severity, "message": finding.message, "cells": " ".join(finding.cells),
               "expected": number_text(finding.expected), "actual": number_text(finding.actual)}


def section_rows(report: Report, report_id: str) -> Iterator[dict]:
    for section, text in sorted(report.sections.items()):
        if text:
            yield {"report_id": report_id, "section": section, "text": text}


def rows_of(report: Report, report_id: str) -> dict[str, Iterator[dict]]:
    """Each resource's rows for one report."""
    return {
        "reports": iter([report_row(report, report_id)]),
        "active_disclosure": active_rows(report, report_id),
        "applications": grid_rows(report, report_id, "applications", "row"),
        "reviews_litigation": grid_rows(report, report_id, "reviews_litigation", "proceeding"),
        "findings": finding_rows(report, report_id),
        "sections": section_rows(report, report_id),
    }
