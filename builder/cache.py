"""Parse results cached by content: a report is parsed again only when its file, its sidecar
or the parser changed.

The cache is one SQLite file. An entry holds the report as JSON with an HMAC of that JSON,
keyed by a secret of this machine's user kept outside the build folder (`cache_key_file`),
so that a cache file from elsewhere (a restored CI cache, a file put in place) can at worst
cost a parse: an entry whose checksum, version or contents do not hold is parsed again and
replaced, never trusted. Entries are JSON rather than pickles, so that no cache can run code.
A cache that SQLite finds damaged is set aside (`<name>.corrupt`) with a warning and begun
again; a read that fails is a miss, a write that fails is skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import sys
from functools import cache
from pathlib import Path

from builder import __version__
from builder.model import Report
from builder.record import from_record, to_record

# The code that turns a file and its sidecar into a checked report and its summary (pipeline.py),
# and the encoding of an entry (record.py, this file); not the build's orchestration (runner.py),
# the package or the site, whose changes leave every parse as it was.
_PARSER_PARTS = ("readers", "parse", "checks", "places", "analyse.py", "forms.py", "model.py", "vocabulary.py",
                 "sidecar.py", "record.py", "cache.py", "pipeline.py")


def parser_files() -> list[Path]:
    """The files whose code turns a file into a checked report."""
    root = Path(__file__).resolve().parent
    return [file for part in _PARSER_PARTS
            for file in (sorted(f for f in (root / part).rglob("*") if f.is_file() and "__pycache__" not in f.parts)
                         if (root / part).is_dir() else [root / part])]


@cache
def parser_version() -> str:
    """A digest of the code that turns a file into a checked report: any change to it
    invalidates every entry, without anyone having to remember to bump a number."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for file in parser_files():
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def entry_key(data: bytes, sidecar: bytes | None, ocr: bool = True, pictures: bytes = b"") -> str:
    """`ocr` False: the report as read without OCR, kept apart from the one read with it.
    `pictures`: the digest of the pictures beside it (`pipeline.pictures_digest`)."""
    digest = hashlib.sha256(parser_version().encode() + (b"" if ocr else b"no-ocr"))
    digest.update(hashlib.sha256(data).digest())
    digest.update(hashlib.sha256(sidecar).digest() if sidecar is not None else b"no sidecar")
    digest.update(pictures)
    return digest.hexdigest()


_COLUMNS = ("key", "checksum", "payload", "summary")


class ParseCache:
    """Entries by key: a report as JSON, and its summary (`pipeline.summarize`) as JSON, so
    that a build can hold every report's summary without decoding every report."""

    def __init__(self, path: Path, check: bool = False):
        """`check`: the builder's own connection verifies the file before the workers use it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.key = cache_key()
        self.writable = True
        try:
            self.db = self._open(path)
            if check and self.db.execute("pragma quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check")
        except sqlite3.DatabaseError as err:  # damaged, or not a database at all: begin again
            if getattr(self, "db", None) is not None:
                self.db.close()
            print(f"gongkai: 解析缓存 {path} 已损坏（{err}），已移至 {path.name}.corrupt 并重新建立", file=sys.stderr)
            for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if stale.exists():
                    stale.replace(stale.with_name(stale.name + ".corrupt"))
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

    def _entry(self, key: str, sha256: str, summary: bool) -> tuple[bytes, Report | None] | None:
        try:
            row = self.db.execute("select checksum, payload, summary from entries where key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:  # a page damaged since the check: a miss, the report is parsed
            return None
        if row is None:
            return None
        checksum, payload, short = row
        try:
            if not isinstance(payload, bytes) or not isinstance(short, bytes) or not hmac.compare_digest(_checksum(self.key, payload, short), checksum):
                raise ValueError("checksum")
            data = short if summary else payload
            if summary:  # read whole by whoever asked for it (`decode`); here only whose it is
                report = None
                if json.loads(data)["source"]["sha256"] != sha256:
                    raise ValueError("source")
            else:
                report = decode(data)
                if report.source.sha256 != sha256:
                    raise ValueError("source")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        return data, report

    def put(self, key: str, payload: bytes, summary: bytes) -> None:
        """Store `encode(report)` and `encode(summarize(report))`, encoded by whoever parsed it."""
        if not self.writable:
            return
        try:
            self.db.execute("insert or replace into entries values (?, ?, ?, ?)",
                            (key, _checksum(self.key, payload, summary), payload, summary))
        except sqlite3.DatabaseError as err:  # the entry is lost: a parse, later, never the build
            self._unwritable(err)

    def commit(self) -> None:
        try:
            self.db.commit()
        except sqlite3.DatabaseError as err:
            self._unwritable(err)

    def close(self) -> None:
        self.commit()
        self.db.close()

    def _unwritable(self, err: Exception) -> None:
        if self.writable:
            print(f"gongkai: 解析缓存无法写入（{err}），本次构建不再缓存", file=sys.stderr)
        self.writable = False


def _checksum(key: bytes, payload: bytes, summary: bytes) -> str:
    digest = hmac.new(key, payload, hashlib.sha256)
    digest.update(b"\0")
    digest.update(summary)
    return digest.hexdigest()


def cache_key_file() -> Path:
    """Where this user's cache secret lives: `GONGKAI_CACHE_KEY`, else the user's configuration."""
    configured = os.environ.get("GONGKAI_CACHE_KEY")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "gongkai" / "cache-key"


@cache
def cache_key() -> bytes:
    """The secret, made on first use (readable by this user only)."""
    path = cache_key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
    except OSError:  # nowhere to keep it: entries of this run are good for this run only
        pass
    return key


def encode(report: Report) -> bytes:
    # ASCII, without the check for cycles a Report cannot have: the fastest of json's encoders
    return json.dumps(to_record(report, exact=True), separators=(",", ":"), check_circular=False).encode("ascii")


def decode(payload: bytes) -> Report:
    return from_record(json.loads(payload))
