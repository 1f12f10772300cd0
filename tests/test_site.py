"""The website built from the seeds and from hostile reports: pages, tables, escaping, sizes."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from html import unescape
from pathlib import Path

import pytest

from builder import runner
from builder.ids import report_ids
from builder.site import paths
from conftest import REPORTS, ROOT
from test_parser import make

PAGE_BUDGET = 60 * 1024
SEARCH_BUDGET = 2 * 1024
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def build(reports_dir: Path, out: Path) -> runner.Built:
    return runner.build(runner.BuildOptions(reports_dir, out / "package", out / "site", ROOT))


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-site")
    built = runner.build(runner.BuildOptions(REPORTS, out / "package", out / "site", ROOT, workbook=True))
    return out / "site", built


def page_of(site: Path, built, source_file: str) -> tuple[str, str]:
    ids = report_ids(built.reports)
    report_id = next(i for i, r in zip(ids, built.reports) if r.source.file == source_file)
    return report_id, (site / paths.report_page(report_id)).read_text(encoding="utf-8")


def test_every_report_has_a_page_a_badge_and_its_data(seed_site):
    site, built = seed_site
    for report_id in report_ids(built.reports):
        base = site / paths.report_base(report_id)
        assert base.with_suffix(".html").is_file()
        badge = ElementTree.parse(base.with_suffix(".svg")).getroot()
        assert badge.tag == "{http://www.w3.org/2000/svg}svg"
        assert json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))["status"] in (
            "pass", "warn", "fail", "unparsed")
        assert base.with_suffix(".csv").read_text(encoding="utf-8").startswith("cell,value,printed,line,inferred")
    for report_id, report in zip(report_ids(built.reports), built.reports):
        suffix = Path(report.source.file).suffix
        served = f"{report_id}.source{suffix}" + (".txt" if suffix in (".html", ".htm") else "")
        assert (site / paths.report_base(report_id)).with_name(served).is_file()  # a web page as text: never run here
    assert not list(site.rglob("_shell*"))
    assert "_shell" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_report_page_shows_badge_findings_and_three_tables(seed_site):
    site, built = seed_site
    _, html = page_of(site, built, "001_a27e78e5f53cff5a.txt")
    report_id, _ = page_of(site, built, "001_a27e78e5f53cff5a.txt")
    assert f'<img class="gk-badge" src="{report_id}.svg" alt="校验结果：警告"' in html
    assert "<title>二里岗街道办事处 2020 年政府信息公开工作年度报告" in html  # no 年度…年度报告
    assert 'id="t-applications"' in html and 'id="t-reviews_litigation"' in html
    assert 'id="t-active_disclosure-art20_1"' in html
    # the sections in the report's own order: 一 before the tables of 二 to 四, then 五 and 六
    headings = re.findall(r'<h2 id="(overview|active_disclosure|applications|reviews_litigation|problems|other)"', html)
    assert headings == ["overview", "active_disclosure", "applications", "reviews_litigation", "problems", "other"]
    # the blank row of 予以公开: blank cells, distinguishable from 0, flagged by a finding
    cell = re.search(r'<td id="c-applications-granted-natural_person" class="([^"]*)"[^>]*>([^<]*)</td>', html)
    assert cell and "gk-blank" in cell.group(1) and "gk-flagged" in cell.group(1) and cell.group(2) == ""
    # every finding's links point at cells that exist on the page
    for target in re.findall(r'href="#(c-[^"]+)"', html):
        assert f'id="{target}"' in html


def test_inferred_figures_are_marked(seed_site):
    site, built = seed_site
    _, html = page_of(site, built, "002_864908085ec3dcf1.txt")
    cell = re.search(r'<td id="c-applications-unavailable_not_held-total" class="([^"]*)"[^>]*>(.*?)</td>', html)
    assert "gk-inferred" in cell.group(1) and "推定" in cell.group(2)


def search_docs(site):
    """The search index's pages, each with its words by field."""
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    docs = [entry for n in range(0, manifest["docs"], manifest["doc_shard"])
            for entry in json.loads((site / "search" / "d" / f"{n // manifest['doc_shard']}.json").read_text(encoding="utf-8"))]
    words = [{field: set() for field in manifest["fields"]} for _ in docs]
    for key in manifest["shards"]:
        for word, postings in json.loads((site / "search" / f"w-{key}.json").read_text(encoding="utf-8")).items():
            for field, deltas in zip(manifest["fields"], postings):
                number = 0
                for delta in deltas:
                    number += delta
                    words[number][field].add(word)
    return manifest, docs, words


