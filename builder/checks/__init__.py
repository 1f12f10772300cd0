"""The rules the figures obey, as an ordered list of small named checks with stable ids.

`RULES` run on one report; `check_corpus` runs the rules that compare reports of one
agency across years. `CATALOG` names every finding id, including those the reader and
parser return, so that the site and the data dictionary can explain each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from builder.checks import rules
from builder.model import Finding, Report, Severity
from builder.templates import TEMPLATES, Template


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    check: Callable[[Report, Template], Iterable[Finding]] | None = None


RULES = (
    Rule("balance", "error", "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度", rules.balance),
    Rule("row_total", "error", "每行：总计 = 六类申请人之和", rules.row_total),
    Rule("results_total", "error", "每列：（七）总计 = 各项办理结果之和", rules.results_total),
    Rule("review_total", "error", "行政复议、行政诉讼：总计 = 维持 + 纠正 + 其他 + 尚未审结", rules.review_total),
    Rule("non_negative_integer", "error", "申请与复议诉讼数据为非负整数（本年增/减可为负，金额可有小数）",
         rules.non_negative_integer),
    Rule("blank_cell", "warning", "空白单元格（缺失，不计为 0）", rules.blank_cell),
    Rule("missing_table", "warning", "表格缺失或为图片", rules.missing_table),
    Rule("missing_section", "warning", "报告缺少某一部分", rules.missing_section),
    Rule("overview_mismatch", "warning", "总体情况中的数字与表格不一致", rules.overview_mismatch),
    Rule("outdated_template", "warning", "模板版本与报告年度不符", rules.outdated_template),
)

CORPUS_RULES = (
    Rule("carried_over_mismatch", "warning", "上年结转应等于上一年度报告的结转下年度"),
)

# Findings returned by the reader and the parser.
PARSE_RULES = (
    Rule("unreadable", "error", "文件无法读取"),
    Rule("no_tables", "error", "未找到任何统计表格（可能是图片）"),
    Rule("internal_error", "error", "解析时发生内部错误"),
    Rule("timeout", "error", "读取与解析超时"),
    Rule("short_row", "warning", "一行的数字少于列数"),
    Rule("extra_figures", "warning", "一行的数字多于列数"),
    Rule("ambiguous_split", "warning", "连在一起的数字无法唯一拆分"),
    Rule("glued_cells", "info", "表格被压平为文字，数字已按模板唯一确定"),
    Rule("missing_row", "warning", "表格缺少某一行"),
    Rule("unlabelled_figures", "warning", "数字找不到对应的表格行"),
    Rule("template_unclear", "warning", "模板版本无法确定"),
    Rule("metadata_missing", "warning", "机关名称或年度无法识别"),
    Rule("sidecar", "warning", "附加信息文件有误"),
    Rule("header_missing", "info", "未找到表头"),
)

CATALOG = {rule.id: rule for rule in (*RULES, *CORPUS_RULES, *PARSE_RULES)}

STATUS_NAMES = {"pass": "通过", "warn": "警告", "fail": "未通过", "unparsed": "无法解析"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def check(report: Report) -> tuple[Finding, ...]:
    """The findings of every rule on one parsed report."""
    if report.template is None:
        return ()
    template = TEMPLATES[report.template]
    return tuple(finding for rule in RULES for finding in rule.check(report, template))


def check_corpus(reports: Sequence[Report]) -> dict[int, tuple[Finding, ...]]:
    """Findings across reports of one agency, keyed by the position of the report they concern."""
    by_agency: dict[tuple, dict[int, int]] = defaultdict(dict)
    for position, report in enumerate(reports):
        if report.agency and report.year and report.template:
            region = tuple(sorted((report.region or {}).items()))
            by_agency[(report.agency, region)].setdefault(report.year, position)
    found: dict[int, list[Finding]] = defaultdict(list)
    for years in by_agency.values():
        for year, position in years.items():
            if year - 1 in years:
                found[position] += _carried_over(reports[years[year - 1]], reports[position])
    return {position: tuple(findings) for position, findings in found.items() if findings}


@cache
def corpus_paths(version: str) -> frozenset[str]:
    """The cells `check_corpus` reads."""
    return frozenset(f"applications/{row}/{column.key}" for row in ("carried_over", "carried_forward")
                     for column in TEMPLATES[version].applications.columns)


def _carried_over(previous: Report, current: Report) -> Iterator[Finding]:
    for column in TEMPLATES[current.template].applications.columns:
        before = previous.value(f"applications/carried_forward/{column.key}")
        now = current.value(f"applications/carried_over/{column.key}")
        if before is not None and now is not None and before != now:
            yield Finding("carried_over_mismatch", "warning",
                          f"上年结转（{column.label}）为 {now}，而 {previous.year} 年度报告的结转下年度为 {before}",
                          (f"applications/carried_over/{column.key}",), before, now)
