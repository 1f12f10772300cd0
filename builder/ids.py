"""The reports' stable ids, and the digest that names an agency: the package's keys, the
site's addresses and the sidecar's `id` all come from here."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

from builder.model import Report


def report_ids(reports: Sequence[Report]) -> list[str]:
    """Ids in the order of `reports`. An id once published is recorded in the report's sidecar
    and kept. Another report gets the year and a digest of agency and region; where two files
    would share one, or it is taken, a suffix from its own sha256, so no id depends on file order."""
    recorded: dict[str, int] = {}
    for n in sorted(range(len(reports)), key=lambda n: reports[n].source.file):
        if reports[n].report_id and reports[n].report_id not in recorded:
            recorded[reports[n].report_id] = n
    bases = [_base_id(r) for r in reports]
    shared = {base for base, count in Counter(b for n, b in enumerate(bases) if n not in recorded.values()).items()
              if count > 1} | set(recorded)
    ids = [reports[n].report_id if recorded.get(reports[n].report_id) == n
           else f"{base}-{_file_digest(reports[n])[:8]}" if base in shared else base
           for n, base in enumerate(bases)]
    # two copies of one file still share a digest: number them by their file names
    positions: dict[str, list[int]] = defaultdict(list)
    for n, report_id in enumerate(ids):
        positions[report_id].append(n)
    kept = set(recorded.values())
    for duplicate, copies in positions.items():
        if len(copies) > 1:
            others = sorted((reports[n].source.file, n) for n in copies if n not in kept)
            for rank, (_, n) in enumerate(others, start=1):
                ids[n] = f"{duplicate}-{rank}"
    return ids


def new_id(report: Report, taken: set[str]) -> str:
    """The id for a report added to a corpus whose published ids are `taken`."""
    base = _base_id(report)
    digest = _file_digest(report)
    for candidate in (base, f"{base}-{digest[:8]}", f"{base}-{digest[:12]}"):
        if candidate not in taken:
            return candidate
    return next(f"{base}-{digest[:12]}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{digest[:12]}-{n}" not in taken)


def agency_digest(report: Report) -> str | None:
    """Who published the report, as a digest of agency and region: one agency's reports of
    several years share it; agencies of one name in different regions do not."""
    if not report.agency:
        return None
    region = report.region or {}
    key = "|".join([report.agency, region.get("province", ""), region.get("city", ""), region.get("county", ""),
                    region.get("name", "")])
    return hashlib.sha256(unicodedata.normalize("NFKC", key).encode("utf-8")).hexdigest()[:10]


def _base_id(report: Report) -> str:
    digest = agency_digest(report)
    if digest is None:
        return f"file-{_file_digest(report)[:12]}"
    return f"{report.year or 'unknown'}-{digest}"


def _file_digest(report: Report) -> str:
    return report.source.sha256 or hashlib.sha256(report.source.file.encode("utf-8")).hexdigest()
