"""The briefing page for the two seeds in headless Chromium (Debian's package at /usr/bin/chromium; .ci/run
installs it): no console errors, no network, and clicking a timeline entry, a claim or a lead citation
scrolls to and highlights the sentences it cites.

Marked `browser` and named `*chromium*`: `pytest -m "not browser"` or `-k "not chromium"` deselects it.
It skips when /usr/bin/chromium is missing (`apt-get install -y chromium`).
`SUMMARIZER_BRIEF_SCREENSHOT=docs/brief.png` refreshes the README's screenshot."""

from __future__ import annotations

import os

import pytest

from summarizer.brief.build import build_briefing
from summarizer.brief.render import to_html
from conftest import chromium_page
from test_brief import fixture_inputs
from test_csp import PWN, assert_runs_nothing, brief_page


pytestmark = pytest.mark.browser


def visible_in(page, element_id: str, container: str) -> bool:
    """The element is inside its scrolling pane's visible part, and the pane inside the window."""
    return page.evaluate(
        """([id, sel]) => {
            const r = document.getElementById(id).getBoundingClientRect();
            const c = document.querySelector(sel).getBoundingClientRect();
            return r.top >= c.top && r.bottom <= c.bottom && r.top >= 0 && r.bottom <= window.innerHeight;
        }""",
        [element_id, container],
    )


def test_brief_page_in_chromium_highlights_what_an_entry_cites(tmp_path):
    briefing = build_briefing(fixture_inputs())
    page_file = tmp_path / "brief.html"
    page_file.write_text(to_html(briefing), encoding="utf-8")
    may = next(e for e in briefing.stories[0].timeline if e.type.value == "sanction" and e.date.value == "2024-05-16")
    january = next(e for e in briefing.stories[0].timeline if e.type.value == "sanction" and e.date.value == "2024-01-11")
    may_first = f"a{may.citations[0].source}-s{may.citations[0].sentences[0]}"

    with chromium_page(page_file, width=1400) as (page, problems):
        # before any click: nothing highlighted, the May sentence far down the sources pane
        assert page.locator(".s.active").count() == 0
        assert not visible_in(page, may_first, "aside")

        page.click(f"#{may.id}")
        active = page.locator(".s.active")
        assert sorted(active.evaluate_all("els => els.map(e => e.id)")) == sorted(
            f"a{c.source}-s{n}" for c in may.citations for n in c.sentences
        )
        assert "imposing sanctions on five Russia-based individuals" in active.all_inner_texts()[-1]
        assert visible_in(page, may_first, "aside")
        assert page.locator(f"#{may.id}.active").count() == 1

        # a lead citation jumps to its entry and that entry's sentences
        page.click(f".lead a[data-entry='{january.id}']")
        assert page.locator(f"#{january.id}.active").count() == 1 and page.locator(f"#{may.id}.active").count() == 0
        assert "imposed sanctions on Thursday against three Russian entities" in page.locator(".s.active").first.inner_text()
        assert visible_in(page, f"a{january.citations[0].source}-s{january.citations[0].sentences[0]}", "aside")

        # a claim highlights its own sentences; the keyboard works too
        claim = page.locator(".claim", has_text="We condemn Russia's veto")
        claim.focus()
        page.keyboard.press("Enter")
        assert "We condemn Russia's veto" in " ".join(page.locator(".s.active").all_inner_texts())

        # the screenshot: the briefing from the top, the May sanctions entry picked
        page.click(f"#{may.id}")
        page.evaluate("document.querySelector('main').scrollTop = 0")
        page.screenshot(path=str(tmp_path / "brief.png"))
        if os.environ.get("SUMMARIZER_BRIEF_SCREENSHOT"):
            page.screenshot(path=os.environ["SUMMARIZER_BRIEF_SCREENSHOT"])
    assert problems == []
    assert (tmp_path / "brief.png").stat().st_size > 10_000


def test_brief_page_in_chromium_runs_no_injected_script(tmp_path):
    """An event and a claim carrying a <script> and an <img onerror>: shown as text, nothing runs, even
    with the escaping undone (the CSP); clicking an entry still highlights its sentences (the page's script)."""

    def check(page) -> None:
        page.click(".entry >> nth=0")
        assert page.locator(".s.active").count() > 0

    assert_runs_nothing(brief_page(description=PWN, claim=PWN), tmp_path, check)
