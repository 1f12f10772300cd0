"""The `gongkai` command: thin wrappers over the pipeline."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path

import click

from builder import __version__, pipeline, pool, runner, storage
from builder.add import AddRefused, add_report
from builder.site import SiteDirTaken
from builder.diff import DiffError, summary
from builder.vocabulary import SEVERITY_NAMES, STATUS_NAMES
from builder.model import Report
from builder.package import created_from_environment
from builder.record import dumps
from builder.forms import TEMPLATES



@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongkai")
def cli() -> None:
    """gongkai: government information disclosure annual reports as open data."""


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def parse(file: Path) -> None:
    """Print one report as JSON: every figure of its template, its findings and its status.

    Exits 0 whatever the findings; a file that cannot be read comes out with status
    "unparsed" and the reason.

    \b
    Example:
        gongkai parse reports/000_3fe1192cfb6e68d3.txt > report.json
    """
    report = pipeline.process_bounded(file, pipeline.TIME_LIMIT)
    click.echo(dumps(report))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check reports against the template's rules and print the findings in Chinese.

    FILES may be report files or folders of reports. Exits 1 if any report fails a
    rule or has no readable tables, 2 if a file cannot be read, 0 otherwise.

    \b
    Example:
        gongkai validate reports/
        gongkai validate reports/001_a27e78e5f53cff5a.txt
    """
    paths = pipeline.report_files(files)
    if not paths:
        raise click.UsageError("没有找到报告文件")
    reports = pipeline.process_all(paths)
    for path, report in zip(paths, reports):
        click.echo(_describe(path, report))
    counts = {status: sum(r.status == status for r in reports) for status in STATUS_NAMES}
    summary = "，".join(f"{STATUS_NAMES[s]} {n}" for s, n in counts.items())
    click.echo(f"共 {len(reports)} 份报告：{summary}")
    if any(f.rule == "unreadable" for r in reports for f in r.findings):
        sys.exit(2)
    if counts["fail"] or counts["unparsed"]:
        sys.exit(1)


@cli.command()
@click.option("--reports", "reports_at", default="reports", show_default=True,
              help="Folder of report files to read, or a URL of one (s3://bucket/reports, any fsspec URL).")
@click.option("--package", "package_at", default="datapackage", show_default=True,
              help="Folder to write the data package to, or a URL to put it at.")
@click.option("--site", "site_at", default="site", show_default=True,
              help="Folder to write the website to, or a URL to put it at (a bucket behind a CDN).")
@click.option("--no-site", is_flag=True, help="Write the data package only.")
@click.option("--mirror", type=click.Path(path_type=Path, file_okay=False), default=Path("build/mirror"),
              show_default=True, help="Where the files of URLs are kept on this machine: the reports pulled "
              "(only those changed since the last build), the package and site before they are put.")
@click.option("--project", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="Folder holding mkdocs.yml and content/, the hand-written pages.")
@click.option("--cache", "cache_at", default="build/parse-cache.sqlite", show_default=True,
              help="Parse results kept between builds: unchanged reports are not parsed again. A file, or a "
              "URL it is fetched from before the build and put back at after it.")
@click.option("--no-cache", is_flag=True, help="Parse every report, keeping nothing.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Processes that parse reports and write their pages.")
@click.option("--workbook", is_flag=True, help="Write the Excel workbook (gongkai.xlsx) too, as `make site` "
              "does: some 5 s a thousand reports.")
@click.option("--no-ocr", is_flag=True, help="Do not read pictures (image files, PDFs without text) by OCR, "
              "which costs seconds a page: such reports stay unparsed, with the reason.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=pipeline.TIME_LIMIT,
              show_default=True, help="Seconds one report may take to read and parse; past it, it is unparsed.")
@click.option("--scheduler", metavar="ADDRESS", help="Run the parse and publish tasks on the Dask cluster whose "
              "scheduler is at ADDRESS (workers of one thread each, seeing this machine's files at the same paths: "
              "the reports, the cache (TMPDIR with --no-cache), the site).")
