"""Fuzzing with a mutation corpus made from the seed reports, a web page, a Word file and the
PDF: whatever the damage, the parser does not crash, does not hang, and reports no figure
that is not printed in the source.

The quick profile (2 rounds a case) runs in `make test`; `make fuzz` runs 200 rounds a case.
Each case is reproducible from its source, mutation and round."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest

import mutations
from builder import pipeline, readers, synth
from builder.synth.corpus import docx_report, html_report
from builder.parse.cells import token_of
from builder.forms import TEMPLATES
from conftest import FUZZ_SCALE, REPORTS

ROUNDS = 2 * FUZZ_SCALE
TIME_BOUND = 20.0


def _sources() -> dict[str, tuple[str, bytes, tuple]]:
    values = synth.figures(random.Random(4), TEMPLATES["2021"], scale=2, blanks=0.1)
    found = {path.name: (".txt", path.read_bytes(), mutations.TEXT_MUTATIONS)
             # the seeds, and every eighth real report (text whose tables ran together)
             for path in [*sorted(REPORTS.glob("0*.txt")), *sorted(REPORTS.glob("20*.txt"))[::8]]}
    found["page.html"] = (".html", html_report("2021", values, "巴集乡人民政府", 2023), mutations.HTML_MUTATIONS)
    found["form.docx"] = (".docx", docx_report("2021", values, "巴集乡人民政府", 2023), mutations.WORD_MUTATIONS)
    found["huaian_2024.pdf"] = (".pdf", (REPORTS / "huaian_2024.pdf").read_bytes(), mutations.BINARY_MUTATIONS)
    return found


SOURCES = _sources()
CASES = [(name, mutation) for name, (_, _, applicable) in SOURCES.items() for mutation in applicable]


def assert_sound(path: Path, data: bytes, report) -> None:
    """No crash, no hang; every figure reported is a number printed on the line it names,
    or is inferred and flagged."""
    rules = {finding.rule for finding in report.findings}
    assert not rules & {"internal_error", "timeout"}, report.findings
    if report.status == "unparsed":
        assert not any(figure.value is not None for figure in report.figures.values())
        return
    cells = defaultdict(list)
    texts = defaultdict(str)  # each line's text without spaces, where glued figures are found
    for row in readers.read(path, data).rows:
        for text, line in zip(row.texts, row.lines):
            # a cell, and each word of it: a line of running text holds a table's row
            cells[(line, row.page)] += [token_of(text), *map(token_of, text.split())]
            texts[(line, row.page)] += "".join(text.split())
    flagged = {cell for finding in report.findings for cell in finding.cells}
    for cell, figure in report.figures.items():
        if figure.value is None:
            continue
        if figure.inferred:
            assert cell in flagged, (cell, figure)
            continue
        printed = cells[(figure.line, figure.page)]
        if any(t.kind == "number" and t.value == figure.value and type(t.value) is type(figure.value)
               for t in printed):
            continue
        # a figure split from digits that ran together: its text stands in the line, its cell is flagged
        glued = token_of(figure.printed or "")
        assert glued.value == figure.value and figure.printed in texts[(figure.line, figure.page)], (cell, figure)
        assert any(f.rule == "glued_cells" and cell in f.cells for f in report.findings), (cell, figure)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_sources_themselves_are_sound(tmp_path, name):
    suffix, data, _ = SOURCES[name]
    path = tmp_path / f"source{suffix}"
    path.write_bytes(data)
    report = pipeline.process(path)
    assert report.status in ("pass", "warn", "fail")
    assert_sound(path, data, report)


@pytest.mark.parametrize("name,mutation", CASES, ids=[f"{n}-{m.__name__}" for n, m in CASES])
def test_a_mutated_report_never_crashes_hangs_or_invents_a_figure(tmp_path, name, mutation):
    suffix, original, _ = SOURCES[name]
    rounds = 1 if suffix == ".pdf" and ROUNDS < 10 else ROUNDS
    for round_ in range(rounds):
        rng = random.Random(f"{name}/{mutation.__name__}/{round_}")
        data = mutation(original, rng)
        path = tmp_path / f"{round_}{suffix}"
        path.write_bytes(data)
        report = pipeline.process_bounded(path, TIME_BOUND)
        assert_sound(path, data, report)
