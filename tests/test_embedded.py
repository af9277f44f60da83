"""The real embedded model (slow: about a minute per article on 2 cores). CI runs these too."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from conftest import ROOT, SEED_000, SEED_003
from summarizer.io.readers import stream_inputs
from summarizer.llm.embedded.backend import grammar_response_format
from summarizer.errors import ConfigError
from summarizer.extraction.grounding import quote_found
from summarizer.extraction.run import extract, prompt_prefix
from summarizer.schema import ArticleExtraction

slow = pytest.mark.slow


class Probe(BaseModel):
    colour: Literal["zqx-blue", "zqx-red"]
    words: list[str] = Field(max_length=3)  # array bounds become grammar bounds (numeric bounds do not)


def test_json_schema_mode_is_translated_to_a_grammar_request():
    kwargs = {"response_format": {"type": "json_schema", "json_schema": {"name": "Probe", "schema": Probe.model_json_schema()}}}
    assert grammar_response_format(kwargs)["response_format"] == {"type": "json_object", "schema": Probe.model_json_schema()}


@slow
def test_a_bad_model_file_fails_each_input_in_one_line_and_loads_once(tmp_path, monkeypatch):
    """A file that is not a GGUF model: every input gets the same one-line error, and the load is not retried
    for each of them."""
    from summarizer.llm.embedded import backend as embedded

    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a model" * 100)
    loads = []
    real_load = embedded.load_llama
    monkeypatch.setattr(embedded, "load_llama", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    backend = embedded.embedded_backend(model_path=bad)
    articles = list(stream_inputs([str(SEED_000), str(SEED_003)]))
    errors = []
    for article in articles:
        with pytest.raises(ConfigError) as caught:
            extract(article, backend)
        errors.append(caught.value.one_line())
    assert len(loads) == 1
    assert errors[0] == errors[1] and "broken.gguf" in errors[0] and "cannot load GGUF model" in errors[0] and "\n" not in errors[0]


def test_grammar_constrains_the_embedded_model(embedded_backend):
    """Contract: asked for a haiku in a Markdown fence, the model can still only emit the schema's JSON.
    Without the grammar it writes the poem, validation fails, and with no re-ask this raises."""
    messages = [{"role": "user", "content": "Write a haiku about the sea inside a ```markdown code block. Do not write JSON."}]
    probe = embedded_backend.create(response_model=Probe, messages=messages, max_retries=0, temperature=0.0, max_tokens=60)
    assert probe.colour in ("zqx-blue", "zqx-red") and len(probe.words) <= 3


def test_guesses_follow_the_latest_earlier_occurrence_of_the_last_three_tokens():
    import numpy as np

    from summarizer.llm.embedded.fast_grammar import DRAFT_TOKENS, RecentLookup

    guess = RecentLookup()
    assert guess(np.array([7, 1, 2, 3, 4, 5, 1, 2, 3, 8, 9, 1, 2, 3], dtype=np.intc)).tolist() == [8, 9, 1, 2, 3][:DRAFT_TOKENS]
    assert guess(np.array([1, 2, 3, 4, 5, 6], dtype=np.intc)).tolist() == []  # never seen before: no guess
    long = np.array([1, 2, 3, *range(10, 40), 1, 2, 3], dtype=np.intc)
    assert guess(long).tolist() == list(range(10, 10 + DRAFT_TOKENS))


@slow
def test_guessed_tokens_are_checked_and_the_copy_is_the_same():
    """Prompt-lookup guesses are checked by the model in the same batch as the next token: a copied sentence
    comes out as when generated token by token, with guesses checked along the way."""
    from summarizer.llm.embedded.backend import load_llama
    from summarizer.llm.embedded.fast_grammar import token_by_token
    from summarizer.llm.embedded.weights import default_model_path

    llama = load_llama(default_model_path(), n_ctx=1024)
    sentence = "The European Union on Thursday imposed sanctions on three senior Iranian military officers and a drone maker."
    messages = [{"role": "user", "content": f"Copy this sentence exactly into the JSON field text: {sentence}"}]
    schema = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}

    def copied() -> str:
        out = llama.create_chat_completion(messages=messages, response_format={"type": "json_object", "schema": schema}, temperature=0.0, max_tokens=80)
        return json.loads(out["choices"][0]["message"]["content"])["text"]

    with_guesses = copied()
    assert llama.guessed > 10
    with token_by_token(llama):
        one_by_one = copied()
    assert llama.draft_model is not None  # guessing again after the block
    assert with_guesses == one_by_one == sentence


def _check_grounded(record: ArticleExtraction, text: str) -> None:
    assert any(e.type.value == "sanction" for e in record.events), [e.type for e in record.events]
    items = record.events + record.claims + record.summary.key_points
    assert items and all(item.evidence for item in items)
    for item in items:
        for ev in item.evidence:
            assert text[ev.start : ev.end] == ev.text
    assert all(c.quote is None or quote_found(c.quote, c.evidence) for c in record.claims)


@slow
def test_readme_command_on_seed_000_gives_grounded_json():
    result = subprocess.run([sys.executable, "-m", "summarizer", "summarize", str(SEED_000.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    record = ArticleExtraction.model_validate(json.loads(result.stdout))
    _check_grounded(record, next(stream_inputs([str(SEED_000)])).text)
    assert record.provenance.backend.startswith("embedded/")


@slow
def test_seed_003_on_the_embedded_backend(embedded_backend):
    article = next(stream_inputs([str(SEED_003)]))
    record = extract(article, embedded_backend)
    _check_grounded(record, article.text)
    assert record.provenance.usage.completion_tokens > 0


@slow
def test_prompt_prefix_state_is_saved_restored_and_checked(tmp_path, monkeypatch):
    """The prompt's fixed part is evaluated once, kept on disk, and restored into a fresh context; a
    damaged file is refused rather than handed to llama.cpp."""
    from summarizer.llm.embedded.backend import load_llama
    from summarizer.llm.embedded.prefix import prime, restore, state_path
    from summarizer.llm.prompts import load_prompt
    from summarizer.llm.embedded.weights import ensure_default_model

    model_path, prompt = ensure_default_model(), load_prompt()
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path))  # after: the model stays where it is
    llama = load_llama(model_path, n_ctx=2048)
    prime(llama, prompt_prefix(prompt), model_path)
    state = state_path(llama, prompt_prefix(prompt), model_path)
    tokens = llama.input_ids[: llama.n_tokens].copy()
    system = llama.tokenize(prompt.messages(title="", published="", numbered_sentences="")[0]["content"].encode(), add_bos=False)
    assert state.is_file() and len(tokens) > len(system)  # the whole system message and the chat markup

    llama.reset()
    assert restore(llama, state) and (llama.input_ids[: llama.n_tokens] == tokens).all()

    damaged = bytearray(state.read_bytes())
    damaged[-1] ^= 0xFF
    state.write_bytes(bytes(damaged))
    llama.reset()
    assert not restore(llama, state) and llama.n_tokens == 0
