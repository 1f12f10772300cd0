"""The two national forms as data: sections, tables, keys, labels, sums, and an index of
every cell.

Parser, checks, package, site and the synthetic corpora all read these definitions; no label,
caption or cell path is written anywhere else. A cell path is `table/row/column`, or
`active_disclosure/article/item/metric`: `Template.path` makes one from its keys, checking
that the form has it. A label's `variants` are spellings seen in real reports (compared after
`normalize_label`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Label:
    key: str
    label: str
    variants: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Row(Label):
    group: str | None = None  # label of the merged group cell on the official form


@dataclass(frozen=True)
class Article:
    key: str
    label: str
    items: tuple[Label, ...]
    metrics: tuple[Label, ...]
    # metric key -> unit fixed by the template itself
    units: tuple[tuple[str, str], ...] = ()
    decimal_metrics: frozenset[str] = frozenset()
    signed_metrics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Grid:
    """A table of rows x columns of non-negative integers."""

    key: str
    rows: tuple[Row, ...]
    columns: tuple[Label, ...]
    column_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # header label -> column keys


@dataclass(frozen=True)
class Cell:
    """One figure cell of a form."""

    path: str
    template: str
    table: str  # one of TABLES
    row: str  # the row's key; in section 二, the item's
    column: str  # the column's key; in section 二, the metric's
    label: str  # the cell named for people: table, row and column as printed on the form
    group: str | None = None  # the label of the row's merged group cell
    article: str | None = None  # in section 二, the article's key
    signed: bool = False  # may be negative (本年增/减)
    decimal: bool = False  # may have decimals (an amount)


@dataclass(frozen=True)
class Equation:
    """sum(lhs) == sum(rhs), over cell paths. `rule` names the check that owns it."""

    rule: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    keywords: tuple[str, ...]  # a heading names one of these
    printed: tuple[str, ...] = ()  # the whole heading as reports print it, numbering aside


@dataclass(frozen=True)
class Template:
    version: str
    document: str
    years: tuple[int, int | None]  # first and last report year it is meant for
    articles: tuple[Article, ...]
    applications: Grid
    reviews_litigation: Grid
    # texts only this template's tables print, free of punctuation so that they are found as printed
    distinctive: tuple[str, ...] = field(default=())

    def fits_year(self, year: int) -> bool:
        first, last = self.years
        return year >= first and (last is None or year <= last)

    @property
    def result_rows(self) -> tuple[str, ...]:
        keys = [r.key for r in self.applications.rows]
        return tuple(keys[keys.index("granted") : keys.index("results_total")])

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every figure cell, in the form's order: section 二, then 三, then 四."""
        return _cells(self.version)

    def cell(self, path: str) -> Cell:
        return _cell_index(self.version)[path]

    def cell_paths(self) -> tuple[str, ...]:
        return _cell_paths(self.version)

    def table_paths(self, table: str) -> tuple[str, ...]:
        """The cell paths of one table: active_disclosure, applications or reviews_litigation."""
        return _table_paths(self.version, table)

    def path(self, table: str, *keys: str) -> str:
        """The path of the cell that `keys` name; KeyError when the form has no such cell."""
        return _key_index(self.version)[(table, *keys)]

    def path_index(self) -> dict[tuple[str, ...], str]:
        """Every cell's path by its keys, (table, *keys): `path` as a mapping."""
        return _key_index(self.version)

    def row_paths(self, table: str, row: str, article: str | None = None) -> tuple[str, ...]:
        """The cells of one row, in column order (in section 二: of one item of `article`)."""
        return _row_paths(self.version, table, row, article)

    @property
    def signed_paths(self) -> frozenset[str]:
        return _paths_where(self.version, "signed")

    @property
    def decimal_paths(self) -> frozenset[str]:
        return _paths_where(self.version, "decimal")

    def column_paths(self, table: str, column: str) -> tuple[str, ...]:
        """The cells of one column of section 三 or 四, in row order."""
        return tuple(c.path for c in self.cells if c.table == table and c.column == column)

    def equations(self, rule: str | None = None) -> tuple[Equation, ...]:
        """The sums the figures obey; those of one rule when `rule` is given."""
        return _equations(self.version, rule)


