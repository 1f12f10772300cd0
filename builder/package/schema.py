"""The data package's Table Schemas, built from the template definitions and the rule catalog.

Every field has a type, a Chinese title, an English description and its constraints; key
vocabularies are enums drawn from the templates, so the schemas never repeat a label.
"""

from __future__ import annotations

from builder.vocabulary import CATALOG, STATUS_ORDER
from builder.forms import APPLICANTS, NARRATIVE_SECTIONS, REVIEWS, TEMPLATES

SEVERITIES = ("error", "warning", "info")
SECTION_KEYS = (*NARRATIVE_SECTIONS, "preamble")
FORMAT_NAMES = {"txt": "文本", "html": "网页", "docx": "Word 文档", "pdf": "PDF", "doc": "旧版 Word 文档（未读取）",
                "unknown": "未知"}
FORMATS = tuple(FORMAT_NAMES)


def _field(name: str, type_: str, title: str, description: str, **constraints) -> dict:
    field = {"name": name, "type": type_, "title": title, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def _report_id() -> dict:
    return _field("report_id", "string", "报告编号", "Id of the report (reports.id) this row belongs to.",
                  required=True, pattern=ID_PATTERN)


def _union(*groups) -> list[str]:
    """Keys of all templates, in template order, each once."""
    seen: list[str] = []
    for group in groups:
        for key in group:
            if key not in seen:
                seen.append(key)
    return seen


ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$"

_ARTICLES = _union(*([a.key for a in t.articles] for t in TEMPLATES.values()))
_ITEMS = _union(*([i.key for a in t.articles for i in a.items] for t in TEMPLATES.values()))
_METRICS = _union(*([m.key for a in t.articles for m in a.metrics] for t in TEMPLATES.values()))
_APPLICATION_ROWS = _union(*([r.key for r in t.applications.rows] for t in TEMPLATES.values()))


def _counts(columns, what: str) -> list[dict]:
    return [_field(c.key, "integer", c.label, f"Number of {what}: {c.key.replace('_', ' ')}. "
                   "Blank when the report leaves the cell blank or it could not be read.", minimum=0)
            for c in columns]


_INFERRED = _field("inferred_columns", "string", "推定单元格",
                   "Space-separated column keys of this row whose figure was not read but set from "
                   "the template's sums (see findings, rule short_row). Blank when none.")

RESOURCES: dict[str, dict] = {
    "reports": {
        "title": "报告",
        "description": "One row per report file put in, parsed or not.",
        "fields": [
            _field("id", "string", "报告编号",
                   "Stable, URL-safe id: report year and a digest of agency and region; a suffix from "
                   "the file's sha256 when two files would share it.", required=True, unique=True,
                   pattern=ID_PATTERN),
            _field("agency", "string", "机关名称", "Agency that published the report, as its title names it."),
            _field("year", "integer", "报告年度", "Year the report covers.", minimum=1990, maximum=2100),
            _field("template", "string", "模板版本", "National template the tables follow: 2019 (国办公开办函〔2019〕60号) "
                   "or 2021 (国办公开办函〔2021〕30号). Blank when no table was found.", enum=list(TEMPLATES)),
            _field("province", "string", "省级", "Province-level division of the report's place (see division_code)."),
            _field("city", "string", "地级", "Prefecture-level division; a municipality's own name for its districts."),
            _field("county", "string", "县级", "County-level division, where the place is that precise."),
            _field("township", "string", "乡级", "Township-level division (乡, 镇, 街道), where the place is that precise."),
            _field("division_code", "string", "区划代码",
                   "12-digit statistical division code (统计用区划代码, NBS 2023) of the most precise division "
                   "known: its first 2, 4, 6 and 9 digits, padded with zeros, are the codes of the province, "
                   "city, county and township above it; the first 6 are the GB/T 2260 code. Blank, with a "
                   "finding place_unknown, where the place cannot be determined.", pattern="^[0-9]{12}$"),
            _field("division_level", "string", "区划层级", "Level of division_code: province, city, county or "
                   "township.", enum=["province", "city", "county", "township"]),
            _field("agency_kind", "string", "机关类型", "What the agency's name says it is: government (人民政府), "
                   "department (局, 委员会, 办公室, …), township (乡镇), street (街道办事处), other, unknown.",
                   enum=["government", "department", "township", "street", "other", "unknown"]),
            _field("published", "date", "发布日期", "Publication date printed at the end of the report, "
                   "or given in its sidecar file."),
            _field("added", "date", "收录日期", "Date the report was added to gongkai (gongkai add), from its "
                   "sidecar file."),
            _field("source_file", "string", "源文件", "File name of the report in reports/.", required=True),
            _field("source_format", "string", "文件格式", "Format the report was read from.", required=True,
                   enum=list(FORMATS)),
            _field("source_sha256", "string", "文件SHA-256", "SHA-256 of the source file, hex.",
                   pattern="^([0-9a-f]{64})?$"),
            _field("source_url", "string", "原文链接", "Where the agency published the report, if known."),
            _field("contact_phone", "string", "联系电话", "Contact phone printed in the report."),
            _field("contact_address", "string", "联系地址", "Contact address printed in the report."),
            _field("contact_email", "string", "电子邮箱", "Contact email printed in the report."),
            _field("status", "string", "校验结果", "pass (通过), warn (警告: parsed, only warnings), fail "
                   "(未通过: a figure breaks a rule), unparsed (无法解析: see findings).", required=True,
                   enum=list(STATUS_ORDER)),
            _field("errors", "integer", "错误数", "Number of findings of severity error.", required=True, minimum=0),
            _field("warnings", "integer", "警告数", "Number of findings of severity warning.", required=True,
                   minimum=0),
        ],
        "primaryKey": ["id"],
    },
    "active_disclosure": {
        "title": "主动公开政府信息情况",
        "description": "Section 二 of each report, one row per cell (long form: the two templates have "
                       "different metrics).",
        "fields": [
            _report_id(),
            _field("article", "string", "条款", "Article of the Regulations: art20_1 第二十条第（一）项, and so on.",
                   required=True, enum=_ARTICLES),
            _field("item", "string", "信息内容", "Row of the article's table.", required=True, enum=_ITEMS),
            _field("metric", "string", "指标", "Column of the article's table.", required=True, enum=_METRICS),
            _field("value", "number", "数值", "Figure as printed. May be negative for change (本年增/减) and "
                   "decimal for amounts. Blank when blank or unreadable in the report."),
            _field("unit", "string", "单位", "Unit of an amount as printed (万元 or 元); blank for counts or "
                   "when the report does not say."),
            _field("value_10k_yuan", "number", "金额（万元）", "An amount in 万元, from value and its unit; blank "
                   "for counts and where the report does not give the unit (never assumed)."),
            _field("inferred", "boolean", "推定", "True when the figure was set from the template's sums, "
                   "not read."),
        ],
        "primaryKey": ["report_id", "article", "item", "metric"],
    },
    "applications": {
        "title": "收到和处理政府信息公开申请情况",
        "description": "Section 三 of each report: one row per template row, one column per applicant type.",
        "fields": [
            _report_id(),
            _field("row", "string", "行", "Template row: new_received, carried_over, the results, "
                   "results_total, carried_forward.", required=True, enum=_APPLICATION_ROWS),
            *_counts(APPLICANTS, "applications"),
            _INFERRED,
        ],
        "primaryKey": ["report_id", "row"],
    },
    "applications_harmonised": {
        "title": "申请情况（两版模板合并口径）",
        "description": "Section 三 with the rows both templates share, so that reports of 2019 and 2021 can be "
                       "added up: the 2021 template's three rows of （六）其他处理 (other_no_correction, "
                       "other_unpaid_fee, other_misc) are one row other, as in the 2019 template. A cell of other "
                       "is their sum where all three are printed, blank where one is blank.",
        "fields": [
            _report_id(),
            _field("row", "string", "行", "Row of the 2019 template (see application_rows).", required=True,
                   enum=[r.key for r in TEMPLATES["2019"].applications.rows]),
            *_counts(APPLICANTS, "applications"),
            _field("combined_from", "string", "合并自", "Space-separated rows of the report's template that "
                   "this row adds up; blank where it is the report's own row."),
        ],
        "primaryKey": ["report_id", "row"],
    },
    "reviews_litigation": {
        "title": "政府信息公开行政复议、行政诉讼情况",
        "description": "Section 四 of each report: one row per proceeding, one column per outcome.",
        "fields": [
            _report_id(),
            _field("proceeding", "string", "类别", "review 行政复议, litigation_direct 未经复议直接起诉, "
                   "litigation_after_review 复议后起诉.", required=True, enum=[r.key for r in REVIEWS.rows]),
            *_counts(REVIEWS.columns, "cases"),
            _INFERRED,
        ],
        "primaryKey": ["report_id", "proceeding"],
    },
    "findings": {
        "title": "校验发现",
        "description": "What the parser and the checks found in each report.",
        "fields": [
            _report_id(),
            _field("position", "integer", "序号", "Order of the finding within its report, from 1.", required=True,
                   minimum=1),
            _field("rule", "string", "规则", "Stable id of the rule (see the data dictionary).", required=True,
                   enum=sorted(CATALOG)),
            _field("severity", "string", "严重程度", "error, warning or info.", required=True,
                   enum=list(SEVERITIES)),
            _field("message", "string", "说明", "The finding for people, in Chinese.", required=True),
            _field("cells", "string", "单元格", "Space-separated paths of the cells concerned, such as "
                   "applications/new_received/total."),
            _field("expected", "string", "应为", "Value the rule expects, where it has one."),
            _field("actual", "string", "实为", "Value printed, where the rule compares one."),
        ],
        "primaryKey": ["report_id", "position"],
    },
    "sections": {
        "title": "报告正文",
        "description": "Narrative sections of each report as text: overview 一, problems 五, other 六, "
                       "and any preamble before 一.",
        "fields": [
            _report_id(),
            _field("section", "string", "部分", "overview, problems, other or preamble.", required=True,
                   enum=list(SECTION_KEYS)),
            _field("text", "string", "正文", "Text of the section, one paragraph a line.", required=True),
        ],
        "primaryKey": ["report_id", "section"],
    },
    "ocr_cells": {
        "title": "OCR 识别的单元格",
        "description": "Every figure read by OCR from a picture (a scanned PDF, an image, a web page's picture): "
                       "where on which page, what was read and how surely, and whether it was published. A cell "
                       "not used is blank in its table, with a finding (ocr_doubtful, ocr_label_doubtful, "
                       "ocr_sum_broken) that says why.",
        "fields": [
            _report_id(),
            _field("cell", "string", "单元格", "Path of the cell, such as applications/new_received/total.",
                   required=True),
            _field("page", "integer", "页", "Page (or picture) it was read on, from 1.", required=True, minimum=1),
            _field("picture", "string", "图片文件", "The picture file it was read from, beside the report in reports/ "
                   "(a web page's picture, or one its sidecar names); blank when it is the report file itself."),
            _field("box_left", "integer", "左", "Left edge of the cell in the page's pixels, as OCR read it.",
                   minimum=0),
            _field("box_top", "integer", "上", "Top edge of the cell in the page's pixels.", minimum=0),
            _field("box_right", "integer", "右", "Right edge of the cell in the page's pixels.", minimum=0),
            _field("box_bottom", "integer", "下", "Bottom edge of the cell in the page's pixels.", minimum=0),
            _field("read_as", "string", "识别文字", "The text OCR read in the cell."),
            _field("confidence", "number", "置信度", "OCR's confidence in the text, 0 to 1 (the least of its parts).",
                   minimum=0, maximum=1),
            _field("used", "boolean", "已采用", "True when the figure is published in its table; false when it "
                   "was doubted and left blank.", required=True),
        ],
        "primaryKey": ["report_id", "cell"],
    },
}

# the 2021 template's three rows of （六）其他处理, one row `other` in the 2019 template and the harmonised table
OTHER_ROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")

CODE_LISTS: dict[str, dict] = {
    "application_rows": {
        "title": "代码表：申请情况的行",
        "description": "The rows of section 三 (applications.row, applications_harmonised.row) with their labels "
                       "as the templates print them.",
        "fields": [
            _field("code", "string", "代码", "Row code.", required=True, unique=True),
            _field("label", "string", "名称", "Row label as printed on the template.", required=True),
            _field("group", "string", "所属栏目", "The merged group cell the row sits under, if any."),
            _field("harmonised_as", "string", "合并口径", "Row of applications_harmonised it is counted in.",
                   required=True),
            _field("templates", "string", "模板", "Templates that have the row: 2019, 2021 or both.", required=True),
        ],
        "primaryKey": ["code"],
    },
    "review_rows": {
        "title": "代码表：行政复议、行政诉讼的类别",
        "description": "The proceedings of section 四 (reviews_litigation.proceeding).",
        "fields": [
            _field("code", "string", "代码", "Proceeding code.", required=True, unique=True),
            _field("label", "string", "名称", "As printed on the template.", required=True),
            _field("group", "string", "所属栏目", "行政诉讼 for the two kinds of suit."),
        ],
        "primaryKey": ["code"],
    },
    "active_cells": {
        "title": "代码表：主动公开的条款、信息内容与指标",
        "description": "The cells of section 二 (active_disclosure's article, item and metric) with their labels; "
                       "where the two templates word a label differently, the 2021 wording.",
        "fields": [
            _field("article", "string", "条款代码", "Article code.", required=True),
            _field("item", "string", "信息内容代码", "Item code.", required=True),
            _field("metric", "string", "指标代码", "Metric code.", required=True),
            _field("article_label", "string", "条款", "As printed.", required=True),
            _field("item_label", "string", "信息内容", "As printed.", required=True),
            _field("metric_label", "string", "指标", "As printed.", required=True),
            _field("unit", "string", "单位", "Unit the template fixes for the metric, if any."),
            _field("templates", "string", "模板", "Templates that have the cell.", required=True),
        ],
        "primaryKey": ["article", "item", "metric"],
    },
    "rules": {
        "title": "代码表：校验规则",
        "description": "Every finding's rule (findings.rule), its severity and what it means, in Chinese.",
        "fields": [
            _field("id", "string", "规则", "Rule id.", required=True, unique=True),
            _field("severity", "string", "严重程度", "error, warning or info.", required=True, enum=list(SEVERITIES)),
            _field("title", "string", "说明", "What the rule checks.", required=True),
        ],
        "primaryKey": ["id"],
    },
    "codes": {
        "title": "代码表：其他代码",
        "description": "Chinese labels of the other codes: status, severity, agency_kind, division_level, section, "
                       "source_format, the applicant and outcome columns.",
        "fields": [
            _field("list", "string", "代码类别", "Which field the code is a value (or a column name) of.",
                   required=True),
            _field("code", "string", "代码", "The code.", required=True),
            _field("label", "string", "名称", "Its Chinese label.", required=True),
        ],
        "primaryKey": ["list", "code"],
    },
}
RESOURCES.update(CODE_LISTS)
ORDER = tuple(RESOURCES)
PER_REPORT = tuple(name for name in ORDER if name not in CODE_LISTS)
# A column that holds a code of a code list: (resource, fields) -> (code list, its fields)
CODE_REFERENCES = {
    ("active_disclosure", ("article", "item", "metric")): ("active_cells", ("article", "item", "metric")),
    ("applications", ("row",)): ("application_rows", ("code",)),
    ("applications_harmonised", ("row",)): ("application_rows", ("code",)),
    ("reviews_litigation", ("proceeding",)): ("review_rows", ("code",)),
    ("findings", ("rule",)): ("rules", ("id",)),
}


def schema(name: str) -> dict:
    """The Table Schema of one resource, with its foreign keys to reports and to the code lists."""
    resource = RESOURCES[name]
    table = {"fields": resource["fields"], "primaryKey": resource["primaryKey"], "missingValues": [""]}
    keys = []
    if name in PER_REPORT and name != "reports":
        keys.append({"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["id"]}})
    keys += [{"fields": list(fields), "reference": {"resource": target, "fields": list(target_fields)}}
             for (source, fields), (target, target_fields) in CODE_REFERENCES.items() if source == name]
    if keys:
        table["foreignKeys"] = keys
    return table
