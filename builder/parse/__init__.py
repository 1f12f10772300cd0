"""Document -> Report: metadata, template, the three tables and the narrative. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from builder.model import MISSING, Document, DocRow, Figure, Finding, Report
from builder.parse.flattened import unflatten
from builder.parse.metadata import read_metadata
from builder.parse.ocr import doubted
from builder.parse.sections import find_sections, narrative
from builder.parse.tables import read_active, read_grid, read_reviews
from builder import places
from builder.forms import SECTIONS, TEMPLATES, Template


def parse(document: Document, given: Mapping[str, object] | None = None) -> Report:
    """`given`: metadata from the report's sidecar (`Sidecar.values`), which replaces what the text says."""
    rows = unflatten(document.rows)
    meta = read_metadata(rows, dict(document.properties))
    fields = {**meta.fields, **(given or {})}
    fields["place"], place_findings = _place((given or {}).get("region"), meta.fields.get("region"),
                                             fields.get("agency"), fields.get("source_url"))
    template, findings = detect_template(rows, fields.get("year"))
    findings += place_findings
    spans = find_sections(rows)
    reads = {
        "active_disclosure": read_active(_region(rows, spans, "active_disclosure"), template),
        "applications": read_grid(_region(rows, spans, "applications"), template.applications, template),
        "reviews_litigation": read_reviews(_region(rows, spans, "reviews_litigation"), template),
    }
    figures: dict[str, Figure] = {}
    units: dict[str, str] = {}
    for read in reads.values():
        figures.update(read.figures)
        units.update(read.units)
        findings += read.findings
    found = tuple(key for key, read in reads.items() if read.found)
    # in the form's order, whatever order the tables were read in: every copy of a report, parsed or
    # from the cache, lists its cells alike
    figures = {path: figures.get(path, MISSING) for path in template.cell_paths()}
    ocr_cells = {}
    if document.ocr and found:
        figures, doubts, ocr_cells = doubted(figures, document.ocr, template, findings)
        findings += doubts
    if fields.get("agency") is None:
        findings.append(Finding("metadata_missing", "warning", "无法从标题中识别机关名称"))
    if fields.get("year") is None:
        findings.append(Finding("metadata_missing", "warning", "无法识别报告年度"))
    return Report(
        source=document.source, **fields, template=template.version if found else None,
        figures=figures if found else {},
        units=units, sections=narrative(rows, spans, meta.title_row), tables_found=found,
        findings=tuple(findings), status="unparsed", ocr=ocr_cells,
    )


def _place(given: Mapping | None, read: Mapping | None, agency: str | None,
           address: str | None) -> tuple[Mapping | None, list[Finding]]:
    """The place the sidecar's region (`given`), the region the text names before the agency
    (`read`), the agency's name and the report's web address point to; a finding where it is
    unknown or rests on the agency's name and address alone."""
    region = given or read or {}
    stated = [region[level] for level in ("province", "city", "county", "name") if region.get(level)]
    if not given:  # what the text says is a statement where it adds to the agency's own name
        stated = [name for name in stated if not agency or name not in agency]
    located = places.locate(stated, agency, address)
    if located.place is None:
        return None, [Finding("place_unknown", "info", f"所在地区无法确定：{located.problem}")]
    if not stated:
        where = places.place_text(located.place)
        basis = f"机关名称「{agency}」与网址" if located.spelled else f"机关名称「{agency}」"
        return located.place, [Finding("place_from_name", "info", f"所在地区（{where}）仅由{basis}推定，请核对")]
    return located.place, []


def detect_template(rows: Sequence[DocRow], year: int | None) -> tuple[Template, list[Finding]]:
    """The template whose distinctive labels the tables print; the year decides only a tie."""
    tables = "".join("".join([row.text for row in rows if row.tabular]).split())
    hits = {version: sum(label in tables for label in _distinctive(version)) for version in TEMPLATES}
    best = max(hits.values())
    leaders = [v for v, h in hits.items() if h == best]
    findings = []
    if best and len(leaders) == 1:
        version = leaders[0]
        others = [v for v, h in hits.items() if h and v != version]
        if others:
            findings.append(Finding("template_unclear", "warning",
                                    f"表格同时含有 {version} 版和 {others[0]} 版模板的栏目，按 {version} 版读取"))
    else:
        version = "2021" if year is None or year >= 2021 else "2019"
        if best:
            findings.append(Finding("template_unclear", "warning",
                                    f"无法从表格栏目判断模板版本，按年度采用 {version} 版"))
    return TEMPLATES[version], findings


@cache
def _distinctive(version: str) -> tuple[str, ...]:
    return tuple("".join(label.split()) for label in TEMPLATES[version].distinctive)


def _region(rows: Sequence[DocRow], spans: dict[str, tuple[int, int]], key: str) -> Sequence[DocRow]:
    """The rows of a table's section. Where its heading is missing or reworded beyond
    recognition, the rows between the sections found before and after it: its labels are
    found there, and the other tables' rows are not taken for its own."""
    if key in spans:
        start, end = spans[key]
        return rows[start:end]
    order = [section.key for section in SECTIONS]
    before = [spans[k][0] + 1 for k in order[:order.index(key)] if k in spans]
    after = [spans[k][0] for k in order[order.index(key) + 1:] if k in spans]
    return rows[max(before, default=0):min(after, default=len(rows))]
