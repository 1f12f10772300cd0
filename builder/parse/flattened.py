"""Reports whose text runs together: a page's tables flattened into one line of text.

Archives and crawlers store a page as its text, where a whole report may be one line:
`…二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量…规章000规范性文件…`.
Such a line is cut before each section heading and each label of the two templates' tables;
a label followed by nothing but figures starts a row of its own, its figures marked `glued`
for `parse.glued` to split. A label in running text (…办理行政许可和其他对外管理服务事项的
依据…) is not followed by figures and stays text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from builder.model import DocRow
from builder.parse.glued import is_glued_blob
from builder.forms import EXTRA_HEADINGS, GROUP_LABELS, SECTIONS, TEMPLATES

_NUMERALS = "一二三四五六七八九十"
# characters printed several ways: each stands for its class in a label's pattern
_EQUIVALENT = {ch: group for group in ("（(", "）)", "、.．", "，,", "/／", "：:", "勾钩", "；;") for ch in group}
_QUOTES = "“”\"'‘’"
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[、.．])")


_CONNECTORS = "、和与及"  # headings join their terms with any of these


def _symbols(text: str, heading: bool = False) -> list[str]:
    """A text as the pattern of each of its characters: punctuation in any of its forms."""
    symbols = []
    for ch in text:
        if ch.isspace():
            continue
        if heading and ch in _CONNECTORS:
            symbols.append(f"[{_CONNECTORS}]")
        elif ch in _QUOTES:
            symbols.append(f"[{re.escape(_QUOTES)}]?")
        elif ch in _EQUIVALENT:
            symbols.append(f"[{re.escape(_EQUIVALENT[ch])}]")
        else:
            symbols.append(re.escape(ch))
    return symbols


def _spellings(label: str) -> list[list[str]]:
    """A label with and without its numbering: a row may be printed without it."""
    numbering = _NUMBERING.match(label)
    if not numbering:
        return [_symbols(label)]
    return [_symbols(label), _symbols(label[numbering.end():])]


def _alternation(sequences: Iterable[list[str]]) -> str:
    """One pattern for many texts, their common starts shared (a trie): Python's regex engine
    would otherwise try every text at every position. Spaces may stand between characters;
    at each point the longest text is tried first."""
    trie: dict = {}
    for symbols in sequences:
        node = trie
        for symbol in symbols:
            node = node.setdefault(symbol, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [symbol + (r"\s*" + emit(child) if child.keys() - {""} else "")
                    for symbol, child in node.items() if symbol]
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return emit(trie)


def _labels() -> Iterable[str]:
    for template in TEMPLATES.values():
        for grid in (template.applications, template.reviews_litigation):
            for row in grid.rows:
                yield from row.spellings
                if row.group:
                    yield row.group
            for column in grid.columns:
                yield from column.spellings
        for article in template.articles:
            yield article.label
            for label in (*article.items, *article.metrics):
                yield from label.spellings
    yield from GROUP_LABELS


@cache
def _cuts() -> re.Pattern:
    # any numeral: a report that adds a section numbers the later ones on
    forms = {form for section in SECTIONS for form in section.printed} | set(EXTRA_HEADINGS)
    headings = _alternation(_symbols(form, heading=True) for form in forms)
    return re.compile(f"(?P<heading>[{_NUMERALS}]\\s*[、.．]\\s*{headings})|(?P<label>{_any_label()})")


@cache
def _any_label() -> str:
    return _alternation(spelling for label in set(_labels()) for spelling in _spellings(label))


# Figures, then a row of a label this module does not know ("00000002.其他法律和…禁止公开"):
# the digit before the numbering's point is the numbering, not a figure.
_FIGURES_THEN_ROW = re.compile(r"^(?P<figures>[\d\s/／+\-−.]*?\d)\s*"
                               r"(?P<rest>(?:\d[、.．]|[（(][一二三四五六七八九十]{1,2}[）)]|[一二三四五六七八九十]{1,2}[、.．])"
                               r"\s*[\u4e00-\u9fff].*)$", re.S)


@cache
def _label_then_figure() -> tuple[re.Pattern, re.Pattern]:
    """What a line holding a table row contains: a label's last character, then figures that
    no measure word follows (running text writes 信息19条, a table 规章000规范性文件…) — a scan
    many times faster than a label's — then a label and a figure."""
    ends = {re.sub(r"\s", "", label)[-1] for label in _labels()}
    figures = r"[ \t]*[\d/+\-−－][\d \t/+\-−－.]*(?![\d.]|[条件个项次年月日余人家篇期场份批起%％多])"
    return (re.compile(f"[{re.escape(''.join(sorted(ends)))}]{figures}"),
            re.compile(f"(?:{_any_label()})" + r"[ \t]*[\d/+\-−－]"))


