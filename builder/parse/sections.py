"""The six sections: find their headings, the rows each spans, and the narrative text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from builder.model import DocRow
from builder.parse.cells import normalize_label
from builder.parse.paragraphs import whole_paragraphs
from builder.forms import NARRATIVE_SECTIONS, SECTIONS

_MAX_HEADING = 40
_TOP_NUMBER = re.compile(r"^[一二三四五六七八九十]+[.．、]")
_SUB_NUMBER = re.compile(r"^[(（]")
_KEYWORDS = [(s.key, tuple(normalize_label(k) for k in s.keywords)) for s in SECTIONS]
# Two characters of every keyword, to pass over most rows without normalizing them.
_HINT = re.compile("|".join(sorted({re.escape(k[:2]) for s in SECTIONS for k in s.keywords})))


def heading_of(row: DocRow) -> str | None:
    """The section key if this row is a section heading."""
    if len(row.text) > 2 * _MAX_HEADING or not _HINT.search(row.text):
        return None
    text = ""
    for cell in row.texts:
        if cell:
            if text:
                return None  # a heading is the only text of its row
            text = cell
    if not text or len(text) > 2 * _MAX_HEADING:
        return None
    normalized = normalize_label(text)
    if len(normalized) > _MAX_HEADING or _SUB_NUMBER.match(normalized):
        return None
    numbered = bool(_TOP_NUMBER.match(normalized))
    for key, keywords in _KEYWORDS:
        for keyword in keywords:
            if keyword in normalized and (numbered or len(normalized) <= len(keyword) + 4):
                return key
    return None


def find_sections(rows: Sequence[DocRow]) -> dict[str, tuple[int, int]]:
    """Section key -> (heading row, end row exclusive); sections are taken in template order."""
    order = [s.key for s in SECTIONS]
    starts: dict[str, int] = {}
    for number, row in enumerate(rows):
        key = heading_of(row)
        if key is None or key in starts:
            continue
        # a heading must come after the headings of the sections before it
        if any(order.index(other) > order.index(key) for other in starts):
            continue
        starts[key] = number
    bounds = sorted(starts.items(), key=lambda item: item[1])
    spans = {}
    for position, (key, start) in enumerate(bounds):
        end = bounds[position + 1][1] if position + 1 < len(bounds) else len(rows)
        spans[key] = (start, end)
    return spans


def narrative(rows: Sequence[DocRow], spans: dict[str, tuple[int, int]], title_row: int | None) -> dict[str, str]:
    """Sections 一, 五, 六 as text (sub-headings kept as their own lines), and any preamble."""
    texts = {}
    for key in NARRATIVE_SECTIONS:
        if key in spans:
            start, end = spans[key]
            texts[key] = _text(rows[start + 1:end])
    first = min((start for start, _ in spans.values()), default=len(rows))
    preamble = _text(rows[(title_row + 1 if title_row is not None else 0):first])
    if preamble:
        texts["preamble"] = preamble
    return texts


def _text(rows: Sequence[DocRow]) -> str:
    """A line for each paragraph (a PDF's put together again across its pages) and table row."""
    lines = []
    for row in whole_paragraphs(rows):
        line = " ".join(t for t in row.texts if t.strip()) if row.tabular else row.text
        if line.strip():
            lines.append(line.strip())
    return "\n".join(lines)
