"""The build's tasks on a Dask cluster (`dask.distributed`): the executor of `pool` with the same
contract, so that one pipeline runs on either.

Each worker runs the stage's initializer when the stage begins, and so does a worker that joins
later or is started again after a kill (a worker plugin, which the scheduler gives to every new
worker before its first task). Items go in chunks, a bounded number in flight, and come back
in their order. A worker that dies has its tasks run again elsewhere by Dask; a chunk that
keeps killing workers (`KilledWorker`) is split and its items run one at a time, and the item
that still kills gives `Crashed(item)`, as on `pool.Processes`.

Workers have one thread each: the worker state of the runner (a SQLite connection, bound to
the thread that opened it) and the memory bound (a limit of the whole process) are a
process's, for one task at a time. They must see the client's files at the same paths (the
reports, the parse cache, the site being written): true of a LocalCluster; across machines,
a shared filesystem. Imported only for a build that asks for Dask.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import dask
from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin

from builder import pool

CHUNK = 64  # items a task at most: a Dask task costs a few milliseconds of round trips, a report one or two
CONNECT = 5.0  # seconds to reach the scheduler before giving up
# workers a task may kill before Dask gives up on it (KilledWorker), on a LocalCluster this
# starts: a second death is the task's doing, and each costs a worker's start
ALLOWED_FAILURES = 1


@dataclass(frozen=True)
class Dask:
    """The scheduler at `address`, or (None) a LocalCluster of `workers` processes."""

    address: str | None = None
    workers: int = 2

    @contextmanager
    def running(self) -> Iterator[Dask]:
        """This executor with its cluster up while the `with` lasts: the LocalCluster started
        (and stopped at the end) once for both stages of a build, rather than for each."""
        if self.address is not None:
            yield self
            return
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}), \
                LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                             dashboard_address="127.0.0.1:0") as cluster:  # any free port: another may hold 8787
            yield Dask(cluster.scheduler_address, self.workers)

    def mapper(self, count: int, initializer: Callable[..., None], initargs: tuple,
               finalizer: Callable[[], None]) -> AbstractContextManager[Callable]:
        return _mapper(self, count, initializer, initargs, finalizer)


@contextmanager
def _mapper(cluster: Dask, count: int, initializer: Callable[..., None], initargs: tuple,
            finalizer: Callable[[], None]) -> Iterator[Callable]:
    if count < pool.PARALLEL_FROM:
        with pool.here(initializer, initargs, finalizer) as run:
            yield run
        return
    if cluster.address is None:
        with cluster.running() as up, _mapper(up, count, initializer, initargs, finalizer) as run:
            yield run
        return
    with _connected(cluster.address) as client:
        name = f"gongkai-{uuid.uuid4().hex}"  # a stage's own: the next stage's setup is another
        client.register_plugin(_Stage(initializer, initargs, finalizer), name=name)
        try:
            yield lambda fn, items: _ordered(client, fn, items)
        finally:
            client.unregister_worker_plugin(name)


@contextmanager
def _connected(address: str) -> Iterator[Client]:
    try:
        client = Client(address, timeout=CONNECT, set_as_default=False)
    except (OSError, ValueError) as err:
        raise pool.Unavailable(f"无法连接 Dask 调度器 {address}：{err}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT)
        except TimeoutError:
            raise pool.Unavailable(f"Dask 调度器 {address} 没有 worker") from None
        threads = client.nthreads()
        if any(n != 1 for n in threads.values()):
            raise pool.Unavailable(f"Dask worker 须各有 1 个线程（dask worker {address} --nthreads 1），"
                                   f"现为 {sorted(set(threads.values()))}")
        yield client


class _Stage(WorkerPlugin):
    """A stage's initializer and finalizer, run on each worker in the thread its tasks run in."""

    def __init__(self, initializer: Callable[..., None], initargs: tuple, finalizer: Callable[[], None]):
        self.initializer, self.initargs, self.finalizer = initializer, initargs, finalizer

    async def setup(self, worker) -> None:
        await asyncio.wrap_future(worker.executor.submit(self.initializer, *self.initargs))

    async def teardown(self, worker) -> None:
        await asyncio.wrap_future(worker.executor.submit(self.finalizer))


def _ordered(client: Client, fn: Callable, items: Sequence) -> Iterator:
    """`fn` over `items` in their order, AHEAD chunks a worker in flight; the chunk that killed
    its workers done again one item a task."""
    lanes = max(sum(client.nthreads().values()), 1)
    size = max(1, min(CHUNK, len(items) // (pool.AHEAD * lanes)))  # a small stage still spread on every worker
    done = 0
    while done < len(items):
        try:
            for results in _chunks(client, fn, items, done, size, pool.AHEAD * lanes):
                done += len(results)
                yield from results
        except KilledWorker:
            for item in items[done:done + size]:
                yield _alone(client, fn, item)
            done = min(done + size, len(items))


def _chunks(client: Client, fn: Callable, items: Sequence, start: int, size: int, ahead: int) -> Iterator[list]:
    """The results of the chunks from `start` on, each chunk's at a time. Whatever is still in
    flight when they stop (a chunk killed its workers) is cancelled, so that the items then
    run alone share no worker with another task, whose death Dask would count against them."""
    pending: deque = deque()
    sent = start
    try:
        while pending or sent < len(items):
            while sent < len(items) and len(pending) < ahead:
                pending.append(client.submit(pool.mapped, fn, items[sent:sent + size], pure=False))
                sent += size
            yield pending[0].result()
            pending.popleft()
    finally:
        if pending:
            client.cancel(list(pending))


def _alone(client: Client, fn: Callable, item: Any) -> Any:
    try:
        return client.submit(fn, item, pure=False).result()
    except KilledWorker:
        return pool.Crashed(item)
