"""`summarizer export` on a real `summarizer batch` output (the fake server, tests/fake_openai.py): rows per
event, claim and entity whose offsets point into the article text; error records skipped and counted, a
malformed line warned about by file:line, partial records exported; Parquet round trip; bad input one line;
constant memory over 100k lines."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer.batch import BatchOptions, run_batch
from summarizer.cli.app import app
from summarizer.io.readers import stream_inputs
from summarizer.llm import resolve_backend

SEED = next(stream_inputs([str(SEED_000)]))
ARTICLES = 3


def article_text(i: int) -> str:
    """Seed 000 with one more sentence (its own cache key); seed 000's answer still fits it."""
    return f"{SEED.text} Reference number {i} was given to this report."


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> Path:
    """A real batch output: three extracted articles and one error record (a line without text)."""
    folder = tmp_path_factory.mktemp("export")
    records = [{"id": f"a{i}", "title": SEED.title, "date": str(SEED.published), "text": article_text(i)} for i in range(ARTICLES)]
    (folder / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + json.dumps({"id": "no-text"}) + "\n")
    out = folder / "out.jsonl"
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        options = BatchOptions(inputs=[str(folder / "in.jsonl")], out=out, progress=False, cache=False)
        result = run_batch(options, lambda: resolve_backend("fake", base_url=server.base_url))
    assert (result.extracted, result.errors) == (ARTICLES, 1)
    return out


def export(*args: str):
    return CliRunner().invoke(app, ["export", *map(str, args)])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def records(path: Path) -> list[dict]:
    return [r for r in map(json.loads, path.read_text().splitlines()) if r.get("status") != "error"]


def test_rows_per_event_claim_entity_with_offsets_into_the_article(batch_out, tmp_path):
    result = export(batch_out, "--to", tmp_path / "events.csv", "--to", tmp_path / "claims.csv", "--to", tmp_path / "dump_entities.csv")
    assert result.exit_code == 0, result.output
    done = records(batch_out)
    events, claims, entities = (read_csv(tmp_path / name) for name in ("events.csv", "claims.csv", "dump_entities.csv"))
    assert len(events) == sum(len(r["events"]) for r in done) == 2 * ARTICLES
    assert len(claims) == sum(len(r["claims"]) for r in done) == 2 * ARTICLES
    assert len(entities) == sum(len(r["entities"]) for r in done)
    assert result.stderr.strip().splitlines() == [
        f"exported {ARTICLES} records: {len(events)} events -> {tmp_path / 'events.csv'}, {len(claims)} claims -> {tmp_path / 'claims.csv'}, "
        f"{len(entities)} entities -> {tmp_path / 'dump_entities.csv'}; skipped 1 error record"
    ]
    texts = {f"a{i}": article_text(i) for i in range(ARTICLES)}
    for row in events + claims:
        text = texts[row["article_id"]]
        assert text[int(row["start"]):int(row["end"])] == row["evidence_text"]
        for start, end, number in zip(row["evidence_starts"].split("|"), row["evidence_ends"].split("|"), row["sentences"].split("|")):
            assert text[int(start):int(end)] in row["evidence_text"] and int(number) >= 1
    e1 = next(r for r in events if r["article_id"] == "a0" and r["event_id"] == "E1")
    assert {k: e1[k] for k in ("published", "type", "status", "date_value", "date_precision", "date_text", "agents", "agent_countries", "targets", "sentences", "start", "end")} == {
        "published": "2024-05-17", "type": "sanction", "status": "occurred", "date_value": "2024-05-16", "date_precision": "day",
        "date_text": "Thursday", "agents": "United States", "agent_countries": "USA", "targets": "Russia-based entities",
        "sentences": "1", "start": "0", "end": "269",
    }  # fmt: skip
    provenance = done[0]["provenance"]
    assert (e1["record_status"], e1["model"], e1["backend"], e1["prompt_version"]) == ("ok", "fake", provenance["backend"], provenance["prompt_version"])
    c1 = next(r for r in claims if r["article_id"] == "a0" and r["claim_id"] == "C1")
    assert (c1["claimant"], c1["claimant_type"], c1["stance"], c1["attribution"]) == ("Matthew Miller", "person", "accuse", "statement")
    assert c1["quote"] and c1["quote"] in c1["evidence_text"] and c1["sentences"] == "4"
    us = next(r for r in entities if r["article_id"] == "a0" and r["name"] == "United States")
    assert (us["type"], us["aliases"]) == ("country", "US|America")


