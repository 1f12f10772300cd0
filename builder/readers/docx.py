"""Word files (.docx): paragraphs and tables in document order (python-docx).

A .docx is a zip: what it may inflate to is bounded before python-docx opens it."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn

from builder.model import Document, DocRow, Source
from builder.readers.cells import paragraph, table_row
from builder.readers.text import NotText

MAX_INFLATED = 100 * 1024 * 1024  # a report's document.xml is a few MB at most
MAX_MEMBERS = 10_000


def read(data: bytes, source: Source) -> Document:
    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises many kinds for a damaged package
        raise NotText(f"Word 文件已损坏或无法打开（{type(err).__name__}）") from None
    return Document(source, tuple(rows_of(document)))


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_INFLATED:
                raise NotText("Word 文件解压后过大，疑为压缩炸弹，未读取")
            if "word/document.xml" not in archive.namelist():
                raise NotText("不是 Word 文件（缺少 word/document.xml）")
    except zipfile.BadZipFile:
        raise NotText("Word 文件已损坏（不是有效的 zip 包）") from None


def rows_of(document) -> list[DocRow]:
    """Rows numbered in document order, one number per paragraph or table row."""
    rows: list[DocRow] = []
    number = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            number += 1
            row = paragraph(_text(child), number)
            if row:
                rows.append(row)
        elif child.tag == qn("w:tbl"):
            for tr in child.iter(qn("w:tr")):
                number += 1
                cells = [_cell_text(tc) for tc in tr.iterchildren(qn("w:tc"))]
                rows.append(table_row(cells, number))
    return rows


def _text(element) -> str:
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def _cell_text(tc) -> str:
    # a cell continuing a vertical merge holds no text of its own
    return "\n".join(_text(p) for p in tc.iterchildren(qn("w:p")))
