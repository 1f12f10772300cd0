"""A PDF's paragraphs: printed lines put together by the reader within a page (where they end and
begin), and by the parser across page breaks (`parse.paragraphs`); other formats untouched."""

from __future__ import annotations

import pytest

from builder import pipeline
from builder.model import DocRow
from builder.parse.paragraphs import whole_paragraphs
from builder.parse.sections import find_sections, narrative
from builder.readers.pdf import _page_rows
from conftest import REPORTS, parse_text


def pdf_row(text: str, page: int, runs_on: bool = False) -> DocRow:
    return DocRow((text,), (None,), False, text, page, False, runs_on)


def texts(rows) -> list[str]:
    return [row.text for row in whole_paragraphs(rows)]


def test_a_paragraph_cut_by_its_page_is_joined_with_the_top_of_the_next():
    rows = [pdf_row("对照上级新要求和公众新期待，还有一些需要加强和改进的", 5, runs_on=True),
            pdf_row("地方。主要表现在：一是政策解读质量仍需提升。", 6)]
    assert texts(rows) == ["对照上级新要求和公众新期待，还有一些需要加强和改进的地方。主要表现在：一是政策解读质量仍需提升。"]


def test_a_page_number_between_the_pages_is_dropped_and_the_paragraph_joined():
    for number in ("- 5 -", "5", "第5页", "第 5 页 共 6 页", "5/6", "— 5 —"):
        rows = [pdf_row("组织召开了“建设‘四最’一流", 5, runs_on=True), pdf_row(number, 5),
                pdf_row("营商环境高质量推进产业发展”等新闻发布会 12 场。", 6)]
        assert texts(rows) == ["组织召开了“建设‘四最’一流营商环境高质量推进产业发展”等新闻发布会 12 场。"], number


def test_a_year_alone_is_not_taken_for_a_page_number():
    assert texts([pdf_row("2024", 1)]) == ["2024"]


def test_a_paragraph_over_three_pages_is_one():
    rows = [pdf_row("甲乙", 1, runs_on=True), pdf_row("丙丁", 2, runs_on=True), pdf_row("戊己。", 3)]
    assert texts(rows) == ["甲乙丙丁戊己。"]


@pytest.mark.parametrize("end", ["。", "！", "？", "；", "：", "。”", "。）", "？」"])
def test_a_sentence_that_ends_with_the_page_ends_its_paragraph(end):
    rows = [pdf_row("全年收取政府信息公开信息处理费 3940 元" + end, 5, runs_on=True), pdf_row("针对存在问题，下一步", 6)]
    assert len(texts(rows)) == 2


def test_a_heading_at_the_foot_of_a_page_stays_a_line_of_its_own():
    rows = [pdf_row("（一）主动公开情况", 1, runs_on=True), pdf_row("2024 年，市政府网站主动公开各类政府信息。", 2)]
    assert texts(rows) == ["（一）主动公开情况", "2024 年，市政府网站主动公开各类政府信息。"]


@pytest.mark.parametrize("item", ["（二）依申请公开情况。定期研判。", "1.属于国家秘密", "2、重复申请", "二、主动公开", "①政策解读"])
def test_a_numbered_item_at_the_top_of_a_page_starts_a_paragraph(item):
    rows = [pdf_row("回应舆论关切并及时发布政策解读和相关的", 1, runs_on=True), pdf_row(item, 2)]
    assert texts(rows) == ["回应舆论关切并及时发布政策解读和相关的", item]


def test_a_long_paragraph_that_starts_with_its_number_goes_on_overleaf():
    first = "（一）主动公开情况。2024 年，市政府网站主动公开各类政府信息 5500 余条，组织召开了新闻发布会和"
    rows = [pdf_row(first, 1, runs_on=True), pdf_row("政策吹风会 12 场。", 2)]
    assert texts(rows) == [first + "政策吹风会 12 场。"]


def test_a_figure_that_opens_the_next_page_is_not_taken_for_a_number():
    rows = [pdf_row("全年共收费", 1, runs_on=True), pdf_row("1.5 万元。", 2)]
    assert texts(rows) == ["全年共收费1.5 万元。"]


def test_a_paragraph_whose_last_line_stopped_short_is_not_joined():
    # a signature and its date: no stop, but the reader saw the line end before the margin
    rows = [pdf_row("淮安市人民政府办公室", 6), pdf_row("2025 年 1 月 20 日", 7)]
    assert texts(rows) == ["淮安市人民政府办公室", "2025 年 1 月 20 日"]


def test_latin_words_and_figures_keep_a_space_and_chinese_none():
    rows = [pdf_row("电子邮箱 hazwgkc", 1, runs_on=True), pdf_row("gov 备用", 2, runs_on=True), pdf_row("地址：翔宇南道。", 3)]
    assert texts(rows) == ["电子邮箱 hazwgkc gov 备用地址：翔宇南道。"]


def test_a_table_row_is_never_joined():
    table = DocRow(("规章", "1", "0", "11"), (None,) * 4, True, "规章1011", 2)
    rows = [pdf_row("见下表", 1, runs_on=True), table]
    assert whole_paragraphs(rows) == rows


