"""Reports as the rows of the package's resources."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from operator import attrgetter

from builder.model import Number, Report
from builder.places import agency_kind
from builder.package.schema import FORMATS, RESOURCES
from builder.forms import TEMPLATES


def number_text(value: Number | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _cell(value: Number | None) -> int | float | None:
    """A figure as a table value: printed decimals are short, so a float holds them exactly
    (its shortest repr is the printed number)."""
    return float(value) if isinstance(value, Decimal) else value


# Rows are tuples in the order of their resource's fields (schema.RESOURCES): the CSV writer
# and SQLite take them as they are. None is a blank cell.
# A column of `reports` is the Report's field of its name, unless it is one of these.
_REPORT_COLUMNS = {
    "province": lambda r: (r.place or {}).get("province"),
    "city": lambda r: (r.place or {}).get("city"),
    "county": lambda r: (r.place or {}).get("county"),
    "township": lambda r: (r.place or {}).get("township"),
    "division_code": lambda r: (r.place or {}).get("code"),
    "division_level": lambda r: (r.place or {}).get("level"),
    "agency_kind": lambda r: agency_kind(r.agency),
    "source_file": lambda r: r.source.file,
    "source_format": lambda r: r.source.format if r.source.format in FORMATS else "unknown",
    "source_sha256": lambda r: r.source.sha256 or None,
    "contact_phone": lambda r: (r.contact or {}).get("phone"),
    "contact_address": lambda r: (r.contact or {}).get("address"),
    "contact_email": lambda r: (r.contact or {}).get("email"),
    "errors": lambda r: sum(f.severity == "error" for f in r.findings),
    "warnings": lambda r: sum(f.severity == "warning" for f in r.findings),
}
_REPORT_GETTERS = tuple(_REPORT_COLUMNS.get(field["name"], attrgetter(field["name"]))
                        for field in RESOURCES["reports"]["fields"][1:])  # after the id


def report_row(report: Report, report_id: str) -> tuple:
    return (report_id, *(getter(report) for getter in _REPORT_GETTERS))


@cache
def _active_cells(version: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((c.path, c.article, c.row, c.column) for c in TEMPLATES[version].cells if c.table == "active_disclosure")


def active_rows(report: Report, report_id: str) -> Iterator[tuple]:
    if report.template is None:
        return
    figures, units = report.figures, report.units
    for path, article, item, metric in _active_cells(report.template):
        figure = figures[path]
        yield report_id, article, item, metric, _cell(figure.value), units.get(path), figure.inferred


@cache
def _grid_cells(version: str, table: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    template = TEMPLATES[version]
    grid = template.applications if table == "applications" else template.reviews_litigation
    return tuple((row.key, tuple((template.cell(path).column, path) for path in template.row_paths(table, row.key)))
                 for row in grid.rows)


def grid_rows(report: Report, report_id: str, table: str) -> Iterator[tuple]:
    if report.template is None:
        return
    figures = report.figures
    for row, cells in _grid_cells(report.template, table):
        row_figures = [figures[path] for _, path in cells]
        inferred = " ".join(key for (key, _), figure in zip(cells, row_figures) if figure.inferred)
        yield (report_id, row, *(_cell(figure.value) for figure in row_figures), inferred or None)


def finding_rows(report: Report, report_id: str) -> Iterator[tuple]:
    for position, finding in enumerate(report.findings, start=1):
        yield (report_id, position, finding.rule, finding.severity, finding.message,
               " ".join(finding.cells) or None, number_text(finding.expected) or None,
               number_text(finding.actual) or None)


def section_rows(report: Report, report_id: str) -> Iterator[tuple]:
    for section, text in sorted(report.sections.items()):
        if text:
            yield report_id, section, text


def rows_of(report: Report, report_id: str) -> dict[str, Iterator[tuple]]:
    """Each resource's rows for one report."""
    return {
        "reports": iter([report_row(report, report_id)]),
        "active_disclosure": active_rows(report, report_id),
        "applications": grid_rows(report, report_id, "applications"),
        "reviews_litigation": grid_rows(report, report_id, "reviews_litigation"),
        "findings": finding_rows(report, report_id),
        "sections": section_rows(report, report_id),
    }
