"""Work on all cores: a function mapped over many items in their order, with a bounded
number of results waiting and a process that dies costing its item alone; and the time and
memory bounds a report's parse runs under. `builder.distributed` is the same on a Dask cluster."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

PARALLEL_FROM = 64  # fewer items than this are done sooner than a pool starts
CHUNK = 16  # items sent to a worker at a time: one round trip each, not one per item
AHEAD = 4  # chunks in flight per worker: enough to keep it busy, few enough to bound memory


class TimeLimit(BaseException):
    """A report took longer than its bound. A BaseException, so that no `except Exception`
    on the way turns it into something else."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimit in this thread after `seconds` of wall-clock time (None: no bound). In the
    main thread a signal does it, which also cuts a sleep or a blocking call short; in another (a
    Dask worker's task thread) it is raised at the thread's next Python instruction, so that a
    loop is bounded but a wait inside C code or a system call is not."""
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _thread_time_limit(seconds):
            yield
        return

    def expire(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def more_time(seconds: float) -> None:
    """Lengthen the bound `time_limit` set in this thread, if one runs: for work whose cost is
    known only as it goes (OCR, some seconds a page)."""
    if threading.current_thread() is not threading.main_thread():
        deadline = _deadlines.get(threading.get_ident())
        if deadline is not None:
            deadline[0] += seconds
        return
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    if left > 0:
        signal.setitimer(signal.ITIMER_REAL, left + seconds)


_deadlines: dict[int, list[float]] = {}  # a thread's bound (`time.monotonic`), which `more_time` moves


@contextmanager
def _thread_time_limit(seconds: float) -> Iterator[None]:
    ident = threading.get_ident()
    thread = ctypes.c_ulong(ident)
    lock = threading.Lock()
    left = threading.Event()
    deadline = _deadlines[ident] = [time.monotonic() + seconds]

    def expire() -> None:
        while not left.wait(max(deadline[0] - time.monotonic(), 0)):
            if time.monotonic() < deadline[0]:
                continue  # the bound was moved on while it waited
            with lock:  # never once the block is left: the exception would land in whatever runs next
                if not left.is_set():
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, ctypes.py_object(TimeLimit))
            return

    watcher = threading.Thread(target=expire, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            left.set()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, None)  # one set but not yet raised
        _deadlines.pop(ident, None)


@contextmanager
def memory_limit(extra: int | None) -> Iterator[None]:
    """Let this process grow by at most `extra` bytes of address space; past it, allocations
    raise MemoryError. The bound of a file that inflates without end (a PDF stream, a zip),
    where no size is declared to check beforehand. Linux only; elsewhere, no bound."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        soft = None
    bound = None if soft is None or extra is None else used + extra
    if bound is not None and hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    if bound is None or (soft != resource.RLIM_INFINITY and soft <= bound):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclass(frozen=True)
class Crashed:
    """What `map` gives for an item whose process died under it (a crash in a C library,
    the kernel's OOM killer): the item itself, for the caller to account for."""

    item: Any


class Unavailable(Exception):
    """An executor that cannot run tasks: a scheduler that does not answer, a cluster set up
    in a way the tasks cannot run on."""


class Executor(Protocol):
    """Who runs a build's tasks: `mapper` gives `run(fn, items)`, which yields `fn(item)` for each
    item in order (or `Crashed(item)`), after `initializer(*initargs)` in each worker."""

    def mapper(self, count: int, initializer: Callable[..., None], initargs: tuple,
               finalizer: Callable[[], None]) -> AbstractContextManager[Callable]: ...


@dataclass(frozen=True)
class Processes:
    """This machine's processes: `jobs` of them (see `mapper`)."""

    jobs: int = 1

    def mapper(self, count: int, initializer: Callable[..., None], initargs: tuple,
               finalizer: Callable[[], None]) -> AbstractContextManager[Callable]:
        return mapper(self.jobs, count, initializer, initargs, finalizer)


@contextmanager
def mapper(jobs: int, count: int, initializer: Callable[..., None], initargs: tuple,
           finalizer: Callable[[], None]) -> Iterator[Callable]:
    """`map(fn, items)`, on `jobs` processes when there are enough items to be worth it.
    Each process (or this one) runs `initializer(*initargs)` first; `fn` must be picklable.
    On processes, an item whose process dies yields `Crashed(item)` and the others go on."""
    if jobs > 1 and count >= PARALLEL_FROM:
        def make_pool(workers: int = jobs) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs)
        yield lambda fn, items: _ordered(make_pool, jobs, fn, items)
        return
    with here(initializer, initargs, finalizer) as run:
        yield run


@contextmanager
def here(initializer: Callable[..., None], initargs: tuple, finalizer: Callable[[], None]) -> Iterator[Callable]:
    """`map` in this process, after `initializer(*initargs)`: what every executor does with
    fewer than PARALLEL_FROM items."""
    initializer(*initargs)
    try:
        yield map
    finally:
        finalizer()


def _ordered(make_pool: Callable[..., ProcessPoolExecutor], jobs: int, fn: Callable, items: Sequence) -> Iterator:
    """Results in the order of `items`, with at most AHEAD chunks a worker in flight. When a
    process dies, the pool is lost: the items that were in flight are done again one to a
    process, to find the one that kills it, and a new pool takes the rest."""
    done = 0
    while done < len(items):
        sent = done
        with make_pool() as pool:
            pending: deque = deque()
            try:
                while pending or sent < len(items):
                    while sent < len(items) and len(pending) < AHEAD * jobs:
                        pending.append(pool.submit(mapped, fn, items[sent:sent + CHUNK]))
                        sent += CHUNK
                    results = pending.popleft().result()
                    done += len(results)
                    yield from results
            except BrokenProcessPool:
                pass
        for item in items[done:min(sent, len(items))]:
            yield _alone(make_pool, fn, item)
        done = min(sent, len(items))


def _alone(make_pool: Callable[..., ProcessPoolExecutor], fn: Callable, item: Any) -> Any:
    with make_pool(1) as pool:
        try:
            return pool.submit(fn, item).result()
        except BrokenProcessPool:
            return Crashed(item)


def mapped(fn: Callable, items: Sequence) -> list:
    """One chunk's task: its results, sent back in one message."""
    return [fn(item) for item in items]
