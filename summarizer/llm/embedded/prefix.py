"""The prompt's fixed part, evaluated once and kept on disk.

Every extraction prompt starts with the same ~1,300 tokens (the run says which: `Backend.warm`) (instructions and a worked example), which on
a 2-core machine take ~15 s to evaluate. llama.cpp reuses the longest token prefix already in its KV
cache, so within one process only the first article pays for them; keeping their KV state on disk lets a
new process (`summarizer summarize` on one article) start from it too. The state is ~40 MB, keyed by
model file, prompt version, context size and llama-cpp-python version, and checked by hash before use."""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from summarizer.llm.base import Prefix
from summarizer.io.paths import cache_dir

log = logging.getLogger(__name__)
SUFFIX = ".kvstate"


def prime(llama: Any, prefix: Prefix, model_path: Path) -> None:
    """Leave `llama` holding the prompt's fixed part: restored from disk, else evaluated and saved."""
    path = state_path(llama, prefix, model_path)
    if restore(llama, path):
        return
    llama.reset()
    llama.create_chat_completion(messages=prefix.messages, max_tokens=1, temperature=0.0)
    save(llama, path)


def state_path(llama: Any, prefix: Prefix, model_path: Path) -> Path:
    import llama_cpp

    stat = model_path.stat()
    identity = f"{model_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{prefix.version}|{llama.n_ctx()}|{llama_cpp.__version__}"
    return cache_dir() / "prefix" / (hashlib.sha256(identity.encode()).hexdigest()[:24] + SUFFIX)


def save(llama: Any, path: Path) -> None:
    """tokens count (4 bytes) | tokens (int32) | llama.cpp state; the file name's hash guards the content."""
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama.ctx)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
    tokens = llama.input_ids[: llama.n_tokens]
    body = len(tokens).to_bytes(4, "little") + tokens.tobytes() + ctypes.string_at(buffer, written)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"*{SUFFIX}"):  # one prompt version at a time: old states are dead weight
            old.unlink(missing_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(hashlib.sha256(body).digest() + body)
        os.replace(temporary, path)
    except OSError as exc:  # a read-only cache costs speed, never the run
        log.info("prompt prefix state not saved (%s)", exc)


def restore(llama: Any, path: Path) -> bool:
    import llama_cpp
    import numpy as np

    try:
        data = path.read_bytes()
    except OSError:
        return False
    digest, body = data[:32], data[32:]
    if hashlib.sha256(body).digest() != digest:  # torn or foreign: handing it to llama.cpp could crash it
        return False
    n = int.from_bytes(body[:4], "little")
    tokens = np.frombuffer(body[4 : 4 + 4 * n], dtype=np.intc)
    state = body[4 + 4 * n :]
    buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
    llama.reset()
    if llama_cpp.llama_state_set_data(llama.ctx, buffer, len(state)) != len(state):
        return False
    llama.input_ids[:n] = tokens
    llama.n_tokens = n
    llama._requires_eval = True  # as Llama.load_state: logits are re-computed before sampling
    return True
