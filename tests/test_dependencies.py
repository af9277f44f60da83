"""Every third-party package the code imports is declared in pyproject.toml: a clean install must not
depend on what another package happens to pull in."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    return {_normal(re.match(r"[A-Za-z0-9._-]+", spec).group()) for spec in specs}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported() -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / "summarizer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "summarizer"}


def test_every_imported_package_is_declared():
    owners = packages_distributions()
    undeclared = {m: owners.get(m) for m in _imported() if not {_normal(d) for d in owners.get(m, [m])} & _declared()}
    assert not undeclared, f"imported but not in pyproject's dependencies: {undeclared}"


def test_diskcache_is_declared_for_instructors_answer_cache():
    # extraction/run.py's answer cache is instructor.cache.DiskCache, which imports diskcache that instructor does not declare
    assert "diskcache" in _declared()
