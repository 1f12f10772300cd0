"""The one module that knows the order of the stages: read -> parse -> check -> status.

Every report put in comes out as a `Report`, with status `unparsed` and the reason when
any stage could not handle it; one bad report never stops the others.
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

import yaml

from builder import checks, pool, readers, site
from builder.cache import ParseCache, decode, encode, entry_key
from builder.model import Figure, Finding, Report, Source, status_of
from builder.package import PLACEHOLDERS, PackageWriter, Written, dictionary_markdown
from builder.package.rows import report_ids, rows_of
from builder.parse import parse
from builder.site import SiteBuilt
from builder.site import summary as site_summary

MAX_SIDECAR_BYTES = 64 * 1024


def process(path: Path, links: frozenset[tuple[int, int]] = frozenset()) -> Report:
    """Read, parse and check one report file (`links`: see `readers.load`)."""
    try:
        data = readers.load(path, links)
    except readers.ReadError as err:
        return _unparsed(_bare_source(path), Finding("unreadable", "error", str(err)))
    return _process(path, data, sidecar_path(path))


def _process(path: Path, data: bytes, sidecar_file: Path) -> Report:
    try:
        document = readers.read(path, data)
    except readers.ReadError as err:
        return _unparsed(err.source or _bare_source(path, data), Finding("unreadable", "error", str(err)))
    sidecar, sidecar_findings = load_sidecar(sidecar_file)
    try:
        report = parse(document, sidecar)
        findings = sidecar_findings + report.findings
        if not report.tables_found:
            findings += (Finding("no_tables", "error",
                                 "未找到任何统计表格（表格可能是图片，或文件不是年度报告）"),)
            return dataclasses.replace(report, findings=findings, status="unparsed")
        findings += checks.check(dataclasses.replace(report, findings=findings))
    except Exception as err:  # a parser bug must cost one report, not the build
        return _unparsed(document.source, Finding("internal_error", "error",
                                                  f"解析时发生内部错误（{type(err).__name__}）"))
    return dataclasses.replace(report, findings=findings, status=status_of(findings, parsed=True))


class LostReports(Exception):
    """A build wrote fewer rows or pages than it read reports: a bug, never a bad report."""


TIME_LIMIT = 60.0  # seconds a report may take to read, parse and check; a 200-page PDF takes a few
MEMORY_LIMIT = 2 * 1024**3  # bytes a report may add to its process: a 50 MB PDF needs a few hundred MB


def process_all(paths: Iterable[Path]) -> list[Report]:
    """Every report, in memory, then the rules that compare reports of one agency across years:
    for `gongkai parse` and `validate`, within the build's bounds. `build` streams instead."""
    reports = [process_bounded(path, TIME_LIMIT) for path in paths]
    return _with_corpus_findings(reports)[0]


def _with_corpus_findings(reports: list[Report]) -> tuple[list[Report], dict[int, tuple[Finding, ...]]]:
    extra = checks.check_corpus(reports)
    for position, findings in extra.items():
        reports[position] = with_findings(reports[position], findings)
    return reports, extra


def with_findings(report: Report, findings: tuple[Finding, ...]) -> Report:
    if not findings:
        return report
    combined = report.findings + findings
    return dataclasses.replace(report, findings=combined, status=status_of(combined, parsed=True))


def summarize(report: Report) -> Report:
    """What a build holds of a report while it reads the others: metadata, findings, status,
    and the bare values of the cells that the overview, the agency pages and the corpus rules
    read (a few dozen of some two hundred). No narrative, no provenance."""
    if report.template is None:
        return dataclasses.replace(report, figures={}, sections={}, units={})
    keep = site_summary.paths_read(report.template) | checks.corpus_paths(report.template)
    return dataclasses.replace(report, figures={p: Figure(f.value) for p, f in report.figures.items() if p in keep},
                               sections={}, units={})


@dataclass(frozen=True)
class Built:
    reports: tuple[Report, ...]  # summaries (see `summarize`), in the order of the files
    written: Written
    site: SiteBuilt | None
    seconds: float
    parsed: int  # reports parsed; the others came from the cache


@dataclass(frozen=True)
class _Held:
    """A report between the stages: its cache key and summary; an unreadable file, which has
    no key, is held whole (it is small)."""

    key: str | None
    summary: Report
    whole: Report | None = None


class BuildRunning(Exception):
    """Another build writes the same package: two at once would mix their files."""


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


