"""The brief page and the eval report share one Content-Security-Policy (summarizer.io.html_page): nothing
loaded, only the page's own inline script and style run, allowed by their sha256, never 'unsafe-inline'.

`assert_runs_nothing` is the browser check both pages' Chromium tests use (test_brief_browser.py,
test_eval_report.py): a record carrying PWN renders as text; with the escaping undone (as if it were ever
missed) the policy still stops it; without the policy it would have run, so the check is live."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import escape

from conftest import chromium_page
from summarizer.brief.build import build_briefing
from summarizer.brief.render import to_html
from summarizer.io.html_page import content_security_policy, source_hash
from summarizer.io.html_page import page as shipped_page
from test_brief import fixture_inputs

# no double quotes: it goes into a fixture's JSON-quoted text as it is
PWN = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=1>"
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def directives(csp: str) -> dict[str, list[str]]:
    return {d[0]: d[1:] for d in (part.split() for part in csp.split(";")) if d}


def policy(page: str) -> dict[str, list[str]]:
    (content,) = META.findall(page)
    return directives(html.unescape(content))


def inline(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)


def brief_page(**hostile: str) -> str:
    inputs = fixture_inputs()
    for field, value in hostile.items():
        setattr(inputs[0].record.events[0] if field == "description" else inputs[0].record.claims[0], field, value)
    return to_html(build_briefing(inputs))


def test_source_hash_is_the_sha256_of_the_exact_text():
    assert source_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    assert source_hash("a\n") != source_hash("a")


def test_both_pages_allow_only_their_own_script_and_style_by_hash(tmp_path):
    from test_eval_report import report

    pages = {"brief": brief_page(), "report": report(tmp_path, "report.html")[0].read_text()}
    for name, page in pages.items():
        csp = policy(page)
        assert "unsafe-inline" not in str(csp) and "unsafe-eval" not in str(csp), name
        assert csp["default-src"] == ["'none'"] and csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
        for tag, directive in (("script", "script-src"), ("style", "style-src")):
            digests = [base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in inline(page, tag)]
            assert csp[directive] == [f"'sha256-{d}'" for d in digests], (name, tag)
    for name, shipped in (("brief", shipped_page("brief", "brief")), ("report", shipped_page("evals", "report"))):  # one policy, built once
        assert policy(pages[name]) == directives(content_security_policy(shipped.script, shipped.style))


def test_a_hostile_record_is_text_in_the_brief_page():
    page = brief_page(description=PWN, claim=PWN)
    assert PWN not in page and str(escape(PWN)) in page
    assert len(inline(page, "script")) == 1


def unescaped(page: str, payload: str = PWN) -> str:
    """The page as if its escaping had been missed for `payload`."""
    assert str(escape(payload)) in page
    return page.replace(str(escape(payload)), payload)


def pwned(page_file: Path, check: Callable[[Any], None]) -> tuple[Any, list[str]]:
    """Load the page, run the page's own interaction `check`, return (window.__pwned, problems)."""
    with chromium_page(page_file) as (page, problems):
        check(page)
        return page.evaluate("window.__pwned"), problems


def assert_runs_nothing(page: str, folder: Path, check: Callable[[Any], None]) -> None:
    """`page` renders a record carrying PWN: it runs nothing as rendered, nor with its escaping undone,
    while the page's own script (`check`) still works; without the policy the undone page would run it."""
    variants = {"rendered": page, "unescaped": unescaped(page), "no-csp": META.sub("", unescaped(page))}
    files = {}
    for name, text in variants.items():
        files[name] = folder / f"{name}.html"
        files[name].write_text(text, encoding="utf-8")
    assert pwned(files["rendered"], check) == (None, [])
    value, problems = pwned(files["unescaped"], check)
    assert value is None and problems and all("Content Security Policy" in p for p in problems), problems
    assert pwned(files["no-csp"], lambda page: None)[0] == 1
