"""The whole output of a build, byte for byte, against a recorded manifest: the five seeds and
a synthetic corpus of 1,000, built into a package and a site by the `gongkai build` command.

A change to the code's shape (issue 12) must leave every byte as it was; a change meant to alter
the outputs rewrites the manifest with `make golden`, and the diff of tests/golden/build/manifest.json
says which folders of the output it touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from builder.synth.corpus import write_corpus
from conftest import GOLDEN, REPORTS, ROOT

MANIFEST = GOLDEN / "build" / "manifest.json"
SEEDS = sorted(REPORTS.glob("00[0-4]_*.*"))


def manifest(folder: Path) -> dict[str, dict]:
    """A digest and a count of files per group: a folder (with its first level of subfolders),
    or one file of the package."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        parts = relative.split("/")
        group = "/".join(parts[:3]) if parts[0] == "package" else "/".join(parts[:min(3, len(parts) - 1)] or parts)
        groups[group].append(f"{relative} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return {group: {"files": len(lines), "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
            for group, lines in sorted(groups.items())}


def build_outputs(work: Path) -> Path:
    reports = work / "corpus" / "reports"
    write_corpus(reports, 1000, seed=1)
    for seed in SEEDS:
        shutil.copy(seed, reports / seed.name)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    subprocess.run([str(Path(sys.executable).with_name("gongkai")), "build", "--reports", str(reports),
                    "--package", str(work / "out" / "package"), "--site", str(work / "out" / "site"),
                    "--project", str(ROOT), "--no-cache", "--jobs", "2"],
                   check=True, env=env, cwd=work, capture_output=True)
    return work


def test_a_build_of_the_seeds_and_1000_synthetic_reports_is_byte_for_byte_as_recorded(tmp_path, update_golden):
    work = build_outputs(tmp_path)
    found = {"corpus": manifest(work / "corpus"), "outputs": manifest(work / "out")}
    if update_golden:
        MANIFEST.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    changed = sorted(f"{part}:{group}" for part in recorded
                     for group in recorded[part].keys() | found[part].keys()
                     if recorded[part].get(group) != found[part].get(group))
    assert not changed, f"outputs differ from {MANIFEST.name} in: {changed}"
