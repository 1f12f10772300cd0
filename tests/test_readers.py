"""Readers for HTML, Word and PDF: round trips of generated reports, the real PDF, the blank
template, and bad input."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from builder import pipeline, synth
from builder.synth.corpus import docx_report, html_report
from builder.forms import TEMPLATES
from conftest import REPORTS

SAMPLES = Path(__file__).resolve().parent / "samples"  # the blank 2021 template as issued


def figures_for(version: str, seed: int, blanks: float = 0.1) -> dict:
    values = synth.figures(random.Random(seed), TEMPLATES[version], scale=2, blanks=blanks)
    return values


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("kind", ["html", "html-gbk", "docx"])
def test_round_trip(tmp_path, version, kind):
    values = figures_for(version, seed=7)
    year = 2020 if version == "2019" else 2024
    if kind == "docx":
        path = tmp_path / "r.docx"
        path.write_bytes(docx_report(version, values, "巴集乡人民政府", year))
    else:
        path = tmp_path / "r.html"
        path.write_bytes(html_report(version, values, "巴集乡人民政府", year, "gbk" if kind == "html-gbk" else "utf-8"))
    report = pipeline.process(path)
    assert (report.agency, report.year, report.template) == ("巴集乡人民政府", year, version)
    assert {p: report.value(p) for p in values} == values
    assert report.status in ("pass", "warn") and not [f for f in report.findings if f.severity == "error"]
    assert report.sections["problems"].splitlines() == ["一是公开内容有待丰富。", "二是将加强培训。"] or kind == "docx"


def test_figures_from_html_keep_where_they_came_from(tmp_path):
    values = figures_for("2021", seed=3, blanks=0)
    path = tmp_path / "r.htm"
    path.write_bytes(html_report("2021", values, "巴集乡人民政府", 2024))
    report = pipeline.process(path)
    assert report.figures["applications/new_received/total"].line is not None


def test_the_huaian_pdf_every_figure_and_pass():
    report = pipeline.process(REPORTS / "huaian_2024.pdf")
    assert (report.agency, report.year, report.template, report.status) == ("淮安市人民政府", 2024, "2021", "pass")
    assert sum(v is not None for v in report.values.values()) == 200
    assert report.value("applications/new_received/total") == 3119
    assert report.value("reviews_litigation/review/total") == 351
    assert report.figures["applications/new_received/total"].page == 4


def test_the_blank_2021_template_is_a_2021_report_with_every_figure_blank():
    report = pipeline.process(SAMPLES / "template_2021.docx")
    assert report.template == "2021" and set(report.values.values()) == {None}
    assert len(report.values) == 200
    blank = [f for f in report.findings if f.rule == "blank_cell"]
    assert sum(len(f.cells) for f in blank) == 200 and report.status == "warn"


def _minimal_pdf(content: bytes) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


@pytest.mark.parametrize("name, content, message", [
    ("scan.pdf", _minimal_pdf(b"0 0 m 100 100 l S"), "扫描件"),
    ("cut.pdf", (REPORTS / "huaian_2024.pdf").read_bytes()[:5000], "PDF"),
    ("junk.pdf", b"%PDF-1.4 not really", "PDF"),
    ("broken.docx", b"PK\x03\x04 not a zip at all", "Word"),
    ("empty.html", b"<html><body><p>\xe6\x97\xa0</p></body></html>", "表格"),
])
def test_bad_files_are_unparsed_with_a_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    report = pipeline.process(path)
    assert report.status == "unparsed"
    assert any(message in f.message for f in report.findings), report.findings


def test_a_scan_without_ocr_is_unparsed_and_says_why(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_minimal_pdf(b"0 0 m 100 100 l S"))
    report = pipeline.process(path, ocr=False)
    assert report.status == "unparsed" and report.findings[0].rule == "unreadable"
    assert "扫描件" in report.findings[0].message and "--no-ocr" in report.findings[0].message


def test_a_zip_bomb_is_not_inflated(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>")
        with archive.open("word/padding.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(110):
                member.write(chunk)
    assert path.stat().st_size < 1_000_000
    report = pipeline.process(path)
    assert report.status == "unparsed" and "压缩炸弹" in report.findings[0].message


def test_deeply_nested_html_does_not_crash(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 20000 + "一、总体情况" + "</div>" * 20000, encoding="utf-8")
    report = pipeline.process(path)
    assert report.status == "unparsed"


def test_a_pdf_line_without_ruling_lines_splits_into_cells_at_wide_gaps():
    from builder.readers.pdf import _cells_by_gaps

    def chars(text, x):
        return [{"text": ch, "x0": x + 10 * i, "x1": x + 10 * i + 10} for i, ch in enumerate(text)]

    line = {"chars": chars("行政许可", 0) + chars("447228", 120) + chars("0", 260)}
    assert _cells_by_gaps(line) == ["行政许可", "447228", "0"]
    assert _cells_by_gaps({"chars": chars("一是政策解读质量仍需提升", 0)}) == ["一是政策解读质量仍需提升"]


@pytest.mark.parametrize("suffix", [".txt", ".htm"])
def test_the_format_is_taken_from_the_content(tmp_path, suffix):
    values = figures_for("2021", seed=5)
    path = tmp_path / f"page{suffix}"
    path.write_bytes(html_report("2021", values, "巴集乡人民政府", 2024))
    report = pipeline.process(path)
    assert report.source.format == "html" and {p: report.value(p) for p in values} == values


def test_pdf_round_trip_through_libreoffice(tmp_path):
    """Word files made from known figures, turned into PDF by LibreOffice (Debian's
    libreoffice-writer-nogui, installed by .ci/run), read back to exactly those figures."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-writer-nogui"
    expected = {}
    for version, year in (("2019", 2020), ("2021", 2024)):
        values = figures_for(version, seed=11)
        (tmp_path / f"r{version}.docx").write_bytes(docx_report(version, values, "巴集乡人民政府", year))
        expected[version] = (values, year)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *(str(tmp_path / f"r{v}.docx") for v in expected)],
                   check=True, capture_output=True, timeout=180)
    for version, (values, year) in expected.items():
        report = pipeline.process(tmp_path / f"r{version}.pdf")
        assert (report.agency, report.year, report.template) == ("巴集乡人民政府", year, version)
        assert {p: report.value(p) for p in values} == values
        assert {"overview", "problems", "other"} <= set(report.sections)
