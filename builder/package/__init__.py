"""Write the reports as a Frictionless data package: CSV and schemas, Parquet files, a zip, a
SQLite database and a data dictionary. Byte-identical for the same reports: rows sorted, no
wall-clock time unless SOURCE_DATE_EPOCH gives one."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.folders import staging_for, switch, test_hook
from builder.model import Report
from builder.package import dictionary, parquet, sqlite, workbook
from builder.ids import report_ids
from builder.package.rows import code_list_rows, rows_of
from builder.package.schema import CODE_LISTS, ORDER, PER_REPORT, RESOURCES, schema

DESCRIPTOR = "datapackage.json"
ZIP_NAME = "gongkai-datapackage.zip"
SQLITE_NAME = sqlite.NAME
WORKBOOK_NAME = "gongkai.xlsx"
DICTIONARY_NAME = "README.md"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# the files the site offers for download: all but the dictionary, which it shows as a page
PLACEHOLDERS = (*sorted([f"{name}.csv" for name in ORDER] + [DESCRIPTOR]), ZIP_NAME, SQLITE_NAME, WORKBOOK_NAME)

LICENSE = {
    "name": "CC0-1.0",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    "title": "CC0 1.0 通用（公共领域贡献）",
}
DESCRIPTION = """\
各级行政机关发布的政府信息公开工作年度报告中的统计数据，按国家模板（国办公开办函〔2019〕60号、〔2021〕30号）\
逐格提取、校验。空白单元格保持为空，不计为 0；每个数字均可追溯到原报告。

Figures of the government information disclosure annual reports (政府信息公开工作年度报告) that Chinese \
administrative agencies publish each year, recovered cell by cell as printed in the national templates \
and checked against the templates' rules. A blank cell stays blank, never 0; the findings say what each \
report gets wrong and which figures were inferred.

Reuse: the reports are official documents published by the agencies under the Regulations on the \
Disclosure of Government Information; gongkai's extraction and compilation are dedicated to the public \
domain under CC0 1.0. Please cite the agency and the report (reports.source_url) with the figures."""


@dataclass(frozen=True)
class Written:
    reports: int
    rows: dict[str, int]
    files: tuple[str, ...]


def write_package(reports: Sequence[Report], out: Path, created: str | None = None) -> Written:
    """Write every report to `out`; `created` (ISO 8601) only when the caller has a fixed time."""
    ids = report_ids(reports)
    with PackageWriter(out) as writer:
        for report_id, report in sorted(zip(ids, reports), key=lambda pair: pair[0]):
            writer.add(rows_of(report, report_id))
        return writer.close(len(reports), created)