SECTIONS = (
    Section("overview", "一、总体情况", ("总体情况",), ("总体情况",)),
    Section("active_disclosure", "二、主动公开政府信息情况", ("主动公开政府信息情况", "主动公开情况", "主动公开政府信息"),
            ("主动公开政府信息情况", "主动公开情况")),
    Section("applications", "三、收到和处理政府信息公开申请情况",
            ("收到和处理政府信息公开申请", "处理政府信息公开申请情况", "依申请公开政府信息情况"),
            ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请的情况", "依申请公开政府信息情况")),
    Section("reviews_litigation", "四、政府信息公开行政复议、行政诉讼情况",
            ("行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议,行政诉讼", "被申请行政复议", "行政法复议"),
            ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政法复议、行政诉讼情况",
             "因政府信息公开工作被申请行政复议、提起行政诉讼情况", "因政府信息公开申请行政复议、提起行政诉讼的情况",
             "政府信息公开行政复议和行政诉讼情况", "行政复议、行政诉讼情况")),
    Section("problems", "五、存在的主要问题及改进情况",
            ("存在的主要问题", "存在问题及改进", "主要问题及改进", "存在的问题及改进"),
            ("政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及改进情况", "存在的主要问题及改进措施",
             "存在的主要问题及明年工作计划", "存在的主要问题及下一步工作计划", "存在问题及改进情况",
             "存在的问题及改进措施", "存在的主要问题和改进情况", "存在的主要问题及改进")),
    Section("other", "六、其他需要报告的事项", ("其他需要报告的事项",), ("其他需要报告的事项",)),
)

NARRATIVE_SECTIONS = ("overview", "problems", "other")
# Numbered headings that some reports add among the six (a table of fees since 2021)
EXTRA_HEADINGS = ("信息处理费收取情况",)

APPLICANTS = (
    Label("natural_person", "自然人"),
    Label("commercial_enterprise", "商业企业"),
    Label("research_institution", "科研机构"),
    Label("social_welfare_org", "社会公益组织", ("社会组织",)),
    Label("legal_service_org", "法律服务机构"),
    Label("other_org", "其他"),
    Label("total", "总计"),
)
APPLICANT_GROUPS = (("法人或其他组织", tuple(c.key for c in APPLICANTS[1:6])),)

_DENIED = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"
RESULTS_GROUP = "三、本年度办理结果"

_ROWS_BEFORE_OTHER = (
    Row("new_received", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Row("granted", "（一）予以公开", group=RESULTS_GROUP),
    Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("（二）部分公开",), group=RESULTS_GROUP),
    Row("denied_state_secret", "1.属于国家秘密", group=_DENIED),
    Row("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", ("2.其他法律法规禁止公开", "2.其他法律和行政法规禁止公开"),
        group=_DENIED),
    Row("denied_three_security_one_stability", "3.危及“三安全一稳定”",
        ("3.危及\"三安全一稳定\"", "3.危及三安全一稳定"), group=_DENIED),
    Row("denied_third_party_rights", "4.保护第三方合法权益", group=_DENIED),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", group=_DENIED),
    Row("denied_process_info", "6.属于四类过程性信息", group=_DENIED),
    Row("denied_enforcement_files", "7.属于行政执法案卷", group=_DENIED),
    Row("denied_administrative_query", "8.属于行政查询事项", group=_DENIED),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", group=_UNAVAILABLE),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", group=_UNAVAILABLE),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", group=_UNAVAILABLE),
    Row("not_processed_complaint", "1.信访举报投诉类申请", group=_NOT_PROCESSED),
    Row("not_processed_duplicate", "2.重复申请", group=_NOT_PROCESSED),
    Row("not_processed_publication", "3.要求提供公开出版物", group=_NOT_PROCESSED),
    Row("not_processed_excessive", "4.无正当理由大量反复申请", group=_NOT_PROCESSED),
    Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", group=_NOT_PROCESSED),
)
_ROWS_AFTER_OTHER = (
    Row("results_total", "（七）总计", group=RESULTS_GROUP),
    Row("carried_forward", "四、结转下年度继续办理"),
)

