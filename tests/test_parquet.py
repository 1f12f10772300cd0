"""The package's Parquet files: the CSV tables row for row, partitioned by report year as DuckDB
reads them, listed in the descriptor, the same bytes for the same reports."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import frictionless
import pyarrow.parquet as pq
import pytest

from builder import runner
from builder.package import DESCRIPTOR, FREE_TEXT, parquet
from builder.package.schema import CODE_LISTS, ORDER, PER_REPORT, RESOURCES
from builder.synth.corpus import write_corpus
from conftest import REPORTS

ROW_GROUP = 40  # small, so that the synthetic corpus's files have several row groups


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """A synthetic corpus of every layout, the seeds and a file that cannot be read (no year)."""
    work = tmp_path_factory.mktemp("parquet")
    reports = work / "reports"
    write_corpus(reports, 120, seed=3)
    for seed in sorted(REPORTS.glob("00[0-4]_*.*")):
        shutil.copy(seed, reports / seed.name)
    (reports / "broken.txt").write_bytes(b"\x00\x01binary" * 100)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parquet, "ROW_GROUP", ROW_GROUP)
        runner.build(runner.BuildOptions(reports, work / "package"))
    return work / "package"


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def years_of(package: Path) -> dict[str, int | None]:
    year = [f["name"] for f in RESOURCES["reports"]["fields"]].index("year")
    return {row[0]: int(row[year]) if row[year] else None for row in read_csv(package / "reports.csv")}


def as_csv(value, name: str, field: str) -> str:
    """A Parquet value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if field in FREE_TEXT.get(name, ()) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value  # the CSV's guard against spreadsheet formulas; Parquet keeps the text
    return str(value)


def parquet_rows(path: Path, name: str, year: int | None = None) -> list[list[str]]:
    """A file's rows as the CSV has them; the reports' year is the one of the file's partition."""
    table = pq.ParquetFile(path).read()
    assert table.schema == parquet.arrow_schema(name), path
    fields = [f["name"] for f in RESOURCES[name]["fields"]]
    columns = [table.column(field).to_pylist() if field in table.column_names else [year] * table.num_rows
               for field in fields]
    assert all(value != "" for column in columns for value in column), "a blank cell is null, never ''"
    return [[as_csv(value, name, field) for value, field in zip(row, fields)] for row in zip(*columns)]


@pytest.mark.parametrize("name", ORDER)
def test_each_parquet_table_equals_its_csv_row_for_row(package, name):
    """Every column, nulls where the CSV is blank, a number's exact text: a report year's file
    holds that year's rows of the CSV in the CSV's order."""
    csv_rows = read_csv(package / f"{name}.csv")
    if name in CODE_LISTS:
        assert parquet_rows(package / parquet.file_of(name), name) == csv_rows
        return
    years = years_of(package)
    by_year = defaultdict(list)
    for row in csv_rows:
        by_year[years[row[0]]].append(row)
    for year in set(years.values()):
        assert parquet_rows(package / parquet.file_of(name, year), name, year) == by_year[year], (name, year)


def test_the_corpus_exercises_what_the_comparison_checks(package):
    """Blank figures, decimals, dates, booleans, a report without a year, several row groups."""
    active = pq.read_table(package / parquet.FOLDER / "active_disclosure")
    assert any("." in value for value in active.column("value_10k_yuan").drop_null().to_pylist())
    assert active.column("value_10k_yuan").null_count > 0 and active.column("inferred").null_count == 0
    assert pq.read_table(package / parquet.FOLDER / "applications").column("total").null_count > 0
    assert pq.ParquetFile(package / parquet.file_of("active_disclosure", 2023)).num_row_groups > 1
    reports = pq.ParquetFile(package / parquet.file_of("reports", None)).read()
    assert reports.column("status").to_pylist() == ["unparsed"]
    assert str(pq.ParquetFile(package / parquet.file_of("reports", 2023)).schema_arrow.field("published").type) == "date32[day]"


