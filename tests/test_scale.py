"""The synthetic corpus and the parallel build: deterministic, varied, nothing lost."""

from __future__ import annotations

import hashlib
from collections import Counter

from builder import pipeline
from builder.corpus import write_corpus


def digest(folder) -> str:
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sorted(folder.iterdir()))).hexdigest()


def test_synth_is_deterministic_and_varied(tmp_path):
    write_corpus(tmp_path / "a", 120, seed=3)
    write_corpus(tmp_path / "b", 120, seed=3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    suffixes = Counter(p.suffix for p in (tmp_path / "a").iterdir())
    assert {".txt", ".html", ".docx", ".yml"} <= set(suffixes) and suffixes[".yml"] == 120


def test_a_parallel_build_equals_a_sequential_one_and_loses_nothing(tmp_path):
    reports_dir = tmp_path / "reports"
    write_corpus(reports_dir, 100, seed=5)
    (reports_dir / "zz-broken.txt").write_bytes(b"\x00\x01" * 100)
    sequential = pipeline.build(reports_dir, tmp_path / "one", jobs=1)
    parallel = pipeline.build(reports_dir, tmp_path / "two", jobs=2)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert [r.status for r in sequential.reports] == [r.status for r in parallel.reports]
    assert len(parallel.reports) == 101 == parallel.written.rows["reports"]
    statuses = Counter(r.status for r in parallel.reports)
    assert statuses["unparsed"] >= 1 and statuses["pass"] > 0 and statuses["fail"] + statuses["warn"] > 0
    years = {r.year for r in parallel.reports if r.year}
    assert len(years) >= 4 and {r.template for r in parallel.reports} >= {"2019", "2021"}
