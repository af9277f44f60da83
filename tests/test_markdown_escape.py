"""Markdown files carry article and model text as text: a hostile record rendered by `summarize --format md`,
`brief --out x.md` and the eval report, then through a real CommonMark renderer (markdown-it-py, raw HTML
on, as GitHub-like viewers render it), yields no live markup and still shows every string."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from summarizer.io import markdown_escape as md
from summarizer.brief.build import build_briefing
from summarizer.brief.inputs import BriefInput
from summarizer.brief.render import to_markdown as brief_markdown
from summarizer.evals.fixtures import load_fixture
from summarizer.io.render import to_markdown as record_markdown
from test_brief import SEED_FIXTURES, fixture_record
from test_eval_report import report

HOSTILE_ID = "x` <script>alert(1)</script> `"
HOSTILE_TEXT = {
    "headline": "Big *news* <script>alert('h')</script>",
    "description": "Strike ](javascript:alert(1)) [click](javascript:alert(2)) <img src=x onerror=alert(3)>",
    "claim": "We deny it <img src=x onerror=\"alert(4)\"> & `code` | cell",
    "quote": "<script>alert(5)</script> [x]: javascript:alert(6)",
    "claimant": "# Spokes_person <b>",
}
SHOWN = [HOSTILE_ID, *HOSTILE_TEXT.values()]


def commonmark_html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def assert_inert(page: str, shown: list[str]) -> None:
    """No element, attribute or link the text did not ask for; every string still readable."""
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    assert not re.search(r"href=\"\s*javascript:", page, re.I)
    visible = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())
    for s in shown:
        assert " ".join(s.split()) in visible, s


def hostile_record(url: str = "javascript:alert(1)"):
    record = fixture_record(load_fixture(SEED_FIXTURES[0]))
    event = record.events[0].model_copy(update={"description": HOSTILE_TEXT["description"]})
    claim = record.claims[0].model_copy(update={k: HOSTILE_TEXT[k] for k in ("claim", "quote", "claimant")})
    return record.model_copy(update={
        "article": record.article.model_copy(update={"id": HOSTILE_ID, "url": url}),
        "summary": record.summary.model_copy(update={"headline": HOSTILE_TEXT["headline"]}),
        "events": [event, *record.events[1:]],
        "claims": [claim, *record.claims[1:]],
    })


def test_summarize_markdown_of_a_hostile_record_is_inert():
    page = commonmark_html(record_markdown(hostile_record()))
    assert_inert(page, SHOWN)
    assert f"<code>{html.escape(HOSTILE_ID.strip('` '), quote=False)}" in page.replace("&quot;", '"')


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://a/<script>", "JaVaScRiPt:alert(1)", "data:text/html,<script>"])
def test_brief_markdown_of_a_hostile_record_is_inert(url):
    fixture = load_fixture(SEED_FIXTURES[0])
    briefing = build_briefing([BriefInput(hostile_record(url), fixture.article.text, "x <img src=x onerror=alert(7)>")])
    page = commonmark_html(brief_markdown(briefing))
    assert_inert(page, [HOSTILE_ID, HOSTILE_TEXT["description"], HOSTILE_TEXT["claim"], url])
    if url.startswith("http"):
        assert '<a href="http://a/%3Cscript%3E">' in page  # a link, its `<` percent-encoded
    else:
        assert "<a href" not in page.split("Sources")[-1]  # shown as text, not a link


def test_eval_markdown_report_is_inert(tmp_path):
    out, _ = report(tmp_path, "report.md")
    assert_inert(commonmark_html(out.read_text()), ["<script>alert('x')</script> & <b>bold</b>"])


@pytest.mark.parametrize("value", ["plain", "a`b", "``x``", "`", "x` <script>", "ends with `"])
def test_code_span_holds_its_value_verbatim(value):
    page = commonmark_html(md.code(value))
    assert page == f"<p><code>{html.escape(value, quote=False)}</code></p>\n".replace("&#x27;", "'")


@pytest.mark.parametrize("value", ["1. not a list", "- not an item", "+ nor this", "=== no heading", "> no quote", "# no heading",
                                   "***", "```", "| a | b |", "a  \\", "[x]: /url", "<div>", "&amp; stays", "~~no~~ *em* _em_ `c` \\*"])
def test_text_renders_as_exactly_itself(value):
    page = commonmark_html(md.text(value))
    assert page.startswith("<p>") and page.count("<") == 2  # one paragraph, nothing inside it
    assert html.unescape(page.removeprefix("<p>").removesuffix("</p>\n")) == md.one_line(value)


def test_link_only_for_http_urls():
    assert md.link("https://example.org/a?b=1&c=2") == "<https://example.org/a?b=1&c=2>"
    assert md.link("http://a/<script> x") == "<http://a/%3Cscript%3E%20x>"
    for bad in ("javascript:alert(1)", "http://", "ftp://x", " vbscript:x", "//evil.example"):
        assert "<" not in md.link(bad) and "href" not in commonmark_html(md.link(bad))