def test_partial_records_export_what_they_have_and_a_malformed_line_is_warned(batch_out, tmp_path):
    first, second, *rest = [json.dumps(r) for r in records(batch_out)]
    errors = [line for line in batch_out.read_text().splitlines() if json.loads(line).get("status") == "error"]
    partial = {"status": "partial", "missing": ["events"], **json.loads(first), "events": []}  # as batch writes one
    broken = second[: len(second) // 2]  # a line cut short
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([json.dumps(partial), broken, "", *rest, *errors]) + "\n")
    result = export(mixed, "--to", tmp_path / "events.csv", "--to", tmp_path / "claims.csv")
    assert result.exit_code == 0, result.output
    warning, summary = result.stderr.strip().splitlines()
    assert warning.startswith(f"warning: {mixed}:2: skipped: not JSON")
    assert "(1 partial)" in summary and "skipped 1 error record and 1 malformed line" in summary
    events, claims = read_csv(tmp_path / "events.csv"), read_csv(tmp_path / "claims.csv")
    assert len(events) == 2 * (ARTICLES - 2) and len(claims) == 2 * (ARTICLES - 1)
    assert {r["record_status"] for r in claims if r["article_id"] == partial["article"]["id"]} == {"partial"}


def test_bad_input_is_one_line_exit_2_and_nothing_is_written(tmp_path):
    (tmp_path / "articles.jsonl").write_text(json.dumps({"id": "x", "text": "Not extracted yet."}) + "\n")
    (tmp_path / "table.csv").write_text("id,text\n1,hello\n")
    (tmp_path / "events.csv").write_text("old\n")
    cases = {
        "missing.jsonl": "no such file",
        "table.csv": "not a JSONL of extraction records (what `batch` writes): line 1 is not JSON (Expecting value)",
        "articles.jsonl": "not a JSONL of extraction records (what `batch` writes): line 1 is an article (id, text), not an extraction record: run `summarizer batch` on it first",
    }
    for name, message in cases.items():
        result = export(tmp_path / name, "--to", tmp_path / "events.csv")
        assert result.exit_code == 2 and result.stderr.strip().splitlines() == [f"error: {tmp_path / name}: {message}"], result.stderr
    assert (tmp_path / "events.csv").read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl", "events.csv", "table.csv"]
    result = export(tmp_path / "articles.jsonl", "--to", tmp_path / "people.csv")
    assert result.exit_code == 2 and "its name picks the table: call it events.csv, claims.csv, entities.csv" in result.stderr


def test_parquet_round_trip(batch_out, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="the parquet extra: pip install -e '.[parquet]'")
    result = export(batch_out, "--to", tmp_path / "events.parquet", "--to", tmp_path / "events.csv", "--to", tmp_path / "entities.parquet")
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "events.parquet")
    rows = table.to_pylist()
    pa = pytest.importorskip("pyarrow")
    assert table.schema.field("sentences").type == pa.list_(pa.int64()) and table.schema.field("published").type == pa.date32()
    as_csv = read_csv(tmp_path / "events.csv")
    assert len(rows) == len(as_csv) == 2 * ARTICLES
    for row, line in zip(rows, as_csv):
        assert row["evidence_text"] == line["evidence_text"] and (row["start"], row["end"]) == (int(line["start"]), int(line["end"]))
        assert "|".join(map(str, row["sentences"])) == line["sentences"] and row["published"].isoformat() == line["published"]
    assert rows[0]["agents"] == ["United States"] and rows[0]["date_value"] == "2024-05-16"
    assert pq.read_table(tmp_path / "entities.parquet").num_rows == sum(len(r["entities"]) for r in records(batch_out))


