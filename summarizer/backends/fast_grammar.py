"""Greedy decoding under a grammar without filtering the whole vocabulary at every token.

llama-cpp-python chains the grammar before the greedy pick, so every token checks all ~151k vocabulary
entries against the grammar: measured here, 35 % of generation time. llama.cpp's own common sampler does
it the other way round: take the best token, ask the grammar about that one, and filter the whole
vocabulary only when the grammar refuses it. Same output for greedy decoding, a fraction of the work."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import Llama

_PARAMS_LOCK = threading.Lock()
_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class GrammarFirstSampler:
    """Duck-types llama-cpp-python's internal sampler (`sample(ctx, idx)`, `close()`) for temp == 0."""

    def __init__(self, llama: Llama, grammar: Any):
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        self._n_vocab = llama.n_vocab()
        self._one = (llama_cpp.llama_token_data * 1)()
        self._all = (llama_cpp.llama_token_data * self._n_vocab)()
        self._all_view = np.frombuffer(self._all, dtype=_TOKEN_DATA)
        self._all_view["id"] = np.arange(self._n_vocab, dtype=np.intc)

    def _apply(self, data: ctypes.Array, size: int) -> None:
        array = llama_cpp.llama_token_data_array(
            data=ctypes.cast(data, llama_cpp.llama_token_data_p), size=size, selected=-1, sorted=False
        )
        llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(array))

    def sample(self, ctx: Any, idx: int = -1) -> int:
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx.ctx, idx), shape=(self._n_vocab,))
        token = int(np.argmax(logits))
        self._one[0].id, self._one[0].logit, self._one[0].p = token, float(logits[token]), 0.0
        self._apply(self._one, 1)
        if not np.isfinite(self._one[0].logit):  # refused: filter the whole vocabulary, then pick
            self._all_view["logit"] = logits
            self._apply(self._all, self._n_vocab)
            token = int(np.argmax(self._all_view["logit"]))
        llama_cpp.llama_sampler_accept(self._grammar, token)
        return token

    def close(self) -> None:
        if self._grammar is not None:
            llama_cpp.llama_sampler_free(self._grammar)
            self._grammar = None

    __del__ = close


def cpu_has_amx() -> bool:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        return False
    return "amx_int8" in flags.split()


@contextmanager
def amx_safe_params() -> Iterator[None]:
    """Models loaded inside this block keep off ggml's AMX weight buffers.

    On CPUs with AMX (Intel Xeon 4th gen and later) a native build routes matrix products of a prompt
    through those buffers, and with this model that segfaults on the first prompt longer than a few tokens
    (seen on such a machine, llama-cpp-python 0.3.36). `Llama()` has no argument for `use_extra_bufts`, so it
    is set on the default model params it starts from."""
    if not cpu_has_amx():
        yield
        return
    native = llama_cpp.llama_cpp  # the module `Llama.__init__` calls it from (the package re-exports a copy)
    default = native.llama_model_default_params

    def params() -> Any:
        value = default()
        value.use_extra_bufts = False
        return value

    with _PARAMS_LOCK:
        native.llama_model_default_params = params
        try:
            yield
        finally:
            native.llama_model_default_params = default


class FastGrammarLlama(Llama):
    """Llama whose greedy, grammar-constrained generation uses `GrammarFirstSampler`, loaded AMX-safe."""

    def __init__(self, *args: Any, **kwargs: Any):
        with amx_safe_params():
            super().__init__(*args, **kwargs)

    evaluated = 0  # tokens run through the model, prompt and generated: a call reusing a cached prefix adds fewer

    def eval(self, tokens: Any) -> None:
        self.evaluated += len(tokens)
        super().eval(tokens)

    def _init_sampler(self, **kwargs: Any) -> Any:
        grammar = kwargs.get("grammar")
        plain = (
            kwargs.get("temp") == 0.0
            and kwargs.get("repeat_penalty", 1.0) == 1.0
            and not kwargs.get("frequency_penalty")
            and not kwargs.get("presence_penalty")
            and not kwargs.get("logits_processor")
        )
        if grammar is not None and plain:
            return GrammarFirstSampler(self, grammar)
        return super()._init_sampler(**kwargs)
