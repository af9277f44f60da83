"""Where the embedded model's weights live on a CPU with AMX (summarizer/backends/weight_buffers.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from summarizer.llm.embedded.weight_buffers import _patterns, cpu_has_amx, repackable_tensors

slow = pytest.mark.slow


def test_one_pattern_per_kind_of_matrix_matches_exactly_the_names_given():
    names = ["blk.0.attn_q.weight", "blk.12.attn_q.weight", "blk.3.ffn_down.weight", "output.weight"]
    patterns = [p.decode() for p in _patterns(names)]
    assert len(patterns) == 3
    others = ["blk.1.attn_q.weight", "blk.120.attn_q.weight", "blk.2.attn_q.weight", "blk.0.attn_q.bias", "token_embd.weight", "blk.12.ffn_down.weight"]
    for name in names + others:
        matched = [p for p in patterns if re.search(p, name)]  # llama.cpp: std::regex_search, same syntax here
        assert len(matched) == (1 if name in names else 0), (name, matched)


@slow
def test_the_default_models_q4k_matrices_are_repacked_and_nothing_else():
    """Read from the GGUF header: the Q4_K matrices (every attn_q/k/output and ffn_gate/up, half the attn_v and
    ffn_down); not the Q6_K ones, which segfault repacked, nor token_embd, which is looked up, not multiplied."""
    from summarizer.llm.embedded.weights import ensure_default_model

    names = repackable_tensors(str(ensure_default_model(None)).encode())
    assert len(names) == 28 * 5 + 14 * 2
    assert {"blk.0.attn_q.weight", "blk.27.ffn_up.weight", "blk.2.ffn_down.weight"} <= set(names)
    assert not {"blk.0.ffn_down.weight", "output.weight", "token_embd.weight", "blk.0.attn_q.bias"} & set(names)


@slow
@pytest.mark.skipif(not cpu_has_amx(), reason="only CPUs with AMX load weights this way")
def test_on_an_amx_cpu_the_model_loads_with_repacked_weights_and_answers():
    """In a subprocess: a crash in llama.cpp would kill pytest itself."""
    code = (
        "from summarizer.llm.embedded.fast_grammar import FastGrammarLlama\n"
        "from summarizer.llm.embedded.weights import ensure_default_model\n"
        "llama = FastGrammarLlama(model_path=str(ensure_default_model(None)), n_ctx=512, verbose=True)\n"
        "out = llama.create_completion('The capital of France is Paris. The capital of Italy is', max_tokens=3, temperature=0)\n"
        "print('ANSWER', out['choices'][0]['text'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"CPU_REPACK model buffer size = +[1-9]", done.stderr), done.stderr[-2000:]
    assert "AMX model buffer" not in done.stderr
    assert "Rome" in done.stdout
