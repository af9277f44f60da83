"""Reading the rule tables: `tables/<name>.toml`, parsed once, every row checked for the keys it may carry and
for the sentences it must come with, so a typo or a row without an example fails at import, not in a run."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from summarizer.errors import ConfigError

# The example keys every row may carry: `match` is required, `no_match` is where it matters.
EXAMPLES = frozenset({"match", "no_match"})


class RulesError(ConfigError):
    """A rule table is malformed: a bad key, a missing example, a value outside its vocabulary."""


@cache
def table(name: str) -> dict[str, Any]:
    """The parsed `tables/<name>.toml`."""
    text = resources.files(__package__).joinpath("tables", f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def rows(name: str, section: str, keys: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of `[[section]]` in table `name`, each checked: only `keys` and the example keys, and at least
    one sentence it must match."""
    allowed = EXAMPLES | set(keys)
    found = table(name).get(section, [])
    for i, row in enumerate(found, 1):
        where = f"rules/tables/{name}.toml [[{section}]] row {i}"
        if extra := set(row) - allowed:
            raise RulesError(f"{where}: unknown keys {sorted(extra)}")
        if not row.get("match"):
            raise RulesError(f"{where}: no `match` sentence")
    return found


def words_pattern(fragments: Iterable[tuple[str, bool]], template: str = r"\b(?:{})\b") -> re.Pattern[str]:
    """One case-insensitive pattern of whole words from (regex fragment, case-sensitive) pairs."""
    alternatives = "|".join(f"(?-i:{words})" if exact else words for words, exact in fragments)
    return re.compile(template.format(alternatives), re.I)


def checked(value: str, allowed: Iterable[str], where: str) -> str:
    """`value`, when it is one of `allowed` (an order list or a vocabulary)."""
    if value not in allowed:
        raise RulesError(f"rules/tables/{where}: {value!r} is not one of {sorted(allowed)}")
    return value
