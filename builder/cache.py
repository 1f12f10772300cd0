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


class ParseCache:
    """`get` and `put` by entry key; counts hits, misses and entries rejected."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = self.misses = self.rejected = 0
        try:
            self.db = sqlite3.connect(path)
            self.db.execute("create table if not exists entries (key text primary key, checksum text, payload blob)")
        except sqlite3.DatabaseError:  # not a database at all: start again
            path.unlink(missing_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("create table entries (key text primary key, checksum text, payload blob)")

    def get(self, key: str, sha256: str) -> Report | None:
        row = self.db.execute("select checksum, payload from entries where key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        checksum, payload = row
        try:
            if not isinstance(payload, bytes) or hashlib.sha256(payload).hexdigest() != checksum:
                raise ValueError("checksum")
            report = decode(payload)
            if report.source.sha256 != sha256:
                raise ValueError("source")
        except (ValueError, KeyError, TypeError, IndexError):
            self.rejected += 1
            return None
        self.hits += 1
        return report

    def put(self, key: str, report: Report) -> None:
        payload = encode(report)
        self.db.execute("insert or replace into entries values (?, ?, ?)",
                        (key, hashlib.sha256(payload).hexdigest(), payload))

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _number(value):
    return {"d": str(value)} if isinstance(value, Decimal) else value


def _unnumber(value):
    return Decimal(value["d"]) if isinstance(value, dict) else value


def encode(report: Report) -> bytes:
    data = {
        "source": list(report.source.__dict__.values()),
        "meta": [report.agency, report.year, report.template, report.published, report.region, report.contact,
                 report.source_url, report.added],
        "figures": [[path, _number(f.value), f.printed, f.line, f.page, f.inferred] for path, f in report.figures.items()],
        "units": report.units, "sections": report.sections, "tables_found": list(report.tables_found),
        "findings": [[f.rule, f.severity, f.message, list(f.cells), _number(f.expected), _number(f.actual)]
                     for f in report.findings],
        "status": report.status,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> Report:
    data = json.loads(payload)
    agency, year, template, published, region, contact, source_url, added = data["meta"]
    return Report(
        source=Source(*data["source"]), agency=agency, year=year, template=template, published=published,
        region=region, contact=contact, source_url=source_url, added=added,
        figures={path: Figure(_unnumber(value), printed, line, page, inferred)
                 for path, value, printed, line, page, inferred in data["figures"]},
        units=data["units"], sections=data["sections"], tables_found=tuple(data["tables_found"]),
        findings=tuple(Finding(rule, severity, message, tuple(cells), _unnumber(expected), _unnumber(actual))
                       for rule, severity, message, cells, expected, actual in data["findings"]),
        status=data["status"])
