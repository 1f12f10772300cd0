"""Publishing: the workflows, gongkai add, gongkai diff, the parse cache and the Atom feed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder import cache as parse_cache, runner
from builder.add import AddRefused, add_report
from builder.cli import cli
from builder.ids import report_ids
from builder.diff import changes, summary
from builder.site import paths
from conftest import REPORTS, ROOT
from test_parser import make

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SEED = REPORTS / "004_956272b6c329bcc4.txt"


def test_the_workflows_pass_actionlint():
    actionlint = Path(sys.executable).parent / "actionlint"
    result = subprocess.run([str(actionlint), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_the_workflows_run_the_readme_commands(workflow):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(make \w+)\s", readme.split("```", 2)[1], flags=re.M)
    assert commands == ["make site", "make test"]
    steps = [step.get("run", "") for job in yaml.safe_load(workflow.read_text())["jobs"].values()
             for step in job.get("steps", [])]
    for command in commands:
        assert any(command in run for run in steps), (workflow.name, command)
    assert steps.index(next(s for s in steps if "make test" in s)) < steps.index(next(s for s in steps if "make site" in s))


def test_publish_deploys_pages_with_what_it_needs():
    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
    on = workflow[True]  # YAML reads the key `on` as true
    assert set(on) == {"push", "workflow_dispatch"}
    assert {"reports/**", "builder/**", "content/**", "mkdocs.yml", "pyproject.toml"} <= set(on["push"]["paths"])
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)


def corpus(tmp_path: Path) -> Path:
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for name in ("000_3fe1192cfb6e68d3.txt", "001_a27e78e5f53cff5a.txt"):
        shutil.copy(REPORTS / name, reports_dir)
    return reports_dir


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (a package's Parquet files lie in folders), by its path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_add_then_build_puts_the_report_in_the_package_and_the_site(tmp_path):
    reports_dir = corpus(tmp_path)
    added = add_report(SEED, reports_dir, {"region": "福建省三明市建宁县", "source_url": "https://example.gov.cn/r.html"},
                       dt.date(2026, 11, 21))
    assert re.fullmatch(r"2020-[0-9a-f]{12}\.txt", added.path.name)
    sidecar = yaml.safe_load(added.sidecar.read_text(encoding="utf-8"))
    assert sidecar.pop("id") == added.report.report_id and re.fullmatch(r"2020-[0-9a-f]{10}", added.report.report_id)
    assert sidecar == {"added": "2026-11-21", "region": "福建省三明市建宁县", "source_url": "https://example.gov.cn/r.html"}
    built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    report = next(r for r in built.reports if r.source.file == added.path.name)
    assert report.region == {"province": "福建省", "city": "三明市", "county": "建宁县"} and report.added == "2026-11-21"
    assert added.path.name in (tmp_path / "package" / "reports.csv").read_text(encoding="utf-8")
    feed = (tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "伊家乡" in feed


def test_a_duplicate_or_a_taken_name_is_refused_and_nothing_changes(tmp_path):
    reports_dir = corpus(tmp_path)
    before = snapshot(reports_dir)
    with pytest.raises(AddRefused, match="重复"):
        add_report(reports_dir / "000_3fe1192cfb6e68d3.txt", reports_dir, {}, dt.date(2026, 11, 21))
    with pytest.raises(AddRefused, match="无效"):
        add_report(SEED, reports_dir, {"source_url": "javascript:alert(1)"}, dt.date(2026, 11, 21))
    with pytest.raises(AddRefused, match="不支持"):
        add_report(ROOT / "pyproject.toml", reports_dir, {}, dt.date(2026, 11, 21))
    assert snapshot(reports_dir) == before
    result = CliRunner().invoke(cli, ["add", str(reports_dir / "001_a27e78e5f53cff5a.txt"), "--reports", str(reports_dir)])
    assert result.exit_code == 1 and "未添加" in result.output
    assert snapshot(reports_dir) == before


def test_the_cache_parses_only_what_changed(tmp_path):
    reports_dir, cache_file = corpus(tmp_path), tmp_path / "cache.sqlite"
    first = runner.build(runner.BuildOptions(reports_dir, tmp_path / "a", cache_file=cache_file))
    assert first.parsed == 2
    second = runner.build(runner.BuildOptions(reports_dir, tmp_path / "b", cache_file=cache_file))
    assert second.parsed == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")  # from the cache, byte for byte the same
    path = reports_dir / "000_3fe1192cfb6e68d3.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("新坊镇", "新坊乡"), encoding="utf-8")
    third = runner.build(runner.BuildOptions(reports_dir, tmp_path / "c", cache_file=cache_file))
    assert third.parsed == 1 and any(r.agency == "新坊乡" for r in third.reports)
    (reports_dir / "001_a27e78e5f53cff5a.yml").write_text("agency: 二里岗街道\n", encoding="utf-8")
    assert runner.build(runner.BuildOptions(reports_dir, tmp_path / "d", cache_file=cache_file)).parsed == 1


def test_a_tampered_cache_entry_is_parsed_again(tmp_path):
    reports_dir, cache_file = corpus(tmp_path), tmp_path / "cache.sqlite"
    clean = runner.build(runner.BuildOptions(reports_dir, tmp_path / "a", cache_file=cache_file))
    with closing(sqlite3.connect(cache_file)) as db, db:
        key, payload = db.execute("select key, payload from entries").fetchone()
        db.execute("update entries set payload = ? where key = ?", (payload.replace(b'"pass"', b'"fail"'), key))
    again = runner.build(runner.BuildOptions(reports_dir, tmp_path / "b", cache_file=cache_file))
    assert again.parsed == 1
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert [r.status for r in again.reports] == [r.status for r in clean.reports]
    cache_file.write_bytes(b"not a database")
    assert runner.build(runner.BuildOptions(reports_dir, tmp_path / "c", cache_file=cache_file)).parsed == 2


def test_an_entry_forged_with_a_fresh_checksum_is_not_trusted(tmp_path):
    """Whoever can write the cache file but not read this user's secret cannot plant figures."""
    import hashlib

    reports_dir, cache_file = corpus(tmp_path), tmp_path / "cache.sqlite"
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "a", cache_file=cache_file))
    with closing(sqlite3.connect(cache_file)) as db, db:
        for key, payload, encoded in db.execute("select key, payload, summary from entries").fetchall():
            payload, encoded = (part.replace("新坊镇".encode(), "伪造镇".encode()) for part in (payload, encoded))
            digest = hashlib.sha256(payload)  # the checksum as it was before it had a key
            digest.update(b"\0")
            digest.update(encoded)
            db.execute("update entries set payload = ?, summary = ?, checksum = ? where key = ?",
                       (payload, encoded, digest.hexdigest(), key))
    again = runner.build(runner.BuildOptions(reports_dir, tmp_path / "b", cache_file=cache_file))
    assert again.parsed == 2 and not any(r.agency == "伪造镇" for r in again.reports)


