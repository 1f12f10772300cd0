"""Synthetic reports: consistent random figures from a template, written as text in each layout.

Used by the property tests and the benchmarks. Figures are a dict of cell path -> value
(None for a blank cell); `render` writes them the way converters flatten real reports.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from decimal import Decimal

from builder.forms import (APPLICANT_GROUPS, APPLICANTS_HEADING, BALANCE_NOTES, ITEMS_HEADING, SECTIONS, TEMPLATES,
                           Template)

LAYOUTS = ("tab", "pipe", "cell_per_line")
AGENCIES = ("新坊镇", "二里岗街道办事处", "西工区文化旅游局", "淮安市人民政府", "建宁县伊家乡人民政府",
            "上海市人民政府办公厅", "巴集乡", "海淀区市场监督管理局")


@dataclass(frozen=True)
class Variants:
    """The quirks of real reports that a rendering may carry."""

    ascii_parens: bool = False
    comma_numbering: bool = False  # 1、 for 1.
    spaced_labels: bool = False
    fullwidth_space_before_numbers: bool = False
    split_label: bool = False  # a long label broken over two lines
    group_on_wrong_row: bool = False
    year_first_title: bool = False
    spaced_title: bool = False
    artifacts: bool = False
    blank_mark: str = ""  # how a blank cell is printed: "", "/", "—", "-", "无"


def figures(rng: random.Random, template: Template, scale: int = 3, blanks: float = 0.0) -> dict:
    """Random figures that keep every rule of the template; `blanks` is the share of blank rows."""
    values: dict[str, int | Decimal | None] = {}
    for article in template.articles:
        for item in article.items:
            for metric in article.metrics:
                path = template.path("active_disclosure", article.key, item.key, metric.key)
                if metric.key in article.decimal_metrics:
                    values[path] = Decimal(rng.randint(0, 10 ** (scale + 2))) / 100
                elif metric.key in article.signed_metrics:
                    values[path] = rng.randint(-10 ** scale // 10, 10 ** scale // 10)
                else:
                    values[path] = rng.randint(0, 10 ** scale)
    applicants = [c.key for c in template.applications.columns[:-1]]
    results = template.result_rows
    for column in applicants:
        cell = lambda row: template.path("applications", row, column)  # noqa: E731
        for row in results:
            values[cell(row)] = rng.choice((0, 0, rng.randint(0, 10 ** scale // 10 + 1)))
        values[cell("results_total")] = sum(values[cell(r)] for r in results)
        values[cell("carried_forward")] = rng.randint(0, 3)
        values[cell("carried_over")] = rng.randint(0, values[cell("results_total")] + values[cell("carried_forward")])
        values[cell("new_received")] = (values[cell("results_total")] + values[cell("carried_forward")]
                                        - values[cell("carried_over")])
    for row in template.applications.rows:
        *parts, total = template.row_paths("applications", row.key)
        values[total] = sum(values[p] for p in parts)
    for row in template.reviews_litigation.rows:
        parts = [rng.choice((0, rng.randint(0, 5))) for _ in range(4)]
        for path, value in zip(template.row_paths("reviews_litigation", row.key), (*parts, sum(parts))):
            values[path] = value
    for row in template.applications.rows:
        if rng.random() < blanks:
            for path in template.row_paths("applications", row.key):
                values[path] = None
    return values


def variants(rng: random.Random) -> Variants:
    return Variants(*(rng.random() < 0.3 for _ in range(9)), blank_mark=rng.choice(("", "/", "—", "-", "无")))


def render(values: dict, template: Template, agency: str, year: int, layout: str, quirks: Variants) -> str:
    """A whole report as text: title, the six sections, the three tables."""
    lines = [_title(agency, year, quirks), ""]
    headings = {s.key: s.label for s in SECTIONS}
    lines += [headings["overview"], f"{year}年，本机关依法做好政府信息公开工作。", ""]
    lines += [headings["active_disclosure"], *_active_rows(values, template, layout, quirks), ""]
    lines += [headings["applications"], *_application_rows(values, template, layout, quirks), ""]
    lines += [headings["reviews_litigation"], *_review_rows(values, template, layout, quirks), ""]
    lines += [headings["problems"], "一是公开内容有待丰富。二是将加强培训。", ""]
    lines += [headings["other"], "无。", "", agency, f"{year + 1}年1月15日"]
    return "\n".join(lines) + "\n"


def _title(agency: str, year: int, quirks: Variants) -> str:
    name = " ".join(agency) if quirks.spaced_title else agency
    if quirks.year_first_title:
        return f"{year}年{name}政府信息公开工作年度报告"
    return f"{name}{year}年度政府信息公开工作年度报告"


def _label(text: str, quirks: Variants) -> str:
    if quirks.ascii_parens:
        text = text.replace("（", "(").replace("）", ")")
    if quirks.comma_numbering and len(text) > 1 and text[0].isdigit() and text[1] == ".":
        text = text[0] + "、" + text[2:]
    if quirks.spaced_labels and len(text) > 3:
        text = text[:2] + " " + text[2:]
    if quirks.artifacts and text[:1].isdigit():
        text = "[bookmark: _GoBack]**" + text + "**"
    return text


def _value(value, quirks: Variants) -> str:
    if value is None:
        return quirks.blank_mark
    text = str(value)
    return "\u3000" + text if quirks.fullwidth_space_before_numbers else text


def _rows(cells_per_row: list[list[str]], layout: str) -> list[str]:
    out = []
    for cells in cells_per_row:
        if layout == "tab":
            out.append("\t".join(cells))
        elif layout == "pipe":
            out.append("| " + " | ".join(cells) + " |")
        else:
            out += ["\t" + cell for cell in cells] + [""]
    return out


def _active_rows(values, template, layout, quirks):
    rows = []
    for article in template.articles:
        rows.append([_label(article.label, quirks)] + [""] * len(article.metrics))
        rows.append([ITEMS_HEADING, *(m.label for m in article.metrics)])
        for item in article.items:
            cells = [_value(values[p], quirks) for p in template.row_paths("active_disclosure", item.key, article.key)]
            rows.append([_label(item.label, quirks), *cells])
    return _rows(rows, layout)


def _application_rows(values, template, layout, quirks):
    grid = template.applications
    group_label, group_keys = APPLICANT_GROUPS[0]
    columns = {c.key: c.label for c in grid.columns}
    rows = [[BALANCE_NOTES[0], APPLICANTS_HEADING],
            ["", columns["natural_person"], group_label, "", "", "", "", columns["total"]],
            ["", "", *(columns[key] for key in group_keys), ""]]
    previous_group, late_group = None, ""
    for row in grid.rows:
        cells = [_value(values[p], quirks) for p in template.row_paths("applications", row.key)]
        group = _label(row.group, quirks) if row.group and row.group != previous_group else ""
        previous_group = row.group
        if quirks.group_on_wrong_row:  # each group label lands one row late
            group, late_group = late_group, group
        if quirks.split_label and len(row.label) > 8 and layout != "pipe":
            label = _label(row.label, dataclasses.replace(quirks, artifacts=False))
            # the tail of the label on a row of its own, as Word leaves it
            rows.append([group, label[:6], *cells])
            rows.append(["", label[6:]] + [""] * len(cells))
        else:
            rows.append([group, _label(row.label, quirks), *cells])
    return _rows(rows, layout)


def _review_rows(values, template, layout, quirks):
    grid = template.reviews_litigation
    outcomes = [c.label for c in grid.columns]
    review, direct, after = grid.rows
    rows = [[review.label, "", "", "", "", direct.group],
            [*outcomes, direct.label, "", "", "", "", after.label],
            ["", "", "", "", "", *outcomes, *outcomes],
            [_value(values[p], quirks) for p in template.table_paths("reviews_litigation")]]
    return _rows(rows, layout)


def report_text(seed: int, version: str | None = None, layout: str | None = None) -> tuple[str, dict, dict]:
    """One synthetic report from a seed: (text, figures, facts such as agency, year, layout)."""
    rng = random.Random(seed)
    version = version or rng.choice(tuple(TEMPLATES))
    template = TEMPLATES[version]
    layout = layout or rng.choice(LAYOUTS)
    year = rng.choice((2019, 2020)) if version == "2019" else rng.randint(2021, 2025)
    agency = rng.choice(AGENCIES)
    values = figures(rng, template, scale=rng.choice((1, 2, 4)), blanks=rng.choice((0, 0, 0.1)))
    quirks = variants(rng)
    text = render(values, template, agency, year, layout, quirks)
    return text, values, {"agency": agency, "year": year, "template": version, "layout": layout, "quirks": quirks}


def write_text_reports(folder, count: int) -> None:
    """`count` synthetic text reports in `folder`, one per seed from 0, for the benchmarks."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        (folder / f"report-{seed:06d}.txt").write_text(report_text(seed)[0], encoding="utf-8")
