"""Backends for the Ray engine's tests, importable by the Ray workers (tests/ is on their PYTHONPATH): the
fake server's backend with shortened backoff, optionally one that kills its worker on a poison article."""

from __future__ import annotations

import json
import os

from summarizer.llm import base, resolve_backend

POISON = "POISON-PILL"


def fake_backend(base_url: str, poison: bool = False):
    base.BACKOFF_BASE_S, base.BACKOFF_CAP_S = 0.01, 0.05  # in each worker, as quick_retries does in-process
    backend = resolve_backend("fake", base_url=base_url, timeout=5.0)
    if poison:
        inner = backend.acreate

        async def acreate(*args, **kwargs):
            if POISON in json.dumps(kwargs.get("messages"), default=str):
                os._exit(1)  # a crash in native code, as far as Ray can tell: the worker process is gone
            return await inner(*args, **kwargs)

        backend.acreate = acreate
    return backend
