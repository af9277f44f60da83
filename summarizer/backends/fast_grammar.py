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
from llama_cpp.llama_speculative import LlamaDraftModel

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


GUESS_NGRAM = 3  # the last tokens looked up in the context
DRAFT_TOKENS = 10  # guessed tokens checked with each generated one


class RecentLookup(LlamaDraftModel):
    """Prompt-lookup guesses: the tokens that followed the latest earlier occurrence of the last GUESS_NGRAM
    tokens. The latest, not the first (llama-cpp-python's `LlamaPromptLookupDecoding`): an answer's keys and
    punctuation repeat from its previous note, and a copied sentence occurs once anyway."""

    def __call__(self, input_ids: np.ndarray, /, **kwargs: Any) -> np.ndarray:
        if len(input_ids) <= GUESS_NGRAM:
            return np.array([], dtype=np.intc)
        windows = np.lib.stride_tricks.sliding_window_view(input_ids[:-1], GUESS_NGRAM)
        hits = np.flatnonzero((windows == input_ids[-GUESS_NGRAM:]).all(axis=1))
        if not len(hits):
            return np.array([], dtype=np.intc)
        start = hits[-1] + GUESS_NGRAM
        return input_ids[start : start + DRAFT_TOKENS].astype(np.intc)


@contextmanager
def token_by_token(llama: Llama) -> Iterator[None]:
    """Generation inside this block makes no guesses: one token per step, as bare llama.cpp does."""
    draft, llama.draft_model = llama.draft_model, None
    try:
        yield
    finally:
        llama.draft_model = draft


class FastGrammarLlama(Llama):
    """Llama whose greedy, grammar-constrained generation uses `GrammarFirstSampler` and prompt-lookup
    speculative decoding, loaded AMX-safe.

    Prompt lookup: an answer repeats what its context holds (a note's description or claim copies its
    sentence; keys and punctuation repeat from note to note), so the tokens that followed the last three
    where they last occurred are guessed, and the model checks them in the same batch as the next token:
    every guess the greedy pick confirms is a token without a step of its own. On this 2-core CPU a batch of
    11 tokens costs 3.2 single steps (250 against 78 ms), and seed 000's answers took 116 s instead of 185.
    The guesses only decide what is computed, not what is picked; a batch's arithmetic differs slightly from
    a single token's, so near-ties can fall the other way (seed 000: 1,682 answer tokens against 1,809)."""

    def __init__(self, *args: Any, **kwargs: Any):
        with amx_safe_params():
            super().__init__(*args, **kwargs)
        # Set here, not passed to __init__: given there, llama-cpp-python keeps every position's logits
        # (n_ctx x vocabulary floats, 5 GB). The sampler reads the context's own logits instead.
        self.draft_model = RecentLookup()

    evaluated = 0  # prompt tokens run through the model: a call reusing a cached prefix adds fewer
    guessed = 0  # guessed tokens checked alongside generated ones

    def eval(self, tokens: Any) -> None:
        if len(tokens) > DRAFT_TOKENS + 1:  # a prompt: logits for its last token only
            self.evaluated += len(tokens)
            super().eval(tokens)
            return
        # a generated token and its guesses: logits for each, which the sampler reads from the context
        self.guessed += len(tokens) - 1
        self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
        self._batch.set_batch(batch=tokens, n_past=self.n_tokens, logits_all=True)
        self._ctx.decode(self._batch)
        self.input_ids[self.n_tokens : self.n_tokens + len(tokens)] = tokens
        self.n_tokens += len(tokens)
        self._requires_eval = False

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
