"""The site in a real browser: Debian's Chromium driven by Playwright (no browser download).

Opens the index, searches 二里岗 in Chinese, follows the result to the report page and sees
the badge, the findings and the three tables; sorts the table of reports; loads pages built
from hostile reports and checks that nothing in them runs. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import csv
import functools
import io
import sqlite3
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from builder import runner
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
    page.wait_for_url(re.compile(r"/reports/2020-[0-9a-f]{10}\.html"))
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
        sources = sorted((tmp_path / "site" / "reports").glob("*.source.*"))
        assert not [p for p in sources if p.suffix == ".html"]  # a page of the report is served as text
        searches = ["/search.html?q=巴集", "/search.html?q=onerror", "/search.html?q=%3Cimg%20src%3Dx%20onerror%3D1%3E",
                    "/reports/?q=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D9%3E"]
        for path in ["/reports/", *searches, *(f"/reports/{p.name}" for p in sources),
                     *(f"/reports/{p.name}" for p in (tmp_path / "site" / "reports").glob("*.html"))]:
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
