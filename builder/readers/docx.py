"""Word files (.docx): paragraphs and tables of the main document part, in document order.

A .docx is a zip: what it may inflate to is bounded before anything is inflated. Only
word/document.xml is read, with lxml and python-docx's names for WordprocessingML:
opening the whole package with python-docx parsed styles, numbering and settings too, two
thirds of a Word report's cost, for nothing the parser reads."""

from __future__ import annotations

import io
import zipfile
import zlib

import lxml.etree
from docx.oxml.ns import qn

from builder.model import Document, DocRow, Source
from builder.readers.cells import paragraph, table_row
from builder.readers.text import NotText

MAX_INFLATED = 100 * 1024 * 1024  # a report's document.xml is a few MB at most
MAX_MEMBERS = 10_000
MAIN_PART = "word/document.xml"
# no entities, no network, no huge trees: a part is data, whatever it declares
_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def read(data: bytes, source: Source) -> Document:
    xml = _main_part(data)
    try:
        root = lxml.etree.fromstring(xml, _PARSER)
    except lxml.etree.XMLSyntaxError as err:
        raise NotText(f"Word 文件已损坏（{MAIN_PART} 无法解析：{err}）") from None
    body = root.find(qn("w:body"))
    if root.tag != qn("w:document") or body is None:
        raise NotText(f"不是 Word 文件（{MAIN_PART} 中没有正文）")
    return Document(source, tuple(rows_of(body)))


def _main_part(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_INFLATED:
                raise NotText("Word 文件解压后过大，疑为压缩炸弹，未读取")
            if MAIN_PART not in archive.namelist():
                raise NotText(f"不是 Word 文件（缺少 {MAIN_PART}）")
            # file_size is what the zip claims: read no more than the bound, whatever it inflates to
            with archive.open(MAIN_PART) as part:
                xml = part.read(MAX_INFLATED + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            zlib.error) as err:
        raise NotText(f"Word 文件已损坏（{type(err).__name__}）") from None
    if len(xml) > MAX_INFLATED:
        raise NotText("Word 文件解压后过大，疑为压缩炸弹，未读取")
    return xml


def rows_of(body) -> list[DocRow]:
    """Rows numbered in document order, one number per paragraph or table row."""
    rows: list[DocRow] = []
    number = 0
    for child in body.iterchildren():
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
