"""The one module that knows the order of the stages: read -> parse -> check -> status.

Every report put in comes out as a `Report`, with status `unparsed` and the reason when
any stage could not handle it; one bad report never stops the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder import checks, readers
from builder.cache import ParseCache, entry_key
from builder.model import Finding, Report, Source, status_of
from builder.package import Written, write_package
from builder.package.rows import report_ids
from builder.parse import parse
from builder.site import SiteBuilt, build_site

MAX_SIDECAR_BYTES = 64 * 1024


def process(path: Path) -> Report:
    """Read, parse and check one report file."""
    try:
        data = readers.load(path)
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


PARALLEL_FROM = 64  # fewer reports than this parse faster than a pool starts


def process_all(paths: Iterable[Path], progress: Callable[[Path], None] | None = None,
                cache: ParseCache | None = None, jobs: int = 1) -> list[Report]:
    """Every report, then the rules that compare reports of one agency across years. With
    `jobs` > 1, the reports not in the cache are parsed by a pool of processes."""
    paths = list(paths)
    reports: list[Report | None] = [None] * len(paths)
    misses: list[tuple[int, Path, str | None]] = []
    for index, path in enumerate(paths):
        found, key = _cached(path, cache)
        if found is not None:
            reports[index] = found
            if progress:
                progress(path)
        else:
            misses.append((index, path, key))
    if jobs > 1 and len(misses) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parsed = pool.map(process, [path for _, path, _ in misses], chunksize=16)
            _collect(misses, parsed, reports, cache, progress)
    else:
        _collect(misses, (process(path) for _, path, _ in misses), reports, cache, progress)
    for position, extra in checks.check_corpus(reports).items():
        report = reports[position]
        findings = report.findings + extra
        reports[position] = dataclasses.replace(report, findings=findings,
                                                status=status_of(findings, parsed=True))
    return reports


def _cached(path: Path, cache: ParseCache | None) -> tuple[Report | None, str | None]:
    if cache is None:
        return None, None
    try:
        data = readers.load(path)
    except readers.ReadError:
        return None, None
    key = entry_key(data, _sidecar_bytes(sidecar_path(path)))
    found = cache.get(key, hashlib.sha256(data).hexdigest())
    if found is not None:
        found = dataclasses.replace(found, source=dataclasses.replace(found.source, file=path.name))
    return found, key


def _collect(misses, parsed, reports, cache, progress) -> None:
    for (index, path, key), report in zip(misses, parsed):
        reports[index] = report
        if cache is not None and key is not None:
            cache.put(key, report)
        if progress:
            progress(path)


@dataclass(frozen=True)
class Built:
    reports: tuple[Report, ...]
    written: Written
    site: SiteBuilt | None
    seconds: float
    parsed: int  # reports parsed; the others came from the cache


def build(reports_dir: Path, package_dir: Path, site_dir: Path | None = None, project: Path = Path("."),
          created: str | None = None, progress: Callable[[Path], None] | None = None,
          cache_file: Path | None = None, jobs: int = 1) -> Built:
    """The whole job: every report under `reports_dir` read, parsed and checked, written as the
    data package to `package_dir`, then as the website to `site_dir` (None: no site).
    `project` holds mkdocs.yml and content/; `cache_file` keeps parse results between builds."""
    start = time.perf_counter()
    paths = report_files([reports_dir])
    cache = ParseCache(cache_file) if cache_file else None
    try:
        reports = process_all(paths, progress, cache, jobs)
    finally:
        if cache:
            cache.close()
    parsed = cache.misses + cache.rejected if cache else len(reports)
    written = write_package(reports, package_dir, created)
    site = None
    if site_dir is not None:
        site = build_site(reports, report_ids(reports), paths, package_dir, site_dir, project)
        if site.report_pages != len(reports):
            raise LostReports(f"读取 {len(reports)} 份报告，却只写出 {site.report_pages} 个报告页面")
    return Built(tuple(reports), written, site, time.perf_counter() - start, parsed)


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


def load_sidecar(path: Path) -> tuple[dict | None, tuple[Finding, ...]]:
    if not path.is_file():
        return None, ()
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise ValueError("文件过大")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
