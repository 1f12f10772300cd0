"""Property tests: generated reports parse back to their figures; no text crashes the parser."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import synth
from builder.model import Source
from builder.parse import parse
from builder.readers.text import NotText, read
from conftest import FUZZ_SCALE, parse_text

PROFILE = settings(max_examples=150 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_reports_parse_back_to_their_figures(seed):
    """Every layout, both templates, random quirks and blank rows: each figure comes back as
    generated, or is flagged by a finding and left blank or marked inferred. Never wrong silently."""
    text, values, facts = synth.report_text(seed)
    report = parse_text(text)
    flagged = {cell for finding in report.findings for cell in finding.cells}
    for path, value in values.items():
        figure = report.figures[path]
        if figure.value != value:
            assert path in flagged and (figure.value is None or figure.inferred), (path, value, figure)
    assert (report.agency, report.year, report.template) == (facts["agency"], facts["year"], facts["template"])
    assert not [f for f in report.findings if f.severity == "error"]


@PROFILE
@given(st.integers(min_value=0, max_value=2**32))
def test_consistent_reports_without_blanks_come_back_exactly(seed):
    text, values, _ = synth.report_text(seed)
    if any(v is None for v in values.values()):
        return
    report = parse_text(text)
    assert {p: report.value(p) for p in values} == values


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789一二三四五六（）()、.\t|\n 自然人总计予以公开规章第二十条/—-"), max_size=600))
def test_random_text_never_crashes_the_parser(text):
    try:
        document = read(text.encode("utf-8"), Source("x.txt", "txt", "", 0))
    except NotText:
        return
    report = parse(document)
    assert isinstance(report.findings, tuple)


@settings(max_examples=100 * FUZZ_SCALE, deadline=None)
@given(st.integers(min_value=0, max_value=2**16), st.data())
def test_figures_reported_are_figures_printed(seed, data):
    """Lines deleted or swapped: whatever the parser still reports was printed in the source,
    or is marked inferred."""
    text, _, _ = synth.report_text(seed)
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        j = data.draw(st.integers(0, len(lines) - 1))
        if data.draw(st.booleans()):
            del lines[i]
        else:
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            return
    report = parse_text("\n".join(lines))
    printed_numbers = set()
    from builder.parse.cells import token_of
    for line in lines:
        for cell in line.replace("|", "\t").split("\t"):
            token = token_of(cell)
            if token.kind == "number":
                printed_numbers.add(token.value)
    for path, figure in report.figures.items():
        if figure.value is not None and not figure.inferred:
            assert figure.value in printed_numbers, (path, figure)
