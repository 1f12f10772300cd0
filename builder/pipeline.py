"""One report file through the stages, in their order: read -> analyse (parse, check) -> status,
within the bounds of time and memory a report may cost; and the files a build reads.

Every file put in comes out as a `Report`, with status `unparsed` and the reason when it could
not be read; one bad file never stops the others. `runner` builds a corpus from these.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from pathlib import Path

from builder import checks, pool, readers, sidecar
from builder.analyse import analyse, unparsed
from builder.model import Figure, Finding, Report, Source
from builder.site import summary as site_summary
from builder.vocabulary import status_of

TIME_LIMIT = 60.0  # seconds a report may take to read, parse and check; a 200-page PDF takes a few
MEMORY_LIMIT = 2 * 1024**3  # bytes a report may add to its process: a 50 MB PDF needs a few hundred MB


def process(path: Path, links: frozenset[tuple[int, int]] = frozenset(), ocr: bool = True) -> Report:
    """Read, parse and check one report file (`links`: see `readers.load`; `ocr`: whether
    pictures are read by OCR)."""
    try:
        data = readers.load(path, links)
    except readers.ReadError as err:
        return unparsed(bare_source(path), Finding("unreadable", "error", str(err)))
    given = sidecar.load(sidecar.path_for(path))
    try:
        document = readers.read(path, data, ocr, given.pictures)
    except readers.ReadError as err:
        return unparsed(err.source or bare_source(path, data), Finding("unreadable", "error", str(err)))
    return analyse(document, given)


def process_bounded(path: Path, seconds: float | None, memory: int | None = MEMORY_LIMIT,
                    links: frozenset[tuple[int, int]] = frozenset(), ocr: bool = True) -> Report:
    """`process`, given up after `seconds` with status `unparsed`, and with at most `memory`
    bytes more than the process had (see `pool.memory_limit`)."""
    try:
        with pool.time_limit(seconds), pool.memory_limit(memory):
            return process(path, links, ocr)
    except pool.TimeLimit:
        return unparsed(bare_source(path), Finding("timeout", "error", f"读取与解析超过 {seconds:g} 秒，已放弃"))


def process_all(paths: Iterable[Path]) -> list[Report]:
    """Every report, in memory, then the rules that compare reports of one agency across years:
    for `gongkai parse` and `validate`, within the build's bounds. `runner.build` streams instead."""
    reports = [process_bounded(path, TIME_LIMIT) for path in paths]
    return with_corpus_findings(reports)[0]


def with_corpus_findings(reports: list[Report]) -> tuple[list[Report], dict[int, tuple[Finding, ...]]]:
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


def report_files(paths: Iterable[Path]) -> list[Path]:
    """Files given, and the report files inside folders given, in a stable order; a picture a
    sidecar names as a web page's is the page's, not a report."""
    found = []
    for path in paths:
        if path.is_dir():
            # links are listed too, so that each is accounted for (as unreadable), never followed
            listed = sorted(p for p in path.rglob("*") if (p.is_file() or p.is_symlink()) and readers.is_report_file(p))
            named = {p.parent / name for p in listed if p.suffix.lower() in (".htm", ".html")
                     for name in sidecar.pictures_named(p)}
            found += [p for p in listed if p not in named]
        else:
            found.append(path)
    return found


def pictures_digest(path: Path) -> bytes:
    """What the pictures a report may read hold (its page's folder of pictures, the files its
    sidecar names): part of its parse cache key, so that a picture replaced is read again."""
    digest = hashlib.sha256()
    for name in readers.picture_files(path, sidecar.pictures_named(path)):
        digest.update(name.encode() + b"\0" + hashlib.sha256(readers.picture_file(path, name) or b"").digest())
    return digest.digest()


def bare_source(path: Path, data: bytes = b"") -> Source:
    return Source(path.name, readers.format_of(path) or path.suffix.lstrip(".").lower() or "unknown",
                  hashlib.sha256(data).hexdigest() if data else "", len(data))
