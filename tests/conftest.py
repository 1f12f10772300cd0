from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from builder import checks
from builder.model import Report, Source
from builder.vocabulary import status_of
from builder.parse import parse
from builder.readers.text import read

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
# `make fuzz` sets FUZZ_SCALE=100: a hundred times the fuzzing and property examples of `make test`
FUZZ_SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.json from the parser (review every change by hand)")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def parse_text(text: str, encoding: str = "utf-8") -> Report:
    """Parse and check a report given as text, as the pipeline does for a file."""
    data = text.encode(encoding)
    report = parse(read(data, Source("test.txt", "txt", "", len(data))))
    findings = report.findings + checks.check(report)
    return dataclasses.replace(report, findings=findings,
                               status=status_of(findings, parsed=bool(report.tables_found)))


def rules_of(report: Report) -> set[str]:
    return {f.rule for f in report.findings}
