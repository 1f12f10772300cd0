"""The website: MkDocs Material builds the hand-written pages and a shell page for each depth
of folders pages lie at (paths.PAGE_DEPTHS); gongkai fills a copy of the shell for every
report, agency and region with HTML it renders itself.

Rendering each report through MkDocs costs tens of milliseconds a page (Python-Markdown
re-reads the tables); filling the shell costs a fraction of one, and the pages still carry
Material's header, search and styles. The MkDocs glue is this module's `_mkdocs` alone.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from builder.vocabulary import STATUS_NAMES
from builder.model import Report
from builder.folders import staging_for, switch, test_hook
from builder.ids import agency_digest
from builder.record import dumps
from builder.places import LEVEL_NAMES
from builder.site import feed, overview, pages, paths, search, summary

SHELL = "_shell"
FEED = "feed.xml"
FEED_TAG = "tag:gongkai,2026"
TITLE_MARK = "GONGKAI-PAGE-TITLE"
DESCRIPTION_MARK = "GONGKAI-PAGE-DESCRIPTION"
SITE_URL_VARIABLE = "GONGKAI_SITE_URL"  # where the site is published, when mkdocs.yml does not say
CONTENT_MARK = "<!-- gongkai:content -->"
INDEX_PAGE = "reports/index.md"
BADGES = "badges"
REGIONS = paths.REGIONS
OVERVIEW = "overview"  # the files of the overview's table
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


MARKER = ".gongkai-site"  # says a folder holds a site gongkai built, whose old files it may remove


class SiteDirTaken(Exception):
    """The site folder holds files gongkai did not write: a problem of configuration."""


@dataclass(frozen=True)
class SiteBuilt:
    report_pages: int
    agency_pages: int


@dataclass(frozen=True)
class Site:
    """A site being written: its folder, and the shells every generated page is a copy of.
    The folder is a staging one, new at each build, switched with `target` at `finish`: it
    holds nothing but what this build wrote."""

    folder: Path
    shells: dict[int, str]  # by the depth of the pages it is for (paths.PAGE_DEPTHS)
    target: Path
    package_files: tuple[str, ...]  # names of the package's files the site offers in data/
    site_url: str | None = None  # where the site is published (mkdocs.yml or GONGKAI_SITE_URL)


def start(site_dir: Path, project: Path, package_files: Sequence[str], dictionary: str) -> Site:
    """MkDocs builds the hand-written pages, the data dictionary and the shell pages in a
    staging folder, copied into the site's own staging folder beside `site_dir`, which the
    build fills and `finish` switches with `site_dir` in one step; the package's files are put
    in at `finish`."""
    claim(site_dir)
    folder = staging_for(site_dir)
    with tempfile.TemporaryDirectory(prefix="gongkai-docs-") as staging:
        docs, built = Path(staging) / "docs", Path(staging) / "site"
        _stage(docs, project / "content", package_files, dictionary)
        site_url = _mkdocs(project / "mkdocs.yml", docs, built)
        _with_policy(built)
        shells = {depth: (built / _shell_page(depth)).read_text(encoding="utf-8") for depth in paths.PAGE_DEPTHS}
        shutil.rmtree(built / SHELL)
        for name in package_files:  # placeholders, so that MkDocs could check the links to them
            (built / "data" / name).unlink()
        shutil.copytree(built, folder, dirs_exist_ok=True)
    (folder / paths.REPORTS).mkdir(exist_ok=True)
    (folder / paths.AGENCIES).mkdir(exist_ok=True)
    (folder / BADGES).mkdir(exist_ok=True)
    for status in STATUS_NAMES:  # each report's badge is a link to one of these
        _write(folder / BADGES / f"{status}.svg", pages.badge(status)[0])
    # jieba's dictionary (a second to load) and the templates, loaded here once: the processes
    # that write the pages are forked from this one and inherit them
    search.preload()
    for name in ("report.html", "agency.html", "badge.svg"):
        pages.environment().get_template(name)
    return Site(folder, shells, site_dir, tuple(package_files), site_url)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_CHARSET = '<meta charset="utf-8">'


def _with_policy(built: Path) -> None:
    """A Content-Security-Policy on every page: scripts only from the site's own files, and the
    theme's few inline scripts by their digests. A report's text is escaped everywhere; should
    it ever slip through, the browser still runs nothing of it."""
    pages = [(path, path.read_text(encoding="utf-8")) for path in built.rglob("*.html")]
    digests = sorted({_digest(script) for _, text in pages for script in _INLINE_SCRIPT.findall(text)})
    policy = ("default-src 'self'; script-src 'self' " + " ".join(digests) + "; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")
    meta = f'{_CHARSET}\n    <meta http-equiv="Content-Security-Policy" content="{policy}">'
    for path, text in pages:
        if _CHARSET in text:
            path.write_text(text.replace(_CHARSET, meta, 1), encoding="utf-8")


def _digest(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def earlier_copies(site_dir: Path) -> frozenset[tuple[int, int]]:
    """The files (device, inode) of the reports that an earlier build linked into the site,
    as builds before these were copied did: those second links are not a report's doing."""
    found = set()
    for path in (site_dir / paths.REPORTS).rglob("*.source*") if (site_dir / paths.REPORTS).is_dir() else ():
        status = path.lstat()
        found.add((status.st_dev, status.st_ino))
    return frozenset(found)


