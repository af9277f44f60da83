"""Greedy decoding under a grammar without filtering the whole vocabulary at every token.

llama-cpp-python chains the grammar before the greedy pick, so every token checks all ~151k vocabulary
entries against the grammar: measured here, 35 % of generation time. llama.cpp's own common sampler does
it the other way round: take the best token, ask the grammar about that one, and filter the whole
vocabulary only when the grammar refuses it. Same output for greedy decoding, a fraction of the work."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import Llama
from llama_cpp.llama_speculative import LlamaDraftModel

from summarizer.llm.embedded.weight_buffers import amx_safe_loading

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


GUESS_NGRAM = 3  # the last tokens looked up in the context
DRAFT_TOKENS = 3  # guessed tokens checked with each generated one


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
    speculative decoding, its weights in AMX-safe buffers (`weight_buffers`).

    Prompt lookup: an answer repeats what its context holds (a note's description or claim copies its
    sentence; keys and punctuation repeat from note to note), so the tokens that followed the last three
    where they last occurred are guessed, and the model checks them in the same batch as the next token:
    every guess the greedy pick confirms is a token without a step of its own. How many to guess follows from
    what a batch costs. With repacked weights on this 2-core CPU a batch of 4 tokens costs 1.8 single steps
    (128 against 71 ms) and a batch of 11 costs 3.8 (272 ms), so three guesses are checked at a time: over
    dev/ that took 819 s of model time, against 944 s with ten guesses and unrepacked weights. The guesses
    only decide what is computed, not what is picked; a batch's arithmetic differs slightly from a single
    token's, so near-ties can fall the other way."""

    def __init__(self, *args: Any, **kwargs: Any):
        with amx_safe_loading():
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
