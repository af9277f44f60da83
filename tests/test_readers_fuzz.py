"""The readers under hostile bytes: random bytes, other encodings, BOMs, cut-off dumps, huge lines. Every
item is an `Article` or an `InputError`; nothing raises; each input is reported at most once, a whole-file
error alone; every error is one line naming its input. The CLI then prints one line per bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.errors import InputError
from summarizer.io.articles import Article
from summarizer.io.inputs import path_id
from summarizer.io.readers import stream_inputs

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv")
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252")
BOMS = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
WORDS = "The minister said on Tuesday that talks would resume next month in Geneva"
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _records(texts: list[str], fmt: str) -> str:
    """`texts` as a dump in `fmt` (records `{id, text}`), the way a real export would hold them."""
    rows = [{"id": f"r{i}", "text": text} for i, text in enumerate(texts)]
    if fmt == "json":
        return json.dumps(rows if len(rows) != 1 else rows[0], ensure_ascii=False)
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "text"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """Bytes a user might hand us: noise, text in some encoding, or a dump, maybe cut off, maybe with a BOM."""
    texts = st.text(st.characters(codec="utf-8"), max_size=200) | st.just(WORDS) | st.just(f" date 2024-05-16 T\n\n{WORDS}")
    kind = draw(st.sampled_from(("bytes", "text", "dump")))
    if kind == "bytes":
        data = draw(st.binary(max_size=2000))
    else:
        text = draw(texts) if kind == "text" else _records(draw(st.lists(texts, max_size=5)), draw(st.sampled_from(("json", "jsonl", "csv"))))
        data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return draw(st.sampled_from(BOMS)) + data


def _origin(item: Article | InputError) -> str:
    return item.origin if isinstance(item, Article) else item.source or ""


def _key(item: Article | InputError) -> tuple[str, str | None]:
    return (item.origin, item.id) if isinstance(item, Article) else (item.source or "", getattr(item, "article_id", None))


def assert_reported_once(items: list, name: str, base: str, *, whole: bool) -> None:
    """`whole`: the input is one article (a text file, text on stdin), so exactly one item."""
    assert all(isinstance(item, (Article, InputError)) for item in items)
    for error in (item for item in items if isinstance(item, InputError)):
        line = error.one_line()
        assert len(line.splitlines()) == 1 and line.startswith(name), line
    assert all(_origin(item).startswith(name) for item in items)
    assert len({_key(item) for item in items}) == len(items), [_key(item) for item in items]
    if whole or any(_key(item) == (name, base) and isinstance(item, InputError) for item in items):
        assert len(items) == 1, [_key(item) for item in items]


def _stdin(data: bytes) -> io.TextIOWrapper:
    """stdin as a process gets it: text over a byte buffer (the readers take the buffer)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


@FUZZ
@given(data=documents(), suffix=st.sampled_from(SUFFIXES))
def test_files_give_articles_or_one_line_errors(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        whole = suffix in (".txt", ".md")
        assert_reported_once(list(stream_inputs([str(path)])), str(path), path_id(path), whole=whole)


@FUZZ
@given(data=documents())
def test_stdin_gives_articles_or_one_line_errors(data: bytes):
    bare = data.removeprefix(b"\xef\xbb\xbf")
    with mock.patch.object(sys, "stdin", _stdin(data)):
        items = list(stream_inputs(["-"]))
    if not bare.strip():  # empty stdin is no input at all (the command says so in one line), not an empty article
        assert items == []
    else:
        assert_reported_once(items, "<stdin>", "<stdin>", whole=not bare.lstrip().startswith(b"{"))


HUGE = (WORDS + " ") * 70_000  # ~5 MB on one line


def _huge(name: str) -> tuple[str, bool]:
    """A file holding one ~5 MB line, and whether it is an article."""
    record = json.dumps({"id": "h", "text": HUGE})
    return {
        "huge.txt": (HUGE, True),
        "nospace.txt": ("x" * 5_000_000, False),
        "huge.jsonl": (record, True),
        "cut.jsonl": (record[:-3], False),
        "cut.json": (record[:4_000_000], False),
        "huge.csv": (f"id,text\nh,{HUGE}\n", True),
    }[name]


@pytest.mark.parametrize("name", ["huge.txt", "nospace.txt", "huge.jsonl", "cut.jsonl", "cut.json", "huge.csv"])
def test_a_five_megabyte_line_is_one_item(tmp_path, name):
    content, ok = _huge(name)
    path = tmp_path / name
    path.write_text(content)
    items = list(stream_inputs([str(path)]))
    assert [isinstance(item, Article) for item in items] == [ok]
    assert_reported_once(items, str(path), path_id(path), whole=True)


def test_cli_prints_one_line_per_bad_input_and_no_traceback(tmp_path):
    bad = {
        "noise.txt": bytes(range(256)) * 8,
        "utf16.md": f"{WORDS}. {WORDS}.".encode("utf-16"),
        "late_nul.txt": (WORDS + " ").encode() * 130 + b"\x00",
        "empty.txt": b"",
        "cut.jsonl": json.dumps({"id": "a", "text": WORDS}).encode()[:-5],
        "cut.json": b'\xef\xbb\xbf[{"id": "a", "text": "' + WORDS.encode("cp1252"),
        "no_text.csv": "id,[/red]body\na,b\n".encode("latin-1"),
    }
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    names = [str(tmp_path / name) for name in bad] + [str(tmp_path / "missing.txt"), "-"]
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", *names, "--base-url", "http://127.0.0.1:9/v1", "--model", "none"],
        input=b"\x00\xff" * 100, capture_output=True, timeout=120,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 2 and result.stdout == b"", stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == len(names), stderr
    assert all(line.startswith(f"error: {name}") for line, name in zip(lines, [*names[:-1], "<stdin>"])), stderr