def claim(site_dir: Path) -> None:
    """Refuse a folder with files of its own, since a build removes the files it did not
    write: before anything is parsed, and again before anything is written."""
    if not site_dir.is_dir() or (site_dir / MARKER).is_file() or not any(site_dir.iterdir()):
        return
    if (site_dir / "search" / "search_index.json").is_file():  # an MkDocs site: MkDocs would have wiped it too
        return
    raise SiteDirTaken(f"网站目录 {site_dir} 中已有不是 gongkai 生成的文件；为免删除它们，请指定空目录或先清空它")


_RENDERED = (".html", ".htm", ".xhtml", ".svg", ".xml")


def write_report(site: Site, report: Report, report_id: str, agency_url: str | None,
                 source: Path, cell_pictures: dict[str, bytes] | None = None) -> dict:
    """A report's page, badge, JSON, CSV and source file, and the pictures of the cells that OCR
    doubted (`cell_pictures`, PNG by cell path); its search entry. All in the report's shard of
    reports/ (paths.report_base), the pictures in a folder of their own."""
    base = paths.report_base(report_id)
    pages_dir = (site.folder / base).parent
    pages_dir.mkdir(parents=True, exist_ok=True)
    suffix = source.suffix.lower()
    source_name = f"{report_id}.source{suffix if _SAFE_SUFFIX.match(suffix) else ''}"
    if suffix in _RENDERED:  # a web page served from the site's origin would run its scripts there
        source_name += ".txt"
    refused = any(finding.rule == "unreadable" for finding in report.findings)  # a file not read is not published
    if source.is_file() and not source.is_symlink() and not refused:
        # a copy, never a link: a report with a second link is refused as possibly not the corpus's
        (pages_dir / source_name).unlink(missing_ok=True)
        shutil.copyfile(source, pages_dir / source_name)
    pictures = {}
    folder = paths.cell_pictures(report_id)
    for number, (path, picture) in enumerate(sorted((cell_pictures or {}).items()), start=1):
        name = f"{folder}/cell-{number}.png"  # names of our making: never a report's text
        (site.folder / name).parent.mkdir(exist_ok=True)
        (site.folder / name).write_bytes(picture)
        pictures[path] = paths.relative(base, name)
    title = pages.report_title(report)
    try:
        html = pages.report_page(report, report_id, agency_url, source_name, site.site_url, pictures)
    except Exception as err:  # one page that cannot be rendered must not cost the site
        html = (f"<p>此报告的页面无法生成（内部错误：{escape(type(err).__name__)}）。"
                f'其数据见 <a href="{report_id}.json">JSON</a> 与数据包。</p>')
    _write(pages_dir / f"{report_id}.html", _fill(site, title, html, paths.report_page(report_id),
                                                   pages.report_description(report)))
    _place(site.folder / BADGES / f"{report.status}.svg", pages_dir / f"{report_id}.svg")
    _write(pages_dir / f"{report_id}.json", dumps(report, indent=None) + "\n")
    _write(pages_dir / f"{report_id}.csv", pages.report_csv(report))
    return search.report_doc(report, report_id, title, summary.region_text(report))


