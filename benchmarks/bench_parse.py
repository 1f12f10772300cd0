"""Parse and check seed-sized reports on one core; prints reports per second.

Run: make bench  (or: .venv/bin/python benchmarks/bench_parse.py --rounds 7 --reports 1000)
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
    parser.add_argument("--rounds", type=int, default=7, help="rounds to run; the best is reported (default 7)")
    parser.add_argument("--reports", type=int, default=1000, help="reports parsed in each round (default 1000)")
    args = parser.parse_args()
    corpus = [(p.name, p.read_bytes()) for p in sorted((ROOT / "reports").glob("0*.txt"))]  # the five seeds
    sources = [Source(name, "txt", "", len(data)) for name, data in corpus]
    for (_, data), source in zip(corpus, sources):  # warm the caches, as a build does after its first reports
        checks.check(parse(read(data, source)))
    work = [(corpus[i % len(corpus)][1], sources[i % len(sources)]) for i in range(args.reports)]
    rounds = []
    for _ in range(args.rounds):  # like timeit, the best round is the least disturbed by the machine
        start = time.perf_counter()
        for data, source in work:
            checks.check(parse(read(data, source)))
        rounds.append(time.perf_counter() - start)
    best, median = min(rounds), sorted(rounds)[len(rounds) // 2]
    size = sum(len(data) for _, data in corpus) / len(corpus)
    print(f"read+parse+check, one core, {platform.python_implementation()} {platform.python_version()}, "
          f"seeds of {size / 1024:.1f} KB on average, {args.rounds} rounds of {args.reports} reports: "
          f"best {args.reports / best:,.0f} reports/s ({best / args.reports * 1e3:.2f} ms a report), "
          f"median {args.reports / median:,.0f} reports/s")


if __name__ == "__main__":
    main()
