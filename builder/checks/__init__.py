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
    """Findings across reports of one agency, keyed by the position of the report they concern."""
    by_agency: dict[tuple, dict[int, int]] = defaultdict(dict)
    for position, report in enumerate(reports):
        if report.agency and report.year and report.template:
            region = tuple(sorted((report.region or {}).items()))
            by_agency[(report.agency, region)].setdefault(report.year, position)
    found: dict[int, list[Finding]] = defaultdict(list)
    for years in by_agency.values():
        for year, position in years.items():
            if year - 1 in years:
                found[position] += _carried_over(reports[years[year - 1]], reports[position])
    return {position: tuple(findings) for position, findings in found.items() if findings}


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
                          f"上年结转（{column.label}）为 {now}，而 {previous.year} 年度报告的结转下年度为 {before}",
                          (carried_over,), before, now)