def write_agency(site: Site, agency_id: str, members: Sequence[tuple[str, Report]]) -> dict:
    """An agency's page over its reports (summaries will do); its search entry."""
    group = [report for _, report in members]
    name = paths.agency_page(agency_id)
    html = pages.agency_page(group, [paths.relative(name, paths.report_base(report_id)) for report_id, _ in members])
    years = sorted({r.year for r in group if r.year})
    description = f"{group[0].agency}：{len(group)} 份政府信息公开工作年度报告（{'、'.join(map(str, years))}），逐年对比"
    (site.folder / name).parent.mkdir(exist_ok=True)
    _write(site.folder / name, _fill(site, group[0].agency, html, name, description))
    return search.agency_doc(group[0], agency_id, summary.region_text(group[0]), years)


def agency_link(report_id: str, agency_id: str) -> str:
    """The link from a report's page to its agency's."""
    return paths.relative(paths.report_page(report_id), paths.agency_page(agency_id))


def agency_groups(reports: Sequence[Report], ids: Sequence[str]) -> dict[str, list[tuple[str, Report]]]:
    """The agencies with more than one report, each with its reports' ids and reports."""
    groups: dict[str, list[tuple[str, Report]]] = defaultdict(list)
    for report, report_id in zip(reports, ids):
        digest = agency_digest(report)
        if digest:
            groups[f"a-{digest}"].append((report_id, report))
    return {agency_id: members for agency_id, members in groups.items() if len(members) > 1}


def finish(site: Site, reports: Sequence[Report], ids: Sequence[str], entries: list[dict], package_dir: Path) -> None:
    """The overview, search index, sitemap and feed over all `reports` (summaries will do),
    the package's files; then the new site takes the old one's place, whose files all go."""
    for name in _package_files(package_dir, site.package_files):
        _place(package_dir / name, site.folder / "data" / name)
    for part in _parquet_parts(package_dir, site.package_files):  # for DuckDB to query where they lie
        (site.folder / "data" / part).parent.mkdir(parents=True, exist_ok=True)
        _place(package_dir / part, site.folder / "data" / part)
    regions = summary.regions_of(reports)
    _fill_index(site.folder, reports, ids, regions)
    _put_content(site.folder / "index.html", pages.home_page(reports, ids))
    _fill_downloads(site.folder, package_dir, site.package_files)
    _write_regions(site, reports, ids, regions)
    _search_index(site.folder, entries, regions)
    _sitemap(site.folder, site.site_url)
    _robots(site.folder, site.site_url)
    (site.folder / FEED).write_bytes(feed.atom(reports, ids, "gongkai：新收录的政府信息公开工作年度报告", FEED_TAG))
    (site.folder / MARKER).write_text("gongkai\n", encoding="utf-8")
    test_hook("site-staged")
    switch(site.folder, site.target)  # the old site, every page of it, gives way to the new one


def _place(source: Path, target: Path) -> None:
    """A file the site offers as it is (the package, a badge): a hard link where the file
    system allows one, since creating a hundred thousand files costs more than linking them;
    a copy where it does not. (Reports are copied: see `write_report`.) Never written through, so the original cannot change.
    (upload-pages-artifact archives with --hard-dereference: Pages gets plain files.)"""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _parquet_parts(package_dir: Path, files: Sequence[str]) -> list[str]:
    """The package's Parquet files, as its descriptor lists them."""
    descriptor = json.loads((package_dir / next(name for name in files if name.endswith(".json"))).read_text("utf-8"))
    return [part for r in descriptor["resources"] if r["format"] == "parquet"
            for part in ([r["path"]] if isinstance(r["path"], str) else r["path"])]


def _package_files(package_dir: Path, own: Sequence[str]) -> list[str]:
    """The package's own files, never whatever else sits in its folder (a `.env`, a note)."""
    return sorted(name for name in own if (package_dir / name).is_file() and not (package_dir / name).is_symlink())


def _stage(docs: Path, content: Path, package_files: Sequence[str], dictionary: str) -> None:
    """The docs folder MkDocs builds: hand-written pages, the data dictionary, placeholders
    for the data files and the pages gongkai fills in."""
    shutil.copytree(content, docs, dirs_exist_ok=True)
    (docs / "dictionary.md").write_text(dictionary, encoding="utf-8")
    data = docs / "data"
    data.mkdir(exist_ok=True)
    for name in package_files:
        (data / name).write_bytes(b"")
    (docs / FEED).write_text("", encoding="utf-8")  # a place for the feed, so that links to it resolve
    for depth in paths.PAGE_DEPTHS:
        shell = (docs / _shell_page(depth)).with_suffix(".md")
        shell.parent.mkdir(parents=True, exist_ok=True)
        shell.write_text(
            f"---\ntitle: {TITLE_MARK}\ndescription: {DESCRIPTION_MARK}\nsearch:\n  exclude: true\n---\n\n{CONTENT_MARK}\n",
            encoding="utf-8")
    (docs / "reports").mkdir(exist_ok=True)
    (docs / INDEX_PAGE).write_text(f"---\ntitle: 报告总览\nsearch:\n  exclude: true\n---\n\n# 报告总览\n\n{CONTENT_MARK}\n",
                                   encoding="utf-8")


