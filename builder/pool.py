"""Work on all cores: a function mapped over many items in their order, with a bounded
number of results waiting, and the time bound a report's parse runs under."""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

PARALLEL_FROM = 64  # fewer items than this are done sooner than a pool starts
CHUNK = 16  # items sent to a worker at a time: one round trip each, not one per item
AHEAD = 4  # chunks in flight per worker: enough to keep it busy, few enough to bound memory


class TimeLimit(BaseException):
    """A report took longer than its bound. A BaseException, so that no `except Exception`
    on the way turns it into something else."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimit in this thread after `seconds` of wall-clock time. Only the main
    thread can be interrupted; elsewhere (and with None) there is no bound."""
    if not seconds or threading.current_thread() is not threading.main_thread():
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


@contextmanager
def mapper(jobs: int, count: int, initializer: Callable[..., None], initargs: tuple,
           finalizer: Callable[[], None]) -> Iterator[Callable]:
    """`map(fn, items)`, on `jobs` processes when there are enough items to be worth it.
    Each process (or this one) runs `initializer(*initargs)` first; `fn` must be picklable."""
    if jobs > 1 and count >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
            yield lambda fn, items: _ordered(pool, jobs, fn, items)
        return
    initializer(*initargs)
    try:
        yield map
    finally:
        finalizer()


def _ordered(pool: ProcessPoolExecutor, jobs: int, fn: Callable, items: Sequence) -> Iterator:
    pending: deque = deque()
    for start in range(0, len(items), CHUNK):
        pending.append(pool.submit(_run, fn, items[start:start + CHUNK]))
        if len(pending) >= AHEAD * jobs:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _run(fn: Callable, items: Sequence) -> list:
    return [fn(item) for item in items]
