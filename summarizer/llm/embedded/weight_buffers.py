"""Where llama.cpp keeps the model's weights on CPUs with AMX (Intel Xeon 4th gen and later).

ggml's extra buffer types hold weights in layouts made for the CPU's fastest kernels. On an AMX CPU the first
of them is AMX's, and with this model a native build of llama-cpp-python 0.3.36 segfaults in it on the first
prompt longer than a few tokens (seen on such a machine). Turning the extra buffers off (`use_extra_bufts`,
which `Llama()` has no argument for) also loses the second one, CPU_REPACK: weights interleaved eight rows at a
time, which the same machine runs a generated token through in 71 ms instead of 89, and a batch of 4 tokens in
128 ms instead of 191 (a long prompt goes slower, 107 tokens/s instead of 136). So on such a CPU the extra
buffers go off and the model's Q4_K matrices are put in CPU_REPACK by name (`tensor_buft_overrides`). Q4_K
only: repacked Q6_K segfaults here too."""

from __future__ import annotations

import ctypes
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import llama_cpp

_LOCK = threading.Lock()
_REPACKED_TYPES = {llama_cpp.GGML_TYPE_Q4_K}
_ROWS_PER_REPACK = 8  # ggml interleaves 8 rows; a matrix with another row count would fail an assertion
_CPU_DEVICE = 0  # GGML_BACKEND_DEVICE_TYPE_CPU
_OVERRIDES: list[ctypes.Array] = []
_MATRIX = re.compile(r"blk\.(\d+)\.(\w+)\.weight|output\.weight")  # multiplied, not looked up like token_embd


class _BuftOverride(ctypes.Structure):  # llama_model_tensor_buft_override
    _fields_ = [("pattern", ctypes.c_char_p), ("buft", ctypes.c_void_p)]


class _GgufParams(ctypes.Structure):  # gguf_init_params
    _fields_ = [("no_alloc", ctypes.c_bool), ("ctx", ctypes.POINTER(ctypes.c_void_p))]


class _TensorHead(ctypes.Structure):  # the leading fields of ggml_tensor
    _fields_ = [("type", ctypes.c_int), ("buffer", ctypes.c_void_p), ("ne", ctypes.c_int64 * 4)]


def cpu_has_amx() -> bool:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        return False
    return "amx_int8" in flags.split()


@cache
def _ggml() -> dict[str, Any]:
    """The ggml functions used here, from the libraries llama_cpp has loaded (the same file, the same handle)."""
    lib = Path(llama_cpp.__file__).parent / "lib"
    ggml, base = ctypes.CDLL(str(lib / "libggml.so")), ctypes.CDLL(str(lib / "libggml-base.so"))
    p, s = ctypes.c_void_p, ctypes.c_char_p
    signatures = {
        "ggml_backend_dev_by_type": (ggml, p, [ctypes.c_int]),
        "ggml_backend_dev_backend_reg": (base, p, [p]),
        "ggml_backend_reg_get_proc_address": (base, p, [p, s]),
        "ggml_backend_buft_name": (base, s, [p]),
        "gguf_init_from_file": (base, p, [s, _GgufParams]),
        "gguf_free": (base, None, [p]),
        "ggml_get_first_tensor": (base, ctypes.POINTER(_TensorHead), [p]),
        "ggml_get_next_tensor": (base, ctypes.POINTER(_TensorHead), [p, p]),
        "ggml_get_name": (base, s, [p]),
        "ggml_free": (base, None, [p]),
    }
    functions = {}
    for name, (library, restype, argtypes) in signatures.items():
        functions[name] = getattr(library, name)
        functions[name].restype, functions[name].argtypes = restype, argtypes
    return functions


def _repack_buffer_type() -> int | None:
    f = _ggml()
    device = f["ggml_backend_dev_by_type"](_CPU_DEVICE)
    address = f["ggml_backend_reg_get_proc_address"](f["ggml_backend_dev_backend_reg"](device), b"ggml_backend_dev_get_extra_bufts")
    if not address:
        return None
    bufts = ctypes.CFUNCTYPE(ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)(address)(device)
    i = 0
    while bufts[i]:
        if f["ggml_backend_buft_name"](bufts[i]) == b"CPU_REPACK":
            return bufts[i]
        i += 1
    return None


def repackable_tensors(model_path: bytes) -> list[str]:
    """Names of the model's matrices that CPU_REPACK takes, read from the GGUF header (no weights loaded)."""
    f = _ggml()
    ctx = ctypes.c_void_p()
    gguf = f["gguf_init_from_file"](model_path, _GgufParams(True, ctypes.pointer(ctx)))
    if not gguf:
        return []
    names = []
    try:
        tensor = f["ggml_get_first_tensor"](ctx)
        while tensor:
            name = f["ggml_get_name"](ctypes.cast(tensor, ctypes.c_void_p)).decode()
            head = tensor.contents
            if head.type in _REPACKED_TYPES and head.ne[1] % _ROWS_PER_REPACK == 0 and _MATRIX.fullmatch(name):
                names.append(name)
            tensor = f["ggml_get_next_tensor"](ctx, ctypes.cast(tensor, ctypes.c_void_p))
    finally:
        f["ggml_free"](ctx)
        f["gguf_free"](gguf)
    return names


def _patterns(names: list[str]) -> list[bytes]:
    """One anchored regex per kind of matrix (`blk\\.(0|1|5)\\.attn_q\\.weight`): llama.cpp compiles every
    pattern once per tensor it loads, so a few short ones load faster than one per tensor."""
    blocks: dict[str, list[str]] = defaultdict(list)
    patterns = []
    for name in names:
        match = _MATRIX.fullmatch(name)
        if match and match[1] is not None:
            blocks[match[2]].append(match[1])
        else:
            patterns.append(f"^{re.escape(name)}$")
    patterns += [rf"^blk\.({'|'.join(numbers)})\.{kind}\.weight$" for kind, numbers in blocks.items()]
    return [p.encode() for p in patterns]


@contextmanager
def amx_safe_loading() -> Iterator[None]:
    """Models loaded inside this block keep off AMX's weight buffers, with their Q4_K matrices in CPU_REPACK.
    Elsewhere than on an AMX CPU, nothing changes: llama.cpp picks its buffers itself."""
    if not cpu_has_amx():
        yield
        return
    native = llama_cpp.llama_cpp  # the module `LlamaModel` calls it from (the package re-exports a copy)
    load = native.llama_model_load_from_file

    def load_without_amx(path: bytes, params: Any) -> Any:
        params.use_extra_bufts = False
        repack = _repack_buffer_type()
        patterns = _patterns(repackable_tensors(path)) if repack else []
        if patterns:
            overrides = (_BuftOverride * (len(patterns) + 1))(*[_BuftOverride(p, repack) for p in patterns])
            _OVERRIDES.append(overrides)  # the model keeps a copy of its params, pointer included
            params.tensor_buft_overrides = ctypes.addressof(overrides)
        return load(path, params)

    with _LOCK:
        native.llama_model_load_from_file = load_without_amx
        try:
            yield
        finally:
            native.llama_model_load_from_file = load