def _mkdocs(config_file: Path, docs: Path, site_dir: Path) -> str | None:
    """Build the hand-written pages and the shell; the site's address, where it is known."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    search.preload()  # Material's search plugin segments with jieba too: quietly
    site_url = {"site_url": os.environ[SITE_URL_VARIABLE]} if os.environ.get(SITE_URL_VARIABLE) else {}
    config = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site_dir), strict=True,
                         **site_url)
    build(config)
    return config["site_url"] or None


def _shell_page(depth: int) -> str:
    """Where the shell for pages `depth` folders deep is built: _shell/_shell.html at depth 1."""
    return "/".join([SHELL] * (depth + 1)) + ".html"


def _fill(site: Site, title: str, html: str, location: str, description: str = "") -> str:
    """A copy of the shell for this page's depth with its title, description, content and address."""
    depth = paths.depth(location)
    return (site.shells[depth].replace(_shell_page(depth), location)
                 .replace(TITLE_MARK, escape(title))
                 .replace(DESCRIPTION_MARK, escape(description or title))
                 .replace(CONTENT_MARK, html, 1))


def _put_content(path: Path, html: str) -> None:
    """A page MkDocs built with its content left to gongkai, filled in."""
    _write(path, path.read_text(encoding="utf-8").replace(CONTENT_MARK, html, 1))


def _fill_index(site_dir: Path, reports: Sequence[Report], ids: Sequence[str], regions: dict[str, dict]) -> None:
    """The overview, and the files of its table's rows in overview/."""
    _put_content(site_dir / "reports" / "index.html", pages.index_page(reports, ids, regions))
    _write_json_files(site_dir / OVERVIEW, overview.files(reports, ids))


