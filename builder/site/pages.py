"""The generated pages' HTML, rendered by gongkai's Jinja2 templates with autoescaping: text
from reports is data, shown as text wherever it appears."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from builder.vocabulary import SEVERITY_NAMES, STATUS_COLORS, STATUS_NAMES
from builder.model import Report
from builder.places import KIND_NAMES, LEVEL_NAMES
from builder.ids import agency_digest
from builder.site import layout, overview, paths, summary
from builder.forms import NARRATIVE_SECTIONS, SECTIONS, TEMPLATES, cell_path

NARRATIVE = [(s.key, s.label) for s in SECTIONS if s.key in NARRATIVE_SECTIONS]
TREND_SERIES = (("本年新收", ("new_received",)), ("予以公开", ("granted",)), ("部分公开", ("partially_granted",)),
                ("不予公开", ("denied_",)), ("其他结果", ("unavailable_", "not_processed_", "other")))
TREND_COLORS = ("#3949ab", "#43a047", "#7cb342", "#e53935", "#8d6e63")


def _figure(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


@cache
def environment() -> Environment:
    # auto_reload off: templates do not change during a build, and checking cost a stat a page
    env = Environment(loader=PackageLoader("builder.site", "templates"),
                      autoescape=select_autoescape(["html", "svg"], default_for_string=True), auto_reload=False)
    env.filters["figure"] = _figure
    env.filters["cell_id"] = layout.cell_id
    return env


@cache
def _markdown() -> MarkdownIt:
    # raw HTML off; images off, so that no report makes a reader's browser fetch anything
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def narrative_html(text: str) -> Markup:
    """A narrative section: each line a paragraph; markup in the text stays text."""
    source = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    return Markup(_markdown().render(source))


@cache
def _labels(version: str) -> dict[str, str]:
    template = TEMPLATES[version]
    return {path: template.cell(path).label for path in template.cell_paths()}


@cache
def _layouts(version: str):
    template = TEMPLATES[version]
    return layout.active(template), layout.applications(template), layout.reviews(template)


def report_title(report: Report) -> str:
    agency = report.agency or report.source.file
    return f"{agency} {report.year} 年政府信息公开工作年度报告" if report.year else f"{agency} 政府信息公开工作年度报告"


@cache
def badge(status: str) -> tuple[str, int]:
    """The standalone SVG badge of a status, and its width."""
    text = STATUS_NAMES[status]
    left = 34
    width = left + 12 * len(text) + 12
    svg = environment().get_template("badge.svg").render(width=width, left=left, text=text,
                                                          color=STATUS_COLORS[status])
    return svg, width


def report_description(report: Report) -> str:
    """A line on what the report says, for search engines and shared links."""
    parts = [report_title(report), f"校验结果：{STATUS_NAMES[report.status]}"]
    received = report.value(cell_path("applications", "new_received", "total")) if report.template else None
    if received is not None:
        parts.append(f"本年新收政府信息公开申请 {_figure(received)} 件")
    place = summary.region_text(report)
    if place:
        parts.append(place)
    return "；".join(parts)


def report_page(report: Report, report_id: str, agency_url: str | None, source_href: str,
                site_url: str | None = None, cell_pictures: dict[str, str] | None = None) -> str:
    """`site_url`: where the site is published, for the snippet that embeds the badge elsewhere;
    `cell_pictures`: the file of each doubted cell's picture, shown with the finding naming it."""
    template = TEMPLATES.get(report.template) if report.template else None
    labels = _labels(template.version) if template else {}
    flagged = {cell for finding in report.findings for cell in finding.cells}
    tables = {}
    if template:
        active_tables, applications_table, reviews_table = _layouts(template.version)
        tables = {key: Markup("".join(layout.table_html(t, report.figures, flagged, _figure, report.ocr) for t in group))
                  for key, group in (("active", active_tables), ("applications", (applications_table,)),
                                     ("reviews", (reviews_table,)))}
    narrative = [(key, label, narrative_html(report.sections[key]))
                 for key, label in NARRATIVE if report.sections.get(key)]
    return environment().get_template("report.html").render(
        report=report, report_id=report_id, template=template, title=report_title(report), status_name=STATUS_NAMES[report.status],
        badge_width=badge(report.status)[1], region=summary.region_text(report), agency_url=agency_url,
        source_href=source_href, findings=report.findings, severity_names=SEVERITY_NAMES, labels=labels,
        tables=tables, narrative=narrative, cell_pictures=cell_pictures or {},
        page_url=f"{site_url.rstrip('/')}/{paths.report_base(report_id)}" if site_url else None)


