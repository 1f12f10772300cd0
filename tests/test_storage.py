"""Reports, outputs and the parse cache at an fsspec URL (`builder/storage.py`), on fsspec's memory filesystem
and on file:// URLs: mirrored both ways, only what changed, with nothing lost on the way."""

from __future__ import annotations

import uuid

import fsspec
import pytest

from builder import pipeline, readers, storage


@pytest.fixture()
def bucket():
    """A folder of its own on the memory filesystem, removed after the test."""
    root = f"/gongkai-test-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_pull_fetches_what_changed_and_removes_what_went(bucket, tmp_path):
    fs, root = bucket
    fs.pipe_file(f"{root}/reports/a.txt", "甲".encode())
    fs.pipe_file(f"{root}/reports/2024/b.html", b"<p>b</p>")
    mirror = tmp_path / "mirror"
    assert storage.pull(f"memory://{root}/reports", mirror) == storage.Synced(2, 0, 0)
    assert (mirror / "a.txt").read_text(encoding="utf-8") == "甲" and (mirror / "2024" / "b.html").read_bytes() == b"<p>b</p>"
    assert storage.pull(f"memory://{root}/reports", mirror) == storage.Synced(0, 2, 0)
    fs.pipe_file(f"{root}/reports/a.txt", "乙".encode())
    fs.rm_file(f"{root}/reports/2024/b.html")
    assert storage.pull(f"memory://{root}/reports", mirror) == storage.Synced(1, 0, 1)
    assert (mirror / "a.txt").read_text(encoding="utf-8") == "乙" and not (mirror / "2024").exists()
    assert pipeline.report_files([mirror]) == [mirror / "a.txt"]  # the manifest is not a report


def test_a_file_too_large_is_not_fetched_but_still_accounted_for(bucket, tmp_path, monkeypatch):
    fs, root = bucket
    monkeypatch.setattr(storage, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    fs.pipe_file(f"{root}/big.pdf", b"%PDF-" + b"0" * 5000)
    mirror = tmp_path / "mirror"
    storage.pull(f"memory://{root}", mirror)
    assert (mirror / "big.pdf").stat().st_size == 5005 and (mirror / "big.pdf").read_bytes()[:5] == b"\0" * 5
    report = pipeline.process(mirror / "big.pdf")
    assert report.status == "unparsed" and "文件过大" in report.findings[0].message


def test_a_link_in_a_folder_pulled_stays_a_link_the_build_refuses(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (tmp_path / "secret.txt").write_text("不应读取", encoding="utf-8")
    (source / "report.txt").symlink_to(tmp_path / "secret.txt")
    mirror = tmp_path / "mirror"
    storage.pull(source.as_uri(), mirror)
    assert (mirror / "report.txt").is_symlink() and not (mirror / "report.txt").exists()
    assert pipeline.process(mirror / "report.txt").status == "unparsed"


def test_push_puts_what_changed_removes_what_went_and_writes_its_manifest_last(bucket, tmp_path):
    fs, root = bucket
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "index.html").write_text("首页", encoding="utf-8")
    (out / "reports" / "r.html").write_text("报告", encoding="utf-8")
    assert storage.push(out, f"memory://{root}/site") == storage.Synced(2, 0, 0)
    assert fs.cat_file(f"{root}/site/reports/r.html").decode() == "报告"
    assert storage.push(out, f"memory://{root}/site") == storage.Synced(0, 2, 0)
    (out / "index.html").write_text("新首页", encoding="utf-8")
    (out / "reports" / "r.html").unlink()
    assert storage.push(out, f"memory://{root}/site") == storage.Synced(1, 0, 1)
    assert not fs.exists(f"{root}/site/reports/r.html") and fs.cat_file(f"{root}/site/index.html").decode() == "新首页"
    assert storage.MANIFEST in {p.rsplit("/", 1)[1] for p in fs.find(f"{root}/site")}


def test_a_url_of_no_known_kind_is_one_line_not_a_traceback(tmp_path):
    with pytest.raises(storage.StorageError, match="无法打开存储地址"):
        storage.pull("nosuchprotocol://bucket/reports", tmp_path)


def test_a_build_reads_its_reports_from_a_url_and_puts_package_and_site_at_urls(bucket, tmp_path):
    from click.testing import CliRunner

    from builder.cli import cli
    from conftest import REPORTS, ROOT

    fs, root = bucket
    seeds = sorted(p for p in REPORTS.iterdir() if p.name.startswith("00"))
    for seed in seeds:
        fs.pipe_file(f"{root}/reports/{seed.name}", seed.read_bytes())
    arguments = ["build", "--reports", f"memory://{root}/reports", "--package", f"memory://{root}/package",
                 "--site", f"memory://{root}/site", "--mirror", str(tmp_path / "mirror"), "--project", str(ROOT),
                 "--cache", f"memory://{root}/cache/parse.sqlite", "--jobs", "1"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert f"读取 {len([s for s in seeds if s.suffix == '.txt'])} 份报告" in result.output
    local = tmp_path / "mirror" / "package"
    assert fs.cat_file(f"{root}/package/reports.csv") == (local / "reports.csv").read_bytes()
    assert fs.exists(f"{root}/site/index.html") and fs.exists(f"{root}/site/reports/index.html")
    assert fs.exists(f"{root}/cache/parse.sqlite")
    (tmp_path / "mirror" / "parse-cache.sqlite").unlink()  # a machine of its own: the cache comes from the URL
    again = CliRunner().invoke(cli, arguments)
    assert again.exit_code == 0 and "0 个文件有变" in again.output  # nothing changed: nothing fetched
    assert "份未变而取自缓存" in again.output and "解析 0 份" in again.output


def test_a_build_from_a_url_that_cannot_be_read_is_one_line(tmp_path):
    from click.testing import CliRunner

    from builder.cli import cli

    result = CliRunner().invoke(cli, ["build", "--reports", "nosuchprotocol://x/reports", "--no-site",
                                      "--mirror", str(tmp_path / "m")])
    assert result.exit_code == 2 and "构建失败：无法打开存储地址" in result.output and "Traceback" not in result.output
