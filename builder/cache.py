"""Parse results cached by content: a report is parsed again only when its file, its sidecar
or the parser changed.

The cache is one SQLite file. An entry holds the report as JSON with the SHA-256 of that
JSON; an entry whose checksum, version or contents do not hold is parsed again and
replaced, never trusted. Entries are JSON rather than pickles, so that a tampered cache
can at worst cost a parse, never run code.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from sys import intern
from decimal import Decimal
from functools import cache
from pathlib import Path

from builder import __version__
from builder.model import Figure, Finding, Report, Source

_PARSER_PARTS = ("readers", "parse", "checks", "templates.py", "model.py", "pipeline.py", "cache.py")


@cache
def parser_version() -> str:
    """A digest of the code that turns a file into a checked report: any change to it
    invalidates every entry, without anyone having to remember to bump a number."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for part in _PARSER_PARTS:
        path = root / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def entry_key(data: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(parser_version().encode())
    digest.update(hashlib.sha256(data).digest())
    digest.update(hashlib.sha256(sidecar).digest() if sidecar is not None else b"no sidecar")
    return digest.hexdigest()


_COLUMNS = ("key", "checksum", "payload", "summary")


class ParseCache:
    """Entries by key: a report as JSON, and its summary (`pipeline.summarize`) as JSON, so
    that a build can hold every report's summary without decoding every report."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open(path)
        except sqlite3.DatabaseError:  # not a database at all: start again
            for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            self.db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        try:
            # workers read while the build writes: with a write-ahead log neither waits for the other
            db.execute("pragma journal_mode = wal")
            columns = tuple(row[1] for row in db.execute("pragma table_info(entries)"))
            if columns != _COLUMNS:  # a cache of an older layout: its entries are of no use
                db.execute("drop table if exists entries")
                db.execute("create table entries (key text primary key, checksum text, payload blob, summary blob)")
                db.commit()
        except sqlite3.DatabaseError:
            db.close()  # before the file goes: an open connection would keep its log alive
            raise
        return db

    def get(self, key: str, sha256: str) -> Report | None:
        """The report stored under `key` for a file of `sha256`, checked."""
        found = self._entry(key, sha256, False)
        return found[1] if found else None

    def get_summary(self, key: str, sha256: str) -> bytes | None:
        """The summary stored under `key`, checked, as the bytes `decode` reads."""
        found = self._entry(key, sha256, True)
        return found[0] if found else None

    def _entry(self, key: str, sha256: str, summary: bool) -> tuple[bytes, Report] | None:
        row = self.db.execute("select checksum, payload, summary from entries where key = ?", (key,)).fetchone()
        if row is None:
            return None
        checksum, payload, short = row
        try:
            if not isinstance(payload, bytes) or not isinstance(short, bytes) or _checksum(payload, short) != checksum:
                raise ValueError("checksum")
            data = short if summary else payload
            report = decode(data)
            if report.source.sha256 != sha256:
                raise ValueError("source")
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return data, report

    def put(self, key: str, payload: bytes, summary: bytes) -> None:
        """Store `encode(report)` and `encode(summarize(report))`, encoded by whoever parsed it."""
        self.db.execute("insert or replace into entries values (?, ?, ?, ?)",
                        (key, _checksum(payload, summary), payload, summary))

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _checksum(payload: bytes, summary: bytes) -> str:
    digest = hashlib.sha256(payload)
    digest.update(b"\0")
    digest.update(summary)
    return digest.hexdigest()


def _number(value):
    return {"d": str(value)} if isinstance(value, Decimal) else value


def _unnumber(value):
    return Decimal(value["d"]) if isinstance(value, dict) else value


def encode(report: Report) -> bytes:
    data = {
        "source": list(report.source.__dict__.values()),
        "meta": [report.agency, report.year, report.template, report.published, report.region, report.contact,
                 report.source_url, report.added, report.report_id],
        "figures": [[path, _number(f.value), f.printed, f.line, f.page, f.inferred] for path, f in report.figures.items()],
        "units": report.units, "sections": report.sections, "tables_found": list(report.tables_found),
        "findings": [[f.rule, f.severity, f.message, list(f.cells), _number(f.expected), _number(f.actual)]
                     for f in report.findings],
        "status": report.status,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> Report:
    data = json.loads(payload)
    agency, year, template, published, region, contact, source_url, added, report_id = data["meta"]
    return Report(
        source=Source(*data["source"]), agency=agency, year=year, template=template, published=published,
        region=region, contact=contact, source_url=source_url, added=added, report_id=report_id,
        figures={intern(path): _figure(_unnumber(value), printed, line, page, inferred)
                 for path, value, printed, line, page, inferred in data["figures"]},
        units=data["units"], sections=data["sections"], tables_found=tuple(data["tables_found"]),
        findings=tuple(Finding(rule, severity, message, tuple(cells), _unnumber(expected), _unnumber(actual))
                       for rule, severity, message, cells, expected, actual in data["findings"]),
        status=data["status"])


_BARE: dict[str, Figure] = {}


def _figure(value, printed, line, page, inferred) -> Figure:
    """A figure; one shared object for each bare value (all a summary holds), so that the
    summaries of 100,000 reports do not hold millions of equal tuples."""
    if printed is None and line is None and page is None and not inferred:
        # by repr: Decimal("1.0") == Decimal("1.00") == 1, yet each prints as it was printed
        return _BARE.setdefault(repr(value), Figure(value))
    return Figure(value, printed, line, page, inferred)
