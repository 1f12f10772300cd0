"""Search entries for the generated pages: agency, region and narrative, never the tables.

Material's search plugin segments Chinese with jieba and separates words with zero-width
spaces; entries for the generated pages are made the same way, and kept short. Material shows
an entry's text as HTML: every entry is escaped, so that a report's text never runs."""

from __future__ import annotations

import logging
import re
from functools import cache
from html import escape

from builder.model import Report
from builder.site import summary

NARRATIVE_CHARS = {"overview": 160, "problems": 80}
_HAN = re.compile(r"[\u3400-\u9fff]+")


@cache
def _jieba():
    import jieba  # imported on first use: loading its dictionary takes a second

    jieba.setLogLevel(logging.WARNING)
    return jieba


def quiet_jieba() -> None:
    _jieba()


def segment(text: str) -> str:
    jieba = _jieba()
    return _HAN.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group(0))) + "\u200b", text).strip("\u200b")


def report_entry(report: Report, location: str, title: str) -> dict:
    parts = [report.agency or "", summary.region_text(report), f"{report.year}年" if report.year else ""]
    for key, limit in NARRATIVE_CHARS.items():
        text = " ".join(report.sections.get(key, "").split())
        if text:
            parts.append(text[:limit])
    return {"location": location, "title": _text(title), "text": _text(" ".join(p for p in parts if p))}


def agency_entry(report: Report, location: str, years: list[int]) -> dict:
    text = f"{report.agency} {summary.region_text(report)} {'、'.join(str(y) for y in years)}年度报告"
    return {"location": location, "title": _text(report.agency or ""), "text": _text(text)}


def _text(text: str) -> str:
    """Segmented, and escaped: the search renders entries as HTML, and reports' text is data."""
    return escape(segment(text), quote=False)