def test_rows_of_other_formats_pass_through_as_they_are():
    rows = [DocRow((t,), (n,), False, t) for n, t in enumerate(["还有一些需要加强和改进的", "地方。", "3", "- 4 -"])]
    assert whole_paragraphs(rows) == rows


def test_a_text_report_keeps_its_lines_as_paragraphs():
    text = "一、总体情况\n本年度，本机关依法做好政府信息\n公开工作\n3\n五、存在的主要问题及改进情况\n无。"
    report = parse_text(text)
    assert report.sections["overview"].splitlines() == ["本年度，本机关依法做好政府信息", "公开工作", "3"]


def test_the_narrative_sections_join_what_the_page_cut():
    rows = [pdf_row("五、存在的主要问题及改进情况", 5),
            pdf_row("对照上级新要求，还有一些需要加强和改进的", 5, runs_on=True), pdf_row("- 5 -", 5),
            pdf_row("地方。", 6), pdf_row("针对存在问题，下一步将加强培训。", 6),
            pdf_row("六、其他需要报告的事项", 6), pdf_row("无。", 6)]
    sections = narrative(rows, find_sections(rows), None)
    assert sections["problems"].splitlines() == ["对照上级新要求，还有一些需要加强和改进的地方。", "针对存在问题，下一步将加强培训。"]
    assert sections["other"] == "无。"


# The reader's half, on a page of printed lines: 14 points a character, text from 70 to 518.

class Page:
    width, height = 595, 842

    def __init__(self, lines):
        self.lines = lines

    def find_tables(self):
        return []

    def filter(self, test):
        return self

    def extract_text_lines(self):
        return self.lines


def line(text: str, top: float, x0: float = 70, x1: float | None = None) -> dict:
    chars = [{"text": ch, "x0": x0 + 14 * i, "x1": x0 + 14 * i + 14} for i, ch in enumerate(text)]
    return {"text": text, "x0": x0, "x1": x0 + 14 * len(text) if x1 is None else x1, "top": top, "chars": chars}


def test_a_line_whose_stop_hangs_past_the_margin_does_not_move_it():
    # the typesetter lets a closing comma hang beyond the margin: the other full lines still wrap
    page = Page([line("（五）政府信息公开监督保障情况。根据省政务公开年度和", 0, x0=98, x1=518),
                 line("季度监测指标，全年组织 4 次政府信息公开栏目全覆盖检查，并", 28, x1=518),
                 line("按季度开展政务新媒体专项检查，针对突出问题和日常共性问题，", 56, x1=534.5),
                 line("及时督促整改。针对具体问题，创新开展调研式培训、过堂式培", 84, x1=518),
                 line("训，不断提高工作能力和水平。", 112)])
    rows = _page_rows(page, 3)
    assert len(rows) == 1 and rows[0].text.endswith("过堂式培训，不断提高工作能力和水平。")
    assert not rows[0].runs_on


def test_an_indented_line_begins_a_paragraph_though_the_line_before_is_full():
    page = Page([line("二是政务公开队伍建设还需进一步加", 0, x0=98, x1=518),
                 line("强，个别单位存在人员配备不足、兼职多、流动性过快的问题。", 28, x1=522),
                 line("针对存在问题，下一步，我市将着力加强政策解读质效，重", 56, x0=98, x1=518),
                 line("点提升解读的针对性和通俗化。", 84)])
    assert [row.text[:6] for row in _page_rows(page, 6)] == ["二是政务公开", "针对存在问题"]


def test_the_last_paragraph_of_a_page_runs_on_when_its_last_line_is_full():
    full = [line("在日常读网巡查的基础上，定期对政府信息公开栏目进行检查，", 0, x0=98, x1=518),
            line("将栏目不更新、政策解读不通俗易懂等问题列入重点检查", 28, x1=518)]
    assert [row.runs_on for row in _page_rows(Page(full), 2)] == [True]
    short = full[:1] + [line("范围。", 28)]
    assert [row.runs_on for row in _page_rows(Page(short), 2)] == [False]


def test_the_huaian_pdf_reads_as_its_printed_paragraphs():
    report = pipeline.process(REPORTS / "huaian_2024.pdf")
    overview = report.sections["overview"].splitlines()
    assert [p[:4] for p in overview] == ["2024", "（一）主", "（二）依", "（三）政", "（四）政", "（五）政"]
    assert "“建设‘四最’一流营商环境高质量推进产业发展”" in overview[1]  # across pages 1 and 2
    assert "将栏目不更新、政策解读不通俗易懂" in overview[4]  # across pages 2 and 3
    problems = report.sections["problems"].splitlines()
    assert [p[:6] for p in problems] == ["对照上级新要", "针对存在问题"]
    assert "需要加强和改进的地方。" in problems[0]  # across pages 5 and 6
    paragraphs = [p for text in report.sections.values() for p in text.splitlines()]
    assert all(p.endswith("。") for p in paragraphs) and len(paragraphs) == 10
