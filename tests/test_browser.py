"""The site in a real browser: Debian's Chromium driven by Playwright (no browser download).

Opens the index, searches 二里岗 in Chinese, follows the result to the report page and sees
the badge, the findings and the three tables; sorts the table of reports; loads pages built
from hostile reports and checks that nothing in them runs. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import functools
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
    granted_bar = page.locator('svg[aria-label="办理结果构成"] text').filter(has_text="%").first
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
    page.goto(seed_server + "/reports/")
    page.screenshot(path=SHOTS / "index.png", full_page=True)
    search = page.locator(".md-search__input")
    search.click()
    search.fill("二里岗")  # Chinese arrives through an input method: text first, then a key
    search.press("End")
    result = page.locator(".md-search-result__item a", has_text="二里岗").first
    expect(result).to_be_visible(timeout=15_000)
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


def test_the_table_of_reports_sorts_and_filters(browser, seed_server):
    page = browser.new_page()
    page.goto(seed_server + "/reports/")
    header = page.locator("#gk-reports th", has_text="新收申请").locator("button")
    header.click()
    first = page.locator("#gk-reports tbody tr").first.locator("td").nth(6).inner_text()
    header.click()
    last_first = page.locator("#gk-reports tbody tr").first.locator("td").nth(6).inner_text()
    assert int(first) <= int(last_first)
    assert page.locator("#gk-reports th", has_text="新收申请").get_attribute("aria-sort") == "descending"
    page.select_option('select[data-filter="status"]', "warn")
    warned = page.locator("#gk-reports tbody tr", has_text="警告").count()
    assert 0 < warned < page.locator("#gk-reports tbody tr").count()
    assert page.locator("#gk-reports tbody tr:visible").count() == warned
    total = page.locator("#gk-reports tbody tr").count()
    expect(page.locator(".gk-shown")).to_have_text(f"显示 {warned} / {total} 份")
    page.screenshot(path=SHOTS / "index-filtered.png", full_page=True)
    # the view is kept in the address: a reload, or the link sent to someone, shows it again
    assert "status=warn" in page.url and "sort=6" in page.url and "order=desc" in page.url
    page.reload()
    expect(page.locator(".gk-shown")).to_have_text(f"显示 {warned} / {total} 份")
    assert page.locator('select[data-filter="status"]').input_value() == "warn"
    assert page.locator("#gk-reports th", has_text="新收申请").get_attribute("aria-sort") == "descending"
    page.goto(seed_server + "/reports/?status=<script>&sort=99")  # what the page does not offer is ignored
    expect(page.locator(".gk-shown")).to_have_text(f"显示 {total} / {total} 份")
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
        searches = ["/index.html?q=概述", "/reports/?q=巴集", "/index.html?q=onerror"]
        for path in ["/reports/", *searches, *(f"/reports/{p.name}" for p in sources),
                     *(f"/reports/{p.name}" for p in (tmp_path / "site" / "reports").glob("*.html"))]:
            page.goto(base + path)
            page.wait_for_load_state("load")
            if "?q=" in path:  # the search opens from the address and shows its results
                expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)
            assert page.evaluate("window.__pwned") is None, path
            if path.endswith(".html") and ".source." not in path and "pwned=1" in page.content():
                expect(page.locator(".gk-narrative").first).to_contain_text("<script>window.__pwned=1</script>")
                page.screenshot(path=SHOTS / "hostile.png", full_page=True)
    finally:
        page.close()
        server.shutdown()
    assert not dialogs
