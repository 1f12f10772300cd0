"""A PDF's paragraphs made whole across its page breaks.

The PDF reader puts a page's printed lines together into paragraphs by where they end and begin
(`readers.pdf`), but the end of a page ends whatever paragraph it prints: one that goes on
overleaf comes as two rows, the first marked `runs_on` (its last line ran to the right margin).
Here the two are joined again, unless the words say that the paragraph ended with the page after
all; and page numbers standing alone between the pages are dropped. Rows of the other formats
are whole paragraphs already, never marked, and pass through as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from builder.model import DocRow

# a sentence's last character, with the closing quotes and brackets that may follow it
_SENTENCE_END = re.compile(r"[。！？；：!?;…][”’」』）)》〉】\]\"']*$")
# the numbering that opens a heading or an item: 一、 （一） 1. 1、 ① 第一条 (1.5 is a figure)
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]"
                       r"|\d{1,2}[、.．](?!\d)|[①-⑳]|第[一二三四五六七八九十百\d]+[条章节])")
_HEADING = 40  # characters: a numbered line no longer, without a stop inside, is a heading
# "- 3 -", "3", "第3页", "第 3 页 共 6 页", "3/6": never four digits, which may be a year
_PAGE_NUMBER = re.compile(r"^[-—–－·•\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[/／共]\s*\d{1,3}\s*页?)?[-—–－·•\s]*$")
_LATIN = re.compile(r"[0-9A-Za-z]")


def whole_paragraphs(rows: Sequence[DocRow]) -> list[DocRow]:
    """The rows, each paragraph a page break cut in two joined into one row, page numbers dropped."""
    result: list[DocRow] = []
    for row in rows:
        if is_page_number(row):
            continue
        if result and continues(result[-1], row):
            result[-1] = joined(result[-1], row)
        else:
            result.append(row)
    return result


def is_page_number(row: DocRow) -> bool:
    """A PDF row that is a page number alone: the reader drops most, not one printed beside
    nothing it could tell from text."""
    return row.page is not None and not row.tabular and bool(_PAGE_NUMBER.match(row.text))


def continues(before: DocRow, after: DocRow) -> bool:
    """Whether `after` goes on with the paragraph of `before`: the page cut `before` at the
    margin (only the PDF reader says so), and neither its last words nor `after`'s first say
    that a paragraph ended there."""
    return (before.runs_on and not before.tabular and not after.tabular
            and not ends_paragraph(before.text) and not opens_paragraph(after.text))


def ends_paragraph(text: str) -> bool:
    """A text that ends a sentence, or is a heading: what comes after it is a paragraph of its own."""
    text = text.strip()
    return bool(_SENTENCE_END.search(text)) or is_heading(text)


def is_heading(text: str) -> bool:
    """A short numbered line, such as （一）主动公开情况 or 1.属于国家秘密: no paragraph goes on
    from it. A long one (（一）主动公开情况。2024 年，…) is a paragraph that starts with its number."""
    text = text.strip()
    return bool(_NUMBERED.match(text)) and len(text) <= _HEADING and "。" not in text


def opens_paragraph(text: str) -> bool:
    """A text that starts with a heading's or an item's number: it never goes on from the line before."""
    return bool(_NUMBERED.match(text.strip()))


def joined(before: DocRow, after: DocRow) -> DocRow:
    """One row of the two texts: Chinese runs on without a space, as the printed lines did; two
    Latin words or figures keep the space the line break stood for."""
    first, second = before.text.rstrip(), after.text.lstrip()
    space = " " if first and second and _LATIN.match(first[-1]) and _LATIN.match(second[0]) else ""
    text = first + space + second
    return before._replace(texts=(text,), text=text, runs_on=after.runs_on)
