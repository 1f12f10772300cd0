"""The data package: valid, equal to the golden figures, reproducible, up to date, nothing lost."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import frictionless
import pytest

from builder import pipeline, runner
from builder.package import DESCRIPTOR, SQLITE_NAME, WORKBOOK_NAME, ZIP_NAME, created_from_environment, sqlite
from builder.ids import report_ids
from builder.package.schema import ORDER, RESOURCES
from conftest import GOLDEN, REPORTS, ROOT
from test_parser import make

COMMITTED = ROOT / "datapackage"


@pytest.fixture(scope="module")
def seed_package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    runner.build(runner.BuildOptions(REPORTS, out, workbook=True))
    return out


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def report_id_of(package: Path, source_file: str) -> str:
    return next(r["id"] for r in read_csv(package / "reports.csv") if r["source_file"] == source_file)


def test_the_seed_package_is_valid(seed_package):
    report = frictionless.validate(str(seed_package / DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_validation_catches_a_tampered_table(seed_package, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(seed_package, copy)
    path = copy / "applications.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",1,0,0,0,0,0,1,", ",-1,0,0,0,0,0,1,", 1),
                    encoding="utf-8")
    assert not frictionless.validate(str(copy / DESCRIPTOR)).valid


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_csv_figures_equal_the_golden_json(seed_package, golden):
    expected = json.loads(golden.read_text(encoding="utf-8"))
    report_id = report_id_of(seed_package, expected["source"]["file"])
    applications = {r["row"]: r for r in read_csv(seed_package / "applications.csv") if r["report_id"] == report_id}
    for row, columns in expected["applications"].items():
        for column, value in columns.items():
            assert applications[row][column] == ("" if value is None else str(value)), (row, column)
    active = [r for r in read_csv(seed_package / "active_disclosure.csv") if r["report_id"] == report_id]
    for r in active:
        value = expected["active_disclosure"][r["article"]][r["item"]][r["metric"]]
        assert (float(r["value"]) if r["value"] else None) == value
    reviews = {r["proceeding"]: r for r in read_csv(seed_package / "reviews_litigation.csv")
               if r["report_id"] == report_id}
    for proceeding, columns in expected["reviews_litigation"].items():
        assert {k: reviews[proceeding][k] for k in columns} == {k: str(v) for k, v in columns.items()}
    findings = [r for r in read_csv(seed_package / "findings.csv") if r["report_id"] == report_id]
    assert [f["rule"] for f in findings] == [f["rule"] for f in expected["findings"]]
    status = next(r["status"] for r in read_csv(seed_package / "reports.csv") if r["id"] == report_id)
    assert status == expected["status"]


def test_inferred_cells_are_marked_in_the_tables(seed_package):
    report_id = report_id_of(seed_package, "002_864908085ec3dcf1.txt")
    row = next(r for r in read_csv(seed_package / "applications.csv")
               if r["report_id"] == report_id and r["row"] == "unavailable_not_held")
    assert row["inferred_columns"].split() == ["natural_person", "total"]


def test_sqlite_holds_the_same_rows(seed_package):
    with sqlite3.connect(seed_package / SQLITE_NAME) as db:
        for name in ORDER:
            count = db.execute(f"select count(*) from [{name}]").fetchone()[0]
            assert count == len(read_csv(seed_package / f"{name}.csv")), name
        report_id = report_id_of(seed_package, "001_a27e78e5f53cff5a.txt")
        granted = db.execute("select natural_person, total from applications where report_id = ? and row = ?",
                             (report_id, "granted")).fetchone()
        assert granted == (None, None)  # blank stays blank, never 0
        fks = db.execute("pragma foreign_key_list(applications)").fetchall()
        assert any(fk[2] == "reports" for fk in fks)


def test_zip_holds_the_package(seed_package):
    with zipfile.ZipFile(seed_package / ZIP_NAME) as archive:
        names = set(archive.namelist())
    assert {f"gongkai/{name}.csv" for name in ORDER} | {f"gongkai/{DESCRIPTOR}"} <= names
    assert {f"gongkai/{path}" for path in files_of(seed_package) if path.startswith("parquet/")} <= names
    assert any(name.startswith("gongkai/parquet/applications/year=") for name in names)


def files_of(package: Path) -> list[str]:
    return sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())


def test_two_builds_are_byte_identical(seed_package, tmp_path):
    runner.build(runner.BuildOptions(REPORTS, tmp_path, workbook=True))
    assert files_of(tmp_path) == files_of(seed_package)
    for name in files_of(seed_package):
        assert (tmp_path / name).read_bytes() == (seed_package / name).read_bytes(), name


def test_the_committed_package_is_up_to_date(tmp_path, monkeypatch):
    """Fails when reports/ or the parser changed and `make site` was not run and committed."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    runner.build(runner.BuildOptions(REPORTS, tmp_path, workbook=True))  # as `make site` builds it
    built = files_of(tmp_path)
    assert files_of(COMMITTED) == built
    stale = [name for name in built if _content(COMMITTED / name) != _content(tmp_path / name)]
    assert not stale, f"datapackage/ is out of date ({', '.join(stale)}): run `make site` and commit"


