"""The synthetic corpus and the parallel build: deterministic, varied, nothing lost."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import Counter
from pathlib import PurePosixPath

from click.testing import CliRunner

from builder import checks, pipeline, runner, site
from builder.cli import cli
from builder.synth.corpus import write_corpus
from builder.ids import report_ids
from builder.site import pages, paths, summary
from conftest import ROOT


def digest(folder) -> str:
    """Of every file under `folder` (a package's Parquet files lie in folders), with its path."""
    return hashlib.sha256(b"".join(p.relative_to(folder).as_posix().encode() + p.read_bytes()
                                   for p in sorted(folder.rglob("*")) if p.is_file())).hexdigest()


def test_synth_is_deterministic_and_varied(tmp_path):
    write_corpus(tmp_path / "a", 120, seed=3)
    write_corpus(tmp_path / "b", 120, seed=3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    suffixes = Counter(p.suffix for p in (tmp_path / "a").iterdir())
    assert {".txt", ".html", ".docx", ".yml"} <= set(suffixes) and suffixes[".yml"] == 120


def test_a_parallel_build_equals_a_sequential_one_and_loses_nothing(tmp_path):
    reports_dir = tmp_path / "reports"
    write_corpus(reports_dir, 100, seed=5)
    (reports_dir / "zz-broken.txt").write_bytes(b"\x00\x01" * 100)
    sequential = runner.build(runner.BuildOptions(reports_dir, tmp_path / "one", jobs=1))
    parallel = runner.build(runner.BuildOptions(reports_dir, tmp_path / "two", jobs=2))
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert [r.status for r in sequential.reports] == [r.status for r in parallel.reports]
    assert len(parallel.reports) == 101 == parallel.written.rows["reports"]
    statuses = Counter(r.status for r in parallel.reports)
    assert statuses["unparsed"] >= 1 and statuses["pass"] > 0 and statuses["fail"] + statuses["warn"] > 0
    years = {r.year for r in parallel.reports if r.year}
    assert len(years) >= 4 and {r.template for r in parallel.reports} >= {"2019", "2021"}


def test_summaries_give_the_same_overview_agency_pages_and_corpus_findings(tmp_path):
    """A build holds summaries, not reports: every page made from them must be the one the
    whole reports would make."""
    write_corpus(tmp_path, 90, seed=7)
    whole = pipeline.process_all(pipeline.report_files([tmp_path]))
    held = [pipeline.summarize(report) for report in whole]
    assert checks.check_corpus(whole) == checks.check_corpus(held)
    assert any(checks.check_corpus(whole).values())
    ids = report_ids(whole)
    assert pages.index_page(whole, ids, summary.regions_of(whole)) == pages.index_page(held, ids, summary.regions_of(held))
    groups = site.agency_groups(whole, ids)
    assert groups
    for members in groups.values():
        bases = [report_id for report_id, _ in members]
        summaries = [held[ids.index(report_id)] for report_id in bases]
        assert pages.agency_page([r for _, r in members], bases) == pages.agency_page(summaries, bases)


def _one_report_misbehaves(tmp_path, monkeypatch, seed: int, misbehave) -> tuple[runner.Built, list]:
    """A build of 70 synthetic reports on two processes, one of which does `misbehave()` when
    read; the build, and the reports it left unparsed."""
    write_corpus(tmp_path / "reports", 70, seed=seed)
    bad = sorted((tmp_path / "reports").glob("*.txt"))[seed % 7]
    process = pipeline.process

    def patched(path, links=frozenset(), ocr=True):
        if path == bad:
            misbehave()
        return process(path, links, ocr)

    monkeypatch.setattr(pipeline, "process", patched)  # forked workers inherit it
    built = runner.build(runner.BuildOptions(tmp_path / "reports", tmp_path / "package", jobs=2, time_bound=1))
    assert len(built.reports) == 70 == built.written.rows["reports"]
    unparsed = [r for r in built.reports if r.status == "unparsed"]
    assert [r.source.file for r in unparsed] == [bad.name]
    return built, unparsed


def test_a_report_over_the_time_bound_is_unparsed_and_the_build_goes_on(tmp_path, monkeypatch):
    started = time.perf_counter()
    _, unparsed = _one_report_misbehaves(tmp_path, monkeypatch, 9, lambda: time.sleep(60))
    assert time.perf_counter() - started < 30
    assert unparsed[0].findings[0].rule == "timeout"


def test_a_rebuild_removes_the_pages_of_reports_gone_and_keeps_foreign_folders_safe(tmp_path):
    reports_dir = tmp_path / "reports"
    write_corpus(reports_dir, 4, seed=2)
    site_dir = tmp_path / "site"
    first = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", site_dir, ROOT))
    gone = report_ids(first.reports)[0]
    assert (site_dir / paths.report_page(gone)).is_file()
    doomed = next(p for p in reports_dir.iterdir() if p.suffix != ".yml" and first.reports[0].source.file == p.name)
    doomed.unlink()
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", site_dir, ROOT))
    assert not list((site_dir / "reports").rglob(f"{gone}.*"))
    assert len(list((site_dir / "reports").rglob("*.json"))) == 3
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--reports", str(reports_dir), "--package", str(tmp_path / "p2"),
                                      "--site", str(foreign), "--project", str(ROOT), "--no-cache"])
    assert result.exit_code == 2 and "不是 gongkai 生成" in result.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_report_that_kills_its_process_costs_only_itself(tmp_path, monkeypatch):
    # os._exit ends the worker as a segmentation fault in a C library would
    _, unparsed = _one_report_misbehaves(tmp_path, monkeypatch, 11, lambda: os._exit(9))
    assert "进程意外终止" in unparsed[0].findings[0].message