def test_a_damaged_cache_is_set_aside_and_begun_again(tmp_path, capsys):
    reports_dir, cache_file = corpus(tmp_path), tmp_path / "cache.sqlite"
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "a", cache_file=cache_file))
    data = bytearray(cache_file.read_bytes())
    for offset in range(4096, len(data), 4096):  # every page but the first: SQLite opens it, then fails
        data[offset:offset + 64] = b"\xff" * 64
    cache_file.write_bytes(bytes(data))
    for run in ("b", "c"):  # and the builds after it do not crash either
        built = runner.build(runner.BuildOptions(reports_dir, tmp_path / run, cache_file=cache_file))
        assert len(built.reports) == 2
    assert "已损坏" in capsys.readouterr().err
    assert (tmp_path / "cache.sqlite.corrupt").exists()
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "c")


def test_a_new_parser_version_invalidates_the_cache(tmp_path, monkeypatch):
    reports_dir, cache_file = corpus(tmp_path), tmp_path / "cache.sqlite"
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "a", cache_file=cache_file))
    monkeypatch.setattr(parse_cache, "parser_version", lambda: "another parser")
    assert runner.build(runner.BuildOptions(reports_dir, tmp_path / "b", cache_file=cache_file)).parsed == 2


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_diff_against_a_revision(tmp_path):
    repo = tmp_path / "repo"
    reports_dir = repo / "reports"
    reports_dir.mkdir(parents=True)
    for name in ("000_3fe1192cfb6e68d3.txt", "001_a27e78e5f53cff5a.txt", "003_b262c255d28bf770.txt"):
        shutil.copy(REPORTS / name, reports_dir)
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "add", ".")
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "reports")
    shutil.copy(SEED, reports_dir)  # added
    (reports_dir / "003_b262c255d28bf770.txt").unlink()  # removed
    (reports_dir / "001_a27e78e5f53cff5a.yml").write_text("year: 2020\n", encoding="utf-8")  # changed
    found = changes("HEAD", reports_dir)
    assert [p.name for p in found.added] == [SEED.name]
    assert found.removed == ("reports/003_b262c255d28bf770.txt",)
    assert [p.name for p in found.changed] == ["001_a27e78e5f53cff5a.txt"]
    text = summary("HEAD", reports_dir)
    assert "伊家乡 2020：通过" in text and "二里岗街道办事处 2020：警告，35 个空白单元格" in text
    result = CliRunner().invoke(cli, ["diff", "no-such-revision", "--reports", str(reports_dir)])
    assert result.exit_code == 2 and "无法与 no-such-revision 比较" in result.output