class PackageWriter:
    """The package written as reports stream by, in id order: each report's rows go straight
    to the CSV files, the database and the Parquet files, so a build never holds every report's rows.

    The package is made whole in a staging folder beside `out`, then switched with `out` in
    one step (`switch`): a build stopped at any moment leaves the old package or the new one,
    never a mix. What else `out` holds is kept."""

    def __init__(self, out: Path, workbook: bool = False):
        """`workbook`: write gongkai.xlsx too (some 5 s a thousand reports: XlsxWriter's cost a cell)."""
        self.out = out
        self.workbook = workbook
        self.staging = staging_for(out)
        self.files = {name: (self.staging / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in ORDER}
        self.writers = {name: csv.writer(file, lineterminator="\n") for name, file in self.files.items()}
        self.booleans = {name: [i for i, f in enumerate(RESOURCES[name]["fields"]) if f["type"] == "boolean"]
                         for name in ORDER}
        self.texts = {name: [i for i, f in enumerate(RESOURCES[name]["fields"]) if f["name"] in FREE_TEXT.get(name, ())]
                      for name in ORDER}
        for name, writer in self.writers.items():
            writer.writerow([f["name"] for f in RESOURCES[name]["fields"]])
        self.database = sqlite.Writer(self.staging / SQLITE_NAME)
        self.parquet = parquet.Writer(self.staging)
        self.rows = dict.fromkeys(ORDER, 0)
        columns = [f["name"] for f in RESOURCES["reports"]["fields"]]
        self.added, self.year = columns.index("added"), columns.index("year")
        self.years: set[int | None] = set()
        self.newest_added: str | None = None

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, *exc) -> None:
        for file in self.files.values():
            file.close()
        self.database.close()
        self.parquet.abandon()
        shutil.rmtree(self.staging, ignore_errors=True)

    def add(self, rows: Mapping[str, Iterable[tuple]]) -> None:
        """One report's rows, by resource (or the code lists' rows)."""
        rows = {name: list(table_rows) for name, table_rows in rows.items()}
        year = None
        for row in rows.get("reports", ()):
            year = row[self.year]
            self.years.add(year)
            if row[self.added] and (self.newest_added is None or row[self.added] > self.newest_added):
                self.newest_added = row[self.added]
        for name, table_rows in rows.items():
            self.database.add(name, table_rows)
            self.parquet.add(name, table_rows, year)
            if self.booleans[name]:
                table_rows = [_booleans_as_text(row, self.booleans[name]) for row in table_rows]
            if self.texts[name]:
                table_rows = [_no_formula(row, self.texts[name]) for row in table_rows]
            self.writers[name].writerows(table_rows)
            self.rows[name] += len(table_rows)

    def close(self, reports: int, created: str | None = None) -> Written:
        """Finish the files and move them into `out`; `reports` is how many were read. `created`:
        the package's time (ISO 8601); without one, the day its newest report was added."""
        if self.rows["reports"] != reports:  # nothing lost: checked at every build
            raise RuntimeError(f"读取 {reports} 份报告，却只写出 {self.rows['reports']} 行 reports 数据")
        self.add(code_list_rows())
        # derived from applications where they are all: in SQL, rather than report by report in Python
        self.database.derive_harmonised()
        for year, harmonised in self.database.rows_by_year("applications_harmonised"):
            self.writers["applications_harmonised"].writerows(harmonised)
            self.parquet.add("applications_harmonised", harmonised, year)
            self.rows["applications_harmonised"] += len(harmonised)
        parquet_files = self.parquet.close(ORDER, self.years)
        created = created or (f"{self.newest_added}T00:00:00Z" if self.newest_added else None)
        for file in self.files.values():
            file.close()
        self.database.close()
        if self.workbook:
            workbook.write(self.staging / SQLITE_NAME, self.staging / WORKBOOK_NAME)
        database = self.staging / SQLITE_NAME
        shipped = database.stat().st_size <= sqlite.MAX_BYTES
        if not shipped:
            database.unlink()
        csv_files = {f"{name}.csv": self.staging / f"{name}.csv" for name in ORDER}
        digests = {name: _digest([path]) for name, path in csv_files.items()}
        digests |= {name: _digest([self.staging / path for path in paths]) for name, paths in parquet_files.items()}
        descriptor = _descriptor(digests, created, parquet_files)
        texts = {DESCRIPTOR: (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                 DICTIONARY_NAME: dictionary.markdown(descriptor).encode("utf-8")}
        for name, data in texts.items():
            (self.staging / name).write_bytes(data)
        members = {**csv_files, **{name: self.staging / name for name in texts},
                   **{path: self.staging / path for paths in parquet_files.values() for path in paths}}
        _zip(members, self.staging / ZIP_NAME)
        names = (*sorted(members), ZIP_NAME, *([SQLITE_NAME] if shipped else []),
                 *([WORKBOOK_NAME] if self.workbook else []))
        test_hook("package-staged")
        # an older build's database and workbook go even when this one ships none, and its Parquet files
        own = {*names, SQLITE_NAME, WORKBOOK_NAME, parquet.FOLDER}
        switch(self.staging, self.out, keep=lambda path: path.name not in own and not path.name.startswith(".gongkai-"))
        test_hook("package-switched")
        return Written(reports, dict(self.rows), names)


def dictionary_markdown() -> str:
    """The data dictionary, which depends on the schemas alone, before any data is written."""
    return dictionary.markdown(_descriptor(None, None))


def _digest(paths: Sequence[Path]) -> tuple[int, str]:
    """Size and SHA-256 of the files one after the other, as frictionless reads a resource of several."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                digest.update(block)
    return sum(path.stat().st_size for path in paths), digest.hexdigest()


# Fields whose text comes from reports and sidecars. In the CSV files, which spreadsheets open,
# such a text starting as a formula does (=, +, -, @) gets a leading apostrophe so that it is
# shown, never computed; SQLite keeps it as it was.
FREE_TEXT = {
    "reports": ("agency", "province", "city", "county", "source_file", "source_url", "contact_phone",
                "contact_address", "contact_email"),
    "findings": ("message",),
    "sections": ("text",),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _no_formula(row: tuple, positions: list[int]) -> tuple:
    if not any(isinstance(row[p], str) and row[p].startswith(_FORMULA_START) for p in positions):
        return row
    cells = list(row)
    for position in positions:
        if isinstance(cells[position], str) and cells[position].startswith(_FORMULA_START):
            cells[position] = "'" + cells[position]
    return tuple(cells)


def _booleans_as_text(row: tuple, positions: list[int]) -> tuple:
    cells = list(row)
    for position in positions:
        cells[position] = "true" if cells[position] else "false"
    return tuple(cells)


def _descriptor(files: Mapping[str, tuple[int, str]] | None, created: str | None,
                parquet_files: Mapping[str, Sequence[str]] | None = None) -> dict:
    """The descriptor; `files` gives each CSV file's size and SHA-256, and each table's Parquet
    files together (None: not written yet)."""
    descriptor = {
        "name": "gongkai",
        "title": "政府信息公开工作年度报告数据 (gongkai: Chinese government information disclosure annual reports)",
        "description": DESCRIPTION,
        "version": __version__,
        "keywords": ["政府信息公开", "年度报告", "open government", "China", "FOI"],
        "licenses": [LICENSE],
        "sources": [{"title": "各行政机关发布的政府信息公开工作年度报告 (the agencies' published annual reports)",
                     "path": "reports/"}],
        "contributors": [{"title": "gongkai contributors", "role": "author"}],
    }
    if created:
        descriptor["created"] = created
    descriptor["resources"] = [
        {
            "name": name,
            "path": f"{name}.csv",
            "title": RESOURCES[name]["title"],
            "description": RESOURCES[name]["description"],
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            **({"bytes": files[f"{name}.csv"][0], "hash": "sha256:" + files[f"{name}.csv"][1]} if files else {}),
            "schema": schema(name),
        }
        for name in ORDER
    ]
    if files and parquet_files:
        descriptor["resources"] += [_parquet_resource(name, parquet_files[name], files[name]) for name in ORDER]
    return descriptor


def _parquet_resource(name: str, paths: Sequence[str], digest: tuple[int, str]) -> dict:
    """The Parquet files of a table, as a resource of frictionless's type `file`: frictionless 5
    reads Parquet's rows only through pandas, which the package does not need; as files it
    checks that each is there and their bytes and hash. The rows are the table's, its schema
    is the CSV resource's."""
    if name in CODE_LISTS:
        where = "as one Parquet file"
    else:
        where = (f"as Parquet, one file a report year in hive partitioning ({parquet.FOLDER}/{name}/year=YYYY/, "
                 f"year={parquet.NULL_YEAR} where the year is unknown); bytes and hash are of the files one after "
                 "the other")
    return {
        "name": f"{name}-parquet",
        "type": "file",
        "path": list(paths) if name in PER_REPORT else paths[0],
        "title": f"{RESOURCES[name]['title']}（Parquet）",
        "description": f"The rows of resource {name}, with its schema, {where}.",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "bytes": digest[0],
        "hash": "sha256:" + digest[1],
    }


def created_from_environment(environ) -> str | None:
    """SOURCE_DATE_EPOCH as an ISO 8601 time, as reproducible builds define it."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"SOURCE_DATE_EPOCH 不是有效的 Unix 时间：{epoch!r}") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip(members: Mapping[str, Path], path: Path) -> None:
    """The files in a zip with fixed times and modes, copied in blocks rather than read whole."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(f"gongkai/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.file_size = members[name].stat().st_size  # zipfile chooses zip64 from it
            with members[name].open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