def test_another_executor_runs_the_same_build(tmp_path):
    """The build's tasks go through `Executor.mapper`: an engine of another kind (here one that
    runs them in this process and keeps a log) makes the same package."""

    class Logged:
        def __init__(self):
            self.log: list[tuple[str, int]] = []

        @contextlib.contextmanager
        def mapper(self, count, initializer, initargs, finalizer):
            initializer(*initargs)
            try:
                def run(fn, items):
                    self.log.append((fn.__name__, len(items)))
                    return map(fn, items)
                yield run
            finally:
                finalizer()

    reports_dir = tmp_path / "reports"
    write_corpus(reports_dir, 20, seed=9)
    logged = Logged()
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "one", executor=logged))
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "two", jobs=2))
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert logged.log == [("_parse", 20), ("_publish", 20)]


def test_no_folder_of_the_site_outgrows_its_shard(tmp_path):
    """Reports' and agencies' pages lie in shards (builder/site/paths.py): a shard's folder holds
    FILES_A_REPORT entries a report at most, which at 10^6 reports over 7 years and 256 shards
    stays under MAX_FILES_A_FOLDER; the folders above the shards hold only shards."""
    write_corpus(tmp_path / "reports", 300, seed=11)
    built = runner.build(runner.BuildOptions(tmp_path / "reports", tmp_path / "package", tmp_path / "site", ROOT))
    site_dir = tmp_path / "site"
    ids = report_ids(built.reports)
    assert all((site_dir / paths.report_page(report_id)).is_file() for report_id in ids)
    agencies = site.agency_groups(built.reports, ids)
    assert agencies and all((site_dir / paths.agency_page(agency_id)).is_file() for agency_id in agencies)
    shards = Counter(str(PurePosixPath(paths.report_base(report_id)).parent) for report_id in ids)
    for shard, reports in shards.items():
        assert len(list((site_dir / shard).iterdir())) <= paths.FILES_A_REPORT * reports, shard
    assert paths.FILES_A_REPORT * 10**6 / 7 / 16**paths.SHARD_CHARACTERS < paths.MAX_FILES_A_FOLDER
    above = {str(PurePosixPath(shard).parent) for shard in shards} | {paths.REPORTS}
    for folder in above:  # reports/ holds the overview and a folder a year; a year, a folder a shard
        listed = list((site_dir / folder).iterdir())
        assert all(p.is_dir() for p in listed if p.name != "index.html"), folder
        assert len(listed) <= 16**paths.SHARD_CHARACTERS + 1, folder
    assert all(p.is_dir() for p in (site_dir / paths.AGENCIES).iterdir())
