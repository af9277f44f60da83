"""The extraction cache read back as untrusted (issue 16, defects 3 and 6): a damaged row, a row copied under
another key, a garbage page, an old file without checksums, a failing write and a second server with the same
model name are each a miss or a warning, never a wrong record or a crash."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer.io.readers import stream_inputs
from summarizer.llm import base, resolve_backend
from summarizer.batch import BatchOptions, run_batch
from summarizer.extraction.cache import ResultCache
from summarizer.cli.app import app

SEED = next(stream_inputs([str(SEED_000)]))
CALLS = 3  # model calls per article
TITLES = ["Alpha report", "Bravo report", "Delta report"]  # one length: a same-length edit swaps them


@pytest.fixture(autouse=True)
def quick_and_isolated(monkeypatch, tmp_path):
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def write_inputs(n: int) -> list[str]:
    """`in.jsonl`: seed 000 with one more sentence each (own cache keys), titled by TITLES in turn."""
    records = [
        {"id": f"a{i}", "title": TITLES[i % len(TITLES)], "date": str(SEED.published), "text": f"{SEED.text} Reference number {i} was given to this report."}
        for i in range(n)
    ]
    Path("in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return [r["id"] for r in records]


def batch(server: FakeOpenAI, out: str, capsys, **kw):
    """One batch run: (result, records by id, warning lines on stderr)."""
    result = run_batch(BatchOptions(inputs=["in.jsonl"], out=Path(out), progress=False, **kw), lambda: resolve_backend("fake", base_url=server.base_url, timeout=2.0))
    records = {r["article"]["id"]: r for r in map(json.loads, Path(out).read_text().splitlines())}
    return result, records, [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]


def cache_db() -> sqlite3.Connection:
    return sqlite3.connect(Path("cache/extractions.sqlite"), isolation_level=None)


def test_a_same_length_edit_inside_a_cached_record_is_a_miss_and_the_row_is_overwritten(capsys):
    write_inputs(2)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        batch(server, "cold.jsonl", capsys)
        path = Path("cache/extractions.sqlite")
        raw = path.read_bytes()
        assert raw.count(b'"title":"Alpha report"') == 1
        path.write_bytes(raw.replace(b'"title":"Alpha report"', b'"title":"Bravo report"'))  # a0 now reads as a1's title

        sent = server.request_count
        result, records, warnings = batch(server, "warm.jsonl", capsys)
        assert records["a0"]["article"]["title"] == "Alpha report", "served a wrong record"
        assert (result.cached, result.extracted, result.exit_code) == (1, 1, 0)
        assert server.request_count - sent == CALLS
        assert len(warnings) == 1 and "in.jsonl:1" in warnings[0] and "checksum" in warnings[0]

        again, records, warnings = batch(server, "again.jsonl", capsys)
    assert again.cached == 2 and not warnings, "the damaged row was overwritten"
    assert records["a0"]["article"]["title"] == "Alpha report"


def test_broken_json_in_a_row_is_a_miss_not_a_line_of_the_output(capsys):
    write_inputs(2)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        batch(server, "cold.jsonl", capsys)
        with cache_db() as db:
            db.execute("UPDATE extractions SET record = substr(record, 1, 100) WHERE id = 'a0'")
        result, records, warnings = batch(server, "out.jsonl", capsys)
        assert (result.cached, result.extracted, result.exit_code) == (1, 1, 0) and sorted(records) == ["a0", "a1"]
        assert len(warnings) == 1 and "in.jsonl:1" in warnings[0]
        resumed, _, warnings = batch(server, "out.jsonl", capsys, resume=True)
    assert resumed.skipped == 2 and resumed.cached == 0 and not warnings
    assert len(Path("out.jsonl").read_text().splitlines()) == 2


def test_a_row_copied_under_another_key_is_a_miss(capsys):
    write_inputs(2)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        batch(server, "cold.jsonl", capsys)
        with cache_db() as db:  # a1's whole row, checksum included, stored under a0's key
            (a0_key,) = db.execute("SELECT key FROM extractions WHERE id = 'a0'").fetchone()
            db.execute("CREATE TEMP TABLE copied AS SELECT * FROM extractions WHERE id = 'a1'")
            db.execute("UPDATE copied SET key = ?", (a0_key,))
            db.execute("INSERT OR REPLACE INTO extractions SELECT * FROM copied")
        result, records, warnings = batch(server, "out.jsonl", capsys)
    assert (result.cached, result.extracted, result.exit_code) == (1, 1, 0)
    assert records["a0"]["article"]["text_hash"] != records["a1"]["article"]["text_hash"], "a1's record served as a0"
    assert len(warnings) == 1 and "in.jsonl:1" in warnings[0]


def test_a_garbage_page_in_the_middle_of_the_file_is_misses_and_one_warning_not_a_crash(capsys):
    ids = write_inputs(60)
    args = ["batch", "in.jsonl", "--base-url", "", "--model", "fake", "--no-progress", "--out"]
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        args[3] = server.base_url
        assert CliRunner().invoke(app, [*args, "cold.jsonl"]).exit_code == 0
        cold = {r["article"]["id"]: r for r in map(json.loads, Path("cold.jsonl").read_text().splitlines())}
        path = Path("cache/extractions.sqlite")
        raw = bytearray(path.read_bytes())
        page = 4096
        middle = len(raw) // page // 2 * page
        raw[middle : middle + page] = bytes(range(256)) * (page // 256)
        path.write_bytes(bytes(raw))

        warm = CliRunner().invoke(app, [*args, "warm.jsonl"])
    assert warm.exit_code == 0, warm.output
    assert "Traceback" not in warm.output and "internal error" not in warm.output
    warm_records = {r["article"]["id"]: r for r in map(json.loads, Path("warm.jsonl").read_text().splitlines())}
    assert sorted(warm_records) == sorted(ids)
    for article_id, record in warm_records.items():  # right records: provenance differs only in timing
        assert {k: v for k, v in record.items() if k != "provenance"} == {k: v for k, v in cold[article_id].items() if k != "provenance"}
    warnings = [line for line in warm.output.splitlines() if line.startswith("warning:")]
    assert warnings and sum("DatabaseError" in w for w in warnings) <= 1
    assert all("DatabaseError" in w or "is damaged" in w for w in warnings), warnings
    assert json.loads(Path("warm.manifest.json").read_text())["status"] == "completed"


def test_an_old_cache_without_checksums_is_migrated_and_its_rows_are_misses(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE extractions (key TEXT PRIMARY KEY, id TEXT, source TEXT, url TEXT, record TEXT NOT NULL)")
        db.execute("INSERT INTO extractions VALUES ('k', 'a0', NULL, NULL, '{}')")
    warnings: list[str] = []
    cache = ResultCache(path, warnings.append)
    assert cache.get("k", SEED) is None and not warnings, "an unchecked row is a plain miss"
    record = '{"schema_version":"x"}'
    cache.put("k", SEED, record)
    assert cache.get("k", SEED) is None and len(warnings) == 1 and "not a valid extraction" in warnings[0]
    cache.close()
    ResultCache(path, warnings.append).close()  # opened again: already migrated


def test_a_failing_write_is_one_warning_and_a_failing_read_a_miss(tmp_path):
    warnings: list[str] = []
    cache = ResultCache(tmp_path / "c.sqlite", warnings.append)
    cache.db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    cache.put("k", SEED, "{}")
    cache.put("k2", SEED, "{}")
    cache.db.execute("PRAGMA query_only = OFF")
    cache.db.execute("DROP TABLE extractions")  # every read now fails
    assert cache.get("k", SEED) is None
    cache.close()
    assert len(warnings) == 1 and "readonly" in warnings[0]


def test_a_second_server_with_the_same_model_name_is_not_served_the_first_ones_records(capsys):
    write_inputs(3)
    with FakeOpenAI(queue_responder([seed_000_answer()])) as first, FakeOpenAI(queue_responder([seed_000_answer()])) as second:
        batch(first, "first.jsonl", capsys)
        other, _, _ = batch(second, "second.jsonl", capsys)
        assert other.cached == 0 and other.extracted == 3 and second.request_count == CALLS * 3
        same, _, _ = batch(first, "again.jsonl", capsys)
    assert same.cached == 3 and first.request_count == CALLS * 3, "the endpoint's own records are still hits"
