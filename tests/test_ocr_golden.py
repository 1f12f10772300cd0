"""The OCR goldens: one filled form scanned as `tests/ocr_samples.py` made it (by resolution,
turned, JPEG-compressed), each read as a report is, against its golden file. A golden holds
each figure as read (null where OCR's doubts left it blank), the status and the findings; it
was checked against the figures the form was filled with (`filled.json`), and this test
checks that again: every figure a golden publishes is the one filled in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder import pipeline
from builder.model import Report
from conftest import GOLDEN, ROOT

SAMPLES = sorted((ROOT / "tests" / "samples" / "ocr").glob("*.pdf"))
FILLED = json.loads((ROOT / "tests" / "samples" / "ocr" / "filled.json").read_text(encoding="utf-8"))
# the bar, at 150 dpi however the page was scanned; below it, none wrong is the bar
RIGHT_AT_150_DPI = 0.995
# read by a whole build in `test_ocr.py`, which checks it against its golden there: read once
BUILT = ROOT / "tests" / "samples" / "ocr" / "form-2021-150dpi.pdf"


def as_golden(report: Report) -> dict:
    return {
        "status": report.status,
        "figures": {path: None if report.value(path) is None else str(report.value(path)) for path in FILLED},
        "findings": [[f.rule, list(f.cells)] for f in report.findings],
    }


def check_golden(sample: Path, report: Report, update: bool) -> None:
    """`report`, read from `sample`, against the sample's golden (rewritten first if `update`);
    and the golden against the figures filled in."""
    found = as_golden(report)
    golden_path = GOLDEN / "ocr" / f"{sample.stem}.json"
    if update:
        golden_path.parent.mkdir(exist_ok=True)
        golden_path.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    published = {path: value for path, value in golden["figures"].items() if value is not None}
    assert {path: FILLED[path] for path in published} == published  # the golden itself: none wrong
    blanked = {path for path, value in golden["figures"].items() if value is None and FILLED[path] is not None}
    named = {cell for _, cells in golden["findings"] for cell in cells}
    assert blanked <= named  # every figure left blank is named by a finding
    if "150dpi" in sample.stem:
        assert len(published) >= RIGHT_AT_150_DPI * sum(v is not None for v in FILLED.values())
    assert found == golden


def test_every_sample_has_its_golden_and_one_is_read_by_a_build():
    assert {p.stem for p in (GOLDEN / "ocr").glob("*.json")} == {p.stem for p in SAMPLES}
    assert BUILT in SAMPLES


@pytest.mark.parametrize("sample", [p for p in SAMPLES if p != BUILT], ids=[p.stem for p in SAMPLES if p != BUILT])
def test_a_scanned_form_matches_its_golden_and_publishes_no_wrong_figure(sample, update_golden):
    check_golden(sample, pipeline.process(sample), update_golden)