def _content(path: Path):
    """A file's bytes; for the database its SQL dump, since the bytes of a SQLite file depend
    on the library version that wrote it."""
    if path.name == SQLITE_NAME:
        with sqlite3.connect(path) as db:
            return list(db.iterdump())
    return path.read_bytes()


def test_created_only_from_source_date_epoch():
    assert created_from_environment({}) is None
    assert created_from_environment({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14T22:13:20Z"
    with pytest.raises(ValueError):
        created_from_environment({"SOURCE_DATE_EPOCH": "yesterday"})


def test_ids_are_stable_url_safe_and_unique_under_collision(tmp_path):
    text, _ = make(agency="新坊镇", year=2023)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("依法做好", "认真做好"), encoding="utf-8")  # same agency, year
    (tmp_path / "c.txt").write_text(text, encoding="utf-8")  # an identical copy
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "d.yml").write_text("region: {province: 江西省, county: 新建区}\n", encoding="utf-8")
    reports = pipeline.process_all(pipeline.report_files([tmp_path]))
    ids = report_ids(reports)
    assert len(set(ids)) == 4
    assert report_ids(list(reversed(reports))) == list(reversed(ids))
    assert all(re.fullmatch(RESOURCES["reports"]["fields"][0]["constraints"]["pattern"], i) for i in ids)
    alone = report_ids([reports[3]])  # the one in another region never collided
    assert alone == [ids[3]]


def test_an_unreadable_report_is_accounted_for(tmp_path):
    reports_dir, out = tmp_path / "reports", tmp_path / "out"
    reports_dir.mkdir()
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", reports_dir)
    (reports_dir / "broken.txt").write_bytes(b"\x00\x01binary" * 100)
    (reports_dir / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    built = runner.build(runner.BuildOptions(reports_dir, out))
    rows = read_csv(out / "reports.csv")
    assert len(rows) == len(built.reports) == 3
    unparsed = [r for r in rows if r["status"] == "unparsed"]
    assert {r["source_file"] for r in unparsed} == {"broken.txt", "old.doc"}
    findings = read_csv(out / "findings.csv")
    for row in unparsed:
        assert any(f["report_id"] == row["id"] and f["rule"] == "unreadable" for f in findings)
    assert frictionless.validate(str(out / DESCRIPTOR)).valid


def test_the_data_dictionary_documents_every_field_and_rule(seed_package):
    text = (seed_package / "README.md").read_text(encoding="utf-8")
    for resource in RESOURCES.values():
        for field in resource["fields"]:
            assert f"`{field['name']}` | {field['title']}" in text
    assert "`short_row`" in text and "`balance`" in text


def test_the_workbook_opens_in_libreoffice_with_chinese_headers_and_every_row(seed_package, tmp_path):
    """Opened headless by LibreOffice Calc, as a reader's spreadsheet program would: a sheet a
    table, the Chinese title of each field as its header, the rows of the CSV files."""
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(seed_package / WORKBOOK_NAME)],
                   check=True, capture_output=True, timeout=180)
    for name in ORDER:
        resource = RESOURCES[name]
        sheet = tmp_path / f"gongkai-{resource['title']}.csv"
        with sheet.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
        assert rows[0] == [f"{f['title']}（{f['name']}）" for f in resource["fields"]], name
        assert len(rows) - 1 == len(read_csv(seed_package / f"{name}.csv")), name
    with (tmp_path / f"gongkai-{RESOURCES['reports']['title']}.csv").open(encoding="utf-8") as file:
        sheet = list(csv.DictReader(file))
    agencies = {row["机关名称（agency）"] for row in sheet}
    assert agencies == {row["agency"] for row in read_csv(seed_package / "reports.csv")}
    assert "沭阳县发展和改革局" in agencies


