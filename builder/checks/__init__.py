"""The rules the figures obey, as an ordered list of small named checks with stable ids.

`RULES` run on one report; `check_corpus` runs the rules that compare reports of one
agency across years. Their ids, severities and titles are `vocabulary.CATALOG`'s, which
names every finding, including those the readers and the parser return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from builder.checks import rules
from builder.model import Finding, Report
from builder.vocabulary import REPORT_RULES, Entry
from builder.forms import TEMPLATES, Template


@dataclass(frozen=True)
class Rule:
    entry: Entry  # id, severity, title
    check: Callable[[Report, Template], Iterable[Finding]]

    @property
    def id(self) -> str:
        return self.entry.id


# the functions of REPORT_RULES, in its order
RULES = tuple(Rule(entry, getattr(rules, entry.id)) for entry in REPORT_RULES)


def check(report: Report) -> tuple[Finding, ...]:
    """The findings of every rule on one parsed report."""
    if report.template is None:
        return ()
    template = TEMPLATES[report.template]
    return tuple(finding for rule in RULES for finding in rule.check(report, template))


def check_corpus(reports: Sequence[Report]) -> dict[int, tuple[Finding, ...]]:
    """Findings across reports, keyed by the position of the report they concern: the same agency
    and year, or the same file, more than once; and each year's carry-over against the year before."""
    by_agency: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_content: dict[str, list[int]] = defaultdict(list)
    for position, report in enumerate(reports):
        if report.agency and report.year:
            region = tuple(sorted((report.region or {}).items()))
            by_agency[(report.agency, region)][report.year].append(position)
        if report.source.sha256:
            by_content[report.source.sha256].append(position)
    found: dict[int, list[Finding]] = defaultdict(list)
    for positions in by_content.values():
        for position in positions if len(positions) > 1 else ():
            others = [p for p in positions if p != position]
            found[position].append(_duplicate(reports, position, others, "内容完全相同的文件"))
    for years in by_agency.values():
        for year, positions in years.items():
            for position in positions:  # other files of that year; copies of this file have their own finding
                others = [p for p in positions if reports[p].source.sha256 != reports[position].source.sha256
                          or (not reports[p].source.sha256 and p != position)]
                if others:
                    found[position].append(_duplicate(reports, position, others, f" {year} 年度的另一份报告"))
            earlier = [p for p in years.get(year - 1, ()) if reports[p].template]
            if earlier:
                previous = min(earlier, key=lambda p: reports[p].source.file)
                for position in positions:
                    if reports[position].template:
                        found[position] += _carried_over(reports[previous], reports[position])
    return {position: tuple(findings) for position, findings in found.items() if findings}


def _duplicate(reports: Sequence[Report], position: int, others: Sequence[int], what: str) -> Finding:
    files = "、".join(sorted(reports[p].source.file for p in others))
    report = reports[position]
    return Finding("duplicate_report", "warning",
                   f"{report.agency or '同一机关'}还有{what}（文件 {files}）；合计时可能重复计入，请核对是否为同一报告的不同版本")


@cache
def corpus_paths(version: str) -> frozenset[str]:
    """The cells `check_corpus` reads."""
    template = TEMPLATES[version]
    return frozenset(template.row_paths("applications", "carried_over") +
                     template.row_paths("applications", "carried_forward"))


def _carried_over(previous: Report, current: Report) -> Iterator[Finding]:
    template = TEMPLATES[current.template]
    for column in template.applications.columns:
        carried_over = template.path("applications", "carried_over", column.key)
        before = previous.value(template.path("applications", "carried_forward", column.key))
        now = current.value(carried_over)
        if before is not None and now is not None and before != now:
            yield Finding("carried_over_mismatch", "warning",
                          f"上年结转（{column.label}）为 {now}，而 {previous.year} 年度报告（文件 {previous.source.file}）"
                          f"的结转下年度为 {before}",
                          (carried_over,), before, now)
