"""The gongkai command and the pipeline on good and bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import cli
from builder.synth.__main__ import synth as synth_command
from conftest import REPORTS

SEED = REPORTS / "000_3fe1192cfb6e68d3.txt"
SHORT_ROW_SEED = REPORTS / "002_864908085ec3dcf1.txt"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_parse_prints_the_json_contract():
    result = run("parse", SEED)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["agency"], data["year"], data["template"], data["status"]) == ("新坊镇", 2020, "2019", "pass")
    assert data["applications"]["new_received"]["natural_person"] == 1
    assert data["source"]["format"] == "txt" and len(data["source"]["sha256"]) == 64
    assert set(data) >= {"published", "region", "active_disclosure", "reviews_litigation", "units", "sections",
                         "findings"}


def test_validate_names_row_and_column_in_chinese():
    result = run("validate", SHORT_ROW_SEED)
    assert result.exit_code == 0
    assert "1.本机关不掌握相关政府信息" in result.output and "警告" in result.output


def test_validate_exits_1_when_a_report_fails(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    # the natural-person figure of 本年新收 becomes 5: the row total and the balance break
    index = next(i for i, line in enumerate(lines) if "本年新收" in line)
    lines[index + 1] = "\t5"
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    result = run("validate", broken)
    assert result.exit_code == 1
    assert "未通过" in result.output and "row_total" in result.output


@pytest.mark.parametrize("content", [b"", b"\x00\xff\x00binary\x00" * 50, "这不是年度报告。".encode()])
def test_bad_input_is_unparsed_with_a_one_line_reason(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    report = pipeline.process(path)
    assert report.status == "unparsed"
    assert report.findings and all("\n" not in f.message for f in report.findings)
    result = run("parse", path)
    assert result.exit_code == 0 and json.loads(result.output)["status"] == "unparsed"
    assert "Traceback" not in result.output


def test_validate_exits_2_for_an_unreadable_file_and_goes_on(tmp_path):
    shutil.copy(SEED, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("validate", tmp_path)
    assert result.exit_code == 2
    assert "新坊镇" in result.output and ".docx" in result.output and "共 3 份报告" in result.output


def test_a_missing_file_is_a_clear_message(tmp_path):
    result = run("validate", tmp_path / "nope.txt")
    assert result.exit_code == 2 and "无法打开文件" in result.output


def test_sidecar_gives_and_corrects_metadata(tmp_path):
    shutil.copy(SEED, tmp_path / "r.txt")
    (tmp_path / "r.yml").write_text(
        "agency: 新坊镇人民政府\nregion: {province: 江西省, county: 新建区}\nsource_url: https://example.org/r\n"
        "published: 2021-01-20\nyear: 2020\n", encoding="utf-8")
    report = pipeline.process(tmp_path / "r.txt")
    assert report.agency == "新坊镇人民政府" and report.published == "2021-01-20"
    assert report.region == {"province": "江西省", "county": "新建区"}
    assert report.source_url == "https://example.org/r" and report.status == "pass"


def test_a_bad_sidecar_is_a_warning_not_a_crash(tmp_path):
    shutil.copy(SEED, tmp_path / "r.txt")
    (tmp_path / "r.yml").write_text("year: soon\ncolour: red\n", encoding="utf-8")
    report = pipeline.process(tmp_path / "r.txt")
    assert report.year == 2020 and report.status == "warn"
    assert sum(f.rule == "sidecar" for f in report.findings) == 2
    (tmp_path / "r.yml").write_text("[unclosed", encoding="utf-8")
    assert pipeline.process(tmp_path / "r.txt").status == "warn"


@pytest.mark.parametrize("command", ["parse", "validate", "build", "add", "diff"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output and "gongkai " + command in result.output


def test_the_synthetic_corpus_command_has_help_with_an_example_and_writes_a_corpus(tmp_path):
    assert "gongkai-synth 1000" in CliRunner().invoke(synth_command, ["--help"]).output
    result = CliRunner().invoke(synth_command, ["3", "--out", str(tmp_path), "--seed", "2"])
    assert result.exit_code == 0 and len(list(tmp_path.glob("*.yml"))) == 3


def test_build_writes_the_package_and_says_what_it_read(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(SEED, reports_dir)
    (reports_dir / "empty.txt").write_bytes(b"")
    result = run("build", "--reports", reports_dir, "--package", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "读取 2 份报告" in result.output and "通过 1" in result.output and "无法解析 1" in result.output
    assert (tmp_path / "out" / "datapackage.json").is_file()


def test_build_refuses_a_missing_reports_folder(tmp_path):
    result = run("build", "--reports", tmp_path / "nope", "--package", tmp_path / "out")
    assert result.exit_code == 2 and "报告文件夹不存在" in result.output
    assert not (tmp_path / "out").exists()


def test_build_stamps_created_from_source_date_epoch(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--reports", str(REPORTS), "--package", str(tmp_path)],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0
    assert json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["created"] == "2023-11-14T22:13:20Z"
