"""The build, as one run over the corpus: every report file parsed (or found in the cache),
the corpus rules, then the package and the site written as the reports stream by.

    files -> parse tasks (workers) -> summaries -> corpus findings -> ids
          -> publish tasks (workers: package rows, report pages) -> agency pages -> overview

Work is done by an `Executor` (`pool.Processes`: this machine's cores), so that another engine
can take the tasks without a second pipeline. Memory is bounded by streaming: reports wait in
the parse cache (a temporary one without a cache file) while the build holds their summaries,
then are read back one at a time, in id order, to be written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from builder import pipeline, places, pool, readers, sidecar, site
from builder.analyse import unparsed
from builder.cache import ParseCache, decode, encode, entry_key
from builder.ids import report_ids
from builder.model import Finding, Report
from builder.package import PLACEHOLDERS, PackageWriter, Written, dictionary_markdown
from builder.package.rows import rows_of
from builder.site import SiteBuilt


@dataclass(frozen=True)
class BuildOptions:
    reports_dir: Path
    package_dir: Path
    site_dir: Path | None = None  # None: the package only
    project: Path = Path(".")  # holds mkdocs.yml and content/
    created: str | None = None  # the package's `created` time (ISO 8601), when it must be fixed
    progress: Callable[[Path], None] | None = None  # called as each file is parsed
    cache_file: Path | None = None  # parse results kept between builds
    jobs: int = 1
    time_bound: float | None = pipeline.TIME_LIMIT  # seconds a report may take
    executor: pool.Executor | None = None  # who runs the tasks; None: pool.Processes(jobs)
    # the package's Excel workbook too: some 5 s a thousand reports (XlsxWriter's cost a cell), so
    # asked for by publishing (`make site`), not by every build
    workbook: bool = False
    ocr: bool = True  # pictures and PDFs without text read by OCR, the costliest stage (seconds a page)


@dataclass(frozen=True)
class Built:
    reports: tuple[Report, ...]  # summaries (see `pipeline.summarize`), in the order of the files
    written: Written
    site: SiteBuilt | None
    seconds: float
    parsed: int  # reports parsed; the others came from the cache


class LostReports(Exception):
    """A build wrote fewer rows or pages than it read reports: a bug, never a bad report."""


class BuildRunning(Exception):
    """Another build writes the same package: two at once would mix their files."""


@dataclass(frozen=True)
class WorkerSetup:
    """What each worker opens before its tasks: the cache, the site being written, the bounds."""

    cache_file: Path | None
    site: site.Site | None
    time_bound: float | None
    links: frozenset[tuple[int, int]] = frozenset()  # see `readers.load`
    ocr: bool = True  # pictures read by OCR (`--no-ocr`: unparsed, with the reason)


@dataclass(frozen=True)
class Held:
    """A report between the stages: its cache key and summary; an unreadable file, which has
    no key, is held whole (it is small)."""

    key: str | None
    summary: Report
    whole: Report | None = None


@dataclass(frozen=True)
class PublishTask:
    """One report to write: found in the cache by `key` (or held whole), with the findings the
    corpus rules added, under its id, linked to its agency's page."""

    key: str | None
    sha256: str
    whole: Report | None
    path: Path
    extra: tuple[Finding, ...]
    report_id: str
    agency_url: str | None


@dataclass(frozen=True)
class Parsed:
    """What a parse task returns: the entry's key (None for a file that could not be loaded),
    the report encoded (None when it was in the cache) and its summary encoded."""

    key: str | None
    payload: bytes | None
    summary: bytes | None