def test_the_feed_lists_reports_added_newest_first_as_valid_atom(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for day, agency in (("2026-01-05", "巴集乡"), ("2026-03-01", "新坊<script>镇")):
        text, _ = make(agency=agency, year=2023, seed=len(agency))
        path = reports_dir / f"{day}.txt"
        path.write_text(text, encoding="utf-8")
        path.with_suffix(".yml").write_text(f"added: '{day}'\n", encoding="utf-8")
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    raw = (tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw
    feed = ElementTree.fromstring(raw)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    updated = [e.findtext("a:updated", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert updated == ["2026-03-01T00:00:00Z", "2026-01-05T00:00:00Z"]
    assert feed.findtext("a:updated", namespaces=ns) == "2026-03-01T00:00:00Z"
    link = feed.find("a:entry/a:link", ns).get("href")
    assert (tmp_path / "site" / link).is_file()


def test_a_published_id_never_moves_when_reports_of_the_same_agency_and_year_arrive(tmp_path):
    """Versions of one report (same agency, year and region) added one after the other, in
    either order: each keeps the id it was published under, in the package and on the site."""
    import random

    reports_dir = tmp_path / "reports"
    versions = []
    for n in range(4):
        text = SEED.read_text(encoding="utf-8") + "\n（修订）" * n
        version = tmp_path / f"version-{n}.txt"
        version.write_text(text, encoding="utf-8")
        versions.append(version)
    random.Random(3).shuffle(versions)
    published: dict[str, str] = {}
    for version in versions:
        added = add_report(version, reports_dir, {"region": "福建省三明市建宁县"}, dt.date(2026, 12, 3))
        built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
        ids = dict(zip((r.source.file for r in built.reports), report_ids(built.reports)))
        for name, report_id in published.items():
            assert ids[name] == report_id  # no earlier id changed
            assert (tmp_path / "site" / paths.report_page(report_id)).is_file()
        published[added.path.name] = ids[added.path.name]
    assert len(set(published.values())) == 4


def test_the_cache_is_keyed_by_the_parser_s_own_code_only():
    """An edit to the runner, the package or the site keeps every cached parse; one to a reader,
    the parser, the checks, the form or the encoding of an entry does not."""
    names = {file.relative_to(ROOT / "builder").as_posix() for file in parse_cache.parser_files()}
    assert all(file.is_file() for file in parse_cache.parser_files())
    assert {"forms.py", "analyse.py", "pipeline.py", "record.py", "cache.py", "sidecar.py", "parse/tables.py",
            "readers/pdf.py", "checks/rules.py", "places/__init__.py", "places/divisions/streets.csv"} <= names
    assert not {"runner.py", "pool.py", "cli.py", "add.py"} & names
    assert not [name for name in names if name.startswith(("site/", "package/", "synth/"))]
