"""The words every stage shares: statuses, severities and the catalog of findings.

Readers, parser, checks, package and site import these names and never each other's; a new
status or a new finding is added here (its rule, if it has one, in `checks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Status = Literal["pass", "warn", "fail", "unparsed"]

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class StatusInfo:
    key: str
    name: str  # as the site and the command line say it
    colour: str  # of its badge


STATUSES = (
    StatusInfo("pass", "通过", "#2e7d32"),
    StatusInfo("warn", "警告", "#b26a00"),
    StatusInfo("fail", "未通过", "#c62828"),
    StatusInfo("unparsed", "无法解析", "#616161"),
)
STATUS_ORDER = tuple(s.key for s in STATUSES)
STATUS_NAMES = {s.key: s.name for s in STATUSES}
STATUS_COLORS = {s.key: s.colour for s in STATUSES}


def status_of(findings: Iterable, parsed: bool) -> Status:
    """A report's status from the severities of its findings."""
    if not parsed:
        return "unparsed"
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "fail"
    if "warning" in severities:
        return "warn"
    return "pass"


@dataclass(frozen=True)
class Entry:
    """A finding's id, as the package, the site and the dictionary explain it."""

    id: str
    severity: Severity
    title: str


# Rules of `checks` on one report, in the order they run
REPORT_RULES = (
    Entry("balance", "error", "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度"),
    Entry("row_total", "error", "每行：总计 = 六类申请人之和"),
    Entry("results_total", "error", "每列：（七）总计 = 各项办理结果之和"),
    Entry("review_total", "error", "行政复议、行政诉讼：总计 = 维持 + 纠正 + 其他 + 尚未审结"),
    Entry("non_negative_integer", "error", "申请与复议诉讼数据为非负整数（本年增/减可为负，金额可有小数）"),
    Entry("blank_cell", "warning", "空白单元格（缺失，不计为 0）"),
    Entry("missing_table", "warning", "表格缺失或为图片"),
    Entry("missing_section", "warning", "报告缺少某一部分"),
    Entry("overview_mismatch", "warning", "总体情况中的数字与表格不一致"),
    Entry("outdated_template", "warning", "模板版本与报告年度不符"),
)
# Rules that compare reports of one agency across years
CORPUS_RULES = (
    Entry("carried_over_mismatch", "warning", "上年结转应等于上一年度报告的结转下年度"),
    Entry("duplicate_report", "warning", "同一机关同一年度有不止一份报告，或同一文件收录了两次"),
)
# Findings returned by the readers, the parser and the build
PARSE_FINDINGS = (
    Entry("unreadable", "error", "文件无法读取"),
    Entry("no_tables", "error", "未找到任何统计表格（可能是图片）"),
    Entry("internal_error", "error", "解析时发生内部错误"),
    Entry("timeout", "error", "读取与解析超时"),
    Entry("short_row", "warning", "一行的数字少于列数"),
    Entry("extra_figures", "warning", "一行的数字多于列数"),
    Entry("ambiguous_split", "warning", "连在一起的数字无法唯一拆分"),
    Entry("glued_cells", "info", "表格被压平为文字，数字已按模板唯一确定"),
    Entry("missing_row", "warning", "表格缺少某一行"),
    Entry("unlabelled_figures", "warning", "数字找不到对应的表格行"),
    Entry("label_misread", "warning", "行标签与模板不完全相同，按最相近的行读取"),
    Entry("template_unclear", "warning", "模板版本无法确定"),
    Entry("metadata_missing", "warning", "机关名称或年度无法识别"),
    Entry("place_unknown", "info", "所在地区无法确定（未写明、重名或互相矛盾）"),
    Entry("place_from_name", "info", "所在地区仅由机关名称（及网址）推定，未经附加信息或正文印证"),
    Entry("sidecar", "warning", "附加信息文件有误"),
    Entry("header_missing", "info", "未找到表头"),
    Entry("ocr_read", "info", "表格是图片，数字由 OCR 识别"),
    Entry("ocr_doubtful", "warning", "OCR 识别置信度低的数字记为空缺"),
    Entry("ocr_row_short", "warning", "OCR 读出的一行数字少于列数，该行数字记为空缺"),
    Entry("ocr_label_doubtful", "warning", "OCR 读出的行标签与所在行不符，该行数字记为空缺"),
    Entry("ocr_sum_broken", "warning", "OCR 读出的数字不符合勾稽关系，记为空缺"),
)

CATALOG = {entry.id: entry for entry in (*REPORT_RULES, *CORPUS_RULES, *PARSE_FINDINGS)}
