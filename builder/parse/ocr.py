"""Figures read by OCR, doubted before they are published: a figure whose cell was read with
a confidence under THRESHOLD, or one of a sum that the figures read by OCR break, is set blank
with a finding, never published as read. What is kept carries its cell (`Report.ocr`): page,
box and confidence, so that it can be marked as OCR and checked against the picture."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from builder.forms import Template
from builder.model import Figure, Finding, OcrCell

THRESHOLD = 0.9  # RapidOCR's confidence; the figures under it on rendered tables: docs/performance.md


def doubted(figures: Mapping[str, Figure], cells: Sequence[OcrCell], template: Template
            ) -> tuple[dict[str, Figure], list[Finding], dict[str, OcrCell]]:
    """The figures with the doubtful ones blank, the findings that say which and why, and the
    OCR cell of each figure read from one."""
    by_number = {cell.number: cell for cell in cells}
    read = {path: by_number[figure.line] for path, figure in figures.items()
            if figure.line in by_number and figure.value is not None}
    kept = dict(figures)
    findings = []
    low = [path for path, cell in read.items() if not figures[path].inferred
           and (cell.confidence is None or cell.confidence < THRESHOLD)]
    for path in low:
        kept[path] = _blank(figures[path])
    if low:
        findings.append(Finding("ocr_doubtful", "warning",
                                f"{len(low)} 个单元格的 OCR 识别置信度低于 {THRESHOLD}，记为空缺（请对照原图）", tuple(low)))
    unsure = _in_broken_sums(kept, read, template)
    for path in unsure:
        kept[path] = _blank(figures[path])
    if unsure:
        findings.append(Finding("ocr_sum_broken", "warning",
                                f"OCR 读出的 {len(unsure)} 个数字不符合表格的勾稽关系，无法确定哪个读错，均记为空缺（请对照原图）",
                                tuple(unsure)))
    if read:
        findings.append(Finding("ocr_read", "info",
                                f"表格是图片，{len(read)} 个数字由 OCR 识别；"
                                f"{len(read) - len(low) - len(unsure)} 个通过校验后采用，请对照原图核对"))
    return kept, findings, read


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
