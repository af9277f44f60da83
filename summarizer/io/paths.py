"""Where things live on disk: the user's cache directory, and the data folders the package ships."""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def cache_dir() -> Path:
    """`$SUMMARIZER_CACHE`, else `$XDG_CACHE_HOME/summarizer`, else `~/.cache/summarizer`: the assembled model,
    the embedded backend's prompt-prefix states and the extraction cache."""
    if os.environ.get("SUMMARIZER_CACHE"):
        return Path(os.environ["SUMMARIZER_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "summarizer"


def shipped(name: str) -> Traversable:
    """The data folder the wheel ships as `summarizer.<name>` (pyproject maps that package onto the repository's
    top-level `<name>/`). An installed wheel has it inside the package; a source checkout (PYTHONPATH, or an
    editable install) has it beside the package. It is found, not imported: setuptools' editable finder
    cannot import a mapped folder without an `__init__.py`, and a bare PYTHONPATH run has no finder at all."""
    package = resources.files("summarizer")
    inside = package / name
    if inside.is_dir():
        return inside
    return Path(str(package)).parent / name