@click.option("--workers", type=click.IntRange(min=1), metavar="N", help="Run the parse and publish tasks on a Dask cluster of "
              "N worker processes started on this machine for the build.")
def build(reports_at: str, package_at: str, site_at: str, no_site: bool, mirror: Path, project: Path,
          cache_at: str, no_cache: bool, jobs: int, workbook: bool, time_limit: float, no_ocr: bool,
          scheduler: str | None, workers: int | None) -> None:
    """Parse and check every report, then write the data package (CSV, schemas, zip,
    SQLite) and the website.

    A report that cannot be read is kept with status "unparsed" and the reason; it never
    stops the build. Exits 2 for a problem of configuration, 3 if a report went missing
    on the way (a bug), 0 otherwise. Set SOURCE_DATE_EPOCH to stamp the package's
    `created` time.

    \b
    Example:
        gongkai build --reports reports/ --package datapackage/ --site site/
        gongkai build --no-site
        gongkai build --workbook
        gongkai build --no-ocr
        gongkai build --workers 2
        gongkai build --scheduler tcp://10.0.0.5:8786
        gongkai build --reports s3://gongkai/reports --site s3://gongkai-site --package s3://gongkai-data
    """
    if scheduler and workers:
        raise click.UsageError("--scheduler 与 --workers 只能选一个")
    try:
        reports_dir = _pulled(reports_at, mirror / "reports")
        cache_file = _local(cache_at, mirror / "parse-cache.sqlite")
        if storage.is_url(cache_at) and not no_cache:
            storage.fetch_file(cache_at, cache_file)
    except storage.StorageError as err:
        click.echo(f"构建失败：{err}", err=True)
        sys.exit(2)
    package_dir, site_dir = _local(package_at, mirror / "package"), _local(site_at, mirror / "site")
    if not reports_dir.is_dir():
        raise click.UsageError(f"报告文件夹不存在：{reports_dir}")
    if not no_site and not (project / "mkdocs.yml").is_file():
        raise click.UsageError(f"{project / 'mkdocs.yml'} 不存在：在项目根目录运行，或用 --project 指定，或用 --no-site")
    try:
        created = created_from_environment(os.environ)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    try:
        with _executor(scheduler, workers) as executor:
            built = _build(runner.BuildOptions(reports_dir=reports_dir, package_dir=package_dir,
                                               site_dir=None if no_site else site_dir, project=project,
                                               created=created, cache_file=None if no_cache else cache_file,
                                               jobs=jobs, time_bound=time_limit, executor=executor,
                                               workbook=workbook, ocr=not no_ocr))
    except (SiteDirTaken, runner.BuildRunning, pool.Unavailable) as err:
        click.echo(f"构建失败：{err}", err=True)
        sys.exit(2)
    except (runner.LostReports, RuntimeError) as err:
        click.echo(f"构建失败：{err}", err=True)
        sys.exit(3)
    try:
        for at, local in ((package_at, package_dir), *(() if no_site else ((site_at, site_dir),))):
            if storage.is_url(at):
                put = storage.push(local, at)
                click.echo(f"已放到 {at}：{put.copied} 个文件有变，{put.kept} 个未变，删去 {put.removed} 个")
        if storage.is_url(cache_at) and not no_cache and cache_file.is_file():
            storage.put_file(cache_file, cache_at)
    except storage.StorageError as err:
        click.echo(f"构建失败：{err}", err=True)
        sys.exit(2)
    counts = {status: sum(r.status == status for r in built.reports) for status in STATUS_NAMES}
    summary = "，".join(f"{STATUS_NAMES[s]} {n}" for s, n in counts.items())
    site = f"，网站已写入 {site_at}/" if built.site else ""
    cached = len(built.reports) - built.parsed
    parsed = f"（解析 {built.parsed} 份，{cached} 份未变而取自缓存）" if cached else ""
    click.echo(f"读取 {len(built.reports)} 份报告{parsed}：{summary}；数据包已写入 {package_at}/{site}"
               f"（{built.seconds:.1f} 秒）")


