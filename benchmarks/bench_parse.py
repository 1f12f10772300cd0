"""Parse and check seed-sized reports on one core; prints reports per second.

Run: make bench  (or: .venv/bin/python benchmarks/bench_parse.py --seconds 5)
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from builder import checks
from builder.model import Source
from builder.parse import parse
from builder.readers.text import read

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run (default 5)")
    args = parser.parse_args()
    corpus = [(p.name, p.read_bytes()) for p in sorted((ROOT / "reports").glob("*.txt"))]
    sources = [Source(name, "txt", "", len(data)) for name, data in corpus]
    for (_, data), source in zip(corpus, sources):  # warm the caches, as a build does after its first reports
        checks.check(parse(read(data, source)))
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for (_, data), source in zip(corpus, sources):
            checks.check(parse(read(data, source)))
            count += 1
    elapsed = time.perf_counter() - start
    size = sum(len(data) for _, data in corpus) / len(corpus)
    print(f"parse+check, one core, {platform.python_implementation()} {platform.python_version()}: "
          f"{count / elapsed:,.0f} reports/s ({elapsed / count * 1e3:.2f} ms a report, "
          f"seeds of {size / 1024:.1f} KB on average, {count} reports)")


if __name__ == "__main__":
    main()
