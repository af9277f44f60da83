"""`python -m llama_cpp.server` with the AMX-safe model loading of summarizer's embedded backend
(`summarizer/llm/embedded/weight_buffers.py`): on an AMX CPU the plain server segfaults on its first prompt.
Same arguments as `python -m llama_cpp.server`."""

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.llm.embedded.weight_buffers import amx_safe_loading  # noqa: E402

if __name__ == "__main__":
    with amx_safe_loading():
        runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
