"""Cells of tables read from HTML, Word and PDF: one cleaning for all, and rows made from them.

Rows keep the cells that start in them, in order: a cell merged over several columns counts
once, a cell merged down from the row above not at all. The parser places figures after a
row's label, so it needs the cells, not the columns they span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from builder.model import DocRow

_SPACES = re.compile(r"[\u00a0\u3000\u2002\u2003\u2009\t\r\f\v ]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\x00-\x08\x0e-\x1f\x7f]")  # and control characters
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def clean_cell(text: str | None) -> str:
    """One line: lines broken inside a cell are joined, without a space between Chinese."""
    if not text:
        return ""
    text = _ZERO_WIDTH.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    joined = ""
    for line in (line for line in lines if line):
        if joined and not (_CJK.match(joined[-1]) or _CJK.match(line[0])):
            joined += " "
        joined += line
    return joined


def table_row(cells: Iterable[str | None], line: int | None, page: int | None = None) -> DocRow:
    texts = tuple(clean_cell(cell) for cell in cells)
    return DocRow(texts, (line,) * len(texts), True, "".join(texts), page)


def paragraph(text: str, line: int | None, page: int | None = None, runs_on: bool = False) -> DocRow | None:
    text = clean_cell(text)
    return DocRow((text,), (line,), False, text, page, False, runs_on) if text else None
