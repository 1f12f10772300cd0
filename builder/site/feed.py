"""An Atom feed of the reports added to gongkai, newest first, built with ElementTree so that
report text is always escaped as XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from builder.vocabulary import STATUS_NAMES
from builder.model import Report
from builder.site import paths

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100


def atom(reports: Sequence[Report], ids: Sequence[str], title: str, tag_base: str) -> bytes:
    """Entries for reports with a date added (their sidecar's `added`), newest first; links are
    relative to the feed, which sits at the site's root."""
    ElementTree.register_namespace("", ATOM)
    added = sorted(((r.added, report_id, r) for r, report_id in zip(reports, ids) if r.added),
                   key=lambda item: (item[0], item[1]), reverse=True)[:MAX_ENTRIES]
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", f"{tag_base}:feed")
    _text(feed, "updated", f"{added[0][0]}T00:00:00Z" if added else "1970-01-01T00:00:00Z")
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href="feed.xml")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "gongkai")
    for day, report_id, report in added:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        name = f"{report.agency or report.source.file} {report.year or ''}".strip()
        _text(entry, "title", f"{name} 政府信息公开工作年度报告")
        _text(entry, "id", f"{tag_base}:report:{report_id}")
        _text(entry, "updated", f"{day}T00:00:00Z")
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=paths.report_page(report_id))
        errors = sum(f.severity == "error" for f in report.findings)
        warnings = sum(f.severity == "warning" for f in report.findings)
        _text(entry, "summary", f"校验结果：{STATUS_NAMES[report.status]}（{errors} 个错误，{warnings} 个警告）")
    ElementTree.indent(feed)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


# characters XML 1.0 cannot hold, which a report's or sidecar's text may carry
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ElementTree.Element, tag: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = _NOT_XML.sub("", text)
