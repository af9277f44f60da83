"""The self-contained HTML pages we write (the brief page, the eval report): rendered with autoescape on,
and one Content-Security-Policy for both that loads nothing and runs only the page's own inline script and
style, allowed by their sha256. Autoescape keeps article and model text inert; the policy is the backstop
should a value ever slip through unescaped: an injected `<script>` or `onerror=` would not run.

A page is three files of package data beside the module that renders it (`brief/brief.html.j2`, `.css`,
`.js`); its template extends `io/html_page.html.j2`, which holds the policy's meta tag and puts the style and
the script in their elements verbatim, so the hashes are of the text the browser sees."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader
from markupsafe import Markup


@dataclass(frozen=True)
class Page:
    template: str  # a template name, relative to the package: "brief/brief.html.j2"
    script: str
    style: str


def _read(name: str) -> str:
    return resources.files("summarizer").joinpath(*name.split("/")).read_text(encoding="utf-8")


def _source(name: str) -> str | None:
    try:
        return _read(name)
    except OSError:
        return None  # jinja2 raises TemplateNotFound


@cache
def _environment() -> Environment:
    return Environment(loader=FunctionLoader(_source), autoescape=True, trim_blocks=True, lstrip_blocks=True)


@cache
def page(folder: str, name: str) -> Page:
    """The page `<folder>/<name>.html.j2` with its `<name>.js` and `<name>.css`."""
    stem = f"{folder}/{name}"
    return Page(template=f"{stem}.html.j2", script=_read(f"{stem}.js"), style=_read(f"{stem}.css"))


def source_hash(inline: str) -> str:
    """The CSP hash-source of an inline `<script>` or `<style>` whose text is exactly `inline`."""
    digest = hashlib.sha256(inline.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(script: str, style: str) -> str:
    return (
        f"default-src 'none'; script-src {source_hash(script)}; style-src {source_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )


def render_page(page: Page, **context: Any) -> str:
    csp = content_security_policy(page.script, page.style)
    template = _environment().get_template(page.template)
    return template.render(csp=csp, script=Markup(page.script), style=Markup(page.style), **context)