def unflatten(rows: Sequence[DocRow]) -> tuple[DocRow, ...] | Sequence[DocRow]:
    """The rows, with every line of run-together text cut into headings, rows and text."""
    end, label = _label_then_figure()
    if not end.search("\n".join([row.text for row in rows if not row.tabular])):
        return rows  # most reports: one scan of their running text
    result: list[DocRow] | None = None
    for index, row in enumerate(rows):
        cut = None
        if not row.tabular and end.search(row.text) and label.search(row.text):
            cut = _segment(row)
        if cut is not None and result is None:
            result = list(rows[:index])
        if result is not None:
            result.extend(cut if cut is not None else (row,))
    return rows if result is None else tuple(result)


def _segment(row: DocRow) -> list[DocRow] | None:
    text, line, page = row.text, row.lines[0], row.page
    items: list[tuple[str, str]] = []  # (kind, text): heading, label, or the text between
    position = 0
    for found in _cuts().finditer(text):
        _add_text(items, text[position:found.start()])
        items.append(("heading" if found["heading"] else "label", found.group()))
        position = found.end()
    _add_text(items, text[position:])
    tabular = _tabular_labels(items)
    if not any(items[i + 1][0] == "text" for i in tabular if i + 1 < len(items)):
        return None  # no label is followed by figures: running text
    rows: list[DocRow] = []
    prose: list[str] = []

    def flush() -> None:
        joined = "".join(prose).strip()
        if joined:
            rows.append(DocRow((joined,), (line,), False, joined, page))
        prose.clear()

    skip = -1
    for index, (kind, part) in enumerate(items):
        if index == skip:
            continue
        if kind == "heading":
            flush()
            rows.append(DocRow((part.strip(),), (line,), False, part.strip(), page))
        elif index in tabular:
            flush()
            after = items[index + 1] if index + 1 < len(items) else None
            figures: tuple[str, ...] = ()
            if after is not None and after[0] == "text" and is_glued_blob(after[1]):
                figures = tuple(after[1].split())
                skip = index + 1
            texts = (part.strip(), *figures)
            rows.append(DocRow(texts, (line,) * len(texts), True, "".join(texts), page, bool(figures)))
        else:
            prose.append(part)
    flush()
    return rows


def _add_text(items: list[tuple[str, str]], text: str) -> None:
    if not text.strip():
        return
    if items and items[-1][0] == "label" and not is_glued_blob(text):
        split = _FIGURES_THEN_ROW.match(text)
        if split and is_glued_blob(split["figures"]):
            items.append(("text", split["figures"]))
            text = split["rest"]
    items.append(("text", text))


def _tabular_labels(items: Sequence[tuple[str, str]]) -> set[int]:
    """The labels that stand in a table: each run of labels, without text between them,
    whose last label is followed by figures (a header runs into the first row)."""
    tabular: set[int] = set()
    run: list[int] = []
    for index, (kind, part) in enumerate(items):
        if kind == "label":
            run.append(index)
            continue
        if run and kind == "text" and is_glued_blob(part):
            tabular.update(run)
        run = []
    return tabular
