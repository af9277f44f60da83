"""The wheel a user installs: `pip wheel .` builds it, a fresh venv installs it (not editable; the dependencies come
from this environment through --system-site-packages), and its `summarizer` command runs from a directory outside
the source tree: `schema`, then one `summarize` of seed 000 against the fake OpenAI-compatible server. It fails if
the wheel misses the prompts or the page templates, or if the venv's `summarizer` is not the wheel's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer.llm.prompts import Prompt

# what the build reads; copied, so the build leaves nothing in the checkout (and no stale build/ gets in)
BUILD_INPUTS = ["pyproject.toml", "README.md", "summarizer", "prompts"]

# run by the venv's python: the package imported is the installed one, with its data
CHECK = """
import json, sys
import summarizer
from summarizer.io.html_page import page
from summarizer.llm.prompts import load_prompt, prompts_dir
pages = [page("brief", "brief"), page("evals", "report")]
print(json.dumps({"file": summarizer.__file__, "prompts": str(prompts_dir()), "lead": load_prompt("lead").version,
                  "pages": [len(p.script) > 0 and len(p.style) > 0 for p in pages]}))
"""


def test_every_package_under_summarizer_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "summarizer").rglob("__init__.py")}
    assert listed == found | {"summarizer.prompts"}


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels, env = tmp / "wheels", tmp / "venv"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)], check=True, timeout=180)
    (wheel,) = wheels.glob("summarizer-*.whl")
    # no pip of its own: the venv runs this environment's pip, which installs into the venv; --ignore-installed, as
    # this environment's editable summarizer (same version) would otherwise count as installed, and is left alone
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env)], check=True, timeout=60)
    subprocess.run([env / "bin" / "python", "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q", str(wheel)], check=True, timeout=120)
    return env


def run(venv: Path, cwd: Path, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SUMMARIZER_PROMPTS")}
    env["SUMMARIZER_CACHE"] = str(cwd / "cache")
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_installed_wheel_runs_from_outside_the_source_tree(venv, tmp_path):
    check = run(venv, tmp_path, venv / "bin" / "python", "-c", CHECK)
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout)
    site = Path(found["file"]).resolve()
    assert site.is_relative_to(venv.resolve()) and not site.is_relative_to(ROOT), found  # the wheel's, not a checkout's
    assert Path(found["prompts"]).resolve().is_relative_to(site.parent) and found["pages"] == [True, True], found
    assert found["lead"] == Prompt("lead", (ROOT / "prompts" / "lead.j2").read_text(encoding="utf-8")).version

    schema = run(venv, tmp_path, venv / "bin" / "summarizer", "schema")
    assert schema.returncode == 0, schema.stderr
    assert json.loads(schema.stdout)

    article = tmp_path / SEED_000.name
    shutil.copy2(SEED_000, article)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        summary = run(venv, tmp_path, venv / "bin" / "summarizer", "summarize", article.name, "--base-url", server.base_url, "--model", "fake")
    assert summary.returncode == 0, summary.stderr
    record = json.loads(summary.stdout)
    assert [e["type"] for e in record["events"]] == ["sanction", "veto_or_vote"]
    source_prompt = Prompt("extract", (ROOT / "prompts" / "extract.j2").read_text(encoding="utf-8"))
    assert (record["provenance"]["prompt_name"], record["provenance"]["prompt_version"]) == ("extract", source_prompt.version)
