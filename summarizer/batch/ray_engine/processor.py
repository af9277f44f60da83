"""The vLLM engine: the extraction run's requests as `ray.data.llm` rows, for GPU clusters with vLLM replicas.

An article's model calls are planned from its text alone (`ExtractionRun.steps`), and no request depends
on an earlier answer, so a dump becomes one flat dataset of requests, one row per step, which vLLM batches
across articles. Each row carries `ExtractionRun.chat_body(step)`, the exact body the live batch sends, in
JSON-schema mode: its messages, and its schema as vLLM's structured output (guided JSON decoding: an answer
is schema-valid by construction, so there is nothing to re-ask). Answers are grouped back by article id and
handed, step by step, to `ExtractionRun.accept_completion` (validation against the sentences shown, the
lenient fallback, usage counting), then `result()` grounds the record: the same record code as every
other driver, and the same output lines (`extraction_line`, `error_record`).

vLLM needs GPUs, so here the same pre- and postprocess run through Ray Data with a stand-in for the
engine stage that asks the fake server (tests/test_ray_processor.py). Ray Data's HttpRequestProcessorConfig
cannot carry these requests: Arrow turns the per-row `payload` dicts into one struct, so each request's
schema gains the other rows' keys as nulls (seen against the fake server); the rows here keep the schema as
a JSON string, which vLLM's structured output takes as it is.
"""

from __future__ import annotations

import functools
import json
import pickle
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import instructor
import numpy as np
from ray.data.llm import build_processor, vLLMEngineProcessorConfig

from summarizer.batch.output import error_line, extraction_line
from summarizer.extraction.run import ExtractionRun
from summarizer.io.articles import Article
from summarizer.llm.base import Backend


def json_schema_backend(make_backend: Callable[[], Backend]) -> Backend:
    """The backend whose requests the rows carry (built where the rows are: a backend holds locks and
    clients, which do not travel): its model and settings, in JSON-schema mode, the answer being the
    message's content, which vLLM's structured output constrains."""
    return replace(make_backend(), mode=instructor.Mode.JSON_SCHEMA)


def step_rows(row: dict[str, Any], make_backend: Callable[[], Backend]) -> Iterator[dict[str, Any]]:
    """An article row (from ArticleSource) as one row per model call, each with the chat body as JSON."""
    article: Article = pickle.loads(row["article"])
    run = ExtractionRun(article, json_schema_backend(make_backend), retries=0)
    for n, step in enumerate(run.steps):
        yield {"id": article.id, "step": n, "article": row["article"], "body": json.dumps(run.chat_body(step), ensure_ascii=False)}


# --- the engines' pre- and postprocess -----------------------------------------------------------------


def vllm_request(row: dict[str, Any]) -> dict[str, Any]:
    """A step row as vLLM's chat input: messages, and sampling params with the schema as structured output."""
    body = json.loads(row["body"])
    schema = body["response_format"]["json_schema"]["schema"]
    sampling = {key: body[key] for key in ("temperature", "max_tokens", "seed") if key in body}
    return {**row, "messages": body["messages"], "sampling_params": {**sampling, "structured_outputs": {"json": json.dumps(schema)}}}


def vllm_answer(row: dict[str, Any]) -> dict[str, Any]:
    """vLLM's output row as the chat completion an OpenAI-compatible server would return for it."""
    prompt, answer = int(row.get("num_input_tokens") or 0), int(row.get("num_generated_tokens") or 0)
    completion = {
        "id": f"vllm-{row['id']}-{row['step']}",
        "object": "chat.completion",
        "created": 0,
        "model": json.loads(row["body"])["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": row["generated_text"]}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": prompt + answer},
    }
    return {"id": row["id"], "step": row["step"], "article": row["article"], "completion": json.dumps(completion)}


# --- the processors ------------------------------------------------------------------------------------


def vllm_config(model_source: str, *, replicas: int, batch_size: int = 64, engine_kwargs: dict[str, Any] | None = None) -> vLLMEngineProcessorConfig:
    """`replicas` vLLM engines (one GPU each by default), prefix caching on: an article's events and claims
    prompts start with its first prompt."""
    return vLLMEngineProcessorConfig(
        model_source=model_source,
        engine_kwargs={"enable_prefix_caching": True, "max_model_len": 16384, **(engine_kwargs or {})},
        concurrency=replicas,
        batch_size=batch_size,
    )


def vllm_processor(config: vLLMEngineProcessorConfig) -> Any:
    """The processor (it needs vLLM and transformers where it runs: a GPU cluster's image)."""
    return build_processor(config, preprocess=vllm_request, postprocess=vllm_answer)


def extract_with(processor: Any, articles: Any, make_backend: Callable[[], Backend]) -> Any:
    """ArticleSource's rows -> {id, line}: input errors as read, each article's steps through `processor`,
    grouped back and accepted into its record (or its error record)."""
    errors = articles.filter(lambda row: row["line"] is not None).select_columns(["id", "line"])
    steps = articles.filter(lambda row: row["line"] is None).flat_map(functools.partial(step_rows, make_backend=make_backend))
    records = processor(steps).groupby("id").map_groups(functools.partial(accept_answers, make_backend=make_backend), batch_format="numpy")
    return errors.union(records)


def accept_answers(group: dict[str, np.ndarray], make_backend: Callable[[], Backend]) -> dict[str, list[str]]:
    """One article's answers, in step order, into its output line."""
    order = np.argsort(group["step"])
    article: Article = pickle.loads(group["article"][order[0]])
    run = ExtractionRun(article, json_schema_backend(make_backend), retries=0)
    try:
        for i in order:
            run.accept_completion(run.steps[int(group["step"][i])], json.loads(group["completion"][i]))
        line = extraction_line(run.result())[0]
    except Exception as exc:  # an answer that stayed invalid, a bug: this article's error record
        line = error_line(article.id, exc, run.stats["attempts"] or None)
    return {"id": [article.id], "line": [line]}