def test_pages_and_search_files_stay_within_budget(seed_site):
    site, built = seed_site
    for report_id in report_ids(built.reports):
        assert (site / paths.report_page(report_id)).stat().st_size < PAGE_BUDGET
    manifest, docs, words = search_docs(site)
    reports = [(d, w) for d, w in zip(docs, words) if d[0] == "report"]
    assert sorted(d[1] for d, _ in reports) == sorted(map(paths.report_page, report_ids(built.reports)))
    for doc, found in reports:  # a page's line in the index is short: never its tables or text
        assert len(json.dumps(doc, ensure_ascii=False).encode("utf-8")) < SEARCH_BUDGET
        assert all(len(w) >= 2 for field in found.values() for w in field)
    assert any("二里岗" in d[2] for d, _ in reports)
    assert not (site / "search" / "search_index.json").exists()  # Material's, read whole by every page
    assert not any(d[0] == "page" and "_shell" in d[1] for d in docs)
    assert any(d[0] == "page" and d[1].startswith("dictionary.html") for d in docs)


def test_index_lists_the_first_page_of_reports_and_the_rest_in_files(seed_site):
    site, built = seed_site
    html = (site / "reports" / "index.html").read_text(encoding="utf-8")
    table = html.split('id="gk-reports"')[1].split("</table>")[0]
    assert table.count("<tr>") == min(50, len(built.reports)) + 1  # the heading's row and a page of rows
    assert "全部报告合计" in html and "办理结果构成" in html and 'id="gk-filters"' in html
    assert "<!-- gongkai:content -->" not in html
    manifest = json.loads((site / "overview" / "manifest.json").read_text(encoding="utf-8"))
    rows = [row for shard in manifest["shards"]
            for row in json.loads((site / "overview" / shard["file"]).read_text(encoding="utf-8"))]
    assert manifest["count"] == len(rows) == len(built.reports)
    assert sorted(r[0] for r in rows) == sorted(report_ids(built.reports))
    years = [r[manifest["columns"].index("year")] or 0 for r in rows]
    assert years == sorted(years, reverse=True)  # the files in the table's default order
    first = re.findall(r'<a href="(20[^"]+)\.html">', table)
    assert first == [paths.relative(paths.OVERVIEW_PAGE, paths.report_base(r[0])) for r in rows[:len(first)]]


_LINK = re.compile(r'(?:href|src)="([^"]*)"')
_ELSEWHERE = re.compile(r"^(?:[a-z]+:|//|#)")


def test_every_link_of_every_page_leads_to_a_file_of_the_site(seed_site):
    site, built = seed_site
    pages = sorted(site.rglob("*.html"))
    assert any(paths.depth(p.relative_to(site).as_posix()) == 3 for p in pages)  # a report's page, three deep
    for page in pages:
        for link in {unescape(found) for found in _LINK.findall(page.read_text(encoding="utf-8"))}:
            if _ELSEWHERE.match(link) or not link.split("#")[0].split("?")[0]:
                continue
            path = link.split("#")[0].split("?")[0]
            # MkDocs' 404 page, served at any address, links from the root
            target = (site / path.lstrip("/") if path.startswith("/") else page.parent / path).resolve()
            assert site.resolve() in target.parents and (target.is_file() or (target / "index.html").is_file()), \
                (page.relative_to(site), link)


def test_hand_written_pages_and_downloads_are_built(seed_site):
    site, _ = seed_site
    for page in ("index.html", "about.html", "download.html", "dictionary.html"):
        assert (site / page).is_file(), page
    assert (site / "data" / "gongkai.sqlite").is_file() and (site / "data" / "datapackage.json").is_file()
    assert "<table>" in (site / "dictionary.html").read_text(encoding="utf-8")


def test_nothing_is_loaded_from_another_site(seed_site):
    site, built = seed_site
    report_id = report_ids(built.reports)[0]
    for page in (site / "index.html", site / "reports" / "index.html", site / paths.report_page(report_id)):
        html = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:)?//', html)
        assert not loaded, (page, loaded)