def build(reports_dir: Path, package_dir: Path, site_dir: Path | None = None, project: Path = Path("."),
          created: str | None = None, progress: Callable[[Path], None] | None = None,
          cache_file: Path | None = None, jobs: int = 1, time_bound: float | None = TIME_LIMIT) -> Built:
    """The whole job: every report under `reports_dir` read, parsed and checked, written as the
    data package to `package_dir`, then as the website to `site_dir` (None: no site).
    `project` holds mkdocs.yml and content/; `cache_file` keeps parse results between builds.

    Memory is bounded by streaming: reports wait in the parse cache (a temporary one without
    `cache_file`) while the build holds their summaries, then are read back one at a time, in
    id order, to be written to the package and the site."""
    start = time.perf_counter()
    with _exclusive(package_dir):  # two builds of one package at once would mix their files
        if site_dir is not None:
            site.claim(site_dir)
        paths = report_files([reports_dir])
        with contextlib.ExitStack() as stack:
            if cache_file is None:
                cache_file = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gongkai-"))) / "reports.sqlite"
            cache = ParseCache(cache_file, check=True)
            stack.callback(cache.close)
            links = site.earlier_copies(site_dir) if site_dir else frozenset()
            held, parsed = _parse_all(paths, cache, cache_file, jobs, progress, time_bound, links)
            summaries, extra = _with_corpus_findings([h.summary for h in held])
            ids = report_ids(summaries)
            site_run = site.start(site_dir, project, PLACEHOLDERS, dictionary_markdown()) if site_dir else None
            agencies = site.agency_groups(summaries, ids) if site_dir else {}
            agency_of = {report_id: agency_id for agency_id, members in agencies.items() for report_id, _ in members}
            tasks = [(held[i].key, held[i].summary.source.sha256, held[i].whole, paths[i], extra.get(i, ()), ids[i],
                      f"../agencies/{agency_of[ids[i]]}.html" if ids[i] in agency_of else None)
                     for i in sorted(range(len(paths)), key=ids.__getitem__)]
            entries: list[dict] = []
            writer = stack.enter_context(PackageWriter(package_dir))
            worker = (cache_file, site_run, time_bound, links)
            with pool.mapper(jobs, len(tasks), _open_worker, worker, _close_worker) as run:
                for rows, entry in _here_if_crashed(run(_publish, tasks), _publish, worker):
                    writer.add(rows)
                    if entry is not None:
                        entries.append(entry)
                written = writer.close(len(paths), created)
                built_site = None
                if site_run:
                    pages_written = len(entries)
                    members = list(agencies.items())
                    entries += _here_if_crashed(run(_publish_agency, members), _publish_agency, worker)
                    site.finish(site_run, summaries, ids, entries, package_dir)
                    if pages_written != len(paths):
                        raise LostReports(f"读取 {len(paths)} 份报告，却只写出 {pages_written} 个报告页面")
                    built_site = SiteBuilt(pages_written, len(agencies))
        return Built(tuple(summaries), written, built_site, time.perf_counter() - start, parsed)


def _parse_all(paths: list[Path], cache: ParseCache, cache_file: Path, jobs: int, progress,
               time_bound, links: frozenset[tuple[int, int]]) -> tuple[list[_Held], int]:
    """Every report found in the cache or parsed, by the workers, and stored whole in the cache;
    held here as a summary. Also how many were parsed."""
    held: list[_Held] = []
    parsed = 0
    with pool.mapper(jobs, len(paths), _open_worker, (cache_file, None, time_bound, links), _close_worker) as run:
        for path, found in zip(paths, run(_parse, paths)):
            if isinstance(found, pool.Crashed):  # not cached: the next build tries again
                report = _unparsed(_bare_source(path), Finding(
                    "internal_error", "error", "读取此文件时进程意外终止（解析库的缺陷或内存耗尽），未读取"))
                held.append(_Held(None, report, report))
            elif found[0] is None:  # unreadable: no content to key it by, and small
                report = decode(found[1])
                held.append(_Held(None, report, report))
            else:
                key, payload, summary = found
                if payload is not None:
                    cache.put(key, payload, summary)
                    parsed += 1
                    if parsed % 1000 == 0:
                        cache.commit()  # so that the write-ahead log is checkpointed as it goes
                held.append(_Held(key, _named(decode(summary), path)))
            if progress:
                progress(path)
    cache.commit()  # the workers that publish read every entry
    return held, parsed


def _here_if_crashed(results: Iterable, fn: Callable, worker: tuple) -> Iterable:
    """Results, with the task of a worker that died done again in this process: writing a
    page or rows reads no file of the report, so a crash there is not the report's doing."""
    for result in results:
        if isinstance(result, pool.Crashed):
            saved = dict(_worker)
            _open_worker(*worker)
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


# What a worker process holds between tasks: a connection to the cache, the site, the bound.
_worker: dict = {}