def _pulled(at: str, mirror: Path) -> Path:
    """The folder of reports at `at`: itself, or a URL's files pulled into `mirror`."""
    if not storage.is_url(at):
        return Path(at)
    pulled = storage.pull(at, mirror)
    click.echo(f"已从 {at} 取得报告：{pulled.copied} 个文件有变，{pulled.kept} 个未变，删去 {pulled.removed} 个")
    return mirror


def _local(at: str, mirror: Path) -> Path:
    """Where an output is written on this machine: the folder, or `mirror` for a URL."""
    return mirror if storage.is_url(at) else Path(at)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"),
              show_default=True, help="Folder of reports to add to.")
@click.option("--agency", help="Agency name, when the title does not give it right.")
@click.option("--year", type=int, help="Report year, when the title does not give it right.")
@click.option("--region", help="Region, e.g. 福建省三明市建宁县.")
@click.option("--source-url", help="Where the agency published the report.")
@click.option("--published", help="Publication date, YYYY-MM-DD.")
def add(file: Path, reports_dir: Path, agency: str | None, year: int | None, region: str | None,
        source_url: str | None, published: str | None) -> None:
    """Add a report to the corpus: copy it under a normalized name, write its sidecar, print
    its findings.

    Refuses, writing nothing, a file whose content is already in the corpus or whose name
    is taken.

    \b
    Example:
        gongkai add ~/下载/伊家乡2023年报.txt --region 福建省三明市建宁县 \\
            --source-url https://www.example.gov.cn/art/2024/1/8/art_1.html
    """
    fields = {key: value for key, value in (("agency", agency), ("year", year), ("region", region),
                                            ("source_url", source_url), ("published", published))
              if value is not None}
    try:
        added = add_report(file, reports_dir, fields, dt.date.today())
    except AddRefused as err:
        click.echo(f"未添加：{err}", err=True)
        sys.exit(1)
    click.echo(f"已添加：{added.path}（附加信息 {added.sidecar.name}）")
    click.echo(_describe(added.path, added.report))


@cli.command()
@click.argument("base")
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"),
              show_default=True, help="Folder of reports to compare.")
def diff(base: str, reports_dir: Path) -> None:
    """Reports added, removed and changed against a git revision, with their status and
    findings, as Markdown (a pull request's job summary).

    \b
    Example:
        gongkai diff origin/main
        gongkai diff HEAD~1 >> "$GITHUB_STEP_SUMMARY"
    """
    try:
        click.echo(summary(base, reports_dir))
    except DiffError as err:
        raise click.UsageError(f"无法与 {base} 比较：{err}") from None


@contextlib.contextmanager
def _executor(scheduler: str | None, workers: int | None):
    """The Dask cluster asked for, up for the whole build; None (this machine's processes) otherwise."""
    if not scheduler and not workers:
        yield None
        return
    from builder import distributed  # Dask is imported by the builds that ask for it alone

    with (distributed.Dask(scheduler) if scheduler else distributed.Dask(workers=workers)).running() as executor:
        yield executor


def _build(options: runner.BuildOptions) -> runner.Built:
    """The build, with a progress bar when a person watches."""
    if not sys.stderr.isatty():
        return runner.build(options)
    total = len(pipeline.report_files([options.reports_dir]))
    with click.progressbar(length=total, label="解析报告", file=sys.stderr) as bar:
        return runner.build(dataclasses.replace(options, progress=lambda _: bar.update(1)))


def _describe(path: Path, report: Report) -> str:
    title = f"{report.agency or '（机关未知）'} {report.year or '（年度未知）'}"
    template = f"，{report.template} 版模板" if report.template else ""
    lines = [f"{path}：{title}{template}：{STATUS_NAMES[report.status]}"]
    for finding in report.findings:
        lines.append(f"  [{SEVERITY_NAMES[finding.severity]}] {finding.rule}：{finding.message}")
        if report.template and len(finding.cells) == 1:
            lines.append(f"      单元格：{TEMPLATES[report.template].cell(finding.cells[0]).label}")
    return "\n".join(lines)


def main() -> None:
    cli()
