"""Text whose tables ran together: cutting a line into rows, splitting glued figures, and the
metadata of archived and published pages."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import synth
from builder.model import DocRow, Document, Source
from builder.parse import parse
from builder.parse.flattened import unflatten
from builder.parse.glued import GluedRow, Local, resolve, splits
from builder.readers import html
from builder.forms import TEMPLATES
from conftest import FUZZ_SCALE, parse_text
from flattened_support import flattened_text

ROW_TOTAL = [Local(((6, 1), (0, -1), (1, -1), (2, -1), (3, -1), (4, -1), (5, -1)), 0, 6)]


def printed(search) -> list[str]:
    return ["|".join(part.printed for part in split) for split in search.splits]


def test_a_glued_row_splits_the_one_way_its_total_allows():
    assert printed(splits("120000012", 7, ROW_TOTAL)) == ["12|0|0|0|0|0|12"]
    assert printed(splits("150 000015", 7, ROW_TOTAL)) == ["15|0|0|0|0|0|15"]  # a stray space


def test_no_figure_starts_with_a_zero():
    assert printed(splits("00126", 3)) == ["0|0|126"]


def test_a_sign_starts_only_a_cell_that_may_be_negative():
    assert printed(splits("3120-4527", 3, signed=frozenset({1}))) == ["3120|-4|527", "3120|-45|27", "3120|-452|7"]
    assert printed(splits("0+11", 3, signed=frozenset({1}))) == ["0|+1|1"]
    assert splits("0+11", 3).splits == ()


def test_a_unit_after_a_figure_ends_its_cell():
    assert printed(splits("1个246900元", 2)) == ["1个|246900元"]


def _row(text, paths, label="row", signed=frozenset()):
    return GluedRow(tuple(paths), text, 1, None, label, signed)


def _outcome(text, width, signed=frozenset()):
    paths = [f"active_disclosure/x/y/{i}" for i in range(width)]
    return resolve([_row(text, paths, signed=signed)], {}, [])[0]


def test_a_row_without_sums_is_never_guessed():
    outcome = _outcome("222233", 3)
    assert outcome.cells == (None, None, None) and len(outcome.candidates) == 10


def test_a_cell_bounded_by_a_sign_is_certain_where_its_neighbours_are_not():
    outcome = _outcome("3120-4527", 3, signed=frozenset({1}))
    assert [part and part.value for part in outcome.cells] == [3120, None, None]


def test_a_row_of_one_digit_per_cell_splits_one_way_even_against_its_total():
    paths = [f"applications/new_received/{c.key}" for c in TEMPLATES["2021"].applications.columns]
    outcome = resolve([_row("1000000", paths)], {}, TEMPLATES["2021"].equations())[0]
    assert [part.value for part in outcome.cells] == [1, 0, 0, 0, 0, 0, 0]  # the checks flag its total


def test_rows_ambiguous_alone_are_settled_by_the_column_sums():
    template = TEMPLATES["2021"]
    columns = [c.key for c in template.applications.columns]
    row = lambda key: [f"applications/{key}/{c}" for c in columns]  # noqa: E731
    # 予以公开 "110000011" is 11|0|0|0|0|0|11 or 1|10|0|0|0|0|11 by its own total
    assert len(splits("110000011", 7, ROW_TOTAL).splits) == 2
    known = {p: 0 for key in ("carried_over", "carried_forward") for p in row(key)}
    known.update(zip(row("new_received"), (1, 10, 0, 0, 0, 0, 11)))
    known.update(zip(row("results_total"), (1, 10, 0, 0, 0, 0, 11)))
    for key in template.result_rows:
        if key != "granted":
            known.update((p, 0) for p in row(key))
    outcome = resolve([_row("110000011", row("granted"))], known, template.equations())[0]
    assert [part.value for part in outcome.cells] == [1, 10, 0, 0, 0, 0, 11]


def _line(text: str) -> list[DocRow]:
    return list(unflatten((DocRow((text,), (1,), False, text),)))


def test_a_line_is_cut_before_headings_and_labels():
    rows = _line("二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
                 "行政规范性文件45102310三、收到和处理政府信息公开申请情况")
    assert [r.texts for r in rows if r.glued] == [("规章", "000"), ("行政规范性文件", "45102310")]
    assert rows[0].texts == ("二、主动公开政府信息情况",) and rows[-1].texts == ("三、收到和处理政府信息公开申请情况",)


def test_a_label_in_running_text_stays_text():
    text = "全年公开办理行政许可和其他对外管理服务事项的依据、条件1条，行政处罚15件。"
    assert _line(text) == [DocRow((text,), (1,), False, text)]


def test_the_next_rows_numbering_is_not_a_figure():
    rows = _line("（三）不予公开1.属于国家秘密00000002.其他法律和行政法规禁止公开0000000")
    assert ("1.属于国家秘密", "0000000") in [r.texts for r in rows]


def test_a_renumbered_section_still_ends_the_table_before_it():
    rows = _line("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
                 "000000000000000五、信息处理费收取情况通知收取件数000六、存在的主要问题及改进措施一是不够及时。")
    assert ("总计", "000000000000000") in [r.texts for r in rows]
    assert "六、存在的主要问题及改进措施" in [r.text for r in rows]


PROFILE = settings(max_examples=60 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.integers(min_value=0, max_value=2**32))
def test_flattened_reports_read_right_or_flagged(seed):
    """A whole report on one line: every figure read is the one generated, or left blank and
    named by a finding; never another figure."""
    rng = random.Random(seed)
    version = rng.choice(("2019", "2021"))
    values = synth.figures(rng, TEMPLATES[version], scale=rng.choice((1, 2, 3)), blanks=rng.choice((0, 0, 0.1)))
    report = parse_text(flattened_text(values, TEMPLATES[version], "平潭综合实验区教育局", 2020, rng))
    flagged = {cell for finding in report.findings for cell in finding.cells}
    for path, value in values.items():
        got = report.value(path)
        if got is not None and value is not None:
            assert Decimal(str(got)) == Decimal(str(value)), (path, value, got)
        elif got is not None:
            raise AssertionError(f"{path}: printed blank, read {got}")
        elif value is not None:
            assert path in flagged, path
    assert (report.agency, report.year, report.template, report.published) == (
        "平潭综合实验区教育局", 2020, version, "2021-01-15")


def test_flattened_reports_fill_most_of_their_applications_table():
    filled = total = 0
    for seed in range(40):
        rng = random.Random(seed)
        values = synth.figures(rng, TEMPLATES["2021"], scale=2)
        report = parse_text(flattened_text(values, TEMPLATES["2021"], "某某局", 2022, rng))
        cells = [p for p in values if p.startswith("applications/")]
        filled += sum(report.value(p) == values[p] for p in cells)
        total += len(cells)
    assert filled / total >= 0.9


def test_archive_fields_give_title_date_and_address():
    report = parse_text("标题: 平潭综合实验区行政审批局2022年政府信息公开工作年度报告\n发布时间: 2023-01-09 16:20\n"
                        "发布机构: 平潭综合实验区行政审批局\n原文链接: https://www.pingtan.gov.cn/a/t20230109_1.htm\n"
                        "正文一、总体情况全年无申请。\n")
    assert (report.agency, report.year, report.published, report.source_url) == (
        "平潭综合实验区行政审批局", 2022, "2023-01-09", "https://www.pingtan.gov.cn/a/t20230109_1.htm")


def test_a_letter_that_sends_the_report_names_its_agency():
    report = parse_text("平潭综合实验区苏平片区管理局关于报送2020年度政府信息公开工作年度报告的函\n一、总体情况\n无。\n")
    assert (report.agency, report.year) == ("平潭综合实验区苏平片区管理局", 2020)


def test_a_title_over_two_lines_and_prose_that_names_the_report():
    report = parse_text("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告根据《关于印发中华人民共和国"
                        "政府信息公开工作年度报告格式的通知》编制。\n")
    assert (report.agency, report.year) == ("上海市人民政府办公厅", 2025)


def test_meta_tags_of_a_government_page():
    page = ("<html><head><title>某某区人力资源和社会保障局2022年政府信息公开工作年度报告-某某区政府网</title>"
            "<meta name='SiteName' content='某某区人民政府'><meta name='PubDate' content='2023-01-20 09:00'>"
            "<meta name='ContentSource' content='某某区人力资源和社会保障局'></head><body>"
            "<div>首页 &gt; 政务公开 &gt; 年报</div><table><tr><td>名称</td>"
            "<td>某某区人力资源和社会保障局2022年政府信息公开工作年度报告</td></tr></table>"
            "<p>一、总体情况</p><p>无。</p></body></html>").encode("utf-8")
    document = html.read(page, Source("x.html", "html", "", len(page)))
    assert dict(document.properties)["published"] == "2023-01-20 09:00"
    report = parse(document)
    assert (report.agency, report.year, report.published) == ("某某区人力资源和社会保障局", 2022, "2023-01-20")


def test_a_document_keeps_what_its_reader_found_of_itself():
    document = Document(Source("x.txt", "txt", "", 0), (), (("title", "甲乡2021年政府信息公开工作年度报告"),))
    assert (parse(document).agency, parse(document).year) == ("甲乡", 2021)


HEADLESS = """某某区教育局2022年政府信息公开工作年度报告
一、总体情况
全年收到申请3件。
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 行政规范性文件 | 1 | 0 | 5 |
| 信息内容 | 本年处理决定数量 |
| 行政许可 | 7 |
| （本列数据的钩稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益 组织 | 法律服务机构 | 其他 | 总计 |
| 一、本年新收政府信息公开申请数量 | | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
| 三、本年度办理结果 | （一）予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
| 三、本年度办理结果 | （三）不予 公开 | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 三、本年度办理结果 | （四）无法提供 | 1.本机关不掌握相关政府信息 | 1 | 0 | 0 | 0 | 0 | 1 |
四、政府信息公开行政法复议、行政诉讼情况
| 行政复议 | | | | | 行政诉讼 |
| 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
五、存在的主要问题及明年工作计划
无。
"""


def test_tables_are_found_by_their_rows_when_headings_are_missing_or_reworded():
    report = parse_text(HEADLESS)
    assert report.tables_found == ("active_disclosure", "applications", "reviews_litigation")
    assert report.value("active_disclosure/art20_5/licensing/decisions") == 7
    assert report.value("applications/granted/total") == 2  # group labels repeated in every row
    assert report.value("applications/denied_state_secret/natural_person") == 0
    assert report.value("reviews_litigation/review/upheld") == 0  # 行政法复议: the heading misspelled
    assert "problems" in report.sections  # 存在的主要问题及明年工作计划
    # the first table stops where the second begins: no figure of 三 is taken for a row of 二
    assert not [f for f in report.findings if f.rule == "unlabelled_figures"]


def test_a_row_missing_is_flagged_never_shifted_and_a_short_row_is_flagged():
    report = parse_text(HEADLESS)
    missing = {c for f in report.findings if f.rule == "missing_row" for c in f.cells}
    assert "active_disclosure/art20_1/regulations/issued" in missing
    assert report.value("active_disclosure/art20_1/regulations/issued") is None
    short = [f for f in report.findings if f.rule == "short_row"]
    assert short and all(c.startswith("applications/unavailable_not_held/") for c in short[0].cells)
