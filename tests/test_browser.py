"""The site in a real browser: Debian's Chromium driven by Playwright (no browser download).

Opens the index, searches 二里岗 in Chinese, follows the result to the report page and sees
the badge, the findings and the three tables; sorts the table of reports; loads pages built
from hostile reports and checks that nothing in them runs. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import sqlite3
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from builder import runner, site
from builder.site import paths
from conftest import REPORTS, ROOT
from test_site import HOSTILE
from test_parser import make

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-site")
    runner.build(runner.BuildOptions(REPORTS, out / "package", out / "site", ROOT))
    return out


@pytest.fixture(scope="module")
def seed_server(seed_build):
    server = serve(seed_build / "site")
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_overview_s_other_handling_and_outcome_share_read_from_the_page_equal_sql_over_the_package(
        browser, seed_server, seed_build):
    """其他处理 adds the 2021 template's three sub-rows; a share is of （七）总计 (issue 13)."""
    page = browser.new_page()
    page.goto(seed_server + "/reports/")
    other = page.locator(".gk-totals tr", has=page.locator("th", has_text="其他处理")).locator("td.gk-num")
    shown_other = int(other.first.inner_text().replace(",", ""))
    granted_bar = page.locator('[aria-label="办理结果构成"] .gk-bar', has_text="予以公开").locator(".gk-bar-value")
    shown_share = float(granted_bar.text_content().rstrip("%"))
    page.close()
    db = sqlite3.connect(seed_build / "package" / "gongkai.sqlite")
    expected_other = db.execute("select sum(total) from applications where row in "
                                "('other', 'other_no_correction', 'other_unpaid_fee', 'other_misc')").fetchone()[0]
    granted, whole = db.execute(
        "select sum(case when a.row = 'granted' then a.total end), sum(case when a.row = 'results_total' "
        "then a.total end) from applications a where a.report_id in (select report_id from applications "
        "where row = 'results_total' and total is not null)").fetchone()
    assert shown_other == expected_other and expected_other > 187  # the Huai'an report alone has 187
    assert shown_share == round(100 * granted / whole, 1)