def report_csv(report: Report) -> str:
    """This report's cells in long form: the rows it has in the package's tables."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["cell", "value", "printed", "line", "inferred"])
    for path, figure in report.figures.items():
        writer.writerow([path, _figure(figure.value), figure.printed or "", figure.line or "",
                         "true" if figure.inferred else "false"])
    return buffer.getvalue()


def agency_page(reports: Sequence[Report], bases: Sequence[str]) -> str:
    """`bases`: each report's address without extension, for its page (.html) and badge (.svg)."""
    # one column a year; another report of a year (a version, a duplicate) is linked from its column
    ordered, versions = [], {}
    for report, base in sorted(zip(reports, bases), key=lambda pair: (pair[0].year or 0, pair[1])):
        if ordered and report.year and ordered[-1][0].year == report.year:
            versions.setdefault(ordered[-1][1], []).append(base)
        else:
            ordered.append((report, base))
    columns = [{"year": r.year, "base": base, "status_name": STATUS_NAMES[r.status], "versions": versions.get(base, [])}
               for r, base in ordered]
    rows = [(label, [summary.group_total(r, prefixes) for r, _ in ordered])
            for label, prefixes in summary.APPLICATION_GROUPS]
    rows += [(label, [summary.printed_total(r, paths) for r, _ in ordered])
             for label, paths in (("行政复议", [cell_path("reviews_litigation", "review", "total")]),
                                  ("行政诉讼", [cell_path("reviews_litigation", "litigation_direct", "total"),
                                            cell_path("reviews_litigation", "litigation_after_review", "total")]))]
    trend_groups = [(str(r.year), [summary.group_total(r, prefixes) for _, prefixes in TREND_SERIES])
                    for r, _ in ordered]
    trend = columns_chart("申请数量与办理结果趋势", trend_groups, [name for name, _ in TREND_SERIES], TREND_COLORS)
    first = ordered[0][0]
    return environment().get_template("agency.html").render(
        agency=first.agency, region=summary.region_text(first), reports=columns, rows=rows, trend=trend,
        count=len(reports))


def bars_chart(title: str, bars: list[tuple[str, float]], suffix: str = "", color: str = "#3949ab") -> Markup:
    top = max((value for _, value in bars), default=0)
    return Markup(environment().get_template("bars.html").render(title=title, bars=bars, top=top, suffix=suffix,
                                                                 color=color))


def columns_chart(title: str, groups, series, colors) -> Markup:
    top = max((v or 0 for _, values in groups for v in values), default=0)
    return Markup(environment().get_template("columns.html").render(title=title, groups=groups, series=series,
                                                                    colors=colors, top=top))


# the overview's columns: (key in the rows' files, heading)
INDEX_COLUMNS = (("agency", "机关"), ("place", "地区"), ("year", "年度"), ("kind", "类型"), ("template", "模板"),
                 ("status", "校验结果"), ("received", "新收申请"), ("errors", "错误"), ("warnings", "警告"))


