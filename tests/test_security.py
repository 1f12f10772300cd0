"""Hostile files: names that try to escape, links, entity bombs. Nothing escapes, nothing is lost."""

from __future__ import annotations

import io
import resource
import shutil
import unicodedata
import zipfile
import zlib
from pathlib import Path

from builder import pipeline, runner
from builder.ids import report_ids
from builder.readers.text import MAX_LINE_CHARS
from conftest import REPORTS, ROOT

SEED = REPORTS / "000_3fe1192cfb6e68d3.txt"


def test_names_in_two_unicode_forms_and_links_are_all_accounted_for(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    name = "新坊镇é报告.txt"
    shutil.copy(SEED, reports_dir / unicodedata.normalize("NFC", name))
    shutil.copy(SEED, reports_dir / unicodedata.normalize("NFD", name))
    outside = tmp_path / "secret.txt"
    outside.write_text("不应被读取", encoding="utf-8")
    (reports_dir / "link.txt").symlink_to(outside)
    (reports_dir / "..x.txt").write_bytes(SEED.read_bytes().replace("新坊镇".encode(), "旧坊镇".encode()))
    built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    ids = report_ids(built.reports)
    assert len(built.reports) == 4 == len(set(ids))
    link = next(r for r in built.reports if r.source.file == "link.txt")
    assert link.status == "unparsed" and "符号链接" in link.findings[0].message
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*")]
    # package.lock: the lock a build holds beside its package
    assert all(p.parts[0] in ("reports", "package", "package.lock", "site", "secret.txt") for p in written)
    pages = [p for p in (tmp_path / "site" / "reports").rglob("*.html") if p.name != "index.html"]
    assert len(pages) == 4
    assert not any("不应被读取" in p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))


def test_an_entity_bomb_in_a_word_file_is_not_expanded(tmp_path):
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "哈"}">' for i in range(10))
    document = (f'<?xml version="1.0"?><!DOCTYPE w [{laughs}]>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", document)
    path = tmp_path / "laughs.docx"
    path.write_bytes(buffer.getvalue())
    report = pipeline.process(path)
    assert report.status == "unparsed"
    assert all(len(f.message) < 200 for f in report.findings)


def test_gigantic_lines_are_bounded(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("一、总体情况" + "数" * 3_000_000 + "\n", encoding="utf-8")
    report = pipeline.process(path)
    assert report.status == "unparsed"
    assert all(len(text) <= MAX_LINE_CHARS for text in report.sections.values())


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog) with a true xref table."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_pdf_stream_that_inflates_without_end_is_refused_within_the_memory_bound(tmp_path):
    squeeze = zlib.compressobj(9)
    block = b" " * (1 << 20)
    stream = b"".join(squeeze.compress(block) for _ in range(400)) + squeeze.flush()  # 400 MB in < 1 MB
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                           b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream)]))
    assert path.stat().st_size < 1 << 20
    report = pipeline.process_bounded(path, seconds=30, memory=128 << 20)
    assert report.status == "unparsed" and "内存超过上限" in report.findings[0].message
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # the bound is lifted after


def test_a_pdf_declaring_a_hundred_thousand_pages_is_refused_before_they_are_made(tmp_path):
    path = tmp_path / "pages.pdf"
    path.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                           b"<< /Type /Pages /Kids [%s] /Count 100000 >>" % (b"3 0 R " * 100_000),
                           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]))
    report = pipeline.process_bounded(path, seconds=30)
    assert report.status == "unparsed" and "页数过多" in report.findings[0].message


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    report = pipeline.process(fifo)  # reading it would wait for a writer for ever
    assert report.status == "unparsed" and "不是普通文件" in report.findings[0].message


def test_a_sidecar_that_links_outside_the_corpus_is_not_read(tmp_path):
    import os

    secret = tmp_path / "secret.yml"
    secret.write_text("agency: 机密内容\nregion: 秘密地区\n", encoding="utf-8")
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", reports_dir / "a.txt")
    (reports_dir / "a.yml").symlink_to(secret)
    report = pipeline.process(reports_dir / "a.txt")
    assert report.agency != "机密内容" and "秘密" not in str(report.region)
    assert any(f.rule == "sidecar" and "链接" in f.message for f in report.findings)
    (reports_dir / "a.yml").unlink()
    os.link(secret, reports_dir / "a.yml")  # a hard link, the same
    report = pipeline.process(reports_dir / "a.txt")
    assert report.agency != "机密内容" and any(f.rule == "sidecar" for f in report.findings)


def test_a_sidecar_of_nested_aliases_is_refused_at_once(tmp_path):
    import time

    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):  # 9**12 items if expanded
        lines.append(f"{chr(97 + level)}: &{chr(97 + level)} [{', '.join(['*' + chr(96 + level)] * 9)}]")
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", tmp_path / "a.txt")
    (tmp_path / "a.yml").write_text("\n".join(lines) + "\nagency: 甲\n", encoding="utf-8")
    start = time.perf_counter()
    report = pipeline.process(tmp_path / "a.txt")
    assert time.perf_counter() - start < 5
    assert any(f.rule == "sidecar" and "别名" in f.message for f in report.findings)


