"""Label-anchored reading of the three tables.

Rows are found by their labels, in the template's order, wherever the label sits in the
row (group labels on the wrong row, labels after empty merged cells). The cells after the
label are placed into the template's columns by `align`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache, lru_cache
from typing import NamedTuple

from builder.model import MISSING, DocRow, Figure, Finding
from builder.parse.align import Placement, placements, settle
from builder.parse.cells import is_value_like, label_core, normalize_label, token_of
from builder.parse.glued import GluedRow, resolve
from builder.forms import GROUP_LABELS, TEMPLATES, Equation, Grid, Label, Template

# A label may be matched by its text without numbering only this close to the expected row,
# so that a column header such as 其他 or 总计 is never taken for a row far ahead.
_CORE_REACH = 1
_MIN_FRAGMENT = 3
# A label printed or read with a character or two wrong (无理由 for 无正当理由, an OCR's slip)
# is taken for the row expected next when it is this alike (difflib's ratio) and this long; the
# form's neighbouring rows are at most 0.79 alike, so no misspelling of one is taken for another.
_MISREAD_LIKENESS = 0.85
_MISREAD_SHORTEST = 6
_VALUE = ("value", None)
_COLUMN = ("column", None)
_FOREIGN = ("foreign", None)


@dataclass
class TableRead:
    figures: dict[str, Figure] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    found: bool = False
    units: dict[str, str] = field(default_factory=dict)


class RowIndex:
    """Recognizes the row labels of one table, in reading order."""

    def __init__(self, rows: Sequence[Label], columns: Iterable[str], groups: Iterable[str] = GROUP_LABELS,
                 foreign: Iterable[str] = ()):
        self.size = len(rows)
        self.full: dict[str, int] = {}
        self.core: dict[str, int] = {}
        self.cores: list[str] = []
        for index, row in enumerate(rows):
            for spelling in row.spellings:
                normalized = normalize_label(spelling)
                self.full.setdefault(normalized, index)
                self.core.setdefault(label_core(normalized), index)
            self.cores.append(label_core(normalize_label(row.label)))
        self.groups = {normalize_label(g) for g in groups} - set(self.full)
        self.columns = {normalize_label(c) for c in columns}
        # labels of the tables that follow: where one stands, this table has ended
        self.foreign = frozenset(normalize_label(f) for f in foreign) - set(self.full) - self.groups - self.columns

    def resolve(self, known, pointer: int) -> tuple[str, int | None]:
        """('row'|'fragment', index) or ('group'|'column'|'foreign'|'text', None): what a text that
        is not a figure matches when the next row expected is `pointer`."""
        full, is_group, core, core_index, is_column, is_foreign = known
        if full is not None and full >= pointer:
            return "row", full
        if is_group:
            return "group", None
        if core_index is not None and pointer <= core_index <= pointer + _CORE_REACH:
            return "row", core_index
        if is_column:
            return _COLUMN
        if is_foreign:
            return _FOREIGN
        for index in range(pointer, min(pointer + 3, self.size)):
            shortest = _MIN_FRAGMENT if index > pointer else _MIN_FRAGMENT - 1
            if len(core) >= shortest and self.cores[index].startswith(core) and self.cores[index] != core:
                return "fragment", index
        if len(core) >= _MISREAD_SHORTEST:
            likeness = {index: _likeness(core, self.cores[index])
                        for index in range(pointer, min(pointer + _CORE_REACH + 1, self.size))}
            best = max(likeness, key=likeness.__getitem__, default=None)
            if best is not None and likeness[best] >= _MISREAD_LIKENESS:
                return "misread", best
        return "text", None

    @lru_cache(maxsize=16384)  # noqa: B019 - one index per template, kept for the process
    def known(self, text: str):
        """What a text is, whatever the position: None for a figure, else its label matches."""
        if token_of(text).kind != "text":
            return None
        normalized = normalize_label(text)
        core = label_core(normalized)
        is_column = normalized in self.columns or any(
            normalized.startswith(c) for c in self.columns if len(c) >= 4)
        return (self.full.get(normalized), normalized in self.groups, core, self.core.get(core), is_column,
                normalized in self.foreign)

    def completes(self, index: int, head: str, tail: str) -> bool:
        """Whether `tail` continues the label fragment `head` of row `index`."""
        joined = label_core(normalize_label(head)) + normalize_label(tail)
        return bool(tail) and self.cores[index].startswith(joined)


def _likeness(read: str, label: str) -> float:
    """How alike two labels are; the quick bounds first, as most texts are nothing like a label."""
    matcher = SequenceMatcher(None, read, label, autojunk=False)
    if matcher.real_quick_ratio() < _MISREAD_LIKENESS or matcher.quick_ratio() < _MISREAD_LIKENESS:
        return 0.0
    return matcher.ratio()


class _Match(NamedTuple):
    index: int
    texts: tuple[str, ...]  # the cells after the label
    lines: tuple[int | None, ...]
    fragment: str | None  # the label text, when it was only the start of the row's label
    line: int | None
    page: int | None
    glued: bool = False  # the figures ran together in the source
    misread: str | None = None  # the label as printed, when it was only like the row's


def match_rows(doc_rows: Sequence[DocRow], index: RowIndex) -> tuple[dict[int, _Match], list[Finding], bool]:
    """Find each template row's cells. Returns matches by row index, findings, header seen."""
    pointer = 0
    known = index.known
    matches: dict[int, _Match] = {}
    findings: list[Finding] = []
    last: _Match | None = None
    header = False
    for row in doc_rows:
        if pointer >= index.size and not (last and last.fragment and not _has_figures(last.texts)):
            break  # every row of the table is found
        texts = row.texts
        # most cells are figures: settle those without a call into Python
        kinds = [_VALUE if (k := known(text)) is None else index.resolve(k, pointer) for text in texts]
        header = header or _COLUMN in kinds
        # a label only like the row's is taken where its figures stand beside it: alone, it is as
        # likely a heading or the first line of a wrapped label, and the row may follow
        labels = [i for i, (kind, _) in enumerate(kinds)
                  if kind in ("row", "fragment") or kind == "misread" and _has_figures(texts[i + 1:])]
        if labels:
            position = labels[-1]
            kind, found = kinds[position]
            fragment = texts[position] if kind == "fragment" else None
            last = _Match(found, texts[position + 1:], row.lines[position + 1:], fragment, row.lines[position],
                          row.page, row.glued, texts[position] if kind == "misread" else None)
            matches[found] = last
            pointer = found + 1
            continue
        if matches and _FOREIGN in kinds:
            break  # the next table begins: its figures are not this one's
        text_positions = [i for i, (kind, _) in enumerate(kinds) if kind != "value"]
        start = text_positions[-1] + 1 if text_positions else 0
        values, lines = texts[start:], row.lines[start:]
        if not any(token_of(text).kind in ("number", "blank") for text in values):
            continue
        tail = "".join(texts[i] for i in text_positions)
        if last is not None and last.fragment and not _has_figures(last.texts) \
                and index.completes(last.index, last.fragment, tail):
            matches[last.index] = _Match(last.index, values, lines, None, last.line, row.page, row.glued)
            last = None
        elif pointer > 0 and pointer < index.size:
            line = lines[0] if lines else None
            findings.append(Finding(
                "unlabelled_figures", "warning",
                f"第 {line} 行的数字找不到对应的表格行（标签无法识别：{row.text[:40]}），未采用",
                actual=" ".join(values)[:80]))
    return matches, findings, header


