"""The build on a Dask cluster (`builder.distributed`): the same bytes as on this machine's
processes, every report accounted for when a worker dies under it, a report that kills or
hangs its worker costing only itself, and the CLI's flags."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cloudpickle
import pytest
from click.testing import CliRunner
from distributed import Client, WorkerPlugin

from builder import pipeline, pool, runner
from builder.cli import cli
from builder.distributed import Dask
from builder.synth.corpus import write_corpus
from conftest import ROOT

REPORTS = 80  # both stages past PARALLEL_FROM, so that both run on the cluster
# the worker plugin below travels to the workers by value: they cannot import this file
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def cluster():
    with Dask(workers=2).running() as executor:
        yield executor


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster.address, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    assert REPORTS >= pool.PARALLEL_FROM
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder / "reports", REPORTS, seed=13)
    (folder / "reports" / "zz-broken.txt").write_bytes(b"\x00\x01" * 100)
    runner.build(runner.BuildOptions(folder / "reports", folder / "package", folder / "site", ROOT,
                                     executor=pool.Processes(2)))
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def assert_same_files(one: Path, two: Path) -> None:
    first, second = tree(one), tree(two)
    assert first and first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_the_dask_build_writes_the_bytes_of_the_local_build_and_shares_the_cache(corpus, cluster, tmp_path):
    options = runner.BuildOptions(corpus / "reports", tmp_path / "package", tmp_path / "site", ROOT,
                                  cache_file=tmp_path / "cache.sqlite", executor=cluster)
    built = runner.build(options)
    assert len(built.reports) == REPORTS + 1 == built.written.rows["reports"] == built.parsed
    assert_same_files(corpus / "package", tmp_path / "package")
    assert_same_files(corpus / "site", tmp_path / "site")
    # every report found by the workers in the cache that the client filled
    again = runner.build(dataclasses.replace(options, site_dir=None))
    assert again.parsed == 0
    assert_same_files(corpus / "package", tmp_path / "package")


def test_a_worker_killed_mid_build_loses_no_report(corpus, cluster, client, tmp_path):
    killed = []

    def kill_a_busy_worker(path: Path) -> None:
        if killed:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        pids = client.run(os.getpid)
        os.kill(pids[busy[0]], signal.SIGKILL)
        killed.append(pids[busy[0]])

    built = runner.build(runner.BuildOptions(corpus / "reports", tmp_path / "package", executor=cluster,
                                             progress=kill_a_busy_worker))
    assert killed and killed[0] not in client.run(os.getpid).values()
    assert len(built.reports) == REPORTS + 1 == built.written.rows["reports"]
    assert_same_files(corpus / "package", tmp_path / "package")


class Misbehave(WorkerPlugin):
    """Makes `pipeline.process` kill its process on one file and loop without end on another,
    in every worker, those started again after a kill too."""

    def __init__(self, kills: Path, hangs: Path):
        self.kills, self.hangs = kills, hangs

    def setup(self, worker) -> None:
        self.original = pipeline.process
        pipeline.process = misbehaving(self.original, self.kills, self.hangs)

    def teardown(self, worker) -> None:
        pipeline.process = self.original


def misbehaving(process, kills: Path, hangs: Path):
    def patched(path, links=frozenset(), ocr=True):
        if path == kills:
            os._exit(9)  # as a segmentation fault in a C library would
        while path == hangs:  # a parser's loop that never ends
            pass
        return process(path, links, ocr)
    return patched


def test_a_report_that_kills_or_hangs_its_worker_costs_only_itself_as_on_the_local_pool(
        corpus, cluster, client, tmp_path, monkeypatch):
    texts = sorted((corpus / "reports").glob("*.txt"))
    # the killer late, the hang early: what a crash sends to run again alone is what is still in flight
    kills, hangs = texts[-3], texts[2]
    monkeypatch.setattr(pipeline, "process", misbehaving(pipeline.process, kills, hangs))  # forked workers inherit it
    local = runner.build(runner.BuildOptions(corpus / "reports", tmp_path / "local", executor=pool.Processes(2),
                                             time_bound=2))
    client.register_plugin(Misbehave(kills, hangs), name="misbehave")
    try:
        built = runner.build(runner.BuildOptions(corpus / "reports", tmp_path / "dask", executor=cluster,
                                                 time_bound=2))
    finally:
        client.unregister_worker_plugin("misbehave")
    unparsed = {r.source.file: r.findings[0] for r in built.reports if r.status == "unparsed"}
    assert unparsed.keys() == {kills.name, hangs.name, "zz-broken.txt"}
    assert unparsed[kills.name].rule == "internal_error" and "进程意外终止" in unparsed[kills.name].message
    assert unparsed[hangs.name].rule == "timeout"
    assert [r.status for r in local.reports] == [r.status for r in built.reports]
    assert_same_files(tmp_path / "local", tmp_path / "dask")


def test_gongkai_build_on_a_local_dask_cluster(corpus, tmp_path):
    result = CliRunner().invoke(cli, ["build", "--reports", str(corpus / "reports"), "--package",
                                      str(tmp_path / "package"), "--no-site", "--no-cache", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"读取 {REPORTS + 1} 份报告" in result.output
    assert_same_files(corpus / "package", tmp_path / "package")
    both = CliRunner().invoke(cli, ["build", "--no-site", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert both.exit_code == 2 and "只能选一个" in both.output


def test_a_scheduler_that_cannot_be_reached_is_one_line_and_exit_2(corpus, tmp_path):
    result = subprocess.run([Path(sys.executable).with_name("gongkai"), "build", "--reports", corpus / "reports",
                             "--package", tmp_path / "package", "--no-site", "--no-cache",
                             "--scheduler", "tcp://127.0.0.1:1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("构建失败：无法连接 Dask 调度器 tcp://127.0.0.1:1：")
    assert not (tmp_path / "package").exists()


def test_a_build_without_dask_does_not_import_it(tmp_path):
    code = ("import sys; from builder import cli, runner; "
            "print(sorted({'dask', 'distributed', 'builder.distributed'} & sys.modules.keys()))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def set_stage(value: str) -> None:
    os.environ["GONGKAI_STAGE"] = value


def unset_stage() -> None:
    os.environ.pop("GONGKAI_STAGE", None)


def stage_and_process(item: int) -> tuple[int, str | None, int]:
    return item, os.environ.get("GONGKAI_STAGE"), os.getpid()


def test_an_executor_without_a_scheduler_runs_a_stage_on_a_cluster_of_its_own():
    with Dask(workers=2).mapper(pool.PARALLEL_FROM, set_stage, ("set up",), unset_stage) as run:
        results = list(run(stage_and_process, range(pool.PARALLEL_FROM)))
    assert [(item, stage) for item, stage, _ in results] == [(item, "set up") for item in range(pool.PARALLEL_FROM)]
    assert os.getpid() not in {pid for _, _, pid in results}


def test_the_time_bound_holds_in_a_thread_and_leaves_nothing_behind_it():
    """A Dask task runs in a worker's thread, where no signal comes: the bound is raised there
    otherwise, and once the block is left it can no longer land."""
    outcomes = []

    def task() -> None:
        try:
            with pool.time_limit(0.2):
                while True:
                    pass
        except pool.TimeLimit:
            outcomes.append("bounded")
        with pool.time_limit(0.1):
            pass
        time.sleep(0.3)  # past where a timer left running would have fired
        outcomes.append("after")

    threads = [threading.Thread(target=task) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["after", "after", "bounded", "bounded"]


def test_more_time_lengthens_the_bound_in_the_main_thread_and_in_another():
    """OCR asks for more time a page, in a pool's process (a signal) and in a Dask task's thread."""
    def busy(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass

    def bounded(lengthen: bool) -> str:
        try:
            with pool.time_limit(0.4):
                for _ in range(3):
                    if lengthen:
                        pool.more_time(0.3)
                    busy(0.25)
            return "done"
        except pool.TimeLimit:
            return "bounded"

    assert [bounded(False), bounded(True)] == ["bounded", "done"]
    outcomes: list[str] = []
    threads = [threading.Thread(target=lambda lengthen=lengthen: outcomes.append(bounded(lengthen)))
               for lengthen in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["bounded", "done"]
