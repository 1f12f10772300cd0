"""Every figure of the overview, the region pages and the agency pages equals the same figure
computed with SQL over the package (issue 13): on the real corpus and on 2,000 synthetic reports.

The pages are read as HTML, the package as its SQLite database; the only thing shared with the
site's code is which rows a line adds up (`APPLICATION_GROUPS`), which is a definition."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import lxml.html
import pytest

from builder import runner
from builder.forms import TEMPLATES
from builder.site.summary import APPLICATION_GROUPS, OUTCOME_GROUPS
from builder.synth.corpus import write_corpus
from conftest import REPORTS, ROOT

# the overview's lines of section 二: label -> (template, article, item, metric), from the forms
ACTIVE_LINES = {f"{i.label}·{m.label}（{t.version} 版）": (t.version, a.key, i.key, m.key)
                for t in TEMPLATES.values() for a in t.articles for i in a.items for m in a.metrics}
REVIEW_LINES = {"行政复议": ("review",), "行政诉讼·未经复议直接起诉": ("litigation_direct",),
                "行政诉讼·复议后起诉": ("litigation_after_review",)}
OUTCOME_COLUMNS = {"结果维持": "upheld", "结果纠正": "corrected", "其他结果": "other", "尚未审结": "pending"}


@pytest.fixture(scope="module", params=["real", "synthetic"])
def built(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"rollups-{request.param}")
    reports = REPORTS
    if request.param == "synthetic":
        reports = out / "reports"
        write_corpus(reports, 2000, seed=13)
    runner.build(runner.BuildOptions(reports, out / "package", out / "site", ROOT, jobs=2))
    return out


def rows_sql(prefixes) -> str:
    """SQL that is true for the applications rows that `prefixes` name."""
    return "(" + " or ".join(f"row like '{p}%'" if p.endswith("_") else f"row = '{p}'" for p in prefixes) + ")"


class Package:
    def __init__(self, folder: Path, where: str = "1"):
        self.db = sqlite3.connect(folder / "package" / "gongkai.sqlite")
        self.where = where  # which reports, as SQL over reports r

    def one(self, sql: str, *args):
        return self.db.execute(sql, args).fetchone()

    def ids(self) -> str:
        return f"(select id from reports r where {self.where})"

    def application_line(self, prefixes) -> tuple:
        total, count = self.one(f"select sum(total), count(distinct case when total is not null then report_id end) "
                                f"from applications where {rows_sql(prefixes)} and report_id in {self.ids()}")
        return total or 0, count

    def review_line(self, label) -> tuple:
        if label in REVIEW_LINES:
            rows, column = REVIEW_LINES[label], "total"
        else:
            rows, column = tuple(REVIEW_LINES[k][0] for k in REVIEW_LINES), OUTCOME_COLUMNS[label]
        marks = ", ".join("?" for _ in rows)
        total, count = self.one(f"select sum([{column}]), count(distinct case when [{column}] is not null then "
                                f"report_id end) from reviews_litigation where proceeding in ({marks}) and report_id "
                                f"in {self.ids()}", *rows)
        return total or 0, count

    def same_agencies(self) -> list[tuple]:
        """Agencies (by name and place) with exactly one report printing 本年新收 in each of two
        consecutive years: their number and totals in each year."""
        per_year = (f"select r.agency, coalesce(r.division_code, r.province, '') as place, r.year, count(*) as n, "
                    f"sum(a.total) as received, count(a.total) as printed from reports r join applications a on "
                    f"a.report_id = r.id and a.row = 'new_received' where r.template is not null and {self.where} "
                    f"group by 1, 2, 3")
        rows = self.db.execute(
            f"with y as ({per_year}) select b.year, b.year + 1, count(*), sum(b.received), sum(c.received) from y b "
            "join y c on c.agency = b.agency and c.place = b.place and c.year = b.year + 1 where b.n = 1 and c.n = 1 "
            "and b.printed = 1 and c.printed = 1 group by b.year order by b.year").fetchall()
        return [(agencies, first, second, f"{before} → {after}") for before, after, agencies, first, second in rows]

    def outcome_shares(self) -> dict[str, float]:
        counted = (f"(select report_id from applications where row = 'results_total' and total is not null "
                   f"and report_id in {self.ids()})")
        whole = self.one(f"select sum(total) from applications where row = 'results_total' and report_id in {counted}")[0]
        shares = {}
        for label, prefixes in OUTCOME_GROUPS:
            part = self.one(f"select sum(total) from applications where {rows_sql(prefixes)} and report_id in {counted}")[0]
            shares[label] = round(100 * (part or 0) / whole, 1) if whole else 0.0
        return shares


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def totals_on(page) -> dict[str, tuple[float, int]]:
    found = {}
    for cell in page.xpath("//td[@data-total]"):
        count = cell.getnext().text_content()
        found[cell.get("data-total")] = (number(cell.text_content()), int(re.match(r"\d+", count).group()))
    return found


def shares_on(page) -> dict[str, float]:
    chart = page.xpath('//*[@aria-label="办理结果构成"]')[0]
    return {bar.xpath('string(.//*[@class="gk-bar-label"])'): number(bar.xpath('string(.//*[@class="gk-bar-value"])'))
            for bar in chart.xpath('.//*[@class="gk-bar"]')}


def check_page(page, package: Package) -> None:
    totals = totals_on(page)
    for label, prefixes in APPLICATION_GROUPS:
        assert totals[label] == package.application_line(prefixes), label
    for label in (*REVIEW_LINES, *OUTCOME_COLUMNS):
        assert totals[label] == package.review_line(label), label
    for label, (version, article, item, metric) in ACTIVE_LINES.items():
        if label in totals:
            total, count = package.one(
                "select sum(value), count(value) from active_disclosure a join reports r on r.id = a.report_id "
                f"where r.template = ? and article = ? and item = ? and metric = ? and {package.where}",
                version, article, item, metric)
            assert totals[label] == (total, count), label
    assert shares_on(page) == package.outcome_shares()
    assert same_agencies_on(page) == package.same_agencies()


def same_agencies_on(page) -> list[tuple]:
    rows = page.xpath('//table[@id="gk-same-agencies"]/tbody/tr')
    return [tuple(int(number(c.text_content())) for c in row.xpath("td")[:3]) + (row.xpath("th")[0].text_content(),)
            for row in rows]


def test_the_overview_s_figures_equal_sql_over_the_package(built):
    page = lxml.html.parse(str(built / "site" / "reports" / "index.html"))
    check_page(page, Package(built))


def test_every_region_page_s_figures_equal_sql_over_the_package(built):
    pages = sorted((built / "site" / "regions").glob("*.html"))
    assert pages
    for path in pages:
        code = path.stem
        digits = {"0000000000": 2, "00000000": 4, "000000": 6}
        prefix = code[:next(n for tail, n in digits.items() if code.endswith(tail))]
        package = Package(built, f"substr(r.division_code, 1, {len(prefix)}) = '{prefix}'")
        page = lxml.html.parse(str(path))
        check_page(page, package)
        shown = int(page.xpath('//*[@id="gk-region-reports"]')[0].text_content())
        assert shown == package.one(f"select count(*) from reports r where {package.where}")[0], code
        for row in page.xpath('//table[@id="gk-ranking"]/tbody/tr'):
            cells = [c.text_content().strip() for c in row.xpath("td")]
            agency, share = row.xpath("td")[0].text, cells[3]
            granted, whole = package.one(
                "select sum(case when a.row = 'granted' then a.total end), sum(case when a.row = 'results_total' "
                "then a.total end) from applications a join reports r on r.id = a.report_id where r.agency = ? and "
                "coalesce(r.division_code, '') = ? and "
                f"{package.where} and a.report_id in (select report_id from applications where row = 'results_total' "
                "and total is not null) and a.report_id in (select report_id from applications where row = 'granted' "
                "and total is not null)", agency, row.get("data-code"))
            assert share == (f"{round(100 * granted / whole, 1)}%" if whole else ""), (code, agency)
            mine = (f"select r.id from reports r where r.agency = ? and coalesce(r.division_code, '') = ? and "
                    f"{package.where} and r.template is not null")
            received, printed = package.one(f"select sum(total), count(total) from applications where row = "
                                            f"'new_received' and report_id in ({mine})", agency, row.get("data-code"))
            assert cells[4] == (str(round(received / printed, 1)) if printed else ""), (code, agency)
            contested, asked = package.one(
                "select sum(v.contested), sum(a.total) from applications a join (select report_id, sum(total) as "
                "contested, count(total) as n from reviews_litigation group by report_id) v on v.report_id = "
                f"a.report_id and v.n = 3 where a.row = 'new_received' and a.total is not null and a.report_id in "
                f"({mine})", agency, row.get("data-code"))
            assert cells[5] == (str(round(100 * contested / asked, 1)) if asked else ""), (code, agency)


def test_every_agency_page_s_figures_equal_sql_over_the_package(built):
    pages = sorted((built / "site" / "agencies").rglob("*.html"))
    assert pages
    package = Package(built)
    for path in pages:
        page = lxml.html.parse(str(path))
        years = page.xpath("//table[contains(@class, 'gk-years')]/thead/tr/th")[1:]
        report_ids = [th.xpath("a")[0].get("href").rsplit("/", 1)[1].removesuffix(".html") for th in years]
        for row in page.xpath("//table[contains(@class, 'gk-years')]/tbody/tr")[1:]:
            label = row.xpath("th")[0].text_content()
            prefixes = dict(APPLICATION_GROUPS).get(label)
            for report_id, cell in zip(report_ids, row.xpath("td")):
                if prefixes:
                    expected = package.one(f"select sum(total) from applications where {rows_sql(prefixes)} and "
                                           "report_id = ?", report_id)[0]
                else:
                    rows = {"行政复议": ("review",), "行政诉讼": ("litigation_direct", "litigation_after_review")}[label]
                    marks = ", ".join("?" for _ in rows)
                    expected = package.one(f"select sum(total) from reviews_litigation where proceeding in ({marks}) "
                                           "and report_id = ?", *rows, report_id)[0]
                shown = cell.text_content().strip()
                assert (number(shown) if shown else None) == expected, (path.name, label, report_id)