def test_a_text_of_millions_of_lines_costs_its_bound_not_the_build(tmp_path):
    import time

    path = tmp_path / "lines.txt"
    path.write_bytes(b"\t1\n" * 5_000_000)
    start = time.perf_counter()
    report = pipeline.process(path)
    assert time.perf_counter() - start < 10
    assert report.status == "unparsed" and "行数过多" in report.findings[0].message


def test_the_feed_is_valid_xml_whatever_an_agency_is_called(tmp_path):
    from xml.etree import ElementTree

    from builder.model import Report, Source
    from builder.site.feed import atom

    report = Report(Source("a.txt", "txt", "0" * 64, 1), agency="甲\x01乡\x0b<&>", year=2023, added="2026-12-01")
    ElementTree.fromstring(atom([report], ["2023-0000000000"], "gongkai", "tag:x,2026:"))


def test_a_run_of_a_million_digits_anywhere_costs_little(tmp_path):
    import time

    lines = (REPORTS / "2019-1f04b1ed3384.txt").read_bytes().split(b"\n")
    for position in (0, 5, len(lines)):
        mutated = lines[:position] + [b"9" * 1_000_000] + lines[position:]
        path = tmp_path / f"digits-{position}.txt"
        path.write_bytes(b"\n".join(mutated))
        start = time.perf_counter()
        report = pipeline.process(path)
        assert time.perf_counter() - start < 5, position  # an e-mail pattern once took 50 s here
        assert report.status in ("warn", "fail", "unparsed")


def test_only_the_packages_own_files_are_published(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", reports_dir)
    package = tmp_path / "package"
    package.mkdir()
    (package / ".env").write_text("TOKEN=secret\n", encoding="utf-8")
    (package / "notes.csv").write_text("private\n", encoding="utf-8")
    runner.build(runner.BuildOptions(reports_dir, package, tmp_path / "site", ROOT))
    published = sorted(p.name for p in (tmp_path / "site" / "data").iterdir())
    assert ".env" not in published and "notes.csv" not in published
    assert "datapackage.json" in published and "reports.csv" in published


def test_a_second_build_of_one_package_is_refused_while_the_first_runs(tmp_path):
    import fcntl

    import pytest

    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    shutil.copy(REPORTS / "000_3fe1192cfb6e68d3.txt", reports_dir)
    with open(tmp_path / "package.lock", "a") as running:  # what the first build holds
        fcntl.flock(running, fcntl.LOCK_EX)
        with pytest.raises(runner.BuildRunning):
            runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    assert not (tmp_path / "package").exists() and not (tmp_path / "site").exists()
    assert len(runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT)).reports) == 1


def seed_with(tmp_path: Path, overview_line: str, sidecar: str) -> Path:
    """A folder holding the first seed with a line put at the start of its 一、总体情况, as a.txt,
    and a.yml holding `sidecar`."""
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (reports_dir / "a.txt").write_text(text.replace("一、总体情况\n", f"一、总体情况\n{overview_line}\n", 1), encoding="utf-8")
    (reports_dir / "a.yml").write_text(sidecar, encoding="utf-8")
    return reports_dir


def test_control_characters_reach_no_output(tmp_path):
    reports_dir = seed_with(tmp_path, "概述\x01内\x1b[31m容\x07。", 'agency: "甲\\0乡\\x1b"\n')
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
    for folder in (tmp_path / "package", tmp_path / "site"):
        for path in folder.rglob("*"):
            # the source file is the original, offered as a download of what the agency published
            if path.is_file() and path.suffix in (".csv", ".json", ".html", ".xml", ".md", ".txt") \
                    and ".source." not in path.name:
                data = path.read_bytes()
                assert not [b for b in b"\x00\x01\x07\x1b" if bytes([b]) in data], path