def test_every_code_has_a_chinese_label_and_the_tables_refer_to_the_code_lists(seed_package):
    descriptor = json.loads((seed_package / DESCRIPTOR).read_text(encoding="utf-8"))
    keys = {(r["name"], tuple(k["fields"]), k["reference"]["resource"])
            for r in descriptor["resources"] if r["format"] == "csv" for k in r["schema"].get("foreignKeys", ())}
    assert {("applications", ("row",), "application_rows"), ("findings", ("rule",), "rules"),
            ("active_disclosure", ("article", "item", "metric"), "active_cells"),
            ("reviews_litigation", ("proceeding",), "review_rows")} <= keys
    labels = {row["code"]: row["label"] for row in read_csv(seed_package / "application_rows.csv")}
    assert labels["denied_three_security_one_stability"] == "3.危及“三安全一稳定”"
    assert {row["row"] for row in read_csv(seed_package / "applications.csv")} <= labels.keys()
    codes = {(row["list"], row["code"]) for row in read_csv(seed_package / "codes.csv")}
    assert {("status", "unparsed"), ("agency_kind", "township"), ("applications.column", "natural_person")} <= codes


def test_the_harmonised_table_adds_the_2021_sub_rows_of_other_handling(seed_package):
    huaian = report_id_of(seed_package, "huaian_2024.pdf")
    rows = {r["row"]: r for r in read_csv(seed_package / "applications_harmonised.csv") if r["report_id"] == huaian}
    own = {r["row"]: r for r in read_csv(seed_package / "applications.csv") if r["report_id"] == huaian}
    assert "other_misc" not in rows and rows["other"]["combined_from"].split() == [
        "other_no_correction", "other_unpaid_fee", "other_misc"]
    assert int(rows["other"]["total"]) == sum(int(own[r]["total"]) for r in rows["other"]["combined_from"].split())
    assert rows["granted"]["total"] == own["granted"]["total"] and not rows["granted"]["combined_from"]


def test_the_descriptor_says_when_and_each_resource_its_size_and_hash(seed_package):
    descriptor = json.loads((seed_package / DESCRIPTOR).read_text(encoding="utf-8"))
    assert re.match(r"^\d{4}-\d{2}-\d{2}T", descriptor["created"])
    for resource in descriptor["resources"]:
        paths = [resource["path"]] if isinstance(resource["path"], str) else resource["path"]
        data = b"".join((seed_package / path).read_bytes() for path in paths)  # a resource of parts: in order
        assert resource["bytes"] == len(data) and resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_a_build_without_the_workbook_leaves_no_older_one_behind(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(next(REPORTS.glob("000_*.txt")), reports_dir)
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", workbook=True))
    assert (tmp_path / "package" / WORKBOOK_NAME).is_file()
    built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package"))
    assert not (tmp_path / "package" / WORKBOOK_NAME).exists() and WORKBOOK_NAME not in built.written.files


def test_a_database_past_its_bound_is_left_out_and_the_parquet_files_carry_the_tables(tmp_path, monkeypatch):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(next(REPORTS.glob("000_*.txt")), reports_dir)
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package"))
    size = (tmp_path / "package" / SQLITE_NAME).stat().st_size
    monkeypatch.setattr(sqlite, "MAX_BYTES", size - 1)
    built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package"))
    assert not (tmp_path / "package" / SQLITE_NAME).exists() and SQLITE_NAME not in built.written.files
    assert frictionless.validate(str(tmp_path / "package" / DESCRIPTOR)).valid
    assert f"parquet/applications/year={read_csv(tmp_path / 'package' / 'reports.csv')[0]['year']}/part-0.parquet" \
        in built.written.files
    monkeypatch.setattr(sqlite, "MAX_BYTES", size)
    assert SQLITE_NAME in runner.build(runner.BuildOptions(reports_dir, tmp_path / "package")).written.files
