"""The text reader: encodings, cleaning, and the three flattened-table layouts."""

from __future__ import annotations

import codecs

import pytest

from builder.model import Source
from builder.readers.text import NotText, decode, read, rows_of

TEXT = "新坊镇2020年度政府信息公开工作年度报告\n一、总体情况\n自然人\t１２\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),
    (TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
])
def test_decodes_every_encoding_reports_come_in(data, encoding):
    text, found = decode(data)
    assert found == encoding
    assert text.replace("\r\n", "\n") == TEXT


@pytest.mark.parametrize("data, message", [
    (b"", "为空"),
    (b"   \n\n", "为空"),
    (bytes(range(256)) * 20, "不是文本"),
    (b"\x00\x01\x02\x03binary\x00\x00", "不是文本"),
])
def test_rejects_what_is_not_text_with_a_message(data, message):
    with pytest.raises(NotText, match=message):
        decode(data)


def test_cleans_artifacts_and_unifies_spaces_but_keeps_tabs():
    data = "\t[bookmark: _GoBack]8.属于行政查询事项\n\n**一是**加强\u3000培训\u00a0\n".encode()
    document = read(data, Source("x.txt", "txt", "", len(data)))
    texts = [row.text for row in document.rows]
    assert texts == ["8.属于行政查询事项", "一是加强 培训"]


def test_fullwidth_digits_are_figures():
    from builder.parse.cells import token_of
    assert token_of("１２").value == 12
    assert token_of("\u3000 5").value == 5


def test_runs_of_digits_too_long_for_a_figure_are_text():
    """15 digits are held exactly everywhere the figures go (SQLite, JSON, JavaScript); a
    longer run, 5,000 digits or an exponent is no figure a report prints."""
    from builder.parse.cells import token_of
    assert token_of("9" * 15).value == 10**15 - 1
    assert token_of("123,456,789,012,345").value == 123456789012345
    for text in ("9" * 16, "1" * 5000, "1e308", "1.1234567", "1,234,567,890,123,456"):
        assert token_of(text).kind == "text", text


def test_tab_separated_rows_keep_empty_cells_in_place():
    rows = rows_of(["规章\t0\t\t3", "正文"])
    assert rows[0].texts == ("规章", "0", "", "3")
    assert rows[0].tabular and not rows[1].tabular
    assert rows[0].lines == (1, 1, 1, 1) and rows[1].lines == (2,)


def test_pipe_rows_drop_the_rule_line():
    rows = rows_of(["| 规章 | 0 | 1 |", "|---|---|---|", "| 行政许可 |  | 2 |"])
    assert [r.texts for r in rows] == [("规章", "0", "1"), ("行政许可", "", "2")]


def test_one_cell_per_line_groups_rows_and_rejoins_split_cells():
    lines = ["\t信息内容", "\t本年新", "制作数量", "\t", "", "\t规章", "\t0", "", "二、主动公开"]
    rows = rows_of(lines)
    assert rows[0].texts == ("信息内容", "本年新制作数量", "") and rows[0].lines == (1, 2, 4)
    assert rows[1].texts == ("规章", "0") and rows[1].lines == (6, 7)
    assert rows[2].text == "二、主动公开" and not rows[2].tabular
