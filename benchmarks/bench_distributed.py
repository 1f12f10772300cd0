"""The build (parse, package, site) of N synthetic reports on this machine's processes and on a
Dask LocalCluster of two workers: seconds of each stage, peak memory of the whole process tree,
and whether both wrote the same bytes.

Run: make bench  (or: .venv/bin/python benchmarks/bench_distributed.py [--reports 10000] [--full])
Budget (issue 17): the Dask build at most 25 % slower than the local one at 10,000 reports. On
two cores the point is Dask's overhead, not a speed-up.

Each build runs in a child process, sampled twice a second: the peak of its own resident memory
(the client's: the build's summaries, ids, overview), and the peak of its whole tree's (the
build, its pool's or its cluster's processes) proportional set size, in which a page that
forked processes share counts once, split between them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("local", "dask")


class Timed:
    """An executor whose stages (each `mapper`, in the runner's order: parse, publish) are timed."""

    def __init__(self, executor):
        self.executor, self.seconds = executor, []

    @contextmanager
    def mapper(self, *args):
        start = time.perf_counter()
        with self.executor.mapper(*args) as run:
            yield run
        self.seconds.append(time.perf_counter() - start)


def one_build(engine: str, corpus: Path, out: Path) -> dict:
    """In the child: the build, and its seconds (`start` and `stop`: the cluster's)."""
    from builder import runner

    begun = time.perf_counter()
    with _cluster(engine) as executor:
        started = time.perf_counter()
        timed = Timed(executor)
        built = runner.build(runner.BuildOptions(corpus, out / "package", out / "site", ROOT, executor=timed,
                                                 cache_file=out / "cache.sqlite"))
        finished = time.perf_counter()
    assert len(built.reports) == built.written.rows["reports"] == built.site.report_pages
    parse, publish = timed.seconds
    return {"start": started - begun, "parse": parse, "publish": publish, "build": built.seconds,
            "stop": time.perf_counter() - finished, "reports": len(built.reports)}


@contextmanager
def _cluster(engine: str):
    from builder import pool

    if engine == "local":
        yield pool.Processes(os.cpu_count() or 1)
        return
    from builder.distributed import Dask

    with Dask(workers=2).running() as executor:
        yield executor


def measured(engine: str, corpus: Path, out: Path) -> tuple[dict, float, float]:
    """A build in a child process: its figures, the peak of its own resident memory and the peak
    of its process tree's proportional set size (MB)."""
    child = subprocess.Popen([sys.executable, __file__, "--child", engine, str(corpus), str(out)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    own = tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal own, tree
        root = psutil.Process(child.pid)
        while not done.wait(0.5):
            total = 0
            try:
                own = max(own, root.memory_info().rss)
                for process in [root, *root.children(recursive=True)]:
                    total += process.memory_full_info().pss
            except psutil.NoSuchProcess:  # one ended between the listing and the reading
                continue
            tree = max(tree, total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{engine} build failed ({child.returncode})")
    return json.loads(output.strip().splitlines()[-1]), own / 2**20, tree / 2**20


def digest(folder: Path) -> str:
    """Every file's path and bytes under `folder`."""
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hashed.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def compare(size: int, work: Path, rounds: int) -> Iterator[str]:
    """The table's rows for `size` reports, a row a build (each cold: its own cache), and the
    overhead of the faster of each engine's builds (the machine's other load varies)."""
    corpus = work / "corpus"
    subprocess.run([sys.executable, "-m", "builder.synth", str(size), "--out", str(corpus), "--seed", "1"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    best, same = {}, True
    for round_ in range(rounds):
        for engine in ENGINES if round_ % 2 == 0 else reversed(ENGINES):
            shutil.rmtree(work / engine, ignore_errors=True)
            figures, own, tree = measured(engine, corpus, work / engine)
            yield (f"| {size:,} | {engine} | {figures['start']:.1f} | {figures['parse']:.1f} "
                   f"| {figures['publish']:.1f} | {figures['build']:.1f} | {figures['stop']:.1f} "
                   f"| {own:,.0f} | {tree:,.0f} |")
            if engine not in best or figures["build"] < best[engine]["build"]:
                best[engine] = figures
        same = same and all(digest(work / "local" / part) == digest(work / "dask" / part)
                            for part in ("package", "site"))
    local, dask = best["local"], best["dask"]
    whole = dask["start"] + dask["build"] + dask["stop"]
    yield (f"| {size:,} | Dask overhead (faster builds) | | {dask['parse'] / local['parse'] - 1:+.0%} "
           f"| {dask['publish'] / local['publish'] - 1:+.0%} | {dask['build'] / local['build'] - 1:+.0%} "
           f"| {whole / local['build'] - 1:+.0%} with the cluster's start and stop | "
           f"{'same bytes' if same else 'OUTPUTS DIFFER'} | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000, help="synthetic report files (default 10000)")
    parser.add_argument("--full", action="store_true", help="also 100,000 reports (some half an hour a round)")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each engine, alternating (default 1)")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, corpus, out = args.child
        print(json.dumps(one_build(engine, Path(corpus), Path(out))))
        return
    print(f"{os.cpu_count()} cores; the local pool: {os.cpu_count()} processes; Dask: a LocalCluster of 2 workers "
          "of one thread (seconds; memory: peaks of the build's own resident memory and of its process tree's "
          "proportional set size)\n")
    print("| reports | engine | cluster start | parse | publish | build | cluster stop | build's own MB | tree's MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in [args.reports] + ([100_000] if args.full else []):
        with tempfile.TemporaryDirectory() as folder:
            for row in compare(size, Path(folder), args.rounds):
                print(row, flush=True)


if __name__ == "__main__":
    main()