def _package_is_whole(package) -> int:
    """The package agrees with its descriptor, its zip and its database; returns its reports."""
    import csv
    import hashlib
    import json
    import sqlite3

    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for listed in descriptor["resources"]:
        paths = [listed["path"]] if isinstance(listed["path"], str) else listed["path"]  # Parquet's parts
        data = b"".join((package / path).read_bytes() for path in paths)
        assert listed["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and listed["bytes"] == len(data)
    with zipfile.ZipFile(package / "gongkai-datapackage.zip") as archive:
        for name in archive.namelist():
            assert archive.read(name) == (package / name.removeprefix("gongkai/")).read_bytes(), name
    with open(package / "reports.csv", encoding="utf-8") as file:
        rows = len(list(csv.DictReader(file)))
    with sqlite3.connect(package / "gongkai.sqlite") as db:
        assert db.execute("select count(*) from reports").fetchone()[0] == rows
    return rows


def _two_seeds(tmp_path):
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for name in ("000_3fe1192cfb6e68d3.txt", "001_a27e78e5f53cff5a.txt"):
        shutil.copy(REPORTS / name, reports_dir)
    return reports_dir


def _build_killed_at(phase: str, *folders) -> None:
    """`runner.build` of the folders in a process of its own, killed (SIGKILL) at `phase`."""
    import os
    import subprocess
    import sys

    arguments = ", ".join(f"Path({str(folder)!r})" for folder in folders)
    code = f"from pathlib import Path; from builder import runner; runner.build(runner.BuildOptions({arguments}))"
    killed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            env={**os.environ, "GONGKAI_KILL_AT": phase})
    assert killed.returncode == -9, killed.stderr


def test_a_build_killed_while_it_writes_the_package_leaves_the_old_one_or_the_new_one(tmp_path):
    reports_dir = _two_seeds(tmp_path)
    package = tmp_path / "package"
    (package).mkdir()
    (package / "mine.txt").write_text("someone's note\n", encoding="utf-8")
    runner.build(runner.BuildOptions(reports_dir, package))
    assert _package_is_whole(package) == 2
    shutil.copy(REPORTS / "003_b262c255d28bf770.txt", reports_dir)
    for phase, reports in (("package-staged", 2), ("package-switched", 3)):
        _build_killed_at(phase, reports_dir, package)
        assert _package_is_whole(package) == reports, phase
        assert (package / "mine.txt").read_text(encoding="utf-8") == "someone's note\n"
    runner.build(runner.BuildOptions(reports_dir, package))  # the next build cleans what the stopped ones left
    assert _package_is_whole(package) == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".package.")]


def test_a_build_killed_while_it_writes_the_site_leaves_the_old_site_whole(tmp_path):
    import json

    reports_dir = _two_seeds(tmp_path)
    site = tmp_path / "site"
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", site, ROOT))

    def whole(reports: int) -> None:
        assert len([p for p in (site / "reports").rglob("*.html") if p.name != "index.html"]) == reports
        assert (site / "reports" / "index.html").read_text(encoding="utf-8").count("<tr") > reports
        assert json.loads((site / "overview" / "manifest.json").read_text(encoding="utf-8"))["count"] == reports
        docs = json.loads((site / "search" / "d" / "0.json").read_text(encoding="utf-8"))
        assert len([d for d in docs if d[0] == "report"]) == reports

    whole(2)
    shutil.copy(REPORTS / "003_b262c255d28bf770.txt", reports_dir)
    _build_killed_at("site-staged", reports_dir, tmp_path / "package", site, ROOT)
    whole(2)  # every page of the old site, its index and its search
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", site, ROOT))
    whole(3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_text_that_starts_as_a_formula_is_never_computed_by_a_spreadsheet(tmp_path):
    import csv
    import sqlite3

    reports_dir = seed_with(tmp_path, '=HYPERLINK("http://x")', 'agency: "@SUM(1+1)"\n')
    runner.build(runner.BuildOptions(reports_dir, tmp_path / "package"))
    with open(tmp_path / "package" / "reports.csv", encoding="utf-8") as file:
        assert next(csv.DictReader(file))["agency"] == "'@SUM(1+1)"
    with open(tmp_path / "package" / "sections.csv", encoding="utf-8") as file:
        overview = next(row for row in csv.DictReader(file) if row["section"] == "overview")
        assert overview["text"].startswith("'=HYPERLINK")
    with sqlite3.connect(tmp_path / "package" / "gongkai.sqlite") as db:  # for machines, as it was
        assert db.execute("select agency from reports").fetchone()[0] == "@SUM(1+1)"


def test_a_hard_link_to_a_file_elsewhere_is_refused_and_the_sites_copies_are_not_links(tmp_path):
    import os

    reports_dir = _two_seeds(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_bytes((REPORTS / "003_b262c255d28bf770.txt").read_bytes() + "\n机密内容\n".encode())
    os.link(outside, reports_dir / "linked.txt")
    for run in range(2):  # the second build meets the site of the first
        built = runner.build(runner.BuildOptions(reports_dir, tmp_path / "package", tmp_path / "site", ROOT))
        linked = next(r for r in built.reports if r.source.file == "linked.txt")
        assert linked.status == "unparsed" and "硬链接" in linked.findings[0].message
        assert all(r.status != "unparsed" for r in built.reports if r.source.file != "linked.txt")
        assert all(p.stat().st_nlink == 1 for p in reports_dir.glob("0*.txt"))
    assert not any("机密内容" in p.read_text(encoding="utf-8", errors="ignore")
                   for p in (tmp_path / "site").rglob("*") if p.is_file())
