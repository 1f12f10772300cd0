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
        print(bytes_a_report(out / "site", out / "package", args.reports))


def bytes_a_report(site: Path, package: Path, count: int) -> str:
    """What a report costs the site and the package, by kind of file (docs/scale.md), and the
    most files a folder of the site holds."""
    def by_kind(files) -> dict[str, int]:
        found: dict[str, int] = {}
        for path in files:
            found[path.name.split(".", 1)[1]] = found.get(path.name.split(".", 1)[1], 0) + path.stat().st_size
        return found
    report_files = [p for p in (site / "reports").rglob("*") if p.is_file() and "-" in p.name]
    everything = [p for p in site.rglob("*") if p.is_file()]
    folders: dict[Path, int] = {}
    for path in everything:
        folders[path.parent] = folders.get(path.parent, 0) + 1
    parts = ", ".join(f"{kind} {size / count / 1024:.1f} KB" for kind, size in sorted(by_kind(report_files).items()))
    package_parts = ", ".join(f"{kind} {size / count / 1024:.1f} KB" for kind, size in
                              sorted(by_kind(p for p in package.rglob("*") if p.is_file()).items()))
    return (f"a report's files on the site: {parts}; the whole site {sum(p.stat().st_size for p in everything) / count / 1024:.1f} KB "
            f"a report, at most {max(folders.values()):,} files a folder; the package by kind: {package_parts}")


if __name__ == "__main__":
    main()
