"""The parser on the quirks of real reports, one at a time, on reports made from the template."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from builder import synth
from builder.forms import TEMPLATES
from conftest import parse_text, rules_of

PLAIN = synth.Variants()


def make(version="2021", layout="tab", quirks=PLAIN, seed=1, agency="淮安市人民政府", year=None, edit=None):
    template = TEMPLATES[version]
    values = synth.figures(random.Random(seed), template, scale=2)
    if edit:
        edit(values)
    year = year or (2020 if version == "2019" else 2024)
    return synth.render(values, template, agency, year, layout, quirks), values


@pytest.mark.parametrize("layout", synth.LAYOUTS)
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_every_figure_comes_back_in_every_layout(layout, version):
    text, values = make(version, layout)
    report = parse_text(text)
    assert {p: report.value(p) for p in values} == values
    assert report.template == version and report.status == "pass", report.findings


def test_blank_cells_and_blank_marks_are_missing_never_zero():
    def blank(values):
        values["applications/granted/natural_person"] = None
        values["applications/granted/total"] = None
    for mark in ("", "/", "—", "-", "无"):
        text, _ = make(quirks=synth.Variants(blank_mark=mark), edit=blank)
        report = parse_text(text)
        assert report.value("applications/granted/natural_person") is None, mark
        assert report.value("applications/granted/commercial_enterprise") is not None
        assert "blank_cell" in rules_of(report) and report.status == "warn"


def test_a_row_missing_one_figure_is_flagged_and_inferred_only_where_certain():
    text, values = make(layout="tab")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "本机关不掌握" in line)
    cells = lines[row].split("\t")
    del cells[3]  # one cell lost in conversion
    lines[row] = "\t".join(cells)
    report = parse_text("\n".join(lines))
    finding = next(f for f in report.findings if f.rule == "short_row")
    assert finding.expected == 7 and finding.actual == 6
    for path in finding.cells:
        figure = report.figures[path]
        assert figure.value is None or figure.value == values[path]
    inferred = [p for p in finding.cells if report.figures[p].inferred]
    assert inferred, "the sums fix the lost cell"


def test_a_row_with_a_figure_too_many_is_flagged_not_guessed():
    text, _ = make(layout="tab")
    text = text.replace("2.重复申请\t", "2.重复申请\t9\t", 1)
    report = parse_text(text)
    assert "extra_figures" in rules_of(report)
    assert report.value("applications/not_processed_duplicate/total") is None


def test_negative_change_and_decimal_amounts_with_their_unit():
    def edit(values):
        values["active_disclosure/art20_5/licensing/change"] = -7
        values["active_disclosure/art20_9/procurement/amount"] = Decimal("1234.5678")
    text, _ = make("2019", edit=edit)
    text = text.replace("采购总金额", "采购总金额（单位：万元）")
    report = parse_text(text)
    assert report.value("active_disclosure/art20_5/licensing/change") == -7
    assert report.value("active_disclosure/art20_9/procurement/amount") == Decimal("1234.5678")
    assert report.units["active_disclosure/art20_9/procurement/amount"] == "万元"
    assert "non_negative_integer" not in rules_of(report)


def test_a_unit_printed_after_the_figure():
    def edit(values):
        values["active_disclosure/art20_9/procurement/amount"] = Decimal("5600")
    text, _ = make("2019", edit=edit)
    text = text.replace("政府集中采购\t", "政府集中采购\t", 1)
    line = next(line for line in text.splitlines() if line.startswith("政府集中采购"))
    text = text.replace(line, line.rsplit("\t", 1)[0] + "\t5600元")
    report = parse_text(text)
    assert report.value("active_disclosure/art20_9/procurement/amount") == 5600
    assert report.units["active_disclosure/art20_9/procurement/amount"] == "元"


@pytest.mark.parametrize("quirk", ["ascii_parens", "comma_numbering", "spaced_labels", "split_label",
                                   "group_on_wrong_row", "fullwidth_space_before_numbers", "artifacts"])
@pytest.mark.parametrize("layout", ["tab", "cell_per_line"])
def test_label_quirks(quirk, layout):
    text, values = make(layout=layout, quirks=synth.Variants(**{quirk: True}))
    report = parse_text(text)
    assert {p: report.value(p) for p in values} == values


def test_a_label_split_with_its_figures_on_the_second_line():
    text, values = make(layout="tab")
    line = next(line for line in text.splitlines() if "没有现成信息" in line)
    group, label, *cells = line.split("\t")
    text = text.replace(line, f"{group}\t{label[:5]}\n\t{label[5:]}\t" + "\t".join(cells))
    report = parse_text(text)
    assert report.value("applications/unavailable_needs_creation/total") == values[
        "applications/unavailable_needs_creation/total"]


@pytest.mark.parametrize("title, agency, year", [
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ("淮 安 市 人 民 政 府 2024 年政府信息公开工作年度报告", "淮安市人民政府", 2024),
    ("伊家乡 2020 年政府信息公开工作年度报告", "伊家乡", 2020),
    ("新坊镇2020年度政府信息公开工作年度报告", "新坊镇", 2020),
    ("关于二〇二一年度XX县教育局政府信息公开工作年度报告", "XX县教育局", 2021),
])
def test_agency_and_year_from_the_title(title, agency, year):
    text, _ = make(year=year if year >= 2021 else 2024)
    text = title + "\n" + text.split("\n", 1)[1]
    report = parse_text(text)
    assert (report.agency, report.year) == (agency, year)


def test_publication_date_contact_and_region():
    text, _ = make(agency="伊家乡")
    text = text.replace("依法做好政府信息公开工作。",
                        "依法做好。如有疑问，请与建宁县伊家乡人民政府办公室联系（地址：伊家乡都上街1号，"
                        "邮编：354506，电话：0598-3252158，电子邮箱：dzb@163.com）")
    report = parse_text(text)
    assert report.published == "2025-01-15"
    assert report.contact == {"address": "伊家乡都上街1号", "postcode": "354506", "phone": "0598-3252158",
                              "email": "dzb@163.com"}
    assert report.region == {"county": "建宁县"}


def test_outdated_template_after_2021_is_detected_from_labels_and_flagged():
    text, values = make("2019", year=2022)
    report = parse_text(text)
    assert report.template == "2019" and report.year == 2022
    assert "outdated_template" in rules_of(report)
    assert {p: report.value(p) for p in values} == values


def test_tables_that_were_images_leave_the_report_unparsed():
    text, _ = make()
    kept = [line for line in text.splitlines() if "\t" not in line]
    report = parse_text("\n".join(kept))
    assert report.tables_found == () and report.status == "unparsed"
    assert report.sections["overview"]


def test_narrative_sections_are_kept_with_their_sub_headings():
    text, _ = make()
    text = text.replace("一是公开内容有待丰富。", "（一）存在问题\n一是公开内容有待丰富。\n（二）改进措施")
    report = parse_text(text)
    assert report.sections["problems"].splitlines()[0] == "（一）存在问题"
    assert "（二）改进措施" in report.sections["problems"]
    assert report.sections["other"].startswith("无。")


def test_a_missing_reviews_table_is_a_warning_and_its_cells_stay_blank():
    text, _ = make()
    head, tail = text.split("四、政府信息公开行政复议、行政诉讼情况")
    tail = tail[tail.index("五、"):]
    report = parse_text(head + "四、政府信息公开行政复议、行政诉讼情况\n（见附图）\n" + tail)
    assert "missing_table" in rules_of(report)
    assert report.value("reviews_litigation/review/total") is None


@pytest.mark.parametrize("printed, row", [
    ("4.无理由大量反复申请", "not_processed_excessive"),  # two characters lost
    ("2.其他法律行政规禁止公开", "denied_prohibited_by_law"),
    ("6.属于四类过程信息", "denied_process_info"),
    ("1.本机关不拿握相关政府信息", "unavailable_not_held"),  # one read as another
])
def test_a_label_a_character_or_two_off_is_read_as_its_row_and_said(printed, row):
    text, values = make(layout="tab")
    grid = TEMPLATES["2021"].applications
    label = next(r.label for r in grid.rows if r.key == row)
    line = next(line for line in text.splitlines() if label in line)
    report = parse_text(text.replace(line, line.replace(label, printed), 1))
    paths = TEMPLATES["2021"].row_paths("applications", row)
    assert {p: report.value(p) for p in paths} == {p: values[p] for p in paths}
    finding = next(f for f in report.findings if f.rule == "label_misread")
    assert finding.cells == tuple(paths) and finding.actual == printed and report.status == "warn"


def test_a_label_unlike_any_row_near_is_not_taken_for_one():
    text, values = make(layout="tab")
    line = next(line for line in text.splitlines() if "无正当理由大量反复申请" in line)
    report = parse_text(text.replace(line, line.replace("无正当理由大量反复申请", "无正当理由逾期不补正"), 1))
    assert "label_misread" not in rules_of(report)
    assert report.value("applications/not_processed_excessive/total") is None


def test_a_label_only_like_a_row_standing_alone_without_figures_is_not_taken_for_it():
    """A Markdown heading of a row's label before the row itself (a conversion's doing)."""
    text, values = make(layout="tab")
    line = next(line for line in text.splitlines() if "（二）部分公开" in line)
    report = parse_text(text.replace(line, "### (二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)\n" + line, 1))
    paths = TEMPLATES["2021"].row_paths("applications", "partially_granted")
    assert {p: report.value(p) for p in paths} == {p: values[p] for p in paths}
    assert "label_misread" not in rules_of(report)