def _has_figures(texts) -> bool:
    return _count_figures(texts) > 0


@cache
def _grid_index(version: str) -> RowIndex:
    grid = TEMPLATES[version].applications
    reviews = TEMPLATES[version].reviews_litigation
    return RowIndex(grid.rows, (s for c in grid.columns for s in c.spellings),
                    foreign=(s for label in (*reviews.rows, *reviews.columns) for s in label.spellings))


@cache
def _active_index(version: str) -> RowIndex:
    template = TEMPLATES[version]
    grid = template.applications
    return RowIndex([item for article in template.articles for item in article.items],
                    (s for a in template.articles for m in a.metrics for s in m.spellings),
                    foreign=(s for row in grid.rows for s in row.spellings))


@cache
def _grid_rows(version: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each row of section 三 as (label, cell paths)."""
    template = TEMPLATES[version]
    return tuple((row.label, template.row_paths("applications", row.key)) for row in template.applications.rows)


@cache
def _active_rows(version: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each item of section 二 as (label, cell paths)."""
    template = TEMPLATES[version]
    return tuple((item.label, template.row_paths("active_disclosure", item.key, article.key))
                 for article in template.articles for item in article.items)


def read_grid(doc_rows: Sequence[DocRow], grid: Grid, template: Template) -> TableRead:
    index = _grid_index(template.version)
    matches, findings, header = match_rows(doc_rows, index)
    result = TableRead(findings=findings, found=bool(matches))
    if not matches:
        return result
    if not header:
        result.findings.append(Finding("header_missing", "info",
                                       "未找到表头，各列按模板顺序读取"))
    _place(_placed_rows(_grid_rows(template.version), matches, result), result, template.equations(), template)
    return result


def _placed_rows(rows, matches: dict[int, _Match], result: TableRead) -> list:
    """The possible placements of each template row (label, paths) found; missing rows are findings."""
    placed = []
    for number, (label, paths) in enumerate(rows):
        match = matches.get(number)
        if match is None:
            result.figures.update((p, MISSING) for p in paths)
            result.findings.append(Finding("missing_row", "warning",
                                           f"未找到「{label}」行，该行各单元格记为空缺", tuple(paths)))
        else:
            if match.misread:
                result.findings.append(Finding("label_misread", "warning",
                                               f"第 {match.line} 行的标签「{match.misread}」与表格的「{label}」不完全相同，"
                                               "按最相近的这一行读取，请核对", tuple(paths), label, match.misread))
            placed.append((paths, _options(match, len(paths)), match, label))
    return placed


def _options(match: _Match, width: int) -> list[Placement] | None:
    """The placements of a row's cells; None for figures that ran together, to be split."""
    if match.glued and not (len(match.texts) == width and all(is_value_like(t) for t in match.texts)):
        return None
    return placements(match.texts, match.lines, width)


def _place(rows, result: TableRead, equations: Sequence[Equation], template: Template) -> None:
    """Fix the rows with one placement first, then split the glued ones, then settle the
    doubtful ones against them all."""
    doubtful, glued, flattened = [], [], []
    for paths, options, match, label in rows:
        if options is None:
            glued.append((paths, match, label))
        elif len(options) == 1 and None not in options[0]:
            result.figures.update(_figures(paths, options[0], match.page))
            if match.glued:
                flattened.extend(paths)
        elif not options:
            result.figures.update((p, MISSING) for p in paths)
            result.findings.append(Finding(
                "extra_figures", "warning",
                f"第 {match.line} 行「{label}」的数字多于 {len(paths)} 列，无法确定各数字所在的列，该行记为空缺",
                tuple(paths), len(paths), _count_figures(match.texts)))
        else:
            doubtful.append((paths, options, match, label))
    if glued:
        flattened.extend(_split_glued(glued, result, equations, template.signed_paths))
    if flattened:
        result.findings.append(Finding(
            "glued_cells", "info",
            f"表格在原文中被压平为连续文字，{len(flattened)} 个单元格的数字与标签或彼此相连，已按模板的行和勾稽关系唯一确定",
            tuple(flattened)))
    for paths, options, match, label in doubtful:
        known = {p: f.value for p, f in result.figures.items()}
        settled = settle(paths, options, known, equations, match.page)
        result.figures.update(settled.figures)
        result.findings.append(_short_row_finding(paths, match, label, settled))


def _split_glued(rows, result: TableRead, equations: Sequence[Equation], signed: frozenset[str]) -> list[str]:
    """The rows whose figures ran together, split where the template's sums make it certain;
    returns the cells filled."""
    known = {p: f.value for p, f in result.figures.items()}
    glued = [GluedRow(tuple(paths), "".join(match.texts), match.line, match.page, label,
                      frozenset(i for i, p in enumerate(paths) if p in signed)) for paths, match, label in rows]
    recovered: list[str] = []
    for outcome in resolve(glued, known, equations):
        row = outcome.row
        for path, part in zip(row.paths, outcome.cells):
            result.figures[path] = MISSING if part is None else Figure(part.value, part.printed, row.line, row.page)
        unsure = tuple(p for p, part in zip(row.paths, outcome.cells) if part is None)
        if unsure:
            result.findings.append(_ambiguous_split(row, outcome, unsure))
        recovered.extend(p for p, part in zip(row.paths, outcome.cells) if part is not None)
    return recovered


def _ambiguous_split(row: GluedRow, outcome, unsure: tuple[str, ...]) -> Finding:
    where = f"第 {row.line} 行「{row.label}」的数字连在一起（{row.text[:40]}）"
    if not outcome.candidates:
        why = f"无法拆分为 {len(row.paths)} 列且符合表内勾稽关系"
    else:
        shown = "；".join("、".join(part.printed for part in split) for split in outcome.candidates[:3])
        more = f"等 {len(outcome.candidates)} 种" if len(outcome.candidates) > 3 else ""
        why = f"可拆分为 {shown}{more}，无法确定"
    return Finding("ambiguous_split", "warning", f"{where}，{why}，{len(unsure)} 个单元格记为空缺", unsure,
                   actual=row.text[:80])


def _figures(paths: Sequence[str], option: Placement, page: int | None) -> dict[str, Figure]:
    """The figures of a row with one placement and no lost cell."""
    new = tuple.__new__  # hundreds of figures a report: skip the named tuple's Python constructor
    return {path: new(Figure, (token.value, token.text, line, page, False))
            for path, (token, line) in zip(paths, option)}


def _count_figures(texts) -> int:
    return sum(token_of(text).kind != "empty" for text in texts)


def _short_row_finding(paths, match, label, settled) -> Finding:
    width, printed = len(paths), _count_figures(match.texts)
    parts = [f"第 {match.line} 行「{label}」只有 {printed} 个数字，应为 {width} 个，无法确定缺少的是哪一列"]
    if settled.inferred:
        parts.append(f"已根据表内勾稽关系推定 {len(settled.inferred)} 个单元格（标为推定）")
    unsure = settled.lost + settled.doubtful
    if unsure:
        parts.append(f"{len(unsure)} 个单元格无法确定，记为空缺")
    return Finding("short_row", "warning", "；".join(parts), tuple(paths), width, printed)


_UNIT = re.compile(r"单位\s*[:：]?\s*(亿元|万元|元)")


def read_active(doc_rows: Sequence[DocRow], template: Template) -> TableRead:
    index = _active_index(template.version)
    matches, findings, _ = match_rows(doc_rows, index)
    result = TableRead(findings=findings, found=bool(matches))
    if not matches:
        return result
    header_units = _header_units(doc_rows, template)
    _place(_placed_rows(_active_rows(template.version), matches, result), result, (), template)
    for article in template.articles:
        for metric in article.metrics:
            if metric.key not in article.decimal_metrics:
                continue
            for item in article.items:
                path = template.path("active_disclosure", article.key, item.key, metric.key)
                unit = dict(article.units).get(metric.key) or _printed_unit(result.figures.get(path)) \
                    or header_units.get(metric.key)
                if unit:
                    result.units[path] = unit
    return result


def _header_units(doc_rows: Sequence[DocRow], template: Template) -> dict[str, str]:
    labels = {normalize_label(m.label): m.key for a in template.articles for m in a.metrics
              if m.key in a.decimal_metrics}
    units = {}
    for row in doc_rows:
        for text in row.texts:
            found = _UNIT.search(text) if "单位" in text else None
            if not found:
                continue
            normalized = normalize_label(text)
            for label, key in labels.items():
                if normalized.startswith(label):
                    units[key] = found.group(1)
    return units


def _printed_unit(figure: Figure | None) -> str | None:
    if figure is None or figure.printed is None:
        return None
    return token_of(figure.printed).unit



def read_reviews(doc_rows: Sequence[DocRow], template: Template) -> TableRead:
    grid = template.reviews_litigation
    labels = _review_labels(template.version)
    result = TableRead()
    texts: list[str] = []
    lines: list[int | None] = []
    page = None
    glued = False
    for row in doc_rows:
        # the figures follow the last header cell: a flattened header runs into them
        last = max((i for i, text in enumerate(row.texts) if normalize_label(text) in labels), default=None)
        result.found = result.found or last is not None
        if not result.found:
            continue
        start = 0 if last is None else last + 1
        kinds = [token_of(text).kind for text in row.texts[start:]]
        if "text" not in kinds and any(k in ("number", "blank") for k in kinds):
            texts.extend(row.texts[start:])
            lines.extend(row.lines[start:])
            page = row.page if page is None else page
            glued = glued or row.glued
    if not result.found:
        return result
    paths = template.table_paths(grid.key)
    if not texts:
        result.figures.update((p, MISSING) for p in paths)
        return result
    match = _Match(0, tuple(texts), tuple(lines), None, lines[0], page, glued)
    _place([(paths, _options(match, len(paths)), match, "行政复议、行政诉讼数据")], result,
           template.equations(), template)
    return result


@cache
def _review_labels(version: str) -> frozenset[str]:
    grid = TEMPLATES[version].reviews_litigation
    labels = {normalize_label(s) for c in grid.columns for s in c.spellings}
    return frozenset(labels | {normalize_label(s) for r in grid.rows for s in (*r.spellings, r.group or "")})
