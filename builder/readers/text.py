"""Plain-text reports: decode, clean, and recover the rows of flattened tables.

Tables arrive flattened in three layouts: tab-separated rows, `| a | b |` rows, and one
cell per line (each cell line starting with a tab, rows separated by blank lines, a cell
broken over lines continuing on a line without a tab).
"""

from __future__ import annotations

import codecs
import dataclasses
import re

from builder.model import Document, DocRow, Source

MAX_LINE_CHARS = 200_000  # an archived page may be one line: a whole report is some 10,000 characters
MAX_LINES = 100_000  # a report has a few thousand; millions of lines would cost gigabytes of rows


class NotText(Exception):
    pass


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Detects BOMs, BOM-less UTF-16, UTF-8, then GB18030."""
    if not data.strip():
        raise NotText("文件为空")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding), encoding.removesuffix("-sig")
    if b"\x00" in data[:4096]:
        # UTF-8 and GB18030 text never holds a NUL byte; UTF-16 does, beside every newline
        utf16 = _utf16_without_bom(data)
        if utf16:
            try:
                return _check_text(data.decode(utf16)), utf16
            except (UnicodeDecodeError, NotText):
                pass
        raise NotText("文件不是文本（含有二进制内容）")
    sample = data[:20_000]
    # in UTF-8 and GB18030 a control character is a byte of its own: count them before decoding
    if len(sample.translate(None, _NOT_CONTROL_BYTES)) > len(sample) * 0.01:
        raise NotText("文件不是文本（含有二进制内容）")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise NotText("无法识别文件编码（不是 UTF-8、UTF-16 或 GB18030 文本）")


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) % 2:
        return None
    little = sum(1 for i in range(0, min(len(data), 65536), 2) if data[i + 1] == 0 and data[i] in (10, 13, 32))
    big = sum(1 for i in range(0, min(len(data), 65536), 2) if data[i] == 0 and data[i + 1] in (10, 13, 32))
    if little > big:
        return "utf-16-le"
    if big > little:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return _check_text(data.decode(encoding))
    except UnicodeDecodeError:
        raise NotText(f"文件声明为 {encoding} 编码，但内容无法按此解码") from None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or 0x0e <= b <= 0x1f))


def _check_text(text: str) -> str:
    sample = text[:20_000]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) * 0.01:
        raise NotText("文件不是文本（含有二进制内容）")
    return text


# Word-processor and converter artifacts: bookmarks, bold markers, zero-width characters.
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_REMOVED = ("**", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff")
_SPACES = ("\u00a0", "\u3000", "\u2002", "\u2003", "\u2009")


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> list[str]:
    """Lines without artifacts and control characters, with spaces unified; tabs are kept
    (they separate cells)."""
    if _CONTROLS.search(text):  # a NUL or an escape is no figure and no word: it must reach no output
        text = _CONTROLS.sub("", text)
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    # str.replace where needed: many times faster than a regex or str.translate over the text
    for removed in _REMOVED:
        if removed in text:
            text = text.replace(removed, "")
    for space in _SPACES:
        if space in text:
            text = text.replace(space, " ")
    if text.count("\n") > MAX_LINES:
        raise NotText(f"文件行数过多（超过 {MAX_LINES} 行），不是年度报告")
    lines = text.splitlines()
    if max(map(len, lines), default=0) > MAX_LINE_CHARS:
        lines = [line[:MAX_LINE_CHARS] for line in lines]
    return lines


def read(data: bytes, source: Source) -> Document:
    text, encoding = decode(data)
    lines = clean(text)
    return Document(dataclasses.replace(source, encoding=encoding), tuple(rows_of(lines)))


_PIPE_RULE = re.compile(r"^\s*\|?[\s:|+-]*-{3,}[\s:|+-]*\|?\s*$")
_HEADING_LIKE = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def rows_of(lines: list[str]) -> list[DocRow]:
    """Group cleaned lines into rows of cells; line numbers are 1-based."""
    rows: list[DocRow] = []
    texts: list[str] = []  # the open row of the one-cell-per-line layout
    numbers: list[int] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if line[:1] == "\t" and line.count("\t") == 1:
            texts.append(stripped)  # a line of just a tab is an empty cell
            numbers.append(number)
            continue
        if texts and stripped and "\t" not in line and _continues_cell(stripped):
            texts[-1] += stripped
            continue
        if texts:
            rows.append(DocRow.of(tuple(texts), tuple(numbers), True))
            texts, numbers = [], []
        if stripped:
            row = _row_of_line(line, stripped, number)
            if row is not None:
                rows.append(row)
    if texts:
        rows.append(DocRow.of(tuple(texts), tuple(numbers), True))
    return rows


def _continues_cell(stripped: str) -> bool:
    return len(stripped) <= 30 and not _HEADING_LIKE.match(stripped)


def _row_of_line(line: str, stripped: str, number: int) -> DocRow | None:
    if "\t" in line:
        parts = [part.strip() for part in line.split("\t")]
    elif stripped[0] == "|" and stripped[-1] == "|":
        if _PIPE_RULE.match(stripped):
            return None
        parts = [part.strip() for part in stripped[1:-1].split("|")]
    else:
        return DocRow((stripped,), (number,), False, stripped)
    return DocRow(tuple(parts), (number,) * len(parts), True, "".join(parts))
