"""One report, from the document its reader made and its sidecar, to a checked Report: the
stages parse and checks in their order, and the status. Pure: no file is read here.

Every document comes out as a Report, with status `unparsed` and the reason when the parser
could not handle it; a parser bug costs one report, never the build.
"""

from __future__ import annotations

import dataclasses

from builder import checks
from builder.model import Document, Finding, Report, Sidecar, Source
from builder.parse import parse
from builder.vocabulary import status_of


def analyse(document: Document, sidecar: Sidecar) -> Report:
    try:
        report = parse(document, sidecar.values)
        findings = sidecar.findings + report.findings
        if not report.tables_found:
            findings += (Finding("no_tables", "error", "扫描件或图片经 OCR 未识别出统计表格" if document.pictures
                                 else "未找到任何统计表格（表格可能是图片，或文件不是年度报告）"),)
            return dataclasses.replace(report, findings=findings, status="unparsed")
        findings += checks.check(dataclasses.replace(report, findings=findings))
    except Exception as err:  # a parser bug must cost one report, not the build
        return unparsed(document.source, Finding("internal_error", "error",
                                                 f"解析时发生内部错误（{type(err).__name__}）"))
    return dataclasses.replace(report, findings=findings, status=status_of(findings, parsed=True))


def unparsed(source: Source, finding: Finding) -> Report:
    return Report(source=source, findings=(finding,), status="unparsed")
