"""The incremental build: N synthetic reports built once into the parse cache, one report
added, then the package built again.

Run: make bench  (or: .venv/bin/python benchmarks/bench_incremental.py --reports 10000)
Budget (issue 5): adding one report to a corpus of 10,000 rebuilds the package in under 15 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from builder import runner, synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000, help="synthetic report files (default 10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        reports_dir, cache_file = out / "reports", out / "cache.sqlite"
        synth.write_text_reports(reports_dir, args.reports)
        start = time.perf_counter()
        cold = runner.build(runner.BuildOptions(reports_dir, out / "package", cache_file=cache_file))
        print(f"cold build of {args.reports:,} reports (package, cache filled): {time.perf_counter() - start:.1f} s, "
              f"{cold.parsed:,} parsed")
        (reports_dir / "report-new.txt").write_text(synth.report_text(args.reports)[0], encoding="utf-8")
        start = time.perf_counter()
        warm = runner.build(runner.BuildOptions(reports_dir, out / "package", cache_file=cache_file))
        print(f"after adding one report: {time.perf_counter() - start:.1f} s for {len(warm.reports):,} reports, "
              f"{warm.parsed} parsed")


if __name__ == "__main__":
    main()
