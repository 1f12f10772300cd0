"""Each rule: a report that keeps it and one that breaks it."""

from __future__ import annotations

import dataclasses

import pytest

from builder import checks
from builder.checks import RULES
from builder.vocabulary import CATALOG
from builder.forms import TEMPLATE_2021
from conftest import parse_text, rules_of
from test_parser import make


def _set(**cells):
    def edit(values):
        for path, delta in cells.items():
            values[path.replace("__", "/")] += delta
    return edit


BREAKS = {
    # natural persons: one more received, the row total kept, so only the column identity breaks
    "balance": _set(applications__new_received__natural_person=1, applications__new_received__total=1),
    "row_total": _set(applications__granted__total=1),
    "results_total": _set(applications__granted__natural_person=2, applications__granted__total=2,
                          applications__carried_over__natural_person=-0),
    "review_total": _set(reviews_litigation__review__total=1),
    "non_negative_integer": _set(applications__carried_forward__research_institution=-100,
                                 applications__carried_forward__total=-100),
}


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_equation_and_value_rules(rule):
    kept = parse_text(make()[0])
    assert rule not in rules_of(kept)
    broken = parse_text(make(edit=BREAKS[rule])[0])
    found = [f for f in broken.findings if f.rule == rule]
    assert found and broken.status == "fail"
    assert all(f.severity == "error" and f.cells and f.expected != f.actual for f in found)


def test_balance_names_the_column_and_both_sides():
    report = parse_text(make(edit=BREAKS["balance"])[0])
    finding = next(f for f in report.findings if f.rule == "balance")
    assert "自然人" in finding.message
    assert finding.actual == finding.expected + 1


def test_missing_section():
    text, _ = make()
    assert "missing_section" not in rules_of(parse_text(text))
    report = parse_text(text.replace("五、存在的主要问题及改进情况\n", ""))
    assert "missing_section" in rules_of(report) and report.status == "warn"


def test_overview_mismatch():
    text, values = make()
    received = values["applications/new_received/total"]
    same = text.replace("依法做好政府信息公开工作。", f"收到政府信息公开申请{received}件。")
    assert "overview_mismatch" not in rules_of(parse_text(same))
    other = text.replace("依法做好政府信息公开工作。", f"收到政府信息公开申请{received + 17}件。")
    finding = next(f for f in parse_text(other).findings if f.rule == "overview_mismatch")
    assert (finding.expected, finding.actual) == (received, received + 17)


def test_outdated_template():
    assert "outdated_template" not in rules_of(parse_text(make("2021", year=2023)[0]))
    assert "outdated_template" not in rules_of(parse_text(make("2019", year=2020)[0]))
    assert "outdated_template" in rules_of(parse_text(make("2019", year=2021)[0]))
    assert "outdated_template" in rules_of(parse_text(make("2021", year=2020)[0]))


def test_blank_cell_for_a_whole_empty_table_is_one_finding():
    def empty(values):
        for path in values:
            if path.startswith("applications/"):
                values[path] = None
    report = parse_text(make(edit=empty)[0])
    blank = [f for f in report.findings if f.rule == "blank_cell"]
    assert len(blank) == 1 and len(blank[0].cells) == 175


def test_carried_over_against_last_years_carried_forward():
    last_year = parse_text(make(year=2023, seed=5)[0])
    this_year_text, values = make(year=2024, seed=6)
    this_year = parse_text(this_year_text)
    findings = checks.check_corpus([last_year, this_year])
    expected_mismatch = any(
        last_year.value(f"applications/carried_forward/{c}") != this_year.value(f"applications/carried_over/{c}")
        for c in ("natural_person", "total"))
    assert bool(findings.get(1)) == expected_mismatch and 0 not in findings
    matched = dataclasses.replace(this_year, figures={
        **this_year.figures,
        **{f"applications/carried_over/{c.key}": last_year.figures[f"applications/carried_forward/{c.key}"]
           for c in TEMPLATE_2021.applications.columns}})
    assert checks.check_corpus([last_year, matched]) == {}


def test_the_carried_over_finding_names_the_report_it_compared_with():
    last_year = parse_text(make(year=2023, seed=5)[0])
    this_year = parse_text(make(year=2024, seed=6)[0])
    named = dataclasses.replace(last_year, source=dataclasses.replace(last_year.source, file="2023-a.txt"))
    findings = [f for f in checks.check_corpus([named, this_year]).get(1, ()) if f.rule == "carried_over_mismatch"]
    assert findings and all("2023 年度报告（文件 2023-a.txt）" in f.message for f in findings)


def test_one_agency_and_year_twice_and_one_file_twice_are_each_a_finding_on_every_copy():
    report = parse_text(make(year=2023, seed=5)[0])

    def copy(file, sha256, **changes):
        return dataclasses.replace(report, source=dataclasses.replace(report.source, file=file, sha256=sha256),
                                   **changes)
    reports = [copy("a.txt", "1" * 64), copy("b.txt", "2" * 64), copy("c.txt", "1" * 64),
               copy("d.txt", "3" * 64, agency="另一个乡")]
    found = {p: [f.message for f in fs if f.rule == "duplicate_report"] for p, fs in checks.check_corpus(reports).items()}
    assert 3 not in found
    assert any("内容完全相同" in m and "c.txt" in m for m in found[0]) and any("b.txt" in m for m in found[0])
    assert found[1] == [m for m in found[1] if "2023 年度的另一份报告（文件 a.txt、c.txt）" in m] and found[1]
    assert any("内容完全相同" in m and "a.txt" in m for m in found[2])


def test_reports_of_other_agencies_are_not_compared():
    a = parse_text(make(year=2023, seed=5, agency="新坊镇")[0])
    b = parse_text(make(year=2024, seed=6, agency="巴集乡")[0])
    assert checks.check_corpus([a, b]) == {}


def test_every_rule_has_a_unique_id_and_a_title():
    assert len(CATALOG) == len({*CATALOG})
    assert all(rule.title and rule.severity in ("error", "warning", "info") for rule in CATALOG.values())
    assert all(rule.check is not None for rule in RULES)