def _write_json_files(folder: Path, files: dict[str, object]) -> None:
    folder.mkdir(exist_ok=True)
    for name, value in files.items():
        (folder / name).parent.mkdir(exist_ok=True)
        _write(folder / name, json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _write_regions(site: Site, reports: Sequence[Report], ids: Sequence[str], regions: dict[str, dict]) -> None:
    """A page for each province, city and county a report's place lies in (`summary.regions_of`)."""
    (site.folder / REGIONS).mkdir(exist_ok=True)
    for code, region in regions.items():
        name = paths.region_page(code)
        description = f"{region['name']}：{len(region['members'])} 份政府信息公开工作年度报告的合计、办理结果构成与机关比较"
        _write(site.folder / name, _fill(site, region["name"], pages.region_page(region, regions, reports, ids),
                                         name, description))


def _fill_downloads(site_dir: Path, package_dir: Path, files: Sequence[str]) -> None:
    """The download page's table of the package's files: what each holds, its size, its date."""
    descriptor_name = next(name for name in files if name.endswith(".json"))
    descriptor = json.loads((package_dir / descriptor_name).read_text(encoding="utf-8"))
    titles = {r["path"]: r["title"] for r in descriptor["resources"] if r["format"] == "csv"}
    titles[descriptor_name] = "数据包描述：表结构、字段说明、许可"
    titles.update(DOWNLOADS)
    created = descriptor.get("created", "")[:10]
    order = [name for name in DOWNLOADS if name in files] + sorted(name for name in files if name not in DOWNLOADS)
    rows = "".join(f'<tr><td><a href="data/{escape(name)}">{escape(name)}</a></td><td>{escape(titles.get(name, ""))}</td>'
                   f'<td class="gk-num">{_size((package_dir / name).stat().st_size)}</td></tr>'
                   for name in order if (package_dir / name).is_file())
    for resource in (r for r in descriptor["resources"] if r["format"] == "parquet"):
        rows += _parquet_row(resource)
    table = (f'<p>数据更新至 {escape(created)}（最新收录报告的日期）。</p>' if created else "") + \
        ('<div class="gk-table-wrap"><table class="gk-table" id="gk-downloads"><thead><tr><th>文件</th><th>内容</th>'
         f'<th>大小</th></tr></thead><tbody>{rows}</tbody></table></div>')
    _put_content(site_dir / "download.html", table)


# the files offered for download first, with what they are; then the descriptor and every table's CSV
DOWNLOADS = {
    "gongkai.xlsx": "Excel 工作簿：全部表格，中文表头",
    "gongkai-datapackage.zip": "整个数据包（CSV、Parquet 与说明文件）",
    "gongkai.sqlite": "同样的表格，一个 SQLite 数据库",
}


def _parquet_row(resource: dict) -> str:
    """A row of the download table for a resource of Parquet files: a table's, one file a year
    (a link a year, named as its folder: year=2024), or a code list's one file."""
    size = f'<td class="gk-num">{_size(resource["bytes"])}</td>'
    if isinstance(resource["path"], str):
        path = escape(resource["path"])
        return f'<tr><td><a href="data/{path}">{path}</a></td><td>{escape(resource["title"])}</td>{size}</tr>'
    folder = resource["path"][0].rsplit("/", 2)[0]
    links = " ".join(f'<a href="data/{escape(part)}">{escape(part.split("/")[-2])}</a>' for part in resource["path"])
    return f'<tr><td>{escape(folder)}/</td><td>{escape(resource["title"])}：{links}</td>{size}</tr>'


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""


def _search_index(site_dir: Path, entries: list[dict], regions: dict[str, dict]) -> None:
    """The site's index in search/: the hand-written pages' sections as MkDocs' search plugin
    listed them (its own index, which the browser would read whole, is removed), the regions,
    the agencies, and the reports from the newest year down."""
    plugin_index = site_dir / "search" / "search_index.json"
    listed = json.loads(plugin_index.read_text(encoding="utf-8"))["docs"] if plugin_index.is_file() else []
    plugin_index.unlink(missing_ok=True)
    titles = {d["location"]: _plain(d["title"]) for d in listed if "#" not in d["location"]}
    docs = [search.page_doc(d["location"], _plain(d["title"]), _plain(d["text"]),
                            titles.get(d["location"].split("#")[0], ""))
            for d in listed if f"{SHELL}.html" not in d["location"] and d["title"]]
    docs += [search.region_doc(code, r["name"], [regions[a]["name"] for a in r["above"]], len(r["members"]),
                               LEVEL_NAMES[r["level"]]) for code, r in sorted(regions.items())]
    docs += [e for e in entries if e["kind"] == "agency"]
    # the newest reports first: the browser ranks pages that match alike in this order
    docs += sorted((e for e in entries if e["kind"] == "report"), key=lambda e: (-e["year"], e["title"], e["key"]))
    _write_json_files(site_dir / "search", search.index_files(docs))


_TAG = re.compile(r"<[^>]+>")


def _plain(html: str) -> str:
    """The plugin's text: HTML, its words parted by zero-width spaces."""
    return unescape(_TAG.sub(" ", html)).replace("\u200b", "")


def _sitemap(site_dir: Path, site_url: str | None) -> None:
    """MkDocs' sitemap without the shell pages, with every page gongkai wrote: reports, agencies,
    regions. A sitemap needs full addresses: without the site's address it lists none."""
    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    text = re.sub(rf"\s*<url>\s*<loc>[^<]*/{SHELL}\.html</loc>.*?</url>", "", path.read_text(encoding="utf-8"),
                  flags=re.S)
    if site_url:
        base = site_url.rstrip("/") + "/"
        pages = sorted(p.relative_to(site_dir).as_posix() for folder in (paths.REPORTS, paths.AGENCIES, REGIONS)
                       for p in (site_dir / folder).rglob("*.html") if p.name != "index.html")
        urls = "".join(f"\n    <url>\n         <loc>{escape(base + page)}</loc>\n    </url>" for page in pages)
        text = text.replace("</urlset>", urls.lstrip("\n") + "\n</urlset>" if urls else "</urlset>", 1)
    _write(path, text)
    with gzip.GzipFile(site_dir / "sitemap.xml.gz", "wb", mtime=0) as archive:
        archive.write(text.encode("utf-8"))


def _robots(site_dir: Path, site_url: str | None) -> None:
    sitemap = f"Sitemap: {site_url.rstrip('/')}/sitemap.xml\n" if site_url else ""
    _write(site_dir / "robots.txt", f"User-agent: *\nAllow: /\n{sitemap}")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
