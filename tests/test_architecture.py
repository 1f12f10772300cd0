"""The shape of the code, read from its imports: the stages (readers, parse, checks, package,
site) import the shared vocabulary, the model and the form, never each other; the synthetic
corpora are imported by nothing of the build."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BUILDER = Path(__file__).resolve().parent.parent / "builder"
STAGES = ("readers", "parse", "checks", "package", "site")
# below the stages: what every stage may import (places: the administrative divisions, data like
# the form; folders: the atomic switch of an output folder; pool: the bounds a report runs under,
# which OCR lengthens a page at a time)
SHARED = ("vocabulary", "model", "forms", "places", "ids", "record", "folders", "pool")


def module_of(path: Path) -> str:
    parts = path.relative_to(BUILDER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The builder modules `path` imports, as dotted names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("builder")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("builder"):
            if node.module == "builder":  # `from builder import x`: x is a module, or the version
                found |= {f"builder.{alias.name}" for alias in node.names if alias.name != "__version__"}
            else:
                found.add(node.module)
    return found


def unit(module: str) -> str:
    """The part of the house a module belongs to: a stage or a shared module by its first name."""
    return module.split(".")[1] if module.count(".") else module


MODULES = {module_of(path): imports(path) for path in sorted(BUILDER.rglob("*.py"))}


def test_the_imports_are_read_from_every_module():
    assert {"builder.parse", "builder.site", "builder.runner", "builder.forms"} <= MODULES.keys()
    assert "builder.forms" in MODULES["builder.parse.tables"]


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_itself_and_what_lies_below_the_stages(stage):
    wrong = {(module, imported) for module, imported_all in MODULES.items() if unit(module) == stage
             for imported in imported_all if unit(imported) not in (stage, *SHARED)}
    assert not wrong


@pytest.mark.parametrize("shared", SHARED)
def test_what_lies_below_the_stages_imports_nothing_above_it(shared):
    wrong = {(module, imported) for module, imported_all in MODULES.items() if unit(module) == shared
             for imported in imported_all if unit(imported) not in SHARED}
    assert not wrong


def test_nothing_of_the_build_imports_the_synthetic_corpora():
    wrong = {(module, imported) for module, imported_all in MODULES.items() if unit(module) != "synth"
             for imported in imported_all if unit(imported) == "synth"}
    assert not wrong
