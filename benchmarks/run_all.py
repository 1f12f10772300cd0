"""Run the benchmarks and write their figures to docs/performance.md.

Run: make bench   (add `--full` for the 100,000-report build, which takes a quarter of an hour)

Each full build runs in a child process, so that its peak memory is its own. The naive
pipeline (each report a Markdown page with its tables as raw HTML, out of the navigation,
built by MkDocs with its search plugin) is measured beside gongkai's in the same run; each
site is then measured in Chromium (`bench_browser.py`).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_browser  # noqa: E402  (beside this file)
import bench_ocr  # noqa: E402


def child(code: str) -> tuple[float, float, str]:
    """Seconds and peak memory (MB) of a child process running `code`, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run([PYTHON, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT,
                            check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, result.stdout.strip()


def full_build(corpus: Path, out: Path, site: bool = True) -> tuple[float, float]:
    """A build with the parse cache in `out`: cold the first time, incremental after."""
    site_arg = f'Path("{out}/site")' if site else "None"
    seconds, peak, _ = child(f"""
        import os
        from pathlib import Path
        from builder import runner
        runner.build(runner.BuildOptions(Path("{corpus}"), Path("{out}/package"), {site_arg}, Path("{ROOT}"),
                                         jobs=os.cpu_count(), cache_file=Path("{out}/cache.sqlite")))
    """)
    return seconds, peak


def naive_build(corpus: Path, out: Path) -> float:
    """The naive pipeline (issue 14): one Markdown page a report with its tables as raw HTML,
    kept out of the navigation, built by the same mkdocs-material with its search plugin."""
    seconds, _, _ = child(f"""
        import shutil
        from pathlib import Path
        import yaml
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from builder import pipeline
        from builder.ids import report_ids
        from builder.site import pages
        reports = pipeline.process_all(pipeline.report_files([Path("{corpus}")]))
        docs = Path("{out}/docs")
        shutil.copytree("{ROOT}/content", docs)
        for report, report_id in zip(reports, report_ids(reports)):
            html = pages.report_page(report, report_id, None, "#")
            (docs / f"{{report_id}}.md").write_text("# " + pages.report_title(report) + "\\n\\n" + html, encoding="utf-8")
        config = yaml.safe_load(Path("{ROOT}/mkdocs.yml").read_text(encoding="utf-8"))
        config["theme"]["custom_dir"] = str(Path("{ROOT}") / config["theme"]["custom_dir"])  # the same theme
        config["nav"] = [item for item in config["nav"] if "reports/index.md" not in item.values()]
        config.update(docs_dir=str(docs), site_dir="{out}/site", strict=False)
        Path("{out}/mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        build(load_config(config_file="{out}/mkdocs.yml"))
    """)
    return seconds


def line_of(code: str) -> str:
    return child(code)[2].splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also build 100,000 reports")
    args = parser.parse_args()
    rows, browser_rows = [], []
    rows.append(("read + parse + check, one core", line_of("import runpy; runpy.run_path('benchmarks/bench_parse.py', run_name='__main__')"), "≥ 1,000 reports/s"))
    rows.append(("6-page PDF", line_of("import runpy; runpy.run_path('benchmarks/bench_pdf.py', run_name='__main__')"), "< 1 s"))
    rows += bench_ocr.measure()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sizes = [1_000, 10_000] + ([100_000] if args.full else [])
        for size in sizes:
            corpus = work / f"corpus-{size}"
            child(f"from pathlib import Path; from builder.synth.corpus import write_corpus; "
                  f"write_corpus(Path('{corpus}'), {size}, seed=1)")
            seconds, peak = full_build(corpus, work / f"out-{size}")
            budget = {1_000: "< 10 s", 10_000: "< 60 s", 100_000: "< 15 min, < 4 GB"}[size]
            rows.append((f"full build (parse, package, site) of {size:,} synthetic reports, all cores",
                         f"{seconds:.1f} s, peak {peak:,.0f} MB", budget))
            browser_rows += bench_browser.measure(work / f"out-{size}" / "site", size)
            if size == 1_000:
                naive = naive_build(corpus, work / "naive")
                rows.append(("naive MkDocs pipeline (pages out of the nav, search plugin), same 1,000 reports",
                             f"{naive:.1f} s (gongkai {naive / seconds:.1f}× faster)", "gongkai ≥ 3× faster (target 5×)"))
            if size == 10_000:
                (corpus / "new.txt").write_text((ROOT / "reports" / "000_3fe1192cfb6e68d3.txt").read_text(), encoding="utf-8")
                seconds, peak = full_build(corpus, work / f"out-{size}", site=False)
                rows.append(("package rebuild after one report added to 10,000 (parse cache)",
                             f"{seconds:.1f} s", "< 15 s"))
            shutil.rmtree(corpus)  # a hundred thousand reports and their site: the disk is not unbounded
            shutil.rmtree(work / f"out-{size}")
    write(rows + browser_rows)


def write(rows) -> None:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("gongkai", "mkdocs", "mkdocs-material", "frictionless", "pdfplumber", "jieba"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    lines = ["# Performance", "", "Written by `make bench` (`benchmarks/run_all.py`); do not edit by hand.", "",
             f"Machine: {os.cpu_count()} cores ({cpu}), "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB; "
             f"{platform.python_implementation()} {platform.python_version()}; {versions}.", "",
             "| what | measured | budget |", "|---|---|---|"]
    lines += [f"| {what} | {measured} | {budget} |" for what, measured, budget in rows]
    doc = ROOT / "docs" / "performance.md"
    doc.parent.mkdir(exist_ok=True)
    # the sections after the table are other benchmarks' (bench_parquet.py's), kept as they were
    _, heading, sections = doc.read_text(encoding="utf-8").partition("\n## ") if doc.exists() else ("", "", "")
    doc.write_text("\n".join(lines) + "\n" + (f"\n## {sections}" if heading else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
