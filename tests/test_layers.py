"""The layer contract in pyproject.toml ([tool.importlinter]): imports point down the layers, and no two
sibling modules import each other at any depth. import-linter reads the code's imports (grimp)."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

from conftest import ROOT


def test_imports_keep_the_layers_and_have_no_cycle():
    lint = shutil.which("lint-imports")
    assert lint, "lint-imports (import-linter, in the dev extra) is on PATH"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"{len(contracts)} kept, 0 broken" in result.stdout
