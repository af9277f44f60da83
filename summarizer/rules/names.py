"""Actor and speaker names as compared: news copy's variants of one name normalized to one key. Shared by the
eval's alignment, the briefing's merging and the actors' country codes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from summarizer import rules

# Variants news copy uses for the same actor, normalized (lowercase, no dots) -> one key; capitals stand for
# governments in news style ("Moscow said"). Rows of rules/tables/actors.toml.
NAME_ALIASES = rules.actors().aliases


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Case, accents ("Erdoğan"), dots ("U.S." = "US"), punctuation and a leading "the" don't make a
    different name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[.']", "", text.lower())
    text = re.sub(r"\W+", " ", text).strip()
    text = text.removeprefix("the ")
    return NAME_ALIASES.get(text, text)