def test_agency_page_for_several_years(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for year in (2021, 2022, 2023):
        (reports_dir / f"r{year}.txt").write_text(make(agency="巴集乡", year=year, seed=year)[0], encoding="utf-8")
    built = build(reports_dir, tmp_path)
    assert built.site.agency_pages == 1
    page = next((tmp_path / "site" / "agencies").rglob("a-*.html")).read_text(encoding="utf-8")
    assert page.count('<a href="../../reports/2') >= 3 and "申请数量与办理结果趋势" in page and 'class="gk-column"' in page
    report_page = next((tmp_path / "site" / "reports").rglob("2022-*.html")).read_text(encoding="utf-8")
    assert re.search(r'href="\.\./\.\./\.\./agencies/[0-9a-f]{2}/a-[0-9a-f]+\.html"', report_page)


def test_an_agency_page_has_one_column_a_year_and_links_another_report_of_that_year(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for name, year, seed in (("a", 2021, 1), ("b", 2022, 2), ("c", 2022, 3)):
        (reports_dir / f"{name}.txt").write_text(make(agency="巴集乡", year=year, seed=seed)[0], encoding="utf-8")
    build(reports_dir, tmp_path)
    page = next((tmp_path / "site" / "agencies").rglob("a-*.html")).read_text(encoding="utf-8")
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert head.count(">2022</a>") == 1 and head.count(">2021</a>") == 1 and "版本 2" in head
    assert "3 份年度报告（2 个年度" in page
    versions = sorted((tmp_path / "site" / "reports").rglob("2022-*.html"))
    assert len(versions) == 2 and all(v.stem in head for v in versions)
    report = versions[0].read_text(encoding="utf-8")
    assert "duplicate_report" in report or "另一份报告" in report


def test_report_text_is_escaped_everywhere(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    text, _ = make(agency="巴集乡", year=2023)
    text = text.replace("巴集乡2023", "巴集<script>window.__pwned=3</script>乡2023", 1)
    text = text.replace("依法做好政府信息公开工作。", f"依法做好。{HOSTILE} [点我](javascript:alert(1)) ![x](http://evil.example/x.png)")
    # a row of figures under a label that is markup: its finding quotes the label
    received = next(line for line in text.splitlines() if "本年新收" in line)
    text = text.replace(received, received + "\n<script>window.__pwned=4</script>\t1\t2\t3", 1)
    (reports_dir / "hostile.txt").write_text(text, encoding="utf-8")
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", reports_dir / "<script>.txt")
    build(reports_dir, tmp_path)
    site = tmp_path / "site"
    for page in (site / "reports").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in html and 'onerror="window' not in html, page
        assert 'href="javascript' not in html and 'src="http://evil' not in html, page
    hostile = [p.read_text(encoding="utf-8") for p in (site / "reports").rglob("*.html")]
    hostile = next(html for html in hostile if "pwned=1" in html)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in hostile
    assert "<title>巴集&lt;script&gt;window.__pwned=3&lt;/script&gt;乡 2023" in hostile
    assert "&lt;script&gt;window.__pwned=4&lt;/script&gt;" in hostile  # in a finding, as text
    names = [p.name for p in (site / "reports").rglob("*.source*")]
    assert all(re.fullmatch(r"[a-z0-9-]+\.source(\.[a-z0-9]+)?(\.txt)?", n) for n in names) and len(names) == 2


def test_the_overview_counts_every_agency_and_adds_the_2021_sub_rows_to_other_handling(seed_site):
    """Two wrong headline figures (issue 13): 来自 0 个机关, and 其他处理 without the three
    sub-rows of the 2021 template."""
    from builder.site.summary import application_totals

    site, built = seed_site
    html = (site / "reports" / "index.html").read_text(encoding="utf-8")
    agencies = {(r.agency, tuple(sorted((r.region or {}).items()))) for r in built.reports if r.agency}
    assert f"来自 {len(agencies)} 个机关" in html
    other = dict((label, total) for label, total, _ in application_totals(built.reports))["其他处理"]
    sub_rows = ("other", "other_no_correction", "other_unpaid_fee", "other_misc")
    expected = sum(r.value(f"applications/{row}/total") or 0 for r in built.reports if r.template
                   for row in sub_rows if f"applications/{row}/total" in r.figures)
    assert other == expected
    huaian = next(r for r in built.reports if r.source.file == "huaian_2024.pdf")
    assert sum(huaian.value(f"applications/{row}/total") for row in sub_rows[1:]) == 71 + 6 + 110


def test_outcome_shares_are_of_the_results_total_and_the_year_comparison_is_of_the_same_agencies(seed_site):
    site, built = seed_site
    html = (site / "reports" / "index.html").read_text(encoding="utf-8")
    counted = [r for r in built.reports if r.template and r.value("applications/results_total/total") is not None]
    whole = sum(r.value("applications/results_total/total") for r in counted)
    granted = sum(r.value("applications/granted/total") or 0 for r in counted)
    chart = html.split('aria-label="办理结果构成"')[1].split("</figure>")[0]
    shares = dict(re.findall(r'<span class="gk-bar-label">([^<]+)</span>.*?<span class="gk-bar-value">([^<]+)</span>', chart))
    share = round(100 * granted / whole, 1)
    assert shares["予以公开"] == f"{share:g}%"
    assert f"{len(counted)} 份印有总计的报告，（七）总计合计 {whole} 件" in html
    assert "同一批机关的年度对比" in html


def test_the_year_comparison_counts_only_agencies_with_one_report_in_each_of_two_years():
    from builder.site.summary import same_agencies_by_year
    from conftest import parse_text

    def report(agency, year, seed):
        return parse_text(make(agency=agency, year=year, seed=seed)[0])
    reports = [report("巴集乡", 2021, 1), report("巴集乡", 2022, 2), report("新坊镇", 2022, 3),
               report("伊家乡", 2021, 4), report("伊家乡", 2022, 5), report("伊家乡", 2022, 6)]
    pairs = same_agencies_by_year(reports)
    value = lambda r: r.value("applications/new_received/total")  # noqa: E731
    assert pairs == [{"before": 2021, "after": 2022, "agencies": 1, "first": value(reports[0]),
                      "second": value(reports[1]),
                      "change": round(100 * (value(reports[1]) - value(reports[0])) / value(reports[0]), 1)
                      if value(reports[0]) else None}]


def test_the_download_page_lists_every_file_with_its_size_and_the_date(seed_site):
    site, _ = seed_site
    html = (site / "download.html").read_text(encoding="utf-8")
    table = html.split('id="gk-downloads"')[1].split("</table>")[0]
    names = re.findall(r'<a href="data/([^"]+)">', table)
    assert names[0] == "gongkai.xlsx" and "datapackage.json" in names and "applications_harmonised.csv" in names
    assert "parquet/rules.parquet" in names and "parquet/applications/year=2023/part-0.parquet" in names
    assert all((site / "data" / name).is_file() for name in names)
    assert re.search(r"数据更新至 \d{4}-\d{2}-\d{2}", html) and re.search(r"[\d.]+ (KB|MB)", table)
    assert "从文本/CSV" in html  # how to open the CSV files in Excel


def test_a_township_is_found_by_its_county_city_and_province(seed_site):
    site, _ = seed_site
    _, docs, words = search_docs(site)
    found = next(w for d, w in zip(docs, words) if d[0] == "report" and d[2].startswith("伊家乡"))
    assert {"福建省", "福建", "三明市", "三明", "建宁县", "建宁"} <= found["place"]
    assert found["name"] == {"伊家乡"}  # its full name: a query of it ranks this report first
    assert not any(len(w) == 1 for field in found.values() for w in field)  # no single characters


def test_with_the_site_s_address_every_page_is_in_the_sitemap_and_shares_well(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_SITE_URL", "https://example.org/gongkai/")
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for name in ("000_3fe1192cfb6e68d3.txt", "004_956272b6c329bcc4.txt"):
        shutil.copy(REPORTS / name, reports_dir / name)
    build(reports_dir, tmp_path)
    site = tmp_path / "site"
    locations = set(re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8")))
    pages = {f"https://example.org/gongkai/{p.relative_to(site).as_posix()}"
             for folder in ("reports", "agencies", "regions") for p in (site / folder).rglob("*.html")
             if p.name != "index.html"}
    assert pages and pages <= locations and not any("_shell" in url for url in locations)
    assert "Sitemap: https://example.org/gongkai/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    page = next(p for p in (site / "reports").rglob("2020-*.html")).read_text(encoding="utf-8")
    description = re.search(r'<meta name="description" content="([^"]+)"', page).group(1)
    assert "年政府信息公开工作年度报告" in description and "校验结果" in description
    assert re.search(r'<meta property="og:url" content="https://example.org/gongkai/reports/2020/[0-9a-f]{2}/2020-[0-9a-f]+\.html"', page)
    assert "嵌入徽章" in page and '&lt;img src="https://example.org/gongkai/reports/' in page


def test_without_the_site_s_address_nothing_claims_one(seed_site):
    site, _ = seed_site
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    page = next((site / "reports").rglob("2020-*.html")).read_text(encoding="utf-8")
    assert "嵌入徽章" not in page and 'property="og:title"' in page


def test_the_home_page_gives_the_headline_figures_and_the_latest_reports(seed_site):
    site, built = seed_site
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f"已收录 <strong>{len(built.reports)}</strong> 份年度报告" in html
    latest = re.findall(r'<li><a href="(reports/[^"]+\.html)">', html.split('class="gk-latest"')[1].split('</ul>')[0])
    assert 0 < len(latest) <= 10 and all((site / link).is_file() for link in latest)
