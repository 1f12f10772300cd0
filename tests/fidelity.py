"""Figures read against figures known: real reports transcribed by hand, synthetic ones made.

Each cell of a report is `right` (the parser's figure equals the one printed), `flagged` (the
parser left it blank and a finding names it), `wrong` (any other figure, or a blank without
a finding), or `blank` (printed blank, read blank). `python tests/fidelity.py` writes
docs/fidelity.md from both corpora (`make fidelity`).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from builder import readers, sidecar, synth  # noqa: E402
from builder.analyse import analyse  # noqa: E402
from builder.synth.corpus import docx_report, html_report  # noqa: E402
from builder.model import Report  # noqa: E402
from builder.forms import TEMPLATES  # noqa: E402
from flattened_support import flattened_text  # noqa: E402

REAL = ROOT / "tests" / "real"
CASES = ROOT / "tests" / "cases"
FORMS = {
    "government_html": "政府网页（HTML）",
    "archived_text": "存档网页文本（表格压平）",
    "converted_text": "由 PDF 转出的文本",
    "pdf": "PDF",
    "word": "Word",
    "synthetic_text": "合成：文本（三种版式）",
    "synthetic_html": "合成：网页",
    "synthetic_word": "合成：Word",
    "synthetic_flattened": "合成：压平为一行的存档文本",
}


@dataclass
class Tally:
    reports: int = 0
    cells: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    wrong: list = field(default_factory=list)  # (report, path, printed, read)

    def add(self, other: "Tally") -> None:
        self.reports += other.reports
        self.cells.update(other.cells)
        self.statuses.update(other.statuses)
        self.wrong.extend(other.wrong)

    @property
    def filled(self) -> float:
        printed = self.cells["right"] + self.cells["flagged"] + self.cells["wrong"]
        return self.cells["right"] / printed if printed else 1.0


def printed_figures(golden: dict) -> dict[str, object]:
    """Cell path -> figure as printed, from a transcription's three tables."""
    figures = {}
    for article, items in golden["active_disclosure"].items():
        for item, metrics in items.items():
            for metric, value in metrics.items():
                figures[f"active_disclosure/{article}/{item}/{metric}"] = value
    for table in ("applications", "reviews_litigation"):
        for row, columns in golden[table].items():
            for column, value in columns.items():
                figures[f"{table}/{row}/{column}"] = value
    return figures


def compare(report: Report, printed: dict[str, object], name: str) -> Tally:
    flagged = {cell for finding in report.findings for cell in finding.cells}
    tally = Tally(reports=1)
    tally.statuses[report.status] += 1
    for path, expected in printed.items():
        got = report.value(path)
        if expected is None and got is None:
            tally.cells["blank"] += 1
        elif got is not None and expected is not None and Decimal(str(got)) == Decimal(str(expected)):
            tally.cells["right"] += 1
        elif got is None and path in flagged:
            tally.cells["flagged"] += 1
        else:
            tally.cells["wrong"] += 1
            tally.wrong.append((name, path, expected, got))
    return tally


def real_goldens() -> list[tuple[str, dict]]:
    """(name, transcription) of every real report: those of `reports/`, transcribed in tests/real/,
    and the cases of tests/cases/<case>/ (a source file, its transcription `expected.json`, and
    `origin.txt`), each a layout met in the wild that the corpus lacks."""
    found = [(path.stem, path) for path in sorted(REAL.glob("*.json"))]
    found += [(path.parent.name, path) for path in sorted(CASES.glob("*/expected.json"))]
    return [(name, json.loads(path.read_text(encoding="utf-8"))) for name, path in found]


def read_real(golden: dict) -> Report:
    """The report as the parser reads it alone: no sidecar, so that its metadata is tested too;
    but a case of tests/cases/ with one, which is part of the case."""
    path = ROOT / golden["file"]
    given = sidecar.load(sidecar.path_for(path)) if path.is_relative_to(CASES) else sidecar.NONE
    return analyse(readers.read(path, path.read_bytes()), given)


def real_corpus() -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for name, golden in real_goldens():
        report = read_real(golden)
        tallies[golden["form"]].add(compare(report, printed_figures(golden), name))
    return tallies


def synthetic_corpus(count: int = 400) -> dict[str, Tally]:
    """Reports made from random figures in every layout; their figures are known."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for seed in range(count):
        text, values, facts = synth.report_text(seed)
        kind = ("synthetic_text", "synthetic_html", "synthetic_word", "synthetic_flattened")[seed % 4]
        if kind == "synthetic_flattened":
            rng = random.Random(seed)
            data = flattened_text(values, TEMPLATES[facts["template"]], facts["agency"], facts["year"], rng).encode()
            suffix = ".txt"
        elif kind == "synthetic_text":
            data, suffix = text.encode("utf-8"), ".txt"
        elif kind == "synthetic_html":
            data, suffix = html_report(facts["template"], values, facts["agency"], facts["year"]), ".html"
        else:
            data, suffix = docx_report(facts["template"], values, facts["agency"], facts["year"]), ".docx"
        path = Path(f"synthetic-{seed:04d}{suffix}")
        report = analyse(readers.read(path, data), sidecar.NONE)
        tallies[kind].add(compare(report, values, path.stem))
    return tallies


def _table(tallies: dict[str, Tally]) -> list[str]:
    lines = ["| 形式 | 报告 | 单元格：正确 | 标记为存疑（留空） | 错误 | 填充率 | 状态 |", "|---|---|---|---|---|---|---|"]
    total = Tally()
    for form, tally in sorted(tallies.items(), key=lambda item: list(FORMS).index(item[0])):
        total.add(tally)
        lines.append(_line(FORMS[form], tally))
    lines.append(_line("**合计**", total))
    return lines


def _line(name: str, tally: Tally) -> str:
    statuses = "、".join(f"{status} {count}" for status, count in sorted(tally.statuses.items()))
    return (f"| {name} | {tally.reports} | {tally.cells['right']:,} | {tally.cells['flagged']:,} | "
            f"{tally.cells['wrong']:,} | {tally.filled:.1%} | {statuses} |")


def write(out: Path = ROOT / "docs" / "fidelity.md") -> None:
    real, synthetic = real_corpus(), synthetic_corpus()
    lines = [
        "# Fidelity: every figure right or flagged",
        "",
        "Written by `make fidelity` (`tests/fidelity.py`). A cell is *right* when the figure read equals",
        "the figure printed, *flagged* when it was left blank with a finding naming it (never a guess),",
        "*wrong* otherwise. Cells printed blank and read blank are not counted. The fill rate is right ÷",
        "(right + flagged + wrong).",
        "",
        "## Real reports",
        "",
        "The reports of `reports/` (and the text conversions of `tests/cases/`) whose figures",
        "were transcribed by hand into `tests/real/*.json`; each transcription says how it was checked.",
        "",
        *_table(real),
        "",
        "## Synthetic reports",
        "",
        "400 reports from `builder.synth`: consistent random figures, blank cells, both templates, in",
        "every text layout with the quirks of real reports, as web pages, as Word files, and as the",
        "one-line text of an archived page (`tests/flattened_support.py`).",
        "",
        *_table(synthetic),
        "",
    ]
    wrong = [w for tally in (*real.values(), *synthetic.values()) for w in tally.wrong]
    if wrong:
        lines += ["## Wrong figures", "", "| report | cell | printed | read |", "|---|---|---|---|"]
        lines += [f"| {name} | `{path}` | {printed} | {got} |" for name, path, printed, got in wrong]
        lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    random.seed(0)
    write()