@pytest.mark.parametrize("name", PER_REPORT)
def test_duckdb_reads_the_year_partitions_and_counts_each_years_rows(package, name):
    years = years_of(package)
    expected = Counter(years[row[0]] for row in read_csv(package / f"{name}.csv"))
    found = duckdb.sql(f"select year, count(*) from read_parquet('{package}/parquet/{name}/*/*.parquet', "
                       "hive_partitioning = true) group by year").fetchall()
    assert dict(found) == dict(expected)
    # ocr_cells has rows only from a scan read by OCR (seconds a page), which this corpus leaves out;
    # its files, empty, still give DuckDB the table's columns
    assert sum(expected.values()) > 0 or name == "ocr_cells"
    columns = duckdb.sql(f"describe select * from read_parquet('{package}/parquet/{name}/*/*.parquet', "
                         "hive_partitioning = true)").fetchall()
    assert [c[0] for c in columns] == [f["name"] for f in parquet.fields(name)] + ["year"]


def test_the_dictionarys_duckdb_examples_give_the_csvs_sums(package):
    text = (package / "README.md").read_text(encoding="utf-8")
    queries = re.search(r"```sql\n(.*?)```", text, re.S)[1].split(";")[:2]
    with duckdb.connect() as db:
        db.execute(f"set file_search_path = '{package}'")
        received, fees = (dict(db.execute(query).fetchall()) for query in queries)
    years = years_of(package)
    expected = Counter()
    for row in csv.DictReader((package / "applications.csv").open(encoding="utf-8")):
        if row["row"] == "new_received" and row["total"]:
            expected[years[row["report_id"]]] += int(row["total"])
    assert received == dict(expected) and sum(received.values()) > 0
    amounts = defaultdict(list)
    for row in csv.DictReader((package / "active_disclosure.csv").open(encoding="utf-8")):
        if row["article"] == "art20_8" and row["value_10k_yuan"]:
            amounts[years[row["report_id"]]].append(row["value_10k_yuan"])
    assert fees and {year: float(total) for year, total in fees.items()} == pytest.approx(
        {year: sum(map(float, values)) for year, values in amounts.items()})


def test_the_descriptor_lists_every_parquet_file_with_their_size_and_hash(package):
    descriptor = json.loads((package / DESCRIPTOR).read_text(encoding="utf-8"))
    listed = {name: r for name, r in ((r["name"], r) for r in descriptor["resources"]) if r["format"] == "parquet"}
    assert set(listed) == {f"{name}-parquet" for name in ORDER}
    paths = [p for r in listed.values() for p in ([r["path"]] if isinstance(r["path"], str) else r["path"])]
    on_disk = sorted(p.relative_to(package).as_posix() for p in (package / parquet.FOLDER).rglob("*") if p.is_file())
    assert sorted(paths) == on_disk and len(paths) == len(set(paths))
    assert frictionless.validate(str(package / DESCRIPTOR)).valid


def test_validation_catches_a_changed_parquet_file(package, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    path = copy / parquet.file_of("applications", 2023)
    table = pq.ParquetFile(path).read()
    pq.write_table(table.slice(1), path, compression="zstd")
    report = frictionless.validate(str(copy / DESCRIPTOR))
    assert not report.valid and ["hash-count"] in report.flatten(["type"])


def test_two_builds_write_the_same_parquet_bytes_and_no_time(package, tmp_path):
    reports = package.parent / "reports"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parquet, "ROW_GROUP", ROW_GROUP)
        runner.build(runner.BuildOptions(reports, tmp_path / "again"))
    files = sorted((package / parquet.FOLDER).rglob("*.parquet"))
    assert len(files) > len(ORDER)
    for path in files:
        assert (tmp_path / "again" / path.relative_to(package)).read_bytes() == path.read_bytes(), path
        metadata = pq.ParquetFile(path).metadata
        assert set(metadata.metadata) == {b"ARROW:schema"} and metadata.created_by.startswith("parquet-cpp-arrow")
