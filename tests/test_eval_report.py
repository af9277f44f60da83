"""Reports: Markdown and HTML content and escaping; the HTML page in headless Chromium (Debian's package).

The browser tests are named `*chromium*`: `pytest -k "not chromium"` deselects them. They skip when
/usr/bin/chromium is missing (`apt-get install -y chromium`; .ci/run installs it).
`SUMMARIZER_SCREENSHOT=evals/report.png` makes the shipped-run test refresh the README's screenshot.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, chromium_page
from summarizer import cli
from test_csp import PWN, assert_runs_nothing
from test_eval_support import SMALL_FIXTURE, SMALL_TEXT, make_run, write_fixtures

SHIPPED_RUN = ROOT / "evals" / "runs" / "embedded-qwen1.5b.jsonl"
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def report(tmp_path: Path, name: str, fixtures: Path | None = None, run: Path | None = None, markup: str = HOSTILE) -> tuple[Path, Path]:
    if fixtures is None:
        fixtures = write_fixtures(tmp_path / "fixtures")
        # a hostile article: markup in the text must come out as text (`markup` has no double quotes, so it
        # can go straight into the fixture's JSON-quoted text)
        hostile = SMALL_FIXTURE.replace("id: small", "id: hostile").replace(SMALL_TEXT[:20], f"{markup} {SMALL_TEXT[:20]}")
        (fixtures / "hostile.yaml").write_text(hostile)
        run = make_run(fixtures, tmp_path / "run.jsonl")
    out = tmp_path / name
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(fixtures), "--replay", str(run), "--report", str(out)])
    assert result.exit_code == 0, result.stderr
    return out, fixtures


def test_markdown_report_has_scores_side_by_side_and_article(tmp_path):
    out, _ = report(tmp_path, "report.md")
    text = out.read_text()
    assert "| event F1 |" in text and "## Per article" in text and "## small: Sanctions and a missile test" in text
    assert "| miss | denial: Russia denied shipping drone parts to Iran. [3] | — |" in text
    assert "| false-positive | — | statement: Analysts issued a statement on the missile capabilities. [6] |" in text
    assert "| stance |" in text  # Zakharova's claim matched with the wrong stance
    assert "**The United States imposed sanctions on three Russian firms on Thursday.**" in text
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_html_report_is_self_contained_and_escaped(tmp_path):
    out, _ = report(tmp_path, "report.html")
    page = out.read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "http://" not in page and "https://" not in page  # no CDN, fonts or scripts from the network
    assert page.count("<script>") == 1


def test_unknown_report_suffix_is_an_error(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = make_run(folder, tmp_path / "run.jsonl")
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--replay", str(run), "--report", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "report must end in .html or .md" in result.stderr


def open_in_chromium(html: Path, screenshot: Path, check) -> None:
    """Load the page with all network blocked; fail on console errors, page errors or network requests."""
    with chromium_page(html) as (page, problems):
        check(page)
        page.screenshot(path=str(screenshot))
    assert problems == []


def test_html_report_in_chromium(tmp_path):
    out, _ = report(tmp_path, "report.html")

    def check(page) -> None:
        assert page.locator("#scores tbody tr").count() == 3  # one row per article
        assert page.locator("#overall tbody tr").count() == 19
        small = page.locator("section", has=page.locator("h2", has_text="small: Sanctions"))
        assert small.locator("tr.miss").count() == 2  # 1 event, 1 claim
        assert small.locator("tr.false-positive").count() == 4  # 1 event, 3 entities (a claimant and a country added)
        small.locator(".item", has_text="The US sanctioned three Russian firms.").click()
        assert small.locator(".s.focus").count() == 1 and "imposed sanctions" in small.locator(".s.focus").inner_text()
        page.check("#problems-only")
        assert small.locator("tr.match.clean").first.is_hidden()
        assert page.locator("script").count() == 1  # the hostile article's <script> stayed text

    open_in_chromium(out, tmp_path / "report.png", check)


def test_html_report_in_chromium_runs_no_injected_script(tmp_path):
    """An article carrying a <script> and an <img onerror>: shown as text, nothing runs, even with the
    escaping undone (the CSP); the problems-only switch still hides clean matches (the page's script)."""
    out, _ = report(tmp_path, "report.html", markup=PWN)

    def check(page) -> None:
        page.check("#problems-only")
        assert page.locator("tr.match.clean").first.is_hidden()

    assert_runs_nothing(out.read_text(), tmp_path, check)


@pytest.mark.skipif(not SHIPPED_RUN.exists(), reason="no shipped embedded run yet")
def test_shipped_run_report_in_chromium(tmp_path):
    fixtures = ROOT / "evals" / "fixtures"
    out, _ = report(tmp_path, "report.html", fixtures=fixtures, run=SHIPPED_RUN)
    screenshot = Path(os.environ.get("SUMMARIZER_SCREENSHOT") or tmp_path / "report.png")

    def check(page) -> None:
        articles = sum(1 for line in SHIPPED_RUN.read_text().splitlines() if line.strip())
        assert page.locator("#scores tbody tr").count() == articles
        assert page.locator("section.article-section").count() == articles

    open_in_chromium(out, screenshot, check)
