"""The self-contained HTML pages we write (the brief page, the eval report): rendered with autoescape on,
and one Content-Security-Policy for both that loads nothing and runs only the page's own inline script and
style, allowed by their sha256. Autoescape keeps article and model text inert; the policy is the backstop
should a value ever slip through unescaped: an injected `<script>` or `onerror=` would not run."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

# each page's template starts with this, then its <title>, `<style>{{ style }}</style>` and the rest
HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
"""


def source_hash(inline: str) -> str:
    """The CSP hash-source of an inline `<script>` or `<style>` whose text is exactly `inline`."""
    digest = hashlib.sha256(inline.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(script: str, style: str) -> str:
    return (
        f"default-src 'none'; script-src {source_hash(script)}; style-src {source_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )


def render_page(template: str, script: str, style: str, **context: Any) -> str:
    """`template` starts with HEAD (the policy's meta tag) and holds `{{ script }}` and `{{ style }}`
    verbatim in their elements, so the hashes are of the text the browser sees."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    csp = content_security_policy(script, style)
    return env.from_string(template).render(csp=csp, script=Markup(script), style=Markup(style), **context)
