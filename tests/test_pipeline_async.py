"""The async path (batch concurrency) goes through the same request, validation and grounding."""

import asyncio
import time

from conftest import SEED_000, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer.io.readers import stream_inputs
from summarizer.llm import resolve_backend
from summarizer.extraction.run import extract, extract_async


def test_async_extractions_run_concurrently_and_match_the_sync_result():
    article = next(stream_inputs([str(SEED_000)]))
    with FakeOpenAI(queue_responder([seed_000_answer()]), latency=0.5) as server:
        backend = resolve_backend("fake", base_url=server.base_url)
        sync_record = extract(article, backend)

        async def many():
            return await asyncio.gather(*(extract_async(article, backend) for _ in range(8)))

        started = time.perf_counter()
        records = asyncio.run(many())
        elapsed = time.perf_counter() - started
    assert elapsed < 8 * 3 * 0.5 / 2  # concurrent, not one after another (three calls each: first, events, claims)
    assert server.request_count == 3 * 9
    strip = {"provenance"}
    assert all(r.model_dump(exclude=strip) == sync_record.model_dump(exclude=strip) for r in records)
    assert all(r.provenance.attempts == 3 for r in records)


def test_answer_cache_serves_a_rerun_without_requests(tmp_path, monkeypatch):
    """$SUMMARIZER_ANSWER_CACHE: a re-run after a code-only change asks the model nothing, sync or async."""
    monkeypatch.setenv("SUMMARIZER_ANSWER_CACHE", str(tmp_path / "answers"))
    article = next(stream_inputs([str(SEED_000)]))
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        backend = resolve_backend("fake", base_url=server.base_url)
        first = extract(article, backend)
        assert server.request_count == 3
        again = extract(article, backend)
        async_again = asyncio.run(extract_async(article, backend))
        assert server.request_count == 3
    strip = {"provenance"}
    assert again.model_dump(exclude=strip) == first.model_dump(exclude=strip) == async_again.model_dump(exclude=strip)
