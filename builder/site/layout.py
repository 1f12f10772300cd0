"""The three tables laid out as on the official form, from the template definition.

A layout is rows of header cells (label, colspan, rowspan) and body rows whose first cells
are label cells and whose other cells are cell paths; the page template fills in figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from builder.forms import (APPLICANT_GROUPS, APPLICANTS_HEADING, BALANCE_NOTE, HEADINGS, ITEMS_HEADING, RESULTS_GROUP,
                           Template)


@dataclass(frozen=True)
class Head:
    label: str
    colspan: int = 1
    rowspan: int = 1
    column: int | None = None  # the label column a row label starts in, where a table has several


@dataclass(frozen=True)
class Line:
    heads: tuple[Head, ...]  # label cells of this row
    paths: tuple[str, ...]  # figure cells, in column order


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    header: tuple[tuple[Head, ...], ...]
    body: tuple[Line, ...]


def applications(template: Template) -> Table:
    grid = template.applications
    group_label, group_keys = APPLICANT_GROUPS[0]
    columns = {c.key: c for c in grid.columns}
    header = (
        (Head(BALANCE_NOTE, 3, 3, column=1), Head(APPLICANTS_HEADING, len(grid.columns))),
        (Head(columns["natural_person"].label, rowspan=2), Head(group_label, len(group_keys)),
         Head(columns["total"].label, rowspan=2)),
        tuple(Head(columns[key].label) for key in group_keys),
    )
    results = [r for r in grid.rows if r.group is not None]
    body = []
    seen_groups: set[str] = set()
    for row in grid.rows:
        paths = template.row_paths("applications", row.key)
        heads: list[Head] = []
        if row.group is None:
            heads.append(Head(row.label, 3, column=1))
        else:
            if RESULTS_GROUP not in seen_groups:
                seen_groups.add(RESULTS_GROUP)
                heads.append(Head(RESULTS_GROUP, rowspan=len(results), column=1))
            if row.group == RESULTS_GROUP:
                heads.append(Head(row.label, 2, column=2))
            else:
                if row.group not in seen_groups:
                    seen_groups.add(row.group)
                    heads.append(Head(row.group, rowspan=sum(r.group == row.group for r in grid.rows), column=2))
                heads.append(Head(row.label, column=3))
        body.append(Line(tuple(heads), paths))
    return Table("applications", HEADINGS["applications"], header, tuple(body))


def reviews(template: Template) -> Table:
    grid = template.reviews_litigation
    outcomes = tuple(Head(c.label) for c in grid.columns)
    review, direct, after = grid.rows
    header = (
        (Head(review.label, len(outcomes)), Head(direct.group, 2 * len(outcomes))),
        (*(Head(h.label, rowspan=2) for h in outcomes), Head(direct.label, len(outcomes)),
         Head(after.label, len(outcomes))),
        outcomes + outcomes,
    )
    return Table("reviews_litigation", HEADINGS["reviews_litigation"], header,
                 (Line((), template.table_paths("reviews_litigation")),))


def active(template: Template) -> tuple[Table, ...]:
    tables = []
    for article in template.articles:
        header = ((Head(article.label, 1 + len(article.metrics)),),
                  (Head(ITEMS_HEADING), *(Head(m.label) for m in article.metrics)))
        body = tuple(Line((Head(item.label),), template.row_paths("active_disclosure", item.key, article.key))
                     for item in article.items)
        tables.append(Table(f"active_disclosure-{article.key}", article.label, header, body))
    return tuple(tables)


# Tables are written as strings rather than through Jinja: a page has some 200 figure cells,
# and Jinja's escaping of every attribute of every cell was most of a page's cost. Labels come
# from the template definition and are escaped once per layout; a cell holds only a number
# that gongkai formatted, with an id and classes made from keys.
def _head_cell(head: Head, tag: str = "th", scope: str = "") -> str:
    spans = (f' colspan="{head.colspan}"' if head.colspan > 1 else "") + \
            (f' rowspan="{head.rowspan}"' if head.rowspan > 1 else "")
    # on a phone the label columns keep fixed widths, so that each can stay in view (gongkai.css)
    where = f' class="gk-c{head.column}{" gk-span1" if head.colspan == 1 else ""}"' if head.column else ""
    return f"<{tag}{scope}{where}{spans}>{escape(head.label)}</{tag}>"


@cache
def _parts(table: Table) -> tuple[str, tuple[str, ...]]:
    """The table's opening and header, and each body row's label cells, as HTML."""
    head = "".join("<tr>" + "".join(_head_cell(h) for h in row) + "</tr>" for row in table.header)
    opening = (f'<div class="gk-table-wrap"><table class="gk-table" id="t-{table.key}">'
               f"<caption>{escape(table.caption)}</caption><thead>{head}</thead><tbody>")
    rows = tuple("<tr>" + "".join(_head_cell(h, scope=' scope="row"') for h in line.heads) for line in table.body)
    return opening, rows


def cell_id(path: str) -> str:
    return "c-" + path.replace("/", "-")


def table_html(table: Table, figures, flagged, figure_text, ocr=None) -> str:
    """`ocr`: the cells figures were read from by OCR, by path: marked, with their confidence."""
    opening, rows = _parts(table)
    ocr = ocr or {}
    out = [opening]
    for prefix, line in zip(rows, table.body):
        out.append(prefix)
        for path in line.paths:
            figure = figures[path]
            flag = " gk-flagged" if path in flagged else ""
            if figure.value is None:
                read = f"；OCR 读作「{escape(figure.printed)}」，未采用" if path in ocr and figure.printed else ""
                out.append(f'<td id="{cell_id(path)}" class="gk-blank{flag}" title="空白（缺失，不计为 0）{read}"></td>')
            elif figure.inferred:
                out.append(f'<td id="{cell_id(path)}" class="gk-num gk-inferred{flag}" title="根据勾稽关系推定">'
                           f"{figure_text(figure.value)}<sup>推定</sup></td>")
            elif path in ocr:
                sure = ocr[path].confidence
                out.append(f'<td id="{cell_id(path)}" class="gk-num gk-ocr{flag}" title="由 OCR 从图片识别'
                           f'{f"（置信度 {sure:.2f}）" if sure is not None else ""}">'
                           f"{figure_text(figure.value)}<sup>OCR</sup></td>")
            else:
                out.append(f'<td id="{cell_id(path)}" class="gk-num{flag}">{figure_text(figure.value)}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)