def _open_worker(cache_file: Path | None, site_run: site.Site | None, time_bound: float | None,
                 links: frozenset[tuple[int, int]] = frozenset()) -> None:
    _worker.update(cache=ParseCache(cache_file) if cache_file else None, site=site_run, time_bound=time_bound,
                   links=links)


def _close_worker() -> None:
    if _worker.get("cache"):
        _worker["cache"].close()
    _worker.clear()


def _parse(path: Path) -> tuple[str | None, bytes | None, bytes | None]:
    """One report looked up in the cache by content, or read, parsed and checked within the
    time bound: (key, the report encoded or None when cached, its summary encoded). A file
    that cannot be loaded has no key: (None, the unparsed report encoded, None)."""
    try:
        data = readers.load(path, _worker["links"])
    except readers.ReadError:
        return None, encode(process(path)), None
    key = entry_key(data, _sidecar_bytes(sidecar_path(path)))
    summary = _worker["cache"].get_summary(key, hashlib.sha256(data).hexdigest())
    if summary is not None:
        return key, None, summary
    report = process_bounded(path, _worker["time_bound"], links=_worker["links"])
    return key, encode(report), encode(summarize(report))


def process_bounded(path: Path, seconds: float | None, memory: int | None = MEMORY_LIMIT,
                    links: frozenset[tuple[int, int]] = frozenset()) -> Report:
    """`process`, given up after `seconds` with status `unparsed`, and with at most `memory`
    bytes more than the process had (see `pool.memory_limit`)."""
    try:
        with pool.time_limit(seconds), pool.memory_limit(memory):
            return process(path, links)
    except pool.TimeLimit:
        return _unparsed(_bare_source(path), Finding("timeout", "error", f"读取与解析超过 {seconds:g} 秒，已放弃"))


def _publish(task) -> tuple[dict[str, list[tuple]], dict | None]:
    """One report read back from the cache: its package rows, and its search entry once its
    files are on the site."""
    key, sha256, whole, path, extra, report_id, agency_url = task
    report = whole
    if report is None:  # an entry lost since it was stored costs a parse, never the report
        report = _worker["cache"].get(key, sha256) or process_bounded(path, _worker["time_bound"],
                                                                      links=_worker["links"])
    report = with_findings(_named(report, path), extra)
    rows = {name: list(table_rows) for name, table_rows in rows_of(report, report_id).items()}
    if _worker["site"] is None:
        return rows, None
    return rows, site.write_report(_worker["site"], report, report_id, agency_url, path)


def _publish_agency(item: tuple[str, list]) -> dict:
    agency_id, members = item
    return site.write_agency(_worker["site"], agency_id, members)


def report_files(paths: Iterable[Path]) -> list[Path]:
    """Files given, and the report files inside folders given, in a stable order."""
    found = []
    for path in paths:
        if path.is_dir():
            # links are listed too, so that each is accounted for (as unreadable), never followed
            found += sorted(p for p in path.rglob("*")
                            if (p.is_file() or p.is_symlink()) and readers.is_report_file(p))
        else:
            found.append(path)
    return found


def sidecar_path(path: Path) -> Path:
    return path.with_suffix(".yml")


def _sidecar_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()[:MAX_SIDECAR_BYTES + 1] if path.is_file() else None
    except OSError:
        return None


class _SidecarLoader(yaml.SafeLoader):
    """YAML without aliases: a sidecar needs none, and aliases of aliases expand without end."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise ValueError("含有 YAML 别名（*）")
        return super().compose_node(parent, index)


def load_sidecar(path: Path) -> tuple[dict | None, tuple[Finding, ...]]:
    if not path.is_symlink() and not path.is_file():
        return None, ()
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_nlink > 1:
            raise ValueError("是链接或不是普通文件（可能是报告文件夹以外的文件）")
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise ValueError("文件过大")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SidecarLoader)  # noqa: S506 - a safe loader
        if data is None:
            return None, ()
        if not isinstance(data, dict):
            raise ValueError("内容不是键值对")
        return data, ()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as err:
        reason = str(err).splitlines()[0] if isinstance(err, ValueError) else type(err).__name__
        return None, (Finding("sidecar", "warning", f"附加信息文件 {path.name} 无法读取（{reason}），已忽略"),)


def _bare_source(path: Path, data: bytes = b"") -> Source:
    return Source(path.name, readers.format_of(path) or path.suffix.lstrip(".").lower() or "unknown",
                  hashlib.sha256(data).hexdigest() if data else "", len(data))


def _unparsed(source: Source, finding: Finding) -> Report:
    return Report(source=source, findings=(finding,), status="unparsed")
