"""The vLLM engine's pre- and postprocess (issue 18, part 3) on real request and answer shapes, without Ray
running: vLLM needs GPUs, so the rows are answered here as the fake server answers them, and the record
must be the live batch's (tests/test_ray_batch.py runs the same functions through Ray Data)."""

from __future__ import annotations

import functools
import json
import pickle

import numpy as np
import pytest

pytest.importorskip("ray.data.llm")

from conftest import SEED_000, seed_000_answer  # noqa: E402
from fake_openai import FakeOpenAI, queue_responder  # noqa: E402

from summarizer.batch.ray_engine.processor import accept_answers, step_rows, vllm_answer, vllm_config, vllm_request  # noqa: E402
from summarizer.extraction.run import ExtractionRun, extract  # noqa: E402
from summarizer.io.readers import stream_inputs  # noqa: E402
from summarizer.llm import resolve_backend  # noqa: E402

SEED = next(stream_inputs([str(SEED_000)]))
URL = "http://127.0.0.1:9/v1"  # never called: the rows only need the backend's model and settings


def make_backend(base_url: str = URL):
    return resolve_backend("fake", base_url=base_url, mode="json_schema", timeout=5.0)


def rows() -> list[dict]:
    return list(step_rows({"id": SEED.id, "line": None, "article": pickle.dumps(SEED)}, functools.partial(make_backend)))


def untimed(record: dict) -> dict:
    for key in ("latency_s", "created_at", "usage"):
        record["provenance"].pop(key)
    return record


def test_a_row_per_step_carrying_the_live_calls_body_and_its_schema_as_structured_output():
    run = ExtractionRun(SEED, make_backend())
    steps = rows()
    assert [r["step"] for r in steps] == list(range(len(run.steps))) and len(steps) == 3
    for row, step in zip(steps, run.steps):
        body = run.chat_body(step)
        assert json.loads(row["body"]) == body
        request = vllm_request(row)
        assert request["messages"] == body["messages"]
        assert json.loads(request["sampling_params"]["structured_outputs"]["json"]) == body["response_format"]["json_schema"]["schema"]
        assert request["sampling_params"]["temperature"] == 0.0 and request["sampling_params"]["max_tokens"] == body["max_tokens"]


def vllm_rows(answer) -> list[dict]:
    """Each step row with vLLM's output columns: the fake server's answer to that body, as generated text."""
    return [{**vllm_request(row), "generated_text": json.dumps(answer(json.loads(row["body"]))), "num_input_tokens": 100, "num_generated_tokens": 20} for row in rows()]


def group(answers: list[dict]) -> dict[str, np.ndarray]:
    columns = ("id", "step", "article", "completion")
    return {c: np.array([a[c] for a in answers], dtype=object if c != "step" else int) for c in columns}


def test_vllm_answers_make_the_live_batchs_record():
    answers = [vllm_answer(row) for row in reversed(vllm_rows(seed_000_answer()))]  # any order: grouped back by step
    line = accept_answers(group(answers), functools.partial(make_backend))["line"][0]
    with FakeOpenAI(queue_responder([seed_000_answer()])) as server:
        live = extract(SEED, make_backend(server.base_url))
    record = json.loads(line)
    assert record["provenance"]["usage"] == {"prompt_tokens": 300, "completion_tokens": 60, "total_tokens": 360}
    assert untimed(record) == untimed(json.loads(live.model_dump_json()))


def test_an_answer_that_is_not_the_schema_is_the_articles_error_record():
    answers = [vllm_answer(row | {"generated_text": "not json"}) for row in vllm_rows(seed_000_answer())]
    record = json.loads(accept_answers(group(answers), functools.partial(make_backend))["line"][0])
    assert record["id"] == SEED.id and record["status"] == "error" and record["error"]["type"] == "ExtractionError"


def test_the_vllm_config_has_one_engine_per_replica_and_prefix_caching():
    config = vllm_config("Qwen/Qwen2.5-7B-Instruct", replicas=4, batch_size=32)
    assert config.model_source == "Qwen/Qwen2.5-7B-Instruct" and config.concurrency == 4 and config.batch_size == 32
    assert config.engine_kwargs["enable_prefix_caching"] is True