def index_page(reports: Sequence[Report], ids: Sequence[str], regions: dict[str, dict]) -> str:
    """The overview: the corpus's totals and charts, and the first page of its table of reports,
    whose other pages the browser reads from the files of `overview.files`; `regions`: as
    `summary.regions_of` gives them."""
    shares, counted, whole = summary.outcome_shares(reports)
    provinces = sorted(({"code": code, "name": r["name"], "count": len(r["members"]),
                         "below": r["descendants"]}
                        for code, r in regions.items() if r["level"] == "province"), key=lambda r: r["code"])
    unplaced = sum(1 for r in reports if not r.place)
    return environment().get_template("index.html").render(provinces=provinces, unplaced=unplaced,
        # every agency named, by name and region: not only those with an agency page
        reports=reports, rows=overview.first_rows(reports, ids, {i: paths.relative(paths.OVERVIEW_PAGE, paths.report_page(i))
                                                                for i in ids}),
        agencies=len({agency_digest(r) for r in reports if r.agency}),
        years=sorted({r.year for r in reports if r.year}, reverse=True),
        filters=overview.filter_values(reports), kind_names=KIND_NAMES, columns=INDEX_COLUMNS,
        sort_columns=INDEX_COLUMNS, status_names=STATUS_NAMES, severity_names=SEVERITY_NAMES,
        status_counts=summary.status_counts(reports), rule_counts=summary.rule_counts(reports),
        application_totals=summary.application_totals(reports), review_totals=summary.review_totals(reports),
        active_totals=summary.active_totals(reports),
        outcome_chart=bars_chart("办理结果构成", shares, "%", "#43a047"), outcome_reports=counted,
        outcome_whole=whole, shares=shares, same_agencies=summary.same_agencies_by_year(reports))


def region_page(region: dict, regions: dict[str, dict], reports: Sequence[Report], ids: Sequence[str]) -> str:
    """A province's, city's or county's page over its reports (summaries will do)."""
    members = [reports[p] for p in region["members"]]
    below = [{"code": code, "name": regions[code]["name"], "count": len(regions[code]["members"])}
             for code in sorted(region["below"])]
    shares, counted, whole = summary.outcome_shares(members)
    page = paths.region_page(region["code"])
    listed = sorted(({"url": paths.relative(page, paths.report_page(ids[p])), "year": reports[p].year,
                      "agency": reports[p].agency or reports[p].source.file, "status": reports[p].status}
                     for p in region["members"]),
                    key=lambda r: (r["agency"], -(r["year"] or 0)))
    ranking = summary.agency_ranking(members)
    return environment().get_template("region.html").render(
        code=region["code"], name=region["name"], level_name=LEVEL_NAMES[region["level"]],
        above=[{"code": code, "name": regions[code]["name"]} for code in region["above"]], below=below,
        reports=members, agencies=len({agency_digest(r) for r in members if r.agency}),
        status_counts=summary.status_counts(members), status_names=STATUS_NAMES,
        application_totals=summary.application_totals(members), review_totals=summary.review_totals(members),
        outcome_chart=bars_chart("办理结果构成", shares, "%", "#43a047"), outcome_reports=counted, outcome_whole=whole,
        shares=shares, same_agencies=summary.same_agencies_by_year(members), ranking=ranking[:REGION_LIST],
        ranked=len(ranking), listed=listed[:REGION_LIST], overview_place=region["code"][:PREFIX[region["level"]]],
        shown=REGION_LIST)


# A region page lists this many agencies and reports at most, so that a province's page stays light;
# the overview, filtered by the region's code (its leading digits), lists them all.
REGION_LIST = 200
PREFIX = {"province": 2, "city": 4, "county": 6, "township": 9}


def home_page(reports: Sequence[Report], ids: Sequence[str], latest: int = 10) -> str:
    """The headline figures of the corpus and the reports added last, for the home page."""
    years = [r.year for r in reports if r.year]
    received = [r.value(cell_path("applications", "new_received", "total")) for r in reports if r.template]
    newest = sorted(range(len(reports)), key=lambda n: (reports[n].added or "", ids[n]), reverse=True)[:latest]
    return environment().get_template("home.html").render(
        reports=len(reports), agencies=len({agency_digest(r) for r in reports if r.agency}),
        provinces=len({(r.place or {}).get("province") for r in reports if r.place}),
        first_year=min(years, default=""), last_year=max(years, default=""),
        checked=sum(r.status == "pass" for r in reports), received=sum(v for v in received if v is not None),
        latest=[{"url": paths.report_page(ids[n]), "title": report_title(reports[n]), "status": reports[n].status,
                 "added": reports[n].added} for n in newest],
        status_names=STATUS_NAMES)
