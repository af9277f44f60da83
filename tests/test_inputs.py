"""One way in for inputs (issue 17): `summarize`, `batch` and `brief` expand their arguments the same way and
give an article the same id, its path; nothing to read is one line and exit 2 for each (issue 16)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from unittest import mock

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, SEED_003, seed_000_answer
from fake_openai import FakeOpenAI
from summarizer.cli.app import app
from summarizer.io.articles import Article
from summarizer.io.readers import stream_inputs
from test_brief import EMBEDDED_SEEDS
from test_eval_support import make_run, write_fixtures

FAKE = ["--base-url", "http://127.0.0.1:9/v1", "--model", "fake"]  # nothing listens: these runs must not call


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A working directory of its own: ids are paths relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def _answer(body: dict, n: int):
    if body["tools"][0]["function"]["name"] == "LeadDraft":
        return {"sentences": []}  # whatever becomes of the lead, the sources are the extractions'
    return seed_000_answer()


def test_one_article_has_one_id_in_summarize_batch_and_brief(here):
    (here / "dump").mkdir()
    shutil.copy(SEED_000, here / "dump" / "000.txt")
    with FakeOpenAI(_answer) as server:
        model = ["--base-url", server.base_url, "--model", "fake"]
        summarized = invoke("summarize", "dump/000.txt", *model)
        batched = invoke("batch", "dump", "--out", "out.jsonl", "--no-cache", "--no-progress", *model)
        briefed = invoke("brief", "dump/*.txt", "--format", "json", "--no-cache", *model)
    assert summarized.exit_code == batched.exit_code == 0, summarized.stderr + batched.stderr
    batch_line = json.loads((here / "out.jsonl").read_text())
    ids = [json.loads(summarized.stdout)["article"]["id"], batch_line["article"]["id"], json.loads(briefed.stdout)["sources"][0]["id"]]
    assert ids == ["dump/000.txt"] * 3


def test_the_same_file_name_in_two_folders_is_two_articles(here):
    for folder, seed in (("a", SEED_000), ("b", SEED_003)):
        (here / folder).mkdir()
        shutil.copy(seed, here / folder / "1.txt")
    assert [item.id for item in stream_inputs(["a", str(here / "b" / "1.txt")])] == ["a/1.txt", "b/1.txt"]
    assert [item.id for item in stream_inputs(["*/1.txt"])] == ["a/1.txt", "b/1.txt"]  # a glob the shell left alone


def test_records_without_an_id_are_named_by_path_and_line_and_stdin_by_hash(here):
    body = SEED_000.read_text().partition("\n\n")[2]
    (here / "d.jsonl").write_text(json.dumps({"id": "given", "text": body}) + "\n\n" + json.dumps({"text": body}) + "\n")
    assert [item.id for item in stream_inputs(["d.jsonl"])] == ["given", "d.jsonl:3"]
    with mock.patch.object(sys, "stdin", io.TextIOWrapper(io.BytesIO(body.encode()))):
        (article,) = stream_inputs(["-"])
    assert isinstance(article, Article) and article.id == article.text_hash  # the same text, the same id, every run


def test_brief_expands_directories_and_globs_as_batch_does(here):
    (here / "runs" / "may").mkdir(parents=True)
    shutil.copy(EMBEDDED_SEEDS, here / "runs" / "may" / "structured.jsonl")
    for spec in ("runs", "runs/**/*.jsonl"):  # a directory of extraction files; a recursive glob
        result = invoke("brief", spec, "--no-llm", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert len(json.loads(result.stdout)["sources"]) == 2
    missing = invoke("brief", "nothing/*.jsonl", "--no-llm")
    assert missing.exit_code == 2 and missing.stderr.strip() == "error: nothing/*.jsonl: no files match this pattern"


@pytest.mark.parametrize("command", [["summarize"], ["batch", "--out", "out.jsonl", "--no-progress"], ["brief", "--no-llm"]])
def test_an_empty_dump_or_stdin_is_one_line_and_exit_2(here, command):
    (here / "empty.jsonl").touch()
    (here / "empty").mkdir()
    for spec, stdin, message in (
        ("empty.jsonl", None, "error: empty.jsonl: no articles: the input is empty"),
        ("-", "", "error: -: no articles: the input is empty"),
        ("-", "\n  \n", "error: -: no articles: the input is empty"),
        ("empty", None, "error: empty: directory has no articles (.txt, .md, .json, .jsonl, .csv, .tsv, .parquet)"),
    ):
        result = invoke(command[0], spec, *command[1:], *FAKE, stdin=stdin)
        assert (result.exit_code, result.stderr.strip()) == (2, message), (spec, stdin)
        assert result.stdout == "" and not (here / "out.jsonl").exists()


def test_eval_run_problems_print_markup_as_text(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    (tmp_path / "[" / "x]").mkdir(parents=True)
    run = make_run(folder, tmp_path / "[" / "x]" / "run.jsonl")
    run.write_text(run.read_text() + run.read_text().splitlines()[0] + "\n")  # a second line for a fixture: a run problem
    result = CliRunner().invoke(app, ["eval", "--fixtures", str(folder), "--replay", str(run)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.stderr
    assert f"error: {run}:3: second line for fixture" in result.stderr  # `[/x]` in the path printed, not parsed


def write_parquet(path, records: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=2)  # rows across row groups


def test_parquet_rows_are_articles_under_the_one_id_rule(here):
    """A Parquet dump reads as a CSV table does: its columns by --*-column, an id of its own or
    `<path>:<row>`, a row without usable text its own error, a file without the text column one error."""
    from datetime import date

    from summarizer.io.articles import Columns
    from summarizer.io.readers import count_inputs

    body = SEED_000.read_text().partition("\n\n")[2]
    (here / "dump").mkdir()
    write_parquet(here / "dump" / "rows.parquet", [
        {"id": None, "body": body, "day": date(2024, 3, 5)},
        {"id": "given", "body": body, "day": None},
        {"id": None, "body": None, "day": None},
        {"id": "7", "body": body + " One more.", "day": date(2024, 3, 6)},
    ])  # fmt: skip
    write_parquet(here / "dump" / "other.parquet", [{"title": "no text column here"}])
    (here / "dump" / "cut.parquet").write_bytes(b"PAR1 not really")
    items = list(stream_inputs(["dump"], columns=Columns(text="body", date="day")))
    assert [item.id if isinstance(item, Article) else item.article_id for item in items] == [
        "dump/cut.parquet", "dump/other.parquet", "dump/rows.parquet:1", "given", "dump/rows.parquet:3", "7",
    ]  # fmt: skip
    cut, other, first, _, empty, last = items
    assert str(first.published) == "2024-03-05" and str(last.published) == "2024-03-06"
    assert "not a readable Parquet file" in str(cut) and "no 'body' column (columns: 'title')" in str(other)
    assert empty.one_line() == "dump/rows.parquet:3: record has no 'body' string"
    assert count_inputs(["dump"]) == len(items)


def test_batch_reads_parquet_and_says_when_pyarrow_is_missing(here, monkeypatch):
    write_parquet(here / "d.parquet", [{"text": SEED_000.read_text().partition("\n\n")[2]}])
    with FakeOpenAI(_answer) as server:
        result = invoke("batch", "d.parquet", "--out", "out.jsonl", "--no-cache", "--no-progress", "--base-url", server.base_url, "--model", "fake")
    assert result.exit_code == 0, result.stderr
    assert json.loads((here / "out.jsonl").read_text())["article"]["id"] == "d.parquet:1"
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    (item,) = stream_inputs(["d.parquet"])
    assert item.one_line() == 'd.parquet: reading Parquet needs pyarrow: pip install -e ".[parquet]"'
