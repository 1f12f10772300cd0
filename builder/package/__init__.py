"""Write the reports as a Frictionless data package: CSV and schemas, a zip, a SQLite database
and a data dictionary. Byte-identical for the same reports: rows sorted, no wall-clock time
unless SOURCE_DATE_EPOCH gives one."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.model import Report
from builder.package import dictionary, sqlite
from builder.package.rows import report_ids, rows_of
from builder.package.schema import ORDER, RESOURCES, schema

DESCRIPTOR = "datapackage.json"
ZIP_NAME = "gongkai-datapackage.zip"
SQLITE_NAME = "gongkai.sqlite"
DICTIONARY_NAME = "README.md"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

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
    out.mkdir(parents=True, exist_ok=True)
    ids = report_ids(reports)
    ordered = sorted(zip(ids, reports), key=lambda pair: pair[0])
    tables: dict[str, list[tuple]] = {name: [] for name in ORDER}
    for report_id, report in ordered:
        for name, rows in rows_of(report, report_id).items():
            tables[name].extend(rows)
    files: dict[str, bytes] = {f"{name}.csv": _csv(name, rows) for name, rows in tables.items()}
    descriptor = _descriptor(files, created)
    files[DESCRIPTOR] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files[DICTIONARY_NAME] = dictionary.markdown(descriptor).encode("utf-8")
    for name, data in files.items():
        _write_if_changed(out / name, data)
    _write_if_changed(out / ZIP_NAME, _zip(files))
    sqlite.write(out / SQLITE_NAME, tables)
    if len(tables["reports"]) != len(reports):  # nothing lost: checked at every build
        raise RuntimeError(f"读取 {len(reports)} 份报告，却只写出 {len(tables['reports'])} 行 reports 数据")
    return Written(len(reports), {name: len(rows) for name, rows in tables.items()},
                   (*sorted(files), ZIP_NAME, SQLITE_NAME))


def _csv(name: str, rows: list[tuple]) -> bytes:
    """CSV with a header; None is written as an empty cell, booleans as true and false."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in RESOURCES[name]["fields"]])
    booleans = [i for i, f in enumerate(RESOURCES[name]["fields"]) if f["type"] == "boolean"]
    if booleans:
        rows = [_booleans_as_text(row, booleans) for row in rows]
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _booleans_as_text(row: tuple, positions: list[int]) -> tuple:
    cells = list(row)
    for position in positions:
        cells[position] = "true" if cells[position] else "false"
    return tuple(cells)


def _descriptor(files: dict[str, bytes], created: str | None) -> dict:
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
            "bytes": len(files[f"{name}.csv"]),
            "hash": "sha256:" + hashlib.sha256(files[f"{name}.csv"]).hexdigest(),
            "schema": schema(name),
        }
        for name in ORDER
    ]
    return descriptor


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


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"gongkai/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