def test_search_in_chinese_leads_to_the_report_page(browser, seed_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = []  # what the Content-Security-Policy blocked: the theme's own scripts must all run
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(seed_server + "/reports/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOTS / "index.png", full_page=True)
    # nothing of the search index is read until the box is used; of the table's files, the manifest only
    assert not [url for url in fetched if "/search/" in url]
    assert [url for url in fetched if "/overview/" in url] == [seed_server + "/overview/manifest.json"]
    search = page.locator(".md-search__input")
    search.click()
    search.fill("二里岗")  # Chinese arrives through an input method: text first, then a key
    search.press("End")
    result = page.locator(".gk-search .md-search-result__item a", has_text="二里岗").first
    expect(result).to_be_visible(timeout=15_000)
    assert [url for url in fetched if "/search/" in url]
    page.screenshot(path=SHOTS / "search.png")
    result.click()
    page.wait_for_url(re.compile(r"/reports/2020/[0-9a-f]{2}/2020-[0-9a-f]{10}\.html"))
    expect(page.locator("img.gk-badge")).to_be_visible()
    expect(page.locator("img.gk-badge")).to_have_attribute("alt", "校验结果：警告")
    # its five blank rows, in one finding, and a note that its place rests on its name alone
    assert page.locator(".gk-findings li").count() == 2
    for table in ("#t-applications", "#t-reviews_litigation", "#t-active_disclosure-art20_1"):
        expect(page.locator(table)).to_be_visible()
    badge_loaded = page.evaluate("document.querySelector('img.gk-badge').naturalWidth")
    assert badge_loaded > 0
    page.locator(".gk-findings a").first.click()
    assert page.evaluate("location.hash").startswith("#c-applications-granted")
    page.screenshot(path=SHOTS / "report.png", full_page=True)
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert refused == []
    page.close()


def reports_sql(build: Path, where: str = "1", *args) -> list[tuple]:
    db = sqlite3.connect(build / "package" / "gongkai.sqlite")
    return db.execute(f"select id, agency, status from reports where {where}", args).fetchall()


def shown_ids(page) -> list[str]:
    return page.locator("#gk-reports tbody tr td:first-child a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('/').pop().replace('.html', ''))")


def test_the_table_of_reports_pages_sorts_filters_searches_by_name_and_downloads(browser, seed_server, seed_build):
    everything = reports_sql(seed_build)
    page = browser.new_page()
    page.goto(seed_server + "/reports/")
    expect(page.locator(".gk-shown")).to_have_text(f"显示第 1–50 份，共 {len(everything)} 份")
    first_page = shown_ids(page)
    page.locator('.gk-pager button[data-page="next"]').click()
    expect(page.locator(".gk-pager .gk-page")).to_have_text("第 2 / 2 页")
    second_page = shown_ids(page)  # the pages divide the corpus: each report once
    assert len(first_page) == 50 and sorted(first_page + second_page) == sorted(r[0] for r in everything)
    assert "page=2" in page.url
    # a sort over the whole corpus: every file read, the largest figure first
    header = page.locator("#gk-reports th", has_text="新收申请").locator("button")
    header.click()
    header.click()
    expect(page.locator("#gk-reports th", has_text="新收申请")).to_have_attribute("aria-sort", "descending")
    db = sqlite3.connect(seed_build / "package" / "gongkai.sqlite")
    largest = db.execute("select max(total) from applications where row = 'new_received'").fetchone()[0]
    expect(page.locator("#gk-reports tbody tr").first.locator("td").nth(6)).to_have_text(str(largest))
    assert "sort=received" in page.url and "order=desc" in page.url and "page=" not in page.url
    # filters and the name search, counted against the package
    page.select_option('select[data-filter="status"]', "warn")
    warned = reports_sql(seed_build, "status = 'warn'")
    expect(page.locator(".gk-shown")).to_contain_text(f"共 {len(warned)} 份（全部 {len(everything)} 份）")
    page.locator('input[data-filter="q"]').fill("平潭")
    named = reports_sql(seed_build, "status = 'warn' and agency like '%平潭%'")
    expect(page.locator(".gk-shown")).to_contain_text(f"共 {len(named)} 份（")
    assert 0 < len(named) < len(warned)
    page.screenshot(path=SHOTS / "index-filtered.png", full_page=True)
    with page.expect_download() as download:
        page.locator("#gk-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["报告编号", "机关", "地区"] and sorted(r[0] for r in rows[1:]) == sorted(r[0] for r in named)
    # the view is kept in the address: a reload, or the link sent to someone, shows it again
    page.reload()
    expect(page.locator(".gk-shown")).to_contain_text(f"共 {len(named)} 份（")
    assert page.locator('select[data-filter="status"]').input_value() == "warn"
    assert page.locator('input[data-filter="q"]').input_value() == "平潭"
    assert page.locator("#gk-reports th", has_text="新收申请").get_attribute("aria-sort") == "descending"
    page.goto(seed_server + "/reports/?status=<script>&sort=onerror&place=x1")  # what the page does not offer is ignored
    expect(page.locator(".gk-shown")).to_have_text(f"显示第 1–50 份，共 {len(everything)} 份")
    code = db.execute("select division_code from reports where division_code like '3501%' limit 1").fetchone()[0]
    page.goto(seed_server + "/reports/?place=3501")  # a region's reports, as its page links them
    in_city = reports_sql(seed_build, "division_code like '3501%'")
    expect(page.locator(".gk-shown")).to_contain_text(f"共 {len(in_city)} 份（")
    assert code and 0 < len(in_city) < len(everything)
    page.close()


def test_hostile_report_text_never_runs(browser, tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    text, _ = make(agency="巴集乡", year=2023)
    text = text.replace("巴集乡2023", "巴集<img src=x onerror=window.__pwned=5>乡2023", 1)
    text = text.replace("依法做好政府信息公开工作。", f"依法做好。{HOSTILE} [点我](javascript:window.__pwned=6)")
    text = text.replace("一、总体情况\n", "一、总体情况\n概述<img src=x onerror=window.__pwned=8>内容。\n", 1)
    (reports_dir / "hostile.txt").write_text(text, encoding="utf-8")
    page_text = text.replace("\n", "</p><p>")
    (reports_dir / "hostile.html").write_text(
        f"<html><body><script>window.__pwned=7</script><p>{page_text}</p></body></html>", encoding="utf-8")
    shutil.copy(REPORTS / "001_a27e78e5f53cff5a.txt", reports_dir)
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    server = serve(tmp_path / "site")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    dialogs = []
    page = browser.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        sources = sorted((tmp_path / "site" / "reports").rglob("*.source.*"))
        assert not [p for p in sources if p.suffix == ".html"]  # a page of the report is served as text
        searches = ["/search.html?q=巴集", "/search.html?q=onerror", "/search.html?q=%3Cimg%20src%3Dx%20onerror%3D1%3E",
                    "/reports/?q=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D9%3E"]
        for path in ["/reports/", *searches, *(f"/{p.relative_to(tmp_path / 'site').as_posix()}"
                                               for p in [*sources, *(tmp_path / "site" / "reports").rglob("*.html")])]:
            page.goto(base + path)
            page.wait_for_load_state("load")
            if path.startswith("/search.html?q=巴集"):  # the search page shows the results of its address
                expect(page.locator(".gk-search-full .gk-search-item").first).to_be_visible(timeout=15_000)
            assert page.evaluate("window.__pwned") is None, path
            if path.endswith(".html") and ".source." not in path and "pwned=1" in page.content():
                expect(page.locator(".gk-narrative").first).to_contain_text("<script>window.__pwned=1</script>")
                page.screenshot(path=SHOTS / "hostile.png", full_page=True)
    finally:
        page.close()
        server.shutdown()
    assert not dialogs


PHONE = {"width": 390, "height": 844}
# text in the page narrower than 12 px, as [tag, class, size, text]; the off-canvas menu aside
SMALL_TEXT = """() => {
  const found = [], walker = document.createTreeWalker(document.querySelector('.md-main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement, box = element.getBoundingClientRect(), style = getComputedStyle(element);
    if (!node.textContent.trim() || !box.width || !box.height || style.visibility === 'hidden') continue;
    if (element.closest('.md-sidebar')) continue;
    if (parseFloat(style.fontSize) < 12) found.push([element.tagName, element.className, style.fontSize,
                                                     node.textContent.trim().slice(0, 20)]);
  }
  return found.slice(0, 10);
}"""
# the narrowest row label of a report's tables, in characters along its line (a label written
# down its rows, as the form prints 三、本年度办理结果, is measured down)
NARROWEST_LABEL = """() => Math.min(...Array.from(document.querySelectorAll('.gk-table tbody th')).map(th => {
  const style = getComputedStyle(th), size = parseFloat(style.fontSize);
  const across = style.writingMode.startsWith('horizontal');
  const inline = across ? th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
                        : th.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return inline / size;
}))"""


def test_every_page_reads_on_a_phone(browser, seed_server, seed_build):
    site = seed_build / "site"
    report, agency, region = (sorted(site.glob(pattern))[0].relative_to(site).as_posix()
                              for pattern in ("reports/2020/*/2020-*.html", "agencies/*/*.html", "regions/*.html"))
    page = browser.new_page(viewport=PHONE)
    for name, path in (("home", "/"), ("overview", "/reports/"), ("report", f"/{report}"),
                       ("agency", f"/{agency}"), ("region", f"/{region}"),
                       ("search", "/search.html?q=平潭"), ("download", "/download.html"), ("about", "/about.html")):
        page.goto(seed_server + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SHOTS / f"phone-{name}.png", full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], name  # no sideways scroll
        assert page.evaluate(SMALL_TEXT) == [], name
    page.goto(seed_server + f"/{report}")
    assert page.evaluate(NARROWEST_LABEL) >= 4
    assert page.locator("img.gk-badge").bounding_box()["height"] >= 12
    # the applications table scrolls inside its box, its row labels staying in view
    wrap = page.locator("#t-applications").locator("xpath=..")
    label, figure = page.locator("#t-applications tbody th").first, page.locator("#c-applications-new_received-total")
    before = label.bounding_box()["x"], figure.bounding_box()["x"]
    assert page.evaluate("e => e.scrollWidth > e.clientWidth", wrap.element_handle())
    wrap.evaluate("e => e.scrollLeft = 300")
    after = label.bounding_box()["x"], figure.bounding_box()["x"]
    assert abs(after[0] - before[0]) < 1 and after[1] < before[1] - 100
    page.screenshot(path=SHOTS / "phone-report-scrolled.png")
    # the overview's table is a list: no heading row, each report a block the width of the page
    page.goto(seed_server + "/reports/")
    assert not page.locator("#gk-reports thead").is_visible()
    first = page.locator("#gk-reports tbody tr").first.locator("td").first.bounding_box()
    assert first["width"] > 0.8 * PHONE["width"] - 40
    # the charts are drawn to the width
    chart = page.locator('[aria-label="办理结果构成"]').bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= PHONE["width"]
    # the header's search button opens a box that takes the typing at once
    page.goto(seed_server + "/about.html")
    page.locator('label.md-header__button[for="__search"]').click()
    expect(page.locator(".md-search__input")).to_be_focused()
    page.keyboard.type("平潭县")
    expect(page.locator(".gk-search .gk-search-item").first).to_contain_text("平潭县", timeout=15_000)
    page.close()


@pytest.fixture(scope="module")
def search_build(tmp_path_factory):
    """Synthetic reports of eight regions, and one of 三门峡市, whose name begins with 三 as 三明市's does."""
    from builder.synth.corpus import write_corpus

    out = tmp_path_factory.mktemp("search-site")
    write_corpus(out / "reports", 240, seed=5)
    text, _ = make(agency="三门峡市财政局", year=2023)
    (out / "reports" / "sanmenxia.txt").write_text(text, encoding="utf-8")
    (out / "reports" / "sanmenxia.yml").write_text("region: 河南省三门峡市\n", encoding="utf-8")
    runner.build(runner.BuildOptions(out / "reports", out / "package", out / "site", ROOT))
    server = serve(out / "site")
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def found(page, base: str, query: str) -> tuple[str, list[tuple[str, str]]]:
    """What the search page says of `query`, and every result as (the site's folder it lies in, its
    file's name), best first."""
    page.goto(base + "/search.html?q=" + query)
    meta = page.locator("#gk-search-page .gk-search-meta")
    expect(meta).not_to_have_text(re.compile("^按词搜索"), timeout=15_000)
    more = page.locator(".gk-search-more")
    while more.is_visible():
        count = page.locator(".gk-search-full li").count()
        more.click()
        expect(page.locator(".gk-search-full li")).not_to_have_count(count)
    links = page.locator(".gk-search-full li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return meta.inner_text(), [_folder_and_name(urlsplit(link).path.removeprefix("/")) for link in links]


def _folder_and_name(path: str) -> tuple[str, str]:
    parts = path.split("/")
    return (parts[0] if len(parts) > 1 else "", parts[-1])


# query -> the reports it must find, exactly (SQL over the package's reports table), and what comes first
QUERIES = [
    ("三明市", "city = '三明市'", ("regions", "350400000000.html")),
    ("福建省", "province = '福建省'", ("regions", "350000000000.html")),
    ("三门峡", "city = '三门峡市'", None),
    ("白沙街道办事处", "agency = '白沙街道办事处'", None),
    ("财政局 三明", "city = '三明市' and agency like '%财政局'", None),
    ("建宁县2021", "county = '建宁县' and year = 2021", None),
    ("Fu Jian", "0", None),
]


def test_search_finds_what_was_typed_as_words(browser, search_build):
    out, base = search_build
    db = sqlite3.connect(out / "package" / "gongkai.sqlite")
    page = browser.new_page()
    for query, where, first in QUERIES:
        expected = {f"{r[0]}.html" for r in db.execute(f"select id from reports where {where}")}
        meta, results = found(page, base, query)
        reports = {name for folder, name in results if folder == "reports"}
        assert reports == expected, query
        assert len(results) == len(set(results)) and (not results or meta == f"找到 {len(results)} 个结果"), query
        if first:
            assert results[0] == first, query
    assert len({r for r in db.execute("select id from reports where city = '三明市'")}) > 10
    # a full agency name ranks its own pages first: the agency's page, then its reports
    agency, count = db.execute("select agency, count(*) from reports where city = '三明市' group by agency "
                               "order by count(*) desc, agency limit 1").fetchone()
    _, results = found(page, base, agency)
    ids = {f"{r[0]}.html" for r in db.execute("select id from reports where agency = ?", (agency,))}
    head = results[:len(ids) + 1]
    assert head[0][0] == "agencies" and {name for folder, name in head[1:]} == ids, agency
    # a single character matches nothing alone; the hand-written pages are found by their words
    meta, results = found(page, base, "三")
    assert results == [] and meta.startswith("请输入至少两个字的词")
    _, results = found(page, base, "予以公开")
    assert ("", "dictionary.html") in results or any(name.startswith("dictionary.html") for _, name in results)
    page.close()


@pytest.fixture(scope="module")
def addressed_site(tmp_path_factory):
    """Two seeds and the Huai'an PDF, built with the site's public address."""
    out = tmp_path_factory.mktemp("addressed-site")
    (out / "reports").mkdir()
    for name in ("000_3fe1192cfb6e68d3.txt", "003_b262c255d28bf770.txt", "huaian_2024.pdf", "huaian_2024.yml"):
        if (REPORTS / name).is_file():
            shutil.copy(REPORTS / name, out / "reports" / name)
    os.environ[site.SITE_URL_VARIABLE] = "https://example.org/gongkai/"
    try:
        runner.build(runner.BuildOptions(out / "reports", out / "package", out / "site", ROOT))
    finally:
        del os.environ[site.SITE_URL_VARIABLE]
    server = serve(out / "site")
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_reading_and_finding_at_both_widths(browser, addressed_site, viewport):
    out, base = addressed_site
    db = sqlite3.connect(out / "package" / "gongkai.sqlite")
    page = browser.new_page(viewport=viewport)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    # the home page: the corpus's headline figures and the reports added last
    page.goto(base + "/")
    reports, received = db.execute("select count(*), (select sum(total) from applications "
                                   "where row = 'new_received') from reports").fetchone()
    expect(page.locator("#gk-headline")).to_contain_text(f"已收录 {reports} 份年度报告")
    expect(page.locator("#gk-headline")).to_contain_text(f"{received} 件")
    assert page.locator(".gk-latest li").count() == reports
    # nothing of the search index or the table's rows until they are used
    assert not [url for url in fetched if "/search/" in url or "/overview/r-" in url]
    # a report: its sections in the report's order, its title once, described for sharing, its badge embeddable
    huaian = db.execute("select id from reports where source_file = 'huaian_2024.pdf'").fetchone()[0]
    page.goto(base + f"/{paths.report_page(huaian)}")
    headings = page.locator("article h2").all_inner_texts()
    numbered = [h[0] for h in headings if h[:1] in "一二三四五六"]
    assert numbered == list("一二三四五六")
    title = page.title()
    assert title.count("年度") <= 1 and "2024 年政府信息公开工作年度报告" in title
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description.startswith("淮安市人民政府 2024 年") and "校验结果" in description
    assert page.locator('meta[property="og:title"]').get_attribute("content") == title.split(" - ")[0]
    page.locator(".gk-embed summary").click()
    expect(page.locator(".gk-embed code")).to_contain_text(f"https://example.org/gongkai/{paths.report_base(huaian)}.svg")
    # the PDF's narrative in whole paragraphs: each ends a sentence, none breaks mid-way
    paragraphs = [p for p in page.locator(".gk-narrative p").all_inner_texts() if len(p) > 20]
    assert paragraphs and all(p.rstrip().endswith(("。", "：", "；")) for p in paragraphs), paragraphs
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    # found by search engines: robots.txt names the sitemap, which lists every page
    page.goto(base + "/robots.txt")
    assert "Sitemap: https://example.org/gongkai/sitemap.xml" in page.inner_text("body")
    sitemap = (out / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"https://example.org/gongkai/{paths.report_page(huaian)}" in sitemap and "/regions/" in sitemap
    # the search, from the header, at this width
    page.goto(base + "/about.html")
    if viewport["width"] < 600:  # a button opens the box, which takes the typing
        page.locator('label.md-header__button[for="__search"]').click()
    else:
        page.locator(".md-search__input").click()
    expect(page.locator(".md-search__input")).to_be_focused()
    page.keyboard.type("淮安市人民政府")
    first = page.locator(".gk-search .gk-search-item").first
    expect(first).to_contain_text("淮安市人民政府", timeout=15_000)
    page.screenshot(path=SHOTS / f"search-{viewport['width']}.png")
    page.close()
