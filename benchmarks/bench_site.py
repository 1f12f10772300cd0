"""The whole build (parse, package, site) for N synthetic report files, with the page and
search-index sizes against their budgets.

Run: make bench  (or: .venv/bin/python benchmarks/bench_site.py --reports 1000)
Budgets (issue 4): 1,000 reports in under 10 s; a report page under 60 KB; the search index
under 2 KB a report.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from builder import runner, synth

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000, help="synthetic report files (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        reports_dir = out / "reports"
        synth.write_text_reports(reports_dir, args.reports)
        start = time.perf_counter()
        built = runner.build(runner.BuildOptions(reports_dir, out / "package", out / "site", ROOT))
        seconds = time.perf_counter() - start
        pages = [p for p in (out / "site" / "reports").rglob("*.html") if p.name != "index.html"]
        sizes = [p.stat().st_size for p in pages]
        index = [p.stat().st_size for p in (out / "site" / "search").rglob("*.json")]
        print(f"build (parse, package, site) of {args.reports:,} reports: {seconds:.1f} s "
              f"({built.site.report_pages:,} report pages, {built.site.agency_pages:,} agency pages)")
        print(f"report page: largest {max(sizes) / 1024:.1f} KB, mean {sum(sizes) / len(sizes) / 1024:.1f} KB")
        print(f"search index: {sum(index) / args.reports / 1024:.2f} KB a report in all, in {len(index):,} files "
              f"(largest {max(index) / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
