"""Each seed report against its golden JSON, every figure checked by hand against the text.

The real reports of the corpus have hand transcriptions instead (`tests/real`, `test_real.py`)."""

from __future__ import annotations

import json

import pytest

from builder import pipeline, readers
from builder.record import to_record
from conftest import GOLDEN, REPORTS

REAL = GOLDEN.parent / "real"
SEEDS = sorted(p for p in REPORTS.iterdir() if (GOLDEN / f"{p.stem}.json").exists() and p.suffix != ".yml")


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_matches_golden(path, update_golden):
    parsed = to_record(pipeline.process(path))
    golden_path = GOLDEN / f"{path.stem}.json"
    if update_golden:
        golden_path.write_text(json.dumps(parsed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert parsed == json.loads(golden_path.read_text(encoding="utf-8"))


def test_every_report_has_a_golden_file_or_a_transcription():
    reports = sorted(p.stem for p in REPORTS.iterdir() if readers.is_report_file(p))
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == [p.stem for p in SEEDS]
    assert [r for r in reports if not (GOLDEN / f"{r}.json").exists() and not (REAL / f"{r}.json").exists()] == []


def _golden(stem_prefix):
    path = next(GOLDEN.glob(f"{stem_prefix}_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", ["000", "003", "004", "huaian"])
def test_clean_seeds_pass(prefix):
    assert _golden(prefix)["status"] == "pass"


def test_seed_001_keeps_its_blank_rows_as_null_with_warnings():
    report = _golden("001")
    blank_rows = ["granted", "partially_granted", "denied_state_secret", "denied_prohibited_by_law",
                  "denied_three_security_one_stability"]
    for row in blank_rows:
        assert set(report["applications"][row].values()) == {None}
    warned = {c for f in report["findings"] if f["rule"] == "blank_cell" for c in f["cells"]}
    assert {f"applications/{row}/natural_person" for row in blank_rows} <= warned
    assert report["applications"]["denied_third_party_rights"]["total"] == 0
    assert report["status"] == "warn"


def test_seed_001_figures_sit_under_their_labels_not_in_reading_order():
    report = _golden("001")
    assert report["applications"]["unavailable_not_held"]["natural_person"] == 1
    assert report["applications"]["results_total"]["total"] == 1
    assert report["active_disclosure"]["art20_9"]["procurement"] == {"items": 12, "amount": 7537.49}
    assert report["units"]["active_disclosure/art20_9/procurement/amount"] == "万元"


def test_seed_002_flags_its_short_row_and_marks_inferred_cells():
    report = _golden("002")
    short = [f for f in report["findings"] if f["rule"] == "short_row"]
    assert len(short) == 1
    assert short[0]["expected"] == 7 and short[0]["actual"] == 6
    assert all(c.startswith("applications/unavailable_not_held/") for c in short[0]["cells"])
    assert report["inferred"] and all(p.startswith("applications/unavailable_not_held/") for p in report["inferred"])
