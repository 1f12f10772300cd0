"""The overview's table of every report, as static JSON that the browser reads in pages
(content/javascripts/reports.js), so that the overview weighs the same at a hundred reports
and at a hundred thousand.

The rows are in files of at most SHARD_ROWS, one group a year and province, in the table's
default order: year (newest first), province, agency. A page of the default view reads the
one or two files it covers; a filter by year or province reads only that year's or
province's files; a sort, a name search or any other filter reads the files the year and
province filters leave, then works in the browser. The page itself carries the first
FIRST_ROWS rows, so that the first screen needs no file at all, and works without scripts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from builder.forms import cell_path
from builder.model import Report
from builder.places import KIND_NAMES, agency_kind
from builder.site import summary
from builder.vocabulary import STATUS_NAMES, STATUS_ORDER

SHARD_ROWS = 1000
FIRST_ROWS = 50  # the rows the page carries: a page of the table
UNPLACED = "未注明"
# a row of the files: the browser reads its fields by position, named in the manifest
COLUMNS = ("id", "agency", "place", "year", "kind", "template", "status", "received", "errors", "warnings", "code")
_RECEIVED = cell_path("applications", "new_received", "total")


def row(report: Report, report_id: str) -> list:
    received = report.value(_RECEIVED) if report.template else None
    return [report_id, report.agency or report.source.file, summary.region_text(report) or UNPLACED, report.year,
            agency_kind(report.agency), report.template or "", report.status,
            None if received is None else int(received) if received == int(received) else float(received),
            sum(f.severity == "error" for f in report.findings),
            sum(f.severity == "warning" for f in report.findings),
            (report.place or {}).get("code") or ""]


def _province(report: Report) -> tuple[str, str]:
    place = report.place or {}
    code = place.get("province_code")
    return (code[:2], place["province"]) if code and place.get("province") else ("x", UNPLACED)


def ordered(reports: Sequence[Report], ids: Sequence[str]) -> list[tuple[tuple, Report, str]]:
    """The reports in the table's default order, each with its group (year, province)."""
    keyed = []
    for report, report_id in zip(reports, ids):
        code, name = _province(report)
        keyed.append(((-(report.year or 0), code), name, report.agency or report.source.file, report_id, report))
    keyed.sort(key=lambda k: (k[0], k[2], k[3]))
    return [((k[0], k[1]), k[4], k[3]) for k in keyed]


def files(reports: Sequence[Report], ids: Sequence[str]) -> dict[str, object]:
    """The manifest and the rows' files (name -> JSON value)."""
    groups: dict[tuple, list[list]] = defaultdict(list)
    names = {}
    for (group, name), report, report_id in ordered(reports, ids):
        groups[group].append(row(report, report_id))
        names[group] = name
    shards, out = [], {}
    for group, rows in groups.items():  # in the default order: dicts keep it
        (year, code) = group
        for part, start in enumerate(range(0, len(rows), SHARD_ROWS)):
            name = f"r-{-year}-{code}-{part}.json"
            out[name] = rows[start:start + SHARD_ROWS]
            shards.append({"file": name, "year": -year or None, "province": names[group],
                           "rows": len(out[name])})
    out["manifest.json"] = {
        "version": 1, "count": len(reports), "page": FIRST_ROWS, "columns": list(COLUMNS), "shards": shards,
        "kinds": KIND_NAMES, "statuses": {s: STATUS_NAMES[s] for s in STATUS_ORDER},
        "status_order": list(STATUS_ORDER)}
    return out


def first_rows(reports: Sequence[Report], ids: Sequence[str], urls: dict[str, str]) -> list[dict]:
    """The rows the page carries, as the template shows them."""
    shown = []
    for _, report, report_id in ordered(reports, ids)[:FIRST_ROWS]:
        values = dict(zip(COLUMNS, row(report, report_id)))
        values.update(url=urls[report_id], kind_name=KIND_NAMES[values["kind"]],
                      status_name=STATUS_NAMES[values["status"]])
        shown.append(values)
    return shown


def filter_values(reports: Sequence[Report]) -> dict[str, list[str]]:
    """What the filters offer: every year, province, kind and status the corpus has."""
    kinds, statuses = {agency_kind(r.agency) for r in reports}, {r.status for r in reports}
    return {"year": sorted({str(r.year) for r in reports if r.year}, reverse=True),
            "region": sorted({_province(r)[1] for r in reports}, key=lambda n: (n == UNPLACED, n)),
            "kind": [k for k in KIND_NAMES if k in kinds], "status": [s for s in STATUS_ORDER if s in statuses]}