APPLICANTS_HEADING = "申请人情况"  # over the columns of section 三
ITEMS_HEADING = "信息内容"  # over the item labels of section 二
# the corner of section 三, as the form prints it and as many reports do; the site shows the second
BALANCE_NOTES = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                 "（本列数据的钩稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
BALANCE_NOTE = BALANCE_NOTES[1]

# Labels that head a merged group cell; they carry no figures of their own.
GROUP_LABELS = (RESULTS_GROUP, _DENIED, _UNAVAILABLE, _NOT_PROCESSED, _OTHER,
                APPLICANTS_HEADING, APPLICANT_GROUPS[0][0], ITEMS_HEADING, *BALANCE_NOTES)

REVIEWS = Grid(
    key="reviews_litigation",
    rows=(
        Row("review", "行政复议"),
        Row("litigation_direct", "未经复议直接起诉", group="行政诉讼"),
        Row("litigation_after_review", "复议后起诉", group="行政诉讼"),
    ),
    columns=(
        Label("upheld", "结果维持"),
        Label("corrected", "结果纠正"),
        Label("other", "其他结果"),
        Label("pending", "尚未审结"),
        Label("total", "总计"),
    ),
)

_ART20_5_2019_METRICS = (
    Label("prev_year_items", "上一年项目数量"),
    Label("change", "本年增/减", ("本年增减", "本年增（减）")),
    Label("decisions", "处理决定数量"),
)

TEMPLATE_2019 = Template(
    version="2019",
    document="国办公开办函〔2019〕60号",
    years=(2019, 2020),
    articles=(
        Article("art20_1", "第二十条第（一）项",
                (Label("regulations", "规章"), Label("normative_documents", "规范性文件", ("行政规范性文件",))),
                (Label("new_made", "本年新制作数量"), Label("new_published", "本年新公开数量"),
                 Label("total_published", "对外公开总数量"))),
        Article("art20_5", "第二十条第（五）项",
                (Label("licensing", "行政许可"), Label("other_services", "其他对外管理服务事项")),
                _ART20_5_2019_METRICS, signed_metrics=frozenset({"change"})),
        Article("art20_6", "第二十条第（六）项",
                (Label("penalty", "行政处罚"), Label("coercion", "行政强制")),
                _ART20_5_2019_METRICS, signed_metrics=frozenset({"change"})),
        Article("art20_8", "第二十条第（八）项",
                (Label("fees", "行政事业性收费"),),
                _ART20_5_2019_METRICS[:2], signed_metrics=frozenset({"change"})),
        Article("art20_9", "第二十条第（九）项",
                (Label("procurement", "政府集中采购"),),
                (Label("items", "采购项目数量"), Label("amount", "采购总金额")),
                decimal_metrics=frozenset({"amount"})),
    ),
    applications=Grid("applications", (*_ROWS_BEFORE_OTHER, Row("other", "（六）其他处理", group=RESULTS_GROUP),
                                       *_ROWS_AFTER_OTHER),
                      APPLICANTS, APPLICANT_GROUPS),
    reviews_litigation=REVIEWS,
    distinctive=("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量",
                 "采购总金额", "政府集中采购", "其他对外管理服务事项"),
)

TEMPLATE_2021 = Template(
    version="2021",
    document="国办公开办函〔2021〕30号",
    years=(2021, None),
    articles=(
        Article("art20_1", "第二十条第（一）项",
                (Label("regulations", "规章"), Label("normative_documents", "行政规范性文件", ("规范性文件",))),
                (Label("issued", "本年制发件数"), Label("repealed", "本年废止件数"),
                 Label("in_force", "现行有效件数"))),
        Article("art20_5", "第二十条第（五）项",
                (Label("licensing", "行政许可"),),
                (Label("decisions", "本年处理决定数量"),)),
        Article("art20_6", "第二十条第（六）项",
                (Label("penalty", "行政处罚"), Label("coercion", "行政强制")),
                (Label("decisions", "本年处理决定数量"),)),
        Article("art20_8", "第二十条第（八）项",
                (Label("fees", "行政事业性收费"),),
                (Label("amount_10k_yuan", "本年收费金额（单位：万元）", ("本年收费金额",)),),
                units=(("amount_10k_yuan", "万元"),), decimal_metrics=frozenset({"amount_10k_yuan"})),
    ),
    applications=Grid("applications", (
        *_ROWS_BEFORE_OTHER,
        Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ("1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",), group=_OTHER),
        Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再受理其政府信息公开申请",), group=_OTHER),
        Row("other_misc", "3.其他", group=_OTHER),
        *_ROWS_AFTER_OTHER,
    ), APPLICANTS, APPLICANT_GROUPS),
    reviews_litigation=REVIEWS,
    distinctive=("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
                 "无正当理由逾期不补正", "逾期未按收费通知要求缴纳费用"),
)

