"""The website: MkDocs Material builds the hand-written pages and one shell page; gongkai
fills a copy of the shell for every report and agency with HTML it renders itself.

Rendering each report through MkDocs costs tens of milliseconds a page (Python-Markdown
re-reads the tables); filling the shell costs a fraction of one, and the pages still carry
Material's header, search and styles. The MkDocs glue is this module's `_mkdocs` alone.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from builder.model import Report
from builder.package import DICTIONARY_NAME
from builder.package.rows import agency_digest
from builder.serialize import dumps
from builder.site import feed, pages, search

SHELL = "_shell"
FEED = "feed.xml"
FEED_TAG = "tag:gongkai,2026"
TITLE_MARK = "GONGKAI-PAGE-TITLE"
CONTENT_MARK = "<!-- gongkai:content -->"
INDEX_PAGE = "reports/index.md"
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class SiteBuilt:
    report_pages: int
    agency_pages: int


def build_site(reports: Sequence[Report], ids: Sequence[str], sources: Sequence[Path], package_dir: Path,
               site_dir: Path, project: Path) -> SiteBuilt:
    """Write the site for `reports` (with their package ids and source files) to `site_dir`."""
    with tempfile.TemporaryDirectory(prefix="gongkai-docs-") as staging:
        docs = Path(staging)
        _stage(docs, project / "content", package_dir)
        _mkdocs(project / "mkdocs.yml", docs, site_dir)
    shell_path = site_dir / "reports" / f"{SHELL}.html"
    shell = shell_path.read_text(encoding="utf-8")
    shell_path.unlink()
    agencies = _agencies(reports, ids)
    agency_of = {report_id: aid for aid, members in agencies.items() if len(members) > 1 for report_id, _ in members}
    pages_dir = site_dir / "reports"
    entries = []
    for report, report_id, source in zip(reports, ids, sources):
        suffix = source.suffix.lower()
        source_name = f"{report_id}.source{suffix if _SAFE_SUFFIX.match(suffix) else ''}"
        if source.is_file() and not source.is_symlink():
            shutil.copyfile(source, pages_dir / source_name)
        title = pages.report_title(report)
        agency_url = f"../agencies/{agency_of[report_id]}.html" if report_id in agency_of else None
        try:
            html = pages.report_page(report, report_id, agency_url, source_name)
        except Exception as err:  # one page that cannot be rendered must not cost the site
            html = (f"<p>此报告的页面无法生成（内部错误：{escape(type(err).__name__)}）。"
                    f'其数据见 <a href="{report_id}.json">JSON</a> 与数据包。</p>')
        _write(pages_dir / f"{report_id}.html", _fill(shell, title, html, f"reports/{report_id}.html"))
        _write(pages_dir / f"{report_id}.svg", pages.badge(report.status)[0])
        _write(pages_dir / f"{report_id}.json", dumps(report, indent=None) + "\n")
        _write(pages_dir / f"{report_id}.csv", pages.report_csv(report))
        entries.append(search.report_entry(report, f"reports/{report_id}.html", title))
    written_agencies = 0
    (site_dir / "agencies").mkdir(exist_ok=True)
    for aid, members in agencies.items():
        if len(members) < 2:
            continue
        group = [report for _, report in members]
        html = pages.agency_page(group, [f"../reports/{report_id}" for report_id, _ in members])
        _write(site_dir / "agencies" / f"{aid}.html", _fill(shell, group[0].agency, html, f"agencies/{aid}.html"))
        entries.append(search.agency_entry(group[0], f"agencies/{aid}.html", sorted(r.year for r in group if r.year)))
        written_agencies += 1
    _fill_index(site_dir, reports, ids, len(agencies))
    _search_index(site_dir, entries)
    _sitemap(site_dir)
    (site_dir / FEED).write_bytes(feed.atom(reports, ids, "gongkai：新收录的政府信息公开工作年度报告", FEED_TAG))
    return SiteBuilt(len(reports), written_agencies)


def _stage(docs: Path, content: Path, package_dir: Path) -> None:
    """The docs folder MkDocs builds: hand-written pages, the data dictionary, the data files
    and the pages gongkai fills in."""
    shutil.copytree(content, docs, dirs_exist_ok=True)
    dictionary = (package_dir / DICTIONARY_NAME).read_text(encoding="utf-8")
    (docs / "dictionary.md").write_text(dictionary, encoding="utf-8")
    data = docs / "data"
    data.mkdir(exist_ok=True)
    for path in sorted(package_dir.iterdir()):
        if path.is_file() and path.name != DICTIONARY_NAME:
            shutil.copyfile(path, data / path.name)
    (docs / FEED).write_text("", encoding="utf-8")  # a place for the feed, so that links to it resolve
    (docs / "reports").mkdir(parents=True, exist_ok=True)
    (docs / "reports" / f"{SHELL}.md").write_text(
        f"---\ntitle: {TITLE_MARK}\nsearch:\n  exclude: true\n---\n\n{CONTENT_MARK}\n", encoding="utf-8")
    (docs / INDEX_PAGE).write_text(f"---\ntitle: 报告总览\nsearch:\n  exclude: true\n---\n\n# 报告总览\n\n{CONTENT_MARK}\n",
                                   encoding="utf-8")


def _mkdocs(config_file: Path, docs: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    search.quiet_jieba()  # Material's search plugin segments with jieba too
    config = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site_dir), strict=True)
    build(config)


def _fill(shell: str, title: str, html: str, location: str) -> str:
    """A copy of the shell page with this page's title, content and address."""
    return (shell.replace(f"reports/{SHELL}.html", location)
                 .replace(TITLE_MARK, escape(title))
                 .replace(CONTENT_MARK, html, 1))


def _fill_index(site_dir: Path, reports: Sequence[Report], ids: Sequence[str], agencies: int) -> None:
    path = site_dir / "reports" / "index.html"
    html = pages.index_page(reports, [f"{report_id}.html" for report_id in ids], agencies)
    _write(path, path.read_text(encoding="utf-8").replace(CONTENT_MARK, html, 1))


def _agencies(reports: Sequence[Report], ids: Sequence[str]) -> dict[str, list[tuple[str, Report]]]:
    groups: dict[str, list[tuple[str, Report]]] = defaultdict(list)
    for report, report_id in zip(reports, ids):
        digest = agency_digest(report)
        if digest:
            groups[f"a-{digest}"].append((report_id, report))
    return groups


def _search_index(site_dir: Path, entries: list[dict]) -> None:
    """Material's index of the hand-written pages, with the generated pages' entries added;
    written as UTF-8, a third of the size of Material's escaped JSON."""
    path = site_dir / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = [d for d in index["docs"] if f"{SHELL}.html" not in d["location"]] + entries
    _write(path, json.dumps(index, ensure_ascii=False, separators=(",", ":")))


def _sitemap(site_dir: Path) -> None:
    """MkDocs' sitemap without the shell page."""
    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    text = re.sub(rf"\s*<url>\s*<loc>[^<]*/{SHELL}\.html</loc>.*?</url>", "", path.read_text(encoding="utf-8"),
                  flags=re.S)
    _write(path, text)
    with gzip.GzipFile(site_dir / "sitemap.xml.gz", "wb", mtime=0) as archive:
        archive.write(text.encode("utf-8"))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
