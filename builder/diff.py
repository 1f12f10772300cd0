"""What a change does to the corpus: reports added, removed and changed against a git revision,
summarized for people (a pull request's job summary, or `gongkai diff`)."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from builder import pipeline, readers
from builder.vocabulary import CATALOG, STATUS_NAMES
from builder.model import Report


class DiffError(Exception):
    """git could not answer; the message is one line for people."""


@dataclass(frozen=True)
class Changes:
    added: tuple[Path, ...]
    removed: tuple[str, ...]
    changed: tuple[Path, ...]


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True,
                                check=True)
    except FileNotFoundError:
        raise DiffError("找不到 git") from None
    except subprocess.CalledProcessError as err:
        raise DiffError(err.stderr.strip().splitlines()[-1] if err.stderr.strip() else "git 出错") from None
    return result.stdout


def changes(base: str, reports_dir: Path) -> Changes:
    """Report files (with their sidecars) that differ between `base` and the working tree."""
    repo = Path(_git(reports_dir if reports_dir.is_dir() else Path("."), "rev-parse", "--show-toplevel").strip())
    _git(repo, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    folder = reports_dir.resolve().relative_to(repo).as_posix()
    before: dict[str, str] = {}
    for entry in _git(repo, "ls-tree", "-r", "-z", base, "--", folder).split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            before[path] = meta.split()[2]
    files = sorted(p for p in reports_dir.resolve().rglob("*") if p.is_file() and not p.is_symlink()
                   and (readers.is_report_file(p) or p.suffix == ".yml"))
    paths = [p.relative_to(repo).as_posix() for p in files]
    blobs = _git(repo, "hash-object", "--stdin-paths", stdin="\n".join(paths) + "\n").split() if paths else []
    now = dict(zip(paths, blobs))
    reports_now = [p for p in paths if not p.endswith(".yml")]
    reports_before = [p for p in before if not p.endswith(".yml")]

    def differs(path: str) -> bool:
        sidecar = str(Path(path).with_suffix(".yml"))
        return before.get(path) != now.get(path) or before.get(sidecar) != now.get(sidecar)

    return Changes(
        added=tuple(repo / p for p in reports_now if p not in before),
        removed=tuple(p for p in reports_before if p not in now),
        changed=tuple(repo / p for p in reports_now if p in before and differs(p)),
    )


def describe(report: Report) -> str:
    """伊家乡 2020：通过 — or the status with what was found."""
    name = f"{report.agency or report.source.file} {report.year or ''}".strip()
    details = []
    blank_cells = sum(len(f.cells) for f in report.findings if f.rule == "blank_cell")
    if blank_cells:
        details.append(f"{blank_cells} 个空白单元格")
    counts = Counter(f.rule for f in report.findings if f.rule != "blank_cell")
    details += [f"{CATALOG[rule].title} ×{count}" for rule, count in sorted(counts.items())]
    return f"{name}：{STATUS_NAMES[report.status]}" + (f"，{'；'.join(details)}" if details else "")


def _markdown_text(text: str) -> str:
    """Report text shown as text where Markdown is rendered (a job summary)."""
    return "".join(f"\\{ch}" if ch in "\\`*_[]<>#|!" else ch for ch in text)


def summary(base: str, reports_dir: Path) -> str:
    """The changes as Markdown, each report added or changed with its status and findings."""
    found = changes(base, reports_dir)
    lines = [f"### 报告变更（相对于 `{base}`）", ""]
    if not (found.added or found.removed or found.changed):
        return "\n".join(lines + ["没有报告被添加、删除或修改。", ""])
    for title, paths in (("新增", found.added), ("修改", found.changed)):
        if paths:
            lines.append(f"**{title} {len(paths)} 份**")
            lines += [f"- {_markdown_text(describe(pipeline.process(path)))}（`{path.name}`）" for path in paths]
            lines.append("")
    if found.removed:
        lines.append(f"**删除 {len(found.removed)} 份**")
        lines += [f"- `{path}`" for path in found.removed]
        lines.append("")
    return "\n".join(lines)