def build(options: BuildOptions) -> Built:
    """The whole job: every report under `reports_dir` read, parsed and checked, written as the
    data package to `package_dir`, then as the website to `site_dir`."""
    start = time.perf_counter()
    executor = options.executor or pool.Processes(options.jobs)
    site_dir = options.site_dir
    with _exclusive(options.package_dir):
        if site_dir is not None:
            site.claim(site_dir)
        paths = pipeline.report_files([options.reports_dir])
        places.preload()  # before the workers are forked, which then share it
        with contextlib.ExitStack() as stack:
            cache_file = options.cache_file or Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="gongkai-"))) / "reports.sqlite"
            cache = ParseCache(cache_file, check=True)
            stack.callback(cache.close)
            links = site.earlier_copies(site_dir) if site_dir else frozenset()
            setup = WorkerSetup(cache_file, None, options.time_bound, links, options.ocr)
            held, parsed = _parse_all(paths, cache, executor, setup, options.progress)
            summaries, extra = pipeline.with_corpus_findings([h.summary for h in held])
            ids = report_ids(summaries)
            site_run = site.start(site_dir, options.project, PLACEHOLDERS, dictionary_markdown()) if site_dir else None
            agencies = site.agency_groups(summaries, ids) if site_dir else {}
            agency_of = {report_id: agency_id for agency_id, members in agencies.items() for report_id, _ in members}
            tasks = [PublishTask(held[i].key, held[i].summary.source.sha256, held[i].whole, paths[i], extra.get(i, ()),
                                 ids[i], site.agency_link(ids[i], agency_of[ids[i]]) if ids[i] in agency_of else None)
                     for i in sorted(range(len(paths)), key=ids.__getitem__)]
            entries: list[dict] = []
            writer = stack.enter_context(PackageWriter(options.package_dir, options.workbook))
            setup = WorkerSetup(cache_file, site_run, options.time_bound, links, options.ocr)
            with executor.mapper(len(tasks), _open_worker, (setup,), _close_worker) as run:
                for rows, entry in _here_if_crashed(run(_publish, tasks), _publish, setup):
                    writer.add(rows)
                    if entry is not None:
                        entries.append(entry)
                written = writer.close(len(paths), options.created)
                built_site = None
                if site_run:
                    pages_written = len(entries)
                    entries += _here_if_crashed(run(_publish_agency, list(agencies.items())), _publish_agency, setup)
                    site.finish(site_run, summaries, ids, entries, options.package_dir)
                    if pages_written != len(paths):
                        raise LostReports(f"读取 {len(paths)} 份报告，却只写出 {pages_written} 个报告页面")
                    built_site = SiteBuilt(pages_written, len(agencies))
        return Built(tuple(summaries), written, built_site, time.perf_counter() - start, parsed)


@contextlib.contextmanager
def _exclusive(package_dir: Path):
    lock_file = package_dir.with_name(package_dir.name + ".lock")
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildRunning(f"另一个构建正在写入 {package_dir}（锁文件 {lock_file}）；请等它结束后再试") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _parse_all(paths: list[Path], cache: ParseCache, executor: pool.Executor, setup: WorkerSetup,
               progress) -> tuple[list[Held], int]:
    """Every report found in the cache or parsed, by the workers, and stored whole in the cache;
    held here as a summary. Also how many were parsed."""
    held: list[Held] = []
    parsed = 0
    with executor.mapper(len(paths), _open_worker, (setup,), _close_worker) as run:
        for path, found in zip(paths, run(_parse, paths)):
            if isinstance(found, pool.Crashed):  # not cached: the next build tries again
                report = unparsed(pipeline.bare_source(path), Finding(
                    "internal_error", "error", "读取此文件时进程意外终止（解析库的缺陷或内存耗尽），未读取"))
                held.append(Held(None, report, report))
            elif found.key is None:  # unreadable: no content to key it by, and small
                report = decode(found.payload)
                held.append(Held(None, report, report))
            else:
                if found.payload is not None:
                    cache.put(found.key, found.payload, found.summary)
                    parsed += 1
                    if parsed % 1000 == 0:
                        cache.commit()  # so that the write-ahead log is checkpointed as it goes
                try:
                    held.append(Held(found.key, _named(decode(found.summary), path)))
                except (ValueError, KeyError, TypeError, IndexError, AttributeError):  # an entry that does not read
                    report = pipeline.process_bounded(path, setup.time_bound, links=setup.links, ocr=setup.ocr)
                    held.append(Held(None, pipeline.summarize(report), report))
            if progress:
                progress(path)
    cache.commit()  # the workers that publish read every entry
    return held, parsed


