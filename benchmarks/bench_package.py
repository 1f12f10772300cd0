"""Write the data package for N synthetic reports and validate it with frictionless.

Run: make bench  (or: .venv/bin/python benchmarks/bench_package.py --reports 10000)
Budgets (issue 3): writing 10,000 reports under 10 s; `frictionless validate` under 60 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import frictionless

from builder import checks, synth
from builder.model import Source
from builder.vocabulary import status_of
from builder.package import DESCRIPTOR, write_package
from builder.parse import parse
from builder.readers.text import read


def synthetic_reports(count: int) -> list:
    reports = []
    for seed in range(count):
        text, _, _ = synth.report_text(seed)
        data = text.encode("utf-8")
        report = parse(read(data, Source(f"synthetic-{seed:06d}.txt", "txt", f"{seed:064x}", len(data))))
        findings = report.findings + checks.check(report)
        reports.append(dataclasses.replace(report, findings=findings, status=status_of(findings, True)))
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000, help="synthetic reports (default 10000)")
    args = parser.parse_args()
    start = time.perf_counter()
    reports = synthetic_reports(args.reports)
    print(f"{args.reports:,} synthetic reports parsed in {time.perf_counter() - start:.1f} s (not counted)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        start = time.perf_counter()
        written = write_package(reports, out)
        writing = time.perf_counter() - start
        rows = sum(written.rows.values())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
        print(f"write package: {writing:.1f} s for {args.reports:,} reports ({rows:,} rows, {size:.0f} MB on disk)")
        start = time.perf_counter()
        report = frictionless.validate(str(out / DESCRIPTOR))
        validating = time.perf_counter() - start
        print(f"frictionless validate: {validating:.1f} s, valid: {report.valid}")
        if not report.valid:
            print(report.flatten(["rowNumber", "fieldName", "type", "note"])[:10])


if __name__ == "__main__":
    main()
