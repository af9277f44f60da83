"""Article and model text made inert in CommonMark (and GitHub's tables): every Markdown file we write
(`summarize --format md`, `brief --out x.md`, the eval report) puts untrusted strings through these.

No maintained Python library escapes text *for* CommonMark (markdown-it-py and mistune only escape HTML),
so the rules are here, after the spec: text is one line, `&<>` become entities (raw HTML and autolinks need
`<`; entities stay text even in renderers that pass HTML through), the punctuation that opens an inline
construct is backslash-escaped, and so is a first character that could open a block when the text starts a
line. A code span's fence is longer than any backtick run inside; a url is a link only when it is http(s)."""

from __future__ import annotations

import re

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# emphasis, code, links and images (`![` needs its `[`), escapes, headings, GFM tables and strikethrough
_INLINE = set("\\`*_[]#|~")
# what else opens a block when the text starts a line: a list item ("-", "+", "1.", "1)") or a setext
# underline ("="); `>`, `#`, `*`, `_`, backticks and `~` are already escaped
_BLOCK_START = re.compile(r"^(?:\d{1,9}[.)]|[-+=])")
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f\"<>`\\]")


def one_line(value: object) -> str:
    """Whitespace runs (newlines included) as one space: a value can never start a block of its own."""
    return " ".join(str(value).split())


def text(value: object) -> str:
    """Inline text that renders as exactly itself."""
    out = "".join(_ENTITIES.get(ch) or ("\\" + ch if ch in _INLINE else ch) for ch in one_line(value))
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], out)  # "1." -> "1\.", "-" -> "\-"


def code(value: object) -> str:
    """A code span holding the value verbatim: fenced by one backtick more than its longest run, padded
    with a space (which CommonMark strips) when the value starts or ends with a backtick."""
    s = one_line(value)
    if not s:
        return ""
    fence = "`" * (max(map(len, re.findall("`+", s)), default=0) + 1)
    pad = " " if s[0] == "`" or s[-1] == "`" else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def link(url: object) -> str:
    """An autolink for an http(s) url, its unsafe characters percent-encoded; anything else as text."""
    s = one_line(url)
    if not re.match(r"(?i)https?://[^/?#\s]", s):
        return text(s)
    return "<" + _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", s) + ">"