TEMPLATES = {t.version: t for t in (TEMPLATE_2019, TEMPLATE_2021)}


@cache
def _cells(version: str) -> tuple[Cell, ...]:
    template = TEMPLATES[version]
    cells = [Cell(f"active_disclosure/{a.key}/{i.key}/{m.key}", version, "active_disclosure", i.key, m.key,
                  f"{a.label}「{i.label}」「{m.label}」", article=a.key, signed=m.key in a.signed_metrics,
                  decimal=m.key in a.decimal_metrics)
             for a in template.articles for i in a.items for m in a.metrics]
    for grid in (template.applications, template.reviews_litigation):
        for row in grid.rows:
            row_label = f"{row.group}·{row.label}" if grid is REVIEWS and row.group else row.label
            cells += [Cell(f"{grid.key}/{row.key}/{column.key}", version, grid.key, row.key, column.key,
                           f"{TABLE_TITLES[grid.key]}「{row_label}」行「{column.label}」列", row.group)
                      for column in grid.columns]
    return tuple(cells)


@cache
def _cell_index(version: str) -> dict[str, Cell]:
    return {cell.path: cell for cell in _cells(version)}


@cache
def _key_index(version: str) -> dict[tuple[str, ...], str]:
    return {tuple(cell.path.split("/")): cell.path for cell in _cells(version)}


@cache
def _cell_paths(version: str) -> tuple[str, ...]:
    return tuple(cell.path for cell in _cells(version))


@cache
def _table_paths(version: str, table: str) -> tuple[str, ...]:
    return tuple(cell.path for cell in _cells(version) if cell.table == table)


@cache
def _row_paths(version: str, table: str, row: str, article: str | None) -> tuple[str, ...]:
    return tuple(cell.path for cell in _cells(version)
                 if cell.table == table and cell.row == row and cell.article == article)


@cache
def _paths_where(version: str, flag: str) -> frozenset[str]:
    return frozenset(cell.path for cell in _cells(version) if getattr(cell, flag))


def cell_path(table: str, *keys: str) -> str:
    """The path of a cell that every form has; KeyError when one of them lacks it."""
    found = {_key_index(version).get((table, *keys)) for version in TEMPLATES}
    if None in found:
        raise KeyError("/".join((table, *keys)))
    return found.pop()


@cache
def _equations(version: str, rule: str | None) -> tuple[Equation, ...]:
    if rule is not None:
        return tuple(eq for eq in _equations(version, None) if eq.rule == rule)
    template = TEMPLATES[version]
    apps, revs = template.applications, template.reviews_litigation
    cell = template.path
    cols = [c.key for c in apps.columns]
    eqs = []
    for col in cols:
        eqs.append(Equation("balance", (cell("applications", "new_received", col), cell("applications", "carried_over", col)),
                            (cell("applications", "results_total", col), cell("applications", "carried_forward", col))))
    for col in cols:
        eqs.append(Equation("results_total", (cell("applications", "results_total", col),),
                            tuple(cell("applications", r, col) for r in template.result_rows)))
    for grid in (apps, revs):
        rule = "row_total" if grid is apps else "review_total"
        for row in grid.rows:
            *terms, total = template.row_paths(grid.key, row.key)
            eqs.append(Equation(rule, (total,), tuple(terms)))
    return tuple(eqs)


TABLES = ("active_disclosure", "applications", "reviews_litigation")
# Short names of the tables, for naming a cell; their sections' headings are in SECTIONS.
TABLE_TITLES = {
    "active_disclosure": "主动公开",
    "applications": "申请情况",
    "reviews_litigation": "行政复议、行政诉讼",
}
HEADINGS = {section.key: section.label for section in SECTIONS}
