"""Backends for the Ray engine's tests, importable by the Ray workers (tests/ is on their PYTHONPATH): the
fake server's backend with shortened backoff, optionally one that kills its worker on a poison article."""

from __future__ import annotations

import json
import os
from pathlib import Path

from summarizer.llm import base, resolve_backend

POISON = "POISON-PILL"


def fake_backend(base_url: str, poison: bool = False, mode: str | None = None, callers: str | None = None):
    """`callers`: a directory where each process that makes a model call leaves a file named by its pid
    (so a test kills an actor of its own run that is working, not an idle or an earlier run's one)."""
    base.BACKOFF_BASE_S, base.BACKOFF_CAP_S = 0.01, 0.05  # in each worker, as quick_retries does in-process
    backend = resolve_backend("fake", base_url=base_url, timeout=5.0, mode=mode)
    if poison or callers:
        inner = backend.acreate

        async def acreate(*args, **kwargs):
            if poison and POISON in json.dumps(kwargs.get("messages"), default=str):
                os._exit(1)  # a crash in native code, as far as Ray can tell: the worker process is gone
            if callers:
                Path(callers, str(os.getpid())).touch()
            return await inner(*args, **kwargs)

        backend.acreate = acreate
    return backend


def answer_like_vllm(row: dict, base_url: str) -> dict:
    """A stand-in for ray.data.llm's vLLM stage (which needs GPUs): the row's messages and structured-output
    schema sent to the fake server, its answer returned in vLLM's output columns."""
    import urllib.request

    sampling = row["sampling_params"]
    body = {
        "model": "fake",
        "messages": [dict(m) for m in row["messages"]],
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": json.loads(sampling["structured_outputs"]["json"])}},
        "temperature": float(sampling["temperature"]),
    }
    request = urllib.request.Request(base_url + "/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        completion = json.loads(response.read())
    usage = completion["usage"]
    return {**row, "generated_text": completion["choices"][0]["message"]["content"], "num_input_tokens": usage["prompt_tokens"], "num_generated_tokens": usage["completion_tokens"]}
