"""Figures across reports for the index: totals over printed figures (blank cells are not
counted as 0), counts by status and by rule, and the agency type a name suggests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache

from builder.forms import REVIEWS, TEMPLATES, cell_path
from builder.ids import agency_digest
from builder.model import Number, Report
from builder.places import LEVELS, place_text
from builder.vocabulary import CATALOG, STATUS_ORDER

# Groups of rows of section 三 as the index shows them; each sums the rows' 总计 column.
APPLICATION_GROUPS = (
    ("本年新收申请", ("new_received",)),
    ("上年结转申请", ("carried_over",)),
    ("予以公开", ("granted",)),
    ("部分公开", ("partially_granted",)),
    ("不予公开", ("denied_",)),
    ("无法提供", ("unavailable_",)),
    ("不予处理", ("not_processed_",)),
    ("其他处理", ("other", "other_")),  # the 2019 template's one row, the 2021 template's three
    ("办理结果总计", ("results_total",)),
    ("结转下年度继续办理", ("carried_forward",)),
)
OUTCOME_GROUPS = APPLICATION_GROUPS[2:8]
_RESULTS_TOTAL = cell_path("applications", "results_total", "total")
_NEW_RECEIVED = cell_path("applications", "new_received", "total")

def region_text(report: Report) -> str:
    """Where the report comes from: its place, else the region it states."""
    if report.place:
        return place_text(report.place, " ")
    region = report.region or {}
    return " ".join(region[k] for k in ("province", "city", "county", "name") if region.get(k))


def region_filter(report: Report) -> str:
    """The province of a report's place, for the index's filter: one level for all."""
    return (report.place or {}).get("province") or "未注明"


@cache
def rows_matching(version: str, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Rows of section 三 named by `prefixes`: a key, or a prefix ending in _ for a group."""
    rows = [r.key for r in TEMPLATES[version].applications.rows]
    return tuple(r for r in rows if any(r == p or (p.endswith("_") and r.startswith(p)) for p in prefixes))


