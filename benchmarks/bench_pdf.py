"""Parse the 6-page Huai'an PDF (reports/huaian_2024.pdf) several times; prints the best time.

Run: make bench  (or: .venv/bin/python benchmarks/bench_pdf.py)
Budget (issue 6): a 6-page PDF parses in under 1 s.
"""

from __future__ import annotations

import time
from pathlib import Path

from builder import pipeline

PDF = Path(__file__).resolve().parent.parent / "reports" / "huaian_2024.pdf"


def main() -> None:
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        report = pipeline.process(PDF)
        rounds.append(time.perf_counter() - start)
    print(f"read + parse + check {PDF.name} (6 pages, {sum(v is not None for v in report.values.values())} figures, "
          f"status {report.status}): best {min(rounds):.2f} s, median {sorted(rounds)[2]:.2f} s")


if __name__ == "__main__":
    main()
