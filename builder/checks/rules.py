"""One small function per rule. Each takes a parsed report and its template, returns findings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from operator import itemgetter

from builder.model import Finding, Report
from builder.forms import HEADINGS, NARRATIVE_SECTIONS, TABLES, TEMPLATES, Template, cell_path


def _equation_findings(report: Report, template: Template, rule: str, message) -> Iterator[Finding]:
    values = report.values
    for eq, terms in _getters(template.version, rule):
        found = terms(values)
        if None in found:
            continue  # blank cells are reported by blank_cell; a sum with a blank cannot be checked
        lhs, rhs = sum(found[:len(eq.lhs)]), sum(found[len(eq.lhs):])
        if lhs != rhs:
            yield Finding(rule, "error", message(template, eq, lhs, rhs), (*eq.lhs, *eq.rhs), rhs, lhs)


@cache
def _getters(version: str, rule: str) -> tuple:
    """Each equation of a rule with a getter of its cells' values, lhs first (every equation
    has at least two cells, so the getter returns a tuple)."""
    return tuple((eq, itemgetter(*eq.lhs, *eq.rhs)) for eq in TEMPLATES[version].equations(rule))


def balance(report: Report, template: Template) -> Iterator[Finding]:
    """Per column: new_received + carried_over = results_total + carried_forward."""
    def message(t, eq, lhs, rhs):
        column = t.cell(eq.lhs[0]).label.split("行")[-1]
        return (f"{column}：本年新收 + 上年结转 = {lhs}，办理结果总计 + 结转下年度 = {rhs}，"
                "不符合表中勾稽关系（第一项加第二项之和，等于第三项加第四项之和）")
    return _equation_findings(report, template, "balance", message)


def row_total(report: Report, template: Template) -> Iterator[Finding]:
    """Per row of section 三: total = the sum of the six applicant columns."""
    def message(t, eq, lhs, rhs):
        return f"{t.cell(eq.lhs[0]).label}为 {lhs}，而六类申请人之和为 {rhs}"
    return _equation_findings(report, template, "row_total", message)


def results_total(report: Report, template: Template) -> Iterator[Finding]:
    """Per column: results_total = the sum of all result rows."""
    def message(t, eq, lhs, rhs):
        return f"{t.cell(eq.lhs[0]).label}为 {lhs}，而各项办理结果之和为 {rhs}"
    return _equation_findings(report, template, "results_total", message)


def review_total(report: Report, template: Template) -> Iterator[Finding]:
    """Section 四, per proceeding: upheld + corrected + other + pending = total."""
    def message(t, eq, lhs, rhs):
        return f"{t.cell(eq.lhs[0]).label}为 {lhs}，而维持、纠正、其他、尚未审结之和为 {rhs}"
    return _equation_findings(report, template, "review_total", message)


def non_negative_integer(report: Report, template: Template) -> Iterator[Finding]:
    """Counts are non-negative integers; `change` may be negative; amounts may be decimal."""
    signed, decimal = template.signed_paths, template.decimal_paths
    for path, value in report.values.items():
        if value is None or (type(value) is int and value >= 0):
            continue
        fractional = isinstance(value, Decimal) and value != value.to_integral_value()
        if (value < 0 and path not in signed) or (fractional and path not in decimal):
            kind = "负数" if value < 0 else "小数"
            yield Finding("non_negative_integer", "error",
                          f"{template.cell(path).label}为{kind} {value}，此处应为非负整数", (path,), None, value)


def blank_cell(report: Report, template: Template) -> Iterator[Finding]:
    """Blank cells are missing figures, never zeros: one finding per table row with blanks."""
    for table in report.tables_found:
        paths = template.table_paths(table)
        values = report.values
        elsewhere = _reported_elsewhere(report)
        blanks = [p for p in paths if values[p] is None and p not in elsewhere]
        if blanks and len(blanks) == len(paths):
            yield Finding("blank_cell", "warning",
                          f"「{HEADINGS[table]}」表格全部为空白（{len(blanks)} 个单元格），空白不等于 0",
                          tuple(blanks), None, len(blanks))
            continue
        rows: dict[str, list[str]] = {}
        for blank in blanks:
            cell = template.cell(blank)
            rows.setdefault((cell.article, cell.row), []).append(blank)
        # rows blank in the same columns are one finding: an agency that leaves five columns empty
        # leaves them empty in every row
        alike: dict[tuple[str, ...], list[list[str]]] = {}
        for cells in rows.values():
            alike.setdefault(tuple(template.cell(p).column for p in cells), []).append(cells)
        for columns, groups in alike.items():
            cells = [p for group in groups for p in group]
            if len(groups) == 1:
                row_name = template.cell(cells[0]).label.rsplit("「", 1)[0]
                message = f"{row_name}有 {len(cells)} 个空白单元格，记为缺失（不计为 0）"
            elif len(columns) == len(_row_of(template, cells[0])):
                message = (f"「{HEADINGS[table]}」表格有 {len(groups)} 行整行空白，"
                           f"共 {len(cells)} 个单元格，记为缺失（不计为 0）")
            else:
                names = "".join(f"「{template.cell(p).label.rsplit('「', 1)[1]}" for p in groups[0])
                message = (f"「{HEADINGS[table]}」表格有 {len(groups)} 行在{names}为空白，"
                           f"共 {len(cells)} 个单元格，记为缺失（不计为 0）")
            yield Finding("blank_cell", "warning", message, tuple(cells), None, len(cells))


def _row_of(template: Template, path: str) -> tuple[str, ...]:
    cell = template.cell(path)
    return template.row_paths(cell.table, cell.row, cell.article)


def _reported_elsewhere(report: Report) -> set[str]:
    """Cells lost in a short, missing or glued row already have their own finding."""
    return {cell for f in report.findings if f.rule in ("short_row", "extra_figures", "missing_row", "ambiguous_split")
            for cell in f.cells}


def missing_table(report: Report, template: Template) -> Iterator[Finding]:
    for table in TABLES:
        if table not in report.tables_found:
            name = HEADINGS[table]
            yield Finding("missing_table", "warning",
                          f"未找到「{name}」表格（可能是图片或缺失），其数据记为缺失",
                          template.table_paths(table))


def missing_section(report: Report, template: Template) -> Iterator[Finding]:
    for key in NARRATIVE_SECTIONS:
        if key not in report.sections:
            yield Finding("missing_section", "warning", f"未找到「{HEADINGS[key]}」部分")


# Figures quoted in section 一: (pattern, cells whose sum the figure should equal, what it is)
# Each pattern starts with a literal, which the regex engine finds fast; `before` must end
# the text just before the match, in the same clause.
_QUOTED = (
    (re.compile(r"申请[^，。；,;0-9]{0,14}?(\d+)\s*[件条个次]"), re.compile(r"(?:收到|受理|新收|接收)[^，。；,;0-9]{0,14}$"),
     (cell_path("applications", "new_received", "total"),), "收到申请"),
    (re.compile(r"结转(?:至|到)?下(?:一)?年度?[^，。；,;0-9]{0,8}?(\d+)\s*件"), None,
     (cell_path("applications", "carried_forward", "total"),), "结转下年度"),
    (re.compile(r"行政复议\s*(\d+)\s*[件起次]"), None, (cell_path("reviews_litigation", "review", "total"),),
     "行政复议"),
    (re.compile(r"行政诉讼\s*(\d+)\s*[件起次]"), None,
     (cell_path("reviews_litigation", "litigation_direct", "total"),
      cell_path("reviews_litigation", "litigation_after_review", "total")),
     "行政诉讼"),
)


def overview_mismatch(report: Report, template: Template) -> Iterator[Finding]:
    """Figures quoted in section 一 should equal the tables."""
    text = report.sections.get("overview", "")
    for pattern, before, cells, what in _QUOTED:
        match = next((m for m in pattern.finditer(text)
                      if before is None or before.search(text, max(0, m.start() - 20), m.start())), None)
        if not match:
            continue
        values = [report.value(p) for p in cells]
        if any(v is None for v in values):
            continue
        quoted, table = int(match.group(1)), sum(values)
        if quoted != table:
            yield Finding("overview_mismatch", "warning",
                          f"「一、总体情况」写明{what} {quoted} 件（“{_quote(text, match, before)}”），表格中为 {table}",
                          cells, table, quoted)


def _quote(text: str, match: re.Match, before: re.Pattern | None) -> str:
    if before is None:
        return match.group(0)
    lead = before.search(text, max(0, match.start() - 20), match.start())
    return text[lead.start():match.end()]


def outdated_template(report: Report, template: Template) -> Iterator[Finding]:
    if report.year is None or template.fits_year(report.year):
        return
    if template.version == "2019" and report.year >= 2021:
        message = f"{report.year} 年度报告仍使用已废止的 2019 版模板（{template.document}），应使用 2021 版"
    else:
        message = f"{report.year} 年度报告使用了 {template.version} 版模板，与年度不符"
    yield Finding("outdated_template", "warning", message, (), None, template.version)
