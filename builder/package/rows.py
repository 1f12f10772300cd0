"""Reports as the rows of the package's resources."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from operator import attrgetter

from builder.model import Number, Report
from builder.forms import HEADINGS, NARRATIVE_SECTIONS, REVIEWS, TEMPLATES
from builder.package.schema import FORMAT_NAMES, FORMATS, OTHER_ROWS, RESOURCES
from builder.places import KIND_NAMES, LEVEL_NAMES, agency_kind
from builder.vocabulary import CATALOG, SEVERITY_NAMES, STATUSES


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


# an amount's unit -> how many 万元 one of it is
_IN_10K_YUAN = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}


def active_rows(report: Report, report_id: str) -> Iterator[tuple]:
    if report.template is None:
        return
    figures, units = report.figures, report.units
    decimal = TEMPLATES[report.template].decimal_paths
    for path, article, item, metric in _active_cells(report.template):
        figure = figures[path]
        unit = units.get(path)
        in_10k = _cell(Decimal(figure.value) * _IN_10K_YUAN[unit]) \
            if path in decimal and figure.value is not None and unit in _IN_10K_YUAN else None
        yield report_id, article, item, metric, _cell(figure.value), unit, in_10k, figure.inferred


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


def ocr_rows(report: Report, report_id: str) -> Iterator[tuple]:
    for path, cell in report.ocr.items():
        yield (report_id, path, cell.page, cell.picture or None, *cell.box, cell.text or None, cell.confidence,
               report.figures[path].value is not None)


def rows_of(report: Report, report_id: str) -> dict[str, Iterator[tuple]]:
    """Each resource's rows for one report."""
    return {
        "reports": iter([report_row(report, report_id)]),
        "active_disclosure": active_rows(report, report_id),
        "applications": grid_rows(report, report_id, "applications"),
        "reviews_litigation": grid_rows(report, report_id, "reviews_litigation"),
        "findings": finding_rows(report, report_id),
        "sections": section_rows(report, report_id),
        "ocr_cells": ocr_rows(report, report_id),
    }


def code_list_rows() -> dict[str, list[tuple]]:
    """The rows of the code lists, from the form and the vocabulary."""
    templates = list(TEMPLATES.values())
    rows: dict[str, tuple] = {}
    for template in reversed(templates):  # the newest wording first
        for row in template.applications.rows:
            rows.setdefault(row.key, (row.key, row.label, row.group, "other" if row.key in OTHER_ROWS else row.key))
    order = list(dict.fromkeys(r.key for t in templates for r in t.applications.rows))
    application_rows = [(*rows[key], _having(lambda t, k=key: k in {r.key for r in t.applications.rows}))
                        for key in order]
    review_rows = [(row.key, row.label, row.group) for row in REVIEWS.rows]
    cells: dict[tuple, tuple] = {}
    for template in reversed(templates):
        for article in template.articles:
            units = dict(article.units)
            for item in article.items:
                for metric in article.metrics:
                    cells.setdefault((article.key, item.key, metric.key),
                                     (article.label, item.label, metric.label, units.get(metric.key)))
    keys = list(dict.fromkeys((c.article, c.row, c.column) for t in templates for c in t.cells
                              if c.table == "active_disclosure"))
    active = [(*key, *cells[key], _having(lambda t, k=key: ("active_disclosure", *k) in t.path_index()))
              for key in keys]
    rules = [(entry.id, entry.severity, entry.title) for entry in sorted(CATALOG.values(), key=lambda e: e.id)]
    codes = [("status", s.key, s.name) for s in STATUSES]
    codes += [("severity", key, name) for key, name in SEVERITY_NAMES.items()]
    codes += [("agency_kind", key, name) for key, name in KIND_NAMES.items()]
    codes += [("division_level", key, name) for key, name in LEVEL_NAMES.items()]
    codes += [("section", key, HEADINGS[key]) for key in NARRATIVE_SECTIONS] + [("section", "preamble", "正文之前的部分")]
    codes += [("source_format", key, name) for key, name in FORMAT_NAMES.items()]
    codes += [("template", t.version, t.document) for t in templates]
    codes += [("applications.column", c.key, c.label) for c in templates[-1].applications.columns]
    codes += [("reviews_litigation.column", c.key, c.label) for c in REVIEWS.columns]
    return {"application_rows": application_rows, "review_rows": review_rows, "active_cells": active,
            "rules": rules, "codes": codes}


def _having(test) -> str:
    return " ".join(t.version for t in TEMPLATES.values() if test(t))
