"""The documented Python API (`from summarizer import extract`), through the real openai client against the
fake server on 127.0.0.1; and the README's example, run as written but pointed at that server."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest

import summarizer
from conftest import ROOT, SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder


def test_extract_text_on_a_base_url():
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        record = summarizer.extract(SEED_000.read_text(), "fake", base_url=server.base_url)
        again = summarizer.extract(SEED_000.read_text(), "fake", base_url=server.base_url)
    assert isinstance(record, summarizer.ArticleExtraction)
    assert [e.type.value for e in record.events] == ["sanction", "veto_or_vote"]
    assert record.article.title and record.article.published.isoformat() == "2024-05-17"
    assert record.article.id == again.article.id and record.article.id.startswith("text-")  # content hash: stable
    assert record.provenance.backend == "openai-compatible/fake" and server.request_count == 6


def test_extractor_async_many_in_flight():
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        extractor = summarizer.Extractor("fake", base_url=server.base_url)

        async def both():
            return await asyncio.gather(*(extractor.extract_async(SEED_000.read_text()) for _ in range(2)))

        records = asyncio.run(both())
    assert [len(r.events) for r in records] == [2, 2] and server.request_count == 6


def test_a_too_short_text_is_an_input_error():
    with pytest.raises(summarizer.InputError, match="not an article"):
        summarizer.extract("Too short.", "fake", base_url="http://127.0.0.1:9/v1")


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        summarizer.no_such_name  # noqa: B018


def test_readme_example_runs_as_written():
    """The README's Python block as written, but for its embedded line (the slow tests run that model) and
    with the base URL it names pointed at the fake server."""
    block = re.search(r"## Python API.*?```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README has a '## Python API' section with a python block"
    lines = [line for line in block.group(1).splitlines() if not line.startswith("record = extract(text)")]
    assert len(lines) < len(block.group(1).splitlines()), "the block shows the embedded default"
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        code = "\n".join(lines).replace("http://127.0.0.1:8000/v1", server.base_url)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("sanction The US")


def test_every_public_name_resolves():
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None, name


def test_a_driver_that_sends_the_requests_itself_gets_the_live_record():
    """The ExtractionRun protocol as a Batch API or Ray driver uses it: send `chat_body(step)` with a plain
    openai client, hand back each completion; the record is the one `extract` makes from the same answers."""
    import openai

    article = summarizer.api.as_article(SEED_000.read_text())
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        extractor = summarizer.Extractor("fake", base_url=server.base_url)
        live = extractor.extract(article)
        run = summarizer.ExtractionRun(article, extractor.backend)
        client = openai.OpenAI(base_url=server.base_url, api_key="none")
        for step in run.steps:
            run.accept_completion(step, client.chat.completions.create(**run.chat_body(step)).model_dump())
        record = run.result()
    assert len(run.steps) == 3 and record.provenance.attempts == live.provenance.attempts == 3
    drop = {"provenance": {"latency_s", "created_at"}}
    assert record.model_dump(exclude=drop) == live.model_dump(exclude=drop)