def _here_if_crashed(results: Iterable, fn: Callable, setup: WorkerSetup) -> Iterable:
    """Results, with the task of a worker that died done again in this process: writing a
    page or rows reads no file of the report, so a crash there is not the report's doing."""
    for result in results:
        if isinstance(result, pool.Crashed):
            saved = dict(_worker)
            _open_worker(setup)
            try:
                result = fn(result.item)
            finally:
                _close_worker()
                _worker.update(saved)
        yield result


def _named(report: Report, path: Path) -> Report:
    """A report found by content under the name of the file it was found for."""
    if report.source.file == path.name:
        return report
    return dataclasses.replace(report, source=dataclasses.replace(report.source, file=path.name))


# What a worker process holds between tasks: its setup and its connection to the cache.
_worker: dict = {}


def _open_worker(setup: WorkerSetup) -> None:
    places.preload()  # a forked worker has it; one started afresh (Dask's) would read it within a report's time bound
    _worker.update(setup=setup, cache=ParseCache(setup.cache_file) if setup.cache_file else None)


def _close_worker() -> None:
    if _worker.get("cache"):
        _worker["cache"].close()
    _worker.clear()


def _parse(path: Path) -> Parsed:
    """One report looked up in the cache by content, or read, parsed and checked within the
    time bound."""
    setup: WorkerSetup = _worker["setup"]
    try:
        data = readers.load(path, setup.links)
    except readers.ReadError:
        return Parsed(None, encode(pipeline.process(path)), None)
    key = entry_key(data, sidecar.raw(sidecar.path_for(path)), setup.ocr, pipeline.pictures_digest(path))
    summary = _worker["cache"].get_summary(key, hashlib.sha256(data).hexdigest())
    if summary is not None:
        return Parsed(key, None, summary)
    report = pipeline.process_bounded(path, setup.time_bound, links=setup.links, ocr=setup.ocr)
    return Parsed(key, encode(report), encode(pipeline.summarize(report)))


def _publish(task: PublishTask) -> tuple[dict[str, list[tuple]], dict | None]:
    """One report read back from the cache: its package rows, and its search entry once its
    files are on the site."""
    setup: WorkerSetup = _worker["setup"]
    report = task.whole
    if report is None:  # an entry lost since it was stored costs a parse, never the report
        report = _worker["cache"].get(task.key, task.sha256) or pipeline.process_bounded(
            task.path, setup.time_bound, links=setup.links, ocr=setup.ocr)
    report = pipeline.with_findings(_named(report, task.path), task.extra)
    rows = {name: list(table_rows) for name, table_rows in rows_of(report, task.report_id).items()}
    if setup.site is None:
        return rows, None
    return rows, site.write_report(setup.site, report, task.report_id, task.agency_url, task.path,
                                   _doubted_pictures(report, task.path, setup))


def _doubted_pictures(report: Report, path: Path, setup: WorkerSetup) -> dict[str, bytes]:
    """The cells OCR read but its doubts left blank (`parse.ocr`), cut from the report's pages for
    its page to show; none where they cannot be had, which costs the page its pictures, never
    the report."""
    cells = {p: cell for p, cell in report.ocr.items() if report.figures[p].value is None}
    if not cells:
        return {}
    try:
        picture_of = readers.picture_reader(path, readers.load(path, setup.links), report.source.format)
        return readers.ocr.cell_pictures(cells, picture_of)
    except Exception:  # a picture that no longer reads as it did
        return {}


def _publish_agency(item: tuple[str, list]) -> dict:
    agency_id, members = item
    return site.write_agency(_worker["setup"].site, agency_id, members)
