"""Which inputs a command names, and the one id rule. `summarize`, `batch` and `brief` all expand their
arguments here: a file is itself, a directory is every file under it (depth first, name order, hidden
entries skipped), a glob the shell left alone (`'dump/**/*.txt'`) is its matches in sorted order, `-` is
stdin.

The id rule, the same for every command: an article's id is the id its record gives itself (`--id-column`),
else its file's path as `path_id` writes it (`seeds/000_x.txt`), with `:<line>` for a JSONL line and `:<row>`
for a CSV/TSV row (`dump.jsonl:7`) or `:<n>` for the n-th of a JSON array's records, else, from stdin, its
text's hash. Paths, not stems: `a/1.txt` and `b/1.txt` are two articles."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from summarizer.errors import InputError
from summarizer.io.articles import failed

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".tsv", ".parquet")
STDIN = "-"


def path_id(path: str | Path) -> str:
    """A file's id: its path relative to the working directory (absolute when outside it), so `dump`,
    `./dump/` and `$PWD/dump` name the same articles on every run."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return Path(absolute if relative.startswith("..") else relative).as_posix()


def part_id(base: str, n: int) -> str:
    """The id of the n-th record (line, row) in the file whose id is `base`."""
    return f"{base}:{n}"


def _walk(root: str) -> Iterator[os.DirEntry[str]]:
    """Files under `root`, depth first in name order; one directory listing in memory at a time.
    Hidden entries (.git, .DS_Store) are skipped; symlinked directories are not followed."""
    with os.scandir(root) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry


def _is_glob(spec: str) -> bool:
    return glob.has_magic(spec) and not os.path.exists(spec)


def _expand(spec: str) -> Iterator[tuple[str, InputError | None]]:
    """The files a path, directory or glob names, each with the error that makes it unusable, if any."""
    if _is_glob(spec):
        matches = sorted(glob.iglob(spec, recursive=True))  # paths only: a dump's contents stay streamed
        for match in matches:
            if os.path.isdir(match):
                if "**" not in spec:  # `dump/**/*.txt`-style patterns list the files themselves
                    yield from _expand(match)
            else:
                yield match, None
        if not matches:
            yield spec, InputError("no files match this pattern", source=spec)
    elif os.path.isdir(spec):
        try:
            for entry in _walk(spec):
                if entry.name.lower().endswith(ARTICLE_SUFFIXES):
                    yield entry.path, None
                else:
                    suffix = Path(entry.name).suffix or "no suffix"
                    yield entry.path, InputError(f"not an article file ({suffix}): articles are {', '.join(ARTICLE_SUFFIXES)}", source=entry.path)
        except OSError as exc:
            yield spec, InputError(f"cannot list directory ({exc.strerror})", source=spec)
    elif os.path.isfile(spec):
        yield spec, None
    else:
        yield spec, InputError("no such file or directory", source=spec)


def expand_inputs(specs: Iterable[str]) -> Iterator[str | InputError]:
    """Every file the specs name, lazily and in order, `-` as itself; an unusable one as an `InputError`
    carrying the `article_id` its error record is filed under."""
    for spec in specs:
        if spec == STDIN:
            yield spec
            continue
        for path, error in _expand(spec):
            if error is None:
                yield path
            else:
                yield failed(error, path_id(path) if os.path.exists(path) else path)


def no_articles(specs: list[str]) -> InputError:
    """The one line a command gives when its inputs hold no article at all (an empty directory, dump or
    stdin): nothing to do is a mistake, not a success."""
    spec = specs[0] if len(specs) == 1 else None
    if spec is not None and os.path.isdir(spec):
        return InputError(f"directory has no articles ({', '.join(ARTICLE_SUFFIXES)})", source=spec)
    return InputError("no articles: the input is empty", source=spec)
