"""Figures read by OCR, doubted before they are published: a figure whose cell was read with
a confidence under THRESHOLD, or one of a sum that the figures read by OCR break, is set blank
with a finding, never published as read. What is kept carries its cell (`Report.ocr`): page,
box and confidence, so that it can be marked as OCR and checked against the picture."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from functools import cache

from builder.forms import TEMPLATES, Template
from builder.model import Figure, Finding, OcrCell
from builder.parse.cells import label_core, normalize_label

THRESHOLD = 0.9  # RapidOCR's confidence; the figures under it on rendered tables: docs/performance.md
LABEL_LIKENESS = 0.7  # how alike a row's label as read and the form's must be (difflib's ratio)
_FIGURE = re.compile(r"[\d.,，。\-—–/\s]+")
_PUNCTUATION = re.compile(r"[\s\W_]+")


# what the parser says of a row whose figures it placed by the form's sums, not by their cells
PLACED_BY_SUMS = ("short_row", "glued_cells")


def doubted(figures: Mapping[str, Figure], cells: Sequence[OcrCell], template: Template,
            placed: Sequence[Finding] = ()) -> tuple[dict[str, Figure], list[Finding], dict[str, OcrCell]]:
    """The figures with the doubtful ones blank, the findings that say which and why, and the
    OCR cell of each figure read from one. `placed`: the parser's findings, which say what rows
    it placed by the sums (PLACED_BY_SUMS)."""
    by_number = {cell.number: cell for cell in cells}
    read = {path: by_number[figure.line] for path, figure in figures.items()
            if figure.line in by_number and figure.value is not None}
    kept = dict(figures)
    findings = []
    trusted = dict(read)
    # each doubt in turn over the figures the ones before left: (rule, its message, the figures it doubts)
    by_sums = {path for finding in placed if finding.rule in PLACED_BY_SUMS for path in finding.cells}
    doubts = (
        # a cell of a picture's table is where its figure is: a row short of figures lost cells
        # that OCR did not see, and sums settle nothing where a figure may be misread
        ("ocr_row_short", "{n} 个数字所在的行 OCR 读出的数字少于列数（或连在一起），无法从图片确定各数字所在的列，"
         "记为空缺（请对照原图）", lambda: [p for p in figures if p in by_sums and (p in trusted or figures[p].inferred)
                                      and figures[p].value is not None]),
        ("ocr_label_doubtful", "{n} 个数字所在行的标签 OCR 识别不清，无法确认是表格的哪一行，记为空缺（请对照原图）",
         lambda: _label_unsure(trusted, cells, template)),
        ("ocr_doubtful", f"{{n}} 个单元格的 OCR 识别置信度低于 {THRESHOLD}，记为空缺（请对照原图）",
         lambda: [p for p, cell in trusted.items() if not figures[p].inferred
                  and (cell.confidence is None or cell.confidence < THRESHOLD)]),
        ("ocr_sum_broken", "OCR 读出的 {n} 个数字不符合表格的勾稽关系，无法确定哪个读错，均记为空缺（请对照原图）",
         lambda: _in_broken_sums(kept, trusted, template)),
    )
    for rule, message, doubted_paths in doubts:
        paths = doubted_paths()
        for path in paths:
            kept[path] = _blank(figures[path])
            trusted.pop(path, None)
        if paths:
            findings.append(Finding(rule, "warning", message.format(n=len(paths)), tuple(paths)))
    if read:
        findings.append(Finding("ocr_read", "info", f"表格是图片，{len(read)} 个数字由 OCR 识别；"
                                f"{sum(kept[p].value is not None for p in read)} 个通过校验后采用，请对照原图核对"))
    return kept, findings, read


def _label_unsure(read: Mapping[str, OcrCell], cells: Sequence[OcrCell], template: Template) -> list[str]:
    """The figures whose row's label, as OCR read it, is not the label of the form's row they
    were placed in: a label misread (2.申请人 for the whole of its text) may match another row,
    whose figures would then be published in the wrong row with every sum still holding."""
    texts: dict[int, list[str]] = {}
    figured: set[int] = set()
    for cell in cells:
        if cell.text and not _FIGURE.fullmatch(cell.text):
            texts.setdefault(cell.row, []).append(_plain(cell.text))
        elif cell.text:
            figured.add(cell.row)
    # a label that a page break (or a wrapped cell) cut goes on in the next row, which has no figures
    for row in sorted(texts):
        if row + 1 in texts and row + 1 not in figured:
            texts[row] = texts[row] + [a + b for a in texts[row] for b in texts[row + 1]]
    labels = _row_labels(template.version)
    unsure = []
    for path, cell in read.items():
        label = labels.get(path)
        if label is None:  # section 四: its one row is named by its columns' headings
            continue
        if not any(_alike(text, label) for text in texts.get(cell.row, ())):
            unsure.append(path)
    return unsure


def _alike(read: str, label: str) -> bool:
    return bool(read) and (label in read or SequenceMatcher(None, read, label).ratio() >= LABEL_LIKENESS)


@cache
def _row_labels(version: str) -> dict[str, str]:
    """Each cell of sections 二 and 三: the label of its row, as compared (`_plain`)."""
    template = TEMPLATES[version]
    rows = {row.key: row.label for row in template.applications.rows}
    items = {(article.key, item.key): item.label for article in template.articles for item in article.items}
    return {cell.path: _plain(rows[cell.row] if cell.table == "applications" else items[(cell.article, cell.row)])
            for cell in template.cells if cell.table != "reviews_litigation"}


def _plain(text: str) -> str:
    """A label without its numbering, spaces and punctuation: what OCR reads of it most surely."""
    return _PUNCTUATION.sub("", label_core(normalize_label(text)))


def _blank(figure: Figure) -> Figure:
    """Blank, keeping what OCR read and where: the page shows it beside the picture."""
    return Figure(None, figure.printed, figure.line, figure.page)


def _in_broken_sums(figures: Mapping[str, Figure], read: Mapping[str, OcrCell], template: Template) -> list[str]:
    """The figures of every sum with an OCR figure in it that does not add up, and the figures
    the parser inferred from them; repeated until no sum with what is left is broken."""
    unsure: set[str] = set()
    equations = template.equations()
    while True:
        found = set()
        for equation in equations:
            terms = (*equation.lhs, *equation.rhs)
            involved = [p for p in terms if p in read and p not in unsure]
            if not involved:
                continue
            values = [None if p in unsure else figures[p].value for p in terms if p in figures]
            if len(values) < len(terms) or any(v is None for v in values):
                continue
            left = sum(values[:len(equation.lhs)])
            if left != sum(values[len(equation.lhs):]):
                found.update(p for p in terms if p in read or figures[p].inferred)
        found -= unsure
        if not found:
            return sorted(unsure, key=list(figures).index)
        unsure |= found
