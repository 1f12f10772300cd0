"""Reports as the rows of the package's resources, and the reports' stable ids."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache

from builder.model import Number, Report
from builder.package.schema import FORMATS
from builder.templates import TEMPLATES


def report_ids(reports: Sequence[Report]) -> list[str]:
    """Ids in the order of `reports`. An id once published is recorded in the report's sidecar
    and kept. Another report gets the year and a digest of agency and region; where two files
    would share one, or it is taken, a suffix from its own sha256, so no id depends on file order."""
    recorded: dict[str, int] = {}
    for n in sorted(range(len(reports)), key=lambda n: reports[n].source.file):
        if reports[n].report_id and reports[n].report_id not in recorded:
            recorded[reports[n].report_id] = n
    bases = [_base_id(r) for r in reports]
    shared = {base for base, count in Counter(b for n, b in enumerate(bases) if n not in recorded.values()).items()
              if count > 1} | set(recorded)
    ids = [reports[n].report_id if recorded.get(reports[n].report_id) == n
           else f"{base}-{_file_digest(reports[n])[:8]}" if base in shared else base
           for n, base in enumerate(bases)]
    # two copies of one file still share a digest: number them by their file names
    positions: dict[str, list[int]] = defaultdict(list)
    for n, report_id in enumerate(ids):
        positions[report_id].append(n)
    kept = set(recorded.values())
    for duplicate, copies in positions.items():
        if len(copies) > 1:
            others = sorted((reports[n].source.file, n) for n in copies if n not in kept)
            for rank, (_, n) in enumerate(others, start=1):
                ids[n] = f"{duplicate}-{rank}"
    return ids


def new_id(report: Report, taken: set[str]) -> str:
    """The id for a report added to a corpus whose published ids are `taken`."""
    base = _base_id(report)
    digest = _file_digest(report)
    for candidate in (base, f"{base}-{digest[:8]}", f"{base}-{digest[:12]}"):
        if candidate not in taken:
            return candidate
    return next(f"{base}-{digest[:12]}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{digest[:12]}-{n}" not in taken)


def agency_digest(report: Report) -> str | None:
    """Who published the report, as a digest of agency and region: one agency's reports of
    several years share it; agencies of one name in different regions do not."""
    if not report.agency:
        return None
    region = report.region or {}
    key = "|".join([report.agency, region.get("province", ""), region.get("city", ""), region.get("county", ""),
                    region.get("name", "")])
    return hashlib.sha256(unicodedata.normalize("NFKC", key).encode("utf-8")).hexdigest()[:10]


def _base_id(report: Report) -> str:
    digest = agency_digest(report)
    if digest is None:
        return f"file-{_file_digest(report)[:12]}"
    return f"{report.year or 'unknown'}-{digest}"


def _file_digest(report: Report) -> str:
    return report.source.sha256 or hashlib.sha256(report.source.file.encode("utf-8")).hexdigest()


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
def report_row(report: Report, report_id: str) -> tuple:
    region, contact = report.region or {}, report.contact or {}
    severities = Counter(f.severity for f in report.findings)
    return (
        report_id, report.agency, report.year, report.template, region.get("province"), region.get("city"),
        region.get("county") or region.get("name"), report.published, report.added, report.source.file,
        report.source.format if report.source.format in FORMATS else "unknown", report.source.sha256 or None,
        report.source_url, contact.get("phone"), contact.get("address"), contact.get("email"), report.status,
        severities["error"], severities["warning"],
    )


@cache
def _active_cells(version: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((path, *path.split("/")[1:]) for path in TEMPLATES[version].table_paths("active_disclosure"))


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
    return tuple((row.key, tuple((c.key, f"{table}/{row.key}/{c.key}") for c in grid.columns)) for row in grid.rows)


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
