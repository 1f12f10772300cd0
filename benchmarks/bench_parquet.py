"""The package's SQLite database and its Parquet files, side by side: the seconds each writer
takes for the rows of N synthetic reports, and the bytes it leaves. Writes the section
"Parquet and SQLite" of docs/performance.md.

Run: make bench  (or: .venv/bin/python benchmarks/bench_parquet.py --reports 10000 100000)
The rows are made once a report and handed to both writers in id order (year first), as a
build hands them; making them (parse and check) is not counted.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from builder import checks, synth
from builder.model import Source
from builder.package import SQLITE_NAME, parquet, sqlite
from builder.package.rows import code_list_rows, rows_of
from builder.package.schema import ORDER
from builder.parse import parse
from builder.readers.text import read
from builder.vocabulary import status_of

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADING = "## Parquet and SQLite"


def synthetic_rows(count: int):
    """Each synthetic report's rows, with its year, in the order of their ids."""
    years = sorted((synth.report_text(seed)[2]["year"], seed) for seed in range(count))
    for year, seed in years:
        data = synth.report_text(seed)[0].encode("utf-8")
        report = parse(read(data, Source(f"synthetic-{seed:06d}.txt", "txt", f"{seed:064x}", len(data))))
        findings = report.findings + checks.check(report)
        report = dataclasses.replace(report, findings=findings, status=status_of(findings, True))
        yield report.year, {name: list(rows) for name, rows in rows_of(report, f"{year}-{seed:010d}").items()}


@dataclass(frozen=True)
class Measured:
    reports: int
    sqlite_seconds: float
    sqlite_bytes: int
    parquet_seconds: float
    parquet_bytes: int
    parquet_files: int

    def row(self) -> tuple[str, str, str]:
        def size(seconds: float, size: int) -> str:
            return f"{seconds:.1f} s, {size / 1e6:,.1f} MB ({size / self.reports:,.0f} B a report)"
        return (f"{self.reports:,} synthetic reports", size(self.sqlite_seconds, self.sqlite_bytes),
                f"{size(self.parquet_seconds, self.parquet_bytes)} in {self.parquet_files} files")


def measure(count: int) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        database, files = sqlite.Writer(out / SQLITE_NAME), parquet.Writer(out)
        in_sqlite = in_parquet = 0.0
        years = set()
        for year, rows in synthetic_rows(count):
            years.add(year)
            start = time.perf_counter()
            for name, table_rows in rows.items():
                database.add(name, table_rows)
            in_sqlite += time.perf_counter() - start
            start = time.perf_counter()
            for name, table_rows in rows.items():
                files.add(name, table_rows, year)
            in_parquet += time.perf_counter() - start
        start = time.perf_counter()
        for name, table_rows in code_list_rows().items():
            database.add(name, table_rows)
        database.derive_harmonised()
        in_sqlite += time.perf_counter() - start
        start = time.perf_counter()
        for name, table_rows in code_list_rows().items():
            files.add(name, table_rows)
        for year, harmonised in database.rows_by_year("applications_harmonised"):  # as the package writer does
            files.add("applications_harmonised", harmonised, year)
        written = [out / path for paths in files.close(ORDER, years).values() for path in paths]
        in_parquet += time.perf_counter() - start
        start = time.perf_counter()
        database.close()
        in_sqlite += time.perf_counter() - start
        return Measured(count, in_sqlite, (out / SQLITE_NAME).stat().st_size, in_parquet,
                        sum(path.stat().st_size for path in written), len(written))


def write_section(rows: list[tuple[str, str, str]]) -> None:
    """The section in docs/performance.md, in place of the one before it (run_all.py keeps it)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    kept = text.split(f"\n{HEADING}\n")[0].rstrip("\n")
    lines = [kept, "", HEADING, "",
             f"Written by `benchmarks/bench_parquet.py`. Each writer's own time for the rows of the reports; "
             f"the package carries the database while it is at most {sqlite.MAX_BYTES // 2**20} MiB "
             "(`builder/package/sqlite.py`, `MAX_BYTES`, which says why), the Parquet files always.", "",
             "| corpus | SQLite (gongkai.sqlite) | Parquet (parquet/) |", "|---|---|---|"]
    lines += [f"| {corpus} | {database} | {files} |" for corpus, database, files in rows]
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, nargs="+", default=[10_000, 100_000],
                        help="corpus sizes (default 10000 100000)")
    args = parser.parse_args()
    rows = []
    for count in args.reports:
        rows.append(measure(count).row())
        print(" | ".join(rows[-1]))
    write_section(rows)


if __name__ == "__main__":
    main()
