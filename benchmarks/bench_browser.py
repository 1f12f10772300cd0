"""The site in Chromium: what the overview, a report page and a search cost a reader, at the
size of a corpus.

Run: .venv/bin/python benchmarks/bench_browser.py --reports 10000   (make bench runs it at
1,000 and 10,000 reports, `benchmarks/run_all.py --full` at 100,000 too)

Each page is loaded cold (a new browser context, no cache) from a local server, five times;
the median DOMContentLoaded is reported, at 1366×900 and at 390×844. Bytes are counted as
served (the local server does not compress) and as gzip, which GitHub Pages and any CDN send.
"A page's own bytes" are its HTML and the data files it reads before the first screen is
drawn; the theme's style sheets and scripts (the same file for every page, cached after the
first) are counted apart. Budgets (issue 14): the overview's own bytes ≤ 150 KB and
DOMContentLoaded ≤ 1 s at 100,000 reports; the search index ≤ 5 MB at 100,000.
"""

from __future__ import annotations

import argparse
import re
import functools
import gzip
import http.server
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
LOADS = 5
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(site: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _file_of(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    file = site / path
    if file.is_dir():
        file = file / "index.html"
    return file if file.is_file() else None


@functools.cache
def _gzip_size(file: Path) -> int:
    return len(gzip.compress(file.read_bytes(), 6))


def _weights(site: Path, urls: list[str]) -> dict[str, tuple[int, int, int]]:
    """(requests, bytes, gzip bytes) of the page's own files and of the theme's."""
    kinds = {"own": [0, 0, 0], "theme": [0, 0, 0]}
    for url in urls:
        file = _file_of(site, url)
        if file is None:
            continue
        relative = file.relative_to(site).as_posix()
        kind = "theme" if relative.startswith(("assets/", "stylesheets/", "javascripts/")) else "own"
        kinds[kind][0] += 1
        kinds[kind][1] += file.stat().st_size
        kinds[kind][2] += _gzip_size(file)
    return {k: tuple(v) for k, v in kinds.items()}


def _load(browser, base: str, path: str, viewport: dict, action=None) -> tuple[float, list[str], float | None]:
    """DOMContentLoaded (s), the URLs read until the network is idle, and the seconds `action` took."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000
    took = None
    if action:
        urls.clear()
        start = time.perf_counter()
        action(page)
        page.wait_for_load_state("networkidle")
        took = time.perf_counter() - start
    context.close()
    return loaded, urls, took


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 2**20:,.1f} MB"


def measure(site: Path, reports: int) -> list[tuple[str, str, str]]:
    """Rows (what, measured, budget) for the site of `reports` reports in `site`."""
    from playwright.sync_api import expect, sync_playwright

    report = next(p for p in sorted((site / "reports").rglob("*.html")) if p.name != "index.html")
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for name, path, budget in (("overview", "/reports/index.html", "own ≤ 150 KB, ≤ 1 s at 100,000"),
                                       ("report page", f"/{report.relative_to(site).as_posix()}", "")):
                times = {}
                for label, viewport in VIEWPORTS.items():
                    runs = [_load(browser, base, path, viewport) for _ in range(LOADS)]
                    times[label] = statistics.median(r[0] for r in runs)
                    urls = runs[-1][1]
                weights = _weights(site, urls)
                own, theme = weights["own"], weights["theme"]
                rows.append((f"{name}, {reports:,} reports: first screen",
                             f"own {_kb(own[1])} (gzip {_kb(own[2])}) in {own[0]} files, theme {_kb(theme[1])} "
                             f"(gzip {_kb(theme[2])}); DOMContentLoaded {times['desktop']:.2f} s desktop, "
                             f"{times['phone']:.2f} s phone", budget))

            def sort_all(page):
                page.locator("#gk-reports th[data-key=received] button").click()
                expect(page.locator(".gk-shown")).to_have_text(re.compile("^显示第"), timeout=120_000)

            _, urls, took = _load(browser, base, "/reports/index.html", VIEWPORTS["desktop"], sort_all)
            own = _weights(site, urls)["own"]
            rows.append((f"overview, {reports:,} reports: sort the whole table by 新收申请",
                         f"{took:.2f} s, reads {own[0]} files, {_kb(own[1])} (gzip {_kb(own[2])})", ""))

            def query(page):
                page.locator(".md-search__input").fill("三明市")
                page.wait_for_selector(".gk-search .gk-search-item")

            _, urls, took = _load(browser, base, "/index.html", VIEWPORTS["desktop"], query)
            own = _weights(site, urls)["own"]
            index = [p.stat().st_size for p in (site / "search").iterdir()]
            rows.append((f"search, {reports:,} reports: 三明市 typed in the header",
                         f"{took:.2f} s to the first results, reads {own[0]} files, {_kb(own[1])} "
                         f"(gzip {_kb(own[2])}); index {_kb(sum(index))} in {len(index):,} files, "
                         f"largest {_kb(max(index))}", "a query reads ≤ 5 MB at 100,000"))
            browser.close()
    finally:
        server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000, help="synthetic report files (default 1000)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from builder import runner
    from builder.synth.corpus import write_corpus

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_corpus(out / "reports", args.reports, seed=1)
        runner.build(runner.BuildOptions(out / "reports", out / "package", out / "site", ROOT))
        for row in measure(out / "site", args.reports):
            print(" | ".join(row))


if __name__ == "__main__":
    main()
