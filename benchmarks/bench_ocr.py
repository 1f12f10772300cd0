"""OCR of forms published as pictures: seconds a page and cells right, blank-and-flagged and
wrong, by resolution and by what scanning does to a page (issue 16).

Run: .venv/bin/python benchmarks/bench_ocr.py [--write]   (make bench runs it, in run_all.py)

Two filled forms (2021 and 2019; Word, printed to PDF by LibreOffice) are rendered at each
resolution, made askew, noisy or JPEG-compressed (`builder.synth.scans`), saved as PDFs of
pictures and read as any report is (`pipeline.process`: OCR, parse, doubts, checks); each
figure is compared with the figure the form was filled with. Budgets: at 150 dpi
≥ 99.5 % of cells right and 0 wrong; rotation up to 2° and JPEG quality 70 handled.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
def score(report, values) -> tuple[int, int, int]:
    right = flagged = wrong = 0
    for path, value in values.items():
        got = report.value(path)
        if got is None:
            flagged += value is not None
        elif got == value:
            right += 1
        else:
            wrong += 1
    return right, flagged, wrong


def measure() -> list[tuple[str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from builder import pipeline
    from builder.synth import scans

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        forms = [scans.form_pdf(work, seed=3, version="2021"), scans.form_pdf(work, seed=4, version="2019")]
        pipeline.process(scans.image_only_pdf(scans.page_images(forms[0][0], 100)[:1], work / "warm.pdf", 100))
        page_counts = [len(scans.page_images(pdf, 10)) for pdf, _ in forms]
        for key, name, dpi, _ in scans.VARIANTS:
            right = flagged = wrong = total = pages = 0
            seconds = 0.0
            for number, (pdf, values) in enumerate(forms):
                scan = scans.variant_pdf(pdf, key, work / f"scan-{number}.pdf")
                start = time.perf_counter()
                report = pipeline.process(scan)
                seconds += time.perf_counter() - start
                pages += page_counts[number]
                counts = score(report, values)
                right, flagged, wrong = right + counts[0], flagged + counts[1], wrong + counts[2]
                total += sum(v is not None for v in values.values())
            budget = "≥ 99.5 % right, 0 wrong" if dpi == 150 else "0 wrong"
            rows.append((f"OCR of two rendered forms (2021, 2019) as image-only PDFs, {name}, {pages} pages",
                         f"{seconds / pages:.1f} s a page; {right}/{total} cells right ({100 * right / total:.1f} %), "
                         f"{flagged} blank and flagged, {wrong} wrong", budget))
        pictured, values = scans.pictured_pdf(work, seed=5)
        start = time.perf_counter()
        report = pipeline.process(pictured)
        seconds = time.perf_counter() - start
        right, flagged, wrong = score(report, values)
        total = sum(v is not None for v in values.values())
        rows.append(("OCR of a report of text whose form (2021) is pasted in as pictures of 150 dpi, printed to PDF",
                     f"{seconds:.1f} s; {right}/{total} cells right ({100 * right / total:.1f} %), "
                     f"{flagged} blank and flagged, {wrong} wrong", "0 wrong"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="put the rows into docs/performance.md's table, "
                        "in place of the OCR rows there (make bench writes the whole table)")
    args = parser.parse_args()
    rows = [f"| {what} | {measured} | {budget} |" for what, measured, budget in measure()]
    print("\n".join(rows))
    if args.write:
        path = ROOT / "docs" / "performance.md"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("| OCR of ")]
        # at the end of the first table, the one `run_all.py` writes, not of the Parquet table below it
        first = next(n for n, line in enumerate(lines) if line.startswith("| "))
        end = next((n for n in range(first, len(lines)) if not lines[n].startswith("|")), len(lines))
        path.write_text("\n".join(lines[:end] + rows + lines[end:]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