def test_parquet_without_pyarrow_names_the_extra(batch_out, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    result = export(batch_out, "--to", tmp_path / "events.parquet")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == ["error: writing .parquet needs pyarrow: pip install 'summarizer[parquet]'"]


# the child's peak RSS from /proc (ru_maxrss would carry over the forking pytest process's peak across exec)
MEMORY = """
import pathlib, re, sys
from summarizer.export import export
export([sys.argv[1]], [pathlib.Path(p) for p in sys.argv[2:]], lambda where, message: None)
print(re.search(r"VmHWM:\\s+(\\d+) kB", pathlib.Path("/proc/self/status").read_text()).group(1))
"""


def test_memory_stays_flat_over_100k_lines(batch_out, tmp_path):
    """The peak RSS of exporting 100,000 lines is that of exporting 1,000: nothing grows with the file."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the peak RSS (VmHWM) from /proc")
    record = records(batch_out)[0]
    record.update(events=record["events"][:1], claims=record["claims"][:1], entities=record["entities"][:1])
    record["summary"]["key_points"] = record["summary"]["key_points"][:1]
    line = json.dumps(record)
    article_id = json.dumps(record["article"]["id"])
    for n in (1_000, 100_000):
        with (tmp_path / f"{n}.jsonl").open("w") as handle:
            for i in range(n):
                handle.write(line.replace(article_id, f'"a{i}"', 1) + "\n")
    peaks = {}
    for n in (1_000, 100_000):
        outputs = [tmp_path / f"{n}_{t}.csv" for t in ("events", "claims", "entities")]
        run = subprocess.run([sys.executable, "-c", MEMORY, tmp_path / f"{n}.jsonl", *outputs], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert run.returncode == 0, run.stderr
        peaks[n] = int(run.stdout) * 1024
        assert sum(1 for _ in outputs[0].open()) == n + 1
    size = (tmp_path / "100000.jsonl").stat().st_size
    assert size > 100e6
    print(f"peak RSS {peaks}, input {size / 1e6:.0f} MB")
    assert peaks[100_000] - peaks[1_000] < 8e6, f"{peaks}: memory grew with the file ({size / 1e6:.0f} MB)"


def test_a_ray_output_directory_exports_as_its_jsonl_would(batch_out, tmp_path):
    """`batch --engine ray` writes a directory of part files, JSONL or Parquet (`id`, `status`, `record`):
    exported part by part, the same rows as the one JSONL; a cut Parquet part or no parts is one line."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    lines = batch_out.read_text().splitlines()
    for name, chunk in (("jsonl", lines[:2]), ("parquet", lines[2:])):
        out = tmp_path / f"out.{name}"
        out.mkdir()
        for n, line in enumerate(chunk):
            part = out / f"part-0001-{n:06d}.{name}"
            if name == "jsonl":
                part.write_text(line + "\n")
            else:
                status = json.loads(line).get("status", "ok")
                pq.write_table(pa.table({"id": ["x"], "status": [status], "record": [line]}), part)
    whole = export(batch_out, "--to", tmp_path / "whole_events.csv")
    parts = export(tmp_path / "out.jsonl", tmp_path / "out.parquet", "--to", tmp_path / "parts_events.csv")
    assert whole.exit_code == parts.exit_code == 0, parts.output
    assert read_csv(tmp_path / "parts_events.csv") == read_csv(tmp_path / "whole_events.csv") != []
    assert "skipped 1 error record" in parts.stderr
    (tmp_path / "out.parquet" / "part-0002-000000.parquet").write_bytes(b"PAR1 cut")
    (tmp_path / "empty").mkdir()
    for spec, message in ((tmp_path / "out.parquet", "cannot read file (not a readable Parquet part"), (tmp_path / "empty", "a directory without part files")):
        result = export(spec, "--to", tmp_path / "x_events.csv")
        assert result.exit_code == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
