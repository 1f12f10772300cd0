"""Hostile files: names that try to escape, links, entity bombs. Nothing escapes, nothing is lost."""

from __future__ import annotations

import io
import shutil
import unicodedata
import zipfile

from builder import pipeline
from builder.package.rows import report_ids
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
    built = pipeline.build(reports_dir, tmp_path / "package", tmp_path / "site", ROOT)
    ids = report_ids(built.reports)
    assert len(built.reports) == 4 == len(set(ids))
    link = next(r for r in built.reports if r.source.file == "link.txt")
    assert link.status == "unparsed" and "符号链接" in link.findings[0].message
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*")]
    assert all(p.parts[0] in ("reports", "package", "site", "secret.txt") for p in written)
    pages = [p for p in (tmp_path / "site" / "reports").glob("*.html") if p.name != "index.html"]
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
    assert all(len(text) <= 20_000 for text in report.sections.values())