@cache
def _totals(version: str, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The 总计 cells of the rows that `prefixes` name."""
    return tuple(TEMPLATES[version].path("applications", row, "total") for row in rows_matching(version, prefixes))


@cache
def paths_read(version: str) -> frozenset[str]:
    """Every cell this module and the agency pages read: what a report's summary keeps."""
    template = TEMPLATES[version]
    return frozenset(template.column_paths("applications", "total") + template.table_paths("reviews_litigation") +
                     template.table_paths("active_disclosure"))


def printed_total(report: Report, paths) -> Number | None:
    """The sum of the figures printed at `paths`; None when all of them are blank."""
    printed = [v for v in (report.value(p) for p in paths) if v is not None]
    return sum(printed) if printed else None


def group_total(report: Report, prefixes: tuple[str, ...]) -> Number | None:
    """The 总计 column summed over the rows of section 三 that `prefixes` name."""
    if report.template is None:
        return None
    return printed_total(report, _totals(report.template, prefixes))


def _sum(reports: Sequence[Report], paths_of) -> tuple[Number, int]:
    """Sum of the printed figures at `paths_of(report)`, and how many reports printed one."""
    total: Number = 0
    count = 0
    for report in reports:
        if report.template is None:
            continue
        value = printed_total(report, paths_of(report))
        if value is not None:
            total += value
            count += 1
    return total, count


def application_totals(reports: Sequence[Report], groups=APPLICATION_GROUPS) -> list[tuple[str, Number, int]]:
    return [(label, *_sum(reports, lambda r, p=prefixes: _totals(r.template, p))) for label, prefixes in groups]


def review_totals(reports: Sequence[Report]) -> list[tuple[str, Number, int]]:
    lines = [(f"{r.group + '·' if r.group else ''}{r.label}", [cell_path("reviews_litigation", r.key, "total")])
             for r in REVIEWS.rows]
    lines += [(c.label, [cell_path("reviews_litigation", r.key, c.key) for r in REVIEWS.rows]) for c in REVIEWS.columns[:-1]]
    return [(label, *_sum(reports, lambda r, p=paths: p)) for label, paths in lines]


def active_totals(reports: Sequence[Report]) -> list[tuple[str, Number, int]]:
    """Counts of section 二 summed by item and metric; amounts are left out, since their units differ."""
    result = []
    for template in TEMPLATES.values():
        matching = [r for r in reports if r.template == template.version]
        for article in template.articles:
            for item in article.items:
                for metric in article.metrics:
                    if metric.key in article.decimal_metrics or metric.key in article.signed_metrics:
                        continue
                    cell = template.path("active_disclosure", article.key, item.key, metric.key)
                    total, count = _sum(matching, lambda r, p=cell: [p])
                    if count:
                        result.append((f"{item.label}·{metric.label}（{template.version} 版）", total, count))
    return result


def status_counts(reports: Sequence[Report]) -> list[tuple[str, int]]:
    counts = Counter(r.status for r in reports)
    return [(status, counts[status]) for status in STATUS_ORDER if counts[status]]


def rule_counts(reports: Sequence[Report]) -> list[tuple[str, str, str, int]]:
    """Rules broken, with the number of reports breaking each, most common first."""
    counts = Counter(rule for r in reports for rule in {f.rule for f in r.findings})
    return [(rule, CATALOG[rule].title, CATALOG[rule].severity, count)
            for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def outcome_shares(reports: Sequence[Report]) -> tuple[list[tuple[str, float]], int, Number]:
    """Each outcome's share of （七）总计, over the reports that print the 总计 cell of （七）总计 (blank
    cells not counted): (label, per cent) for each, how many reports, and their （七）总计."""
    counted = [r for r in reports if r.template and r.value(_RESULTS_TOTAL) is not None]
    whole = sum(r.value(_RESULTS_TOTAL) for r in counted)
    shares = [(label, round(100 * float(value) / float(whole), 1) if whole else 0.0)
              for label, value, _ in application_totals(counted, OUTCOME_GROUPS)]
    return shares, len(counted), whole


def same_agencies_by_year(reports: Sequence[Report]) -> list[dict]:
    """新收申请 of the agencies that printed it in both of two consecutive years, for each pair of
    years: a comparison of like with like. An agency with two reports of one year is left out."""
    by_agency: dict[str, dict[int, list]] = {}
    for report in reports:
        digest = agency_digest(report)
        if digest and report.year and report.template:
            by_agency.setdefault(digest, {}).setdefault(report.year, []).append(report.value(_NEW_RECEIVED))
    years = sorted({year for found in by_agency.values() for year in found})
    pairs = []
    for before, after in zip(years, years[1:]):
        if after != before + 1:
            continue
        both = [(found[before][0], found[after][0]) for found in by_agency.values()
                if len(found.get(before, ())) == 1 and len(found.get(after, ())) == 1
                and None not in (found[before][0], found[after][0])]
        if both:
            first, second = sum(b for b, _ in both), sum(a for _, a in both)
            pairs.append({"before": before, "after": after, "agencies": len(both), "first": first, "second": second,
                          "change": round(100 * float(second - first) / float(first), 1) if first else None})
    return pairs


_GRANTED = cell_path("applications", "granted", "total")
_CONTESTED = (cell_path("reviews_litigation", "review", "total"),
              cell_path("reviews_litigation", "litigation_direct", "total"),
              cell_path("reviews_litigation", "litigation_after_review", "total"))


def regions_of(reports: Sequence[Report]) -> dict[str, dict]:
    """Every province, city and county a report's place lies in: code -> level, name, the codes
    above it, the codes right below it, how many regions lie below it, and the positions of its reports."""
    found: dict[str, dict] = {}
    for position, report in enumerate(reports):
        place = report.place or {}
        above: list[str] = []
        for level in LEVELS[:3]:
            code = place.get(f"{level}_code")
            if not code or (level == "city" and place.get("city") == place.get("province")):
                continue  # a municipality's districts sit under it, not under a city of its name
            region = found.get(code)
            if region is None:
                region = found[code] = {"code": code, "level": level, "name": place[level], "above": tuple(above),
                                        "below": [], "descendants": 0, "members": []}
                if above:
                    found[above[-1]]["below"].append(code)
                for higher in above:
                    found[higher]["descendants"] += 1
            region["members"].append(position)
            above.append(code)
    return found


def agency_ranking(reports: Sequence[Report]) -> list[dict]:
    """Each agency's figures over its reports, for comparing agencies: the share of （七）总计 granted
    (予以公开), applications per report, and reviews and suits per 100 applications; each over the
    reports that print the figures it needs, None where none does."""
    by_agency: dict[str, list[Report]] = {}
    for report in reports:
        digest = agency_digest(report)
        if digest and report.template:
            by_agency.setdefault(digest, []).append(report)
    ranking = []
    for members in by_agency.values():
        shared = [r for r in members if r.value(_RESULTS_TOTAL) is not None and r.value(_GRANTED) is not None]
        whole = sum(r.value(_RESULTS_TOTAL) for r in shared)
        received = [r for r in members if r.value(_NEW_RECEIVED) is not None]
        contested = [r for r in received if all(r.value(p) is not None for p in _CONTESTED)]
        asked = sum(r.value(_NEW_RECEIVED) for r in contested)
        ranking.append({
            "agency": members[0].agency, "reports": len(members), "code": (members[0].place or {}).get("code"),
            "where": region_text(members[0]),
            "years": sorted({r.year for r in members if r.year}),
            "granted_share": round(100 * float(sum(r.value(_GRANTED) for r in shared)) / float(whole), 1)
            if whole else None,
            "per_report": round(float(sum(r.value(_NEW_RECEIVED) for r in received)) / len(received), 1)
            if received else None,
            "contested_per_100": round(100 * float(sum(r.value(p) for r in contested for p in _CONTESTED)) / float(asked), 1)
            if asked else None,
        })
    return sorted(ranking, key=lambda a: (a["granted_share"] is None, -(a["granted_share"] or 0), a["agency"]))
