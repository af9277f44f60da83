"""Content words as compared across texts: lowercase, stopwords out, cut to a crude stem so that "count" and
"counted", "ratify" and "ratification" are one word. Shared by the briefing's topic similarity and the
re-citing of a note to the sentence it was read from."""

from __future__ import annotations

import re

from summarizer import rules
from summarizer.rules.thresholds import STEM

STOPWORDS = rules.stopwords()  # rules/tables/words.toml


def content_words(text: str) -> list[str]:
    """The text's words of three letters and up that are no stopword, lowercase."""
    return [w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if len(w) > 2 and w not in STOPWORDS]


def stems(text: str) -> list[str]:
    """The text's content words, each cut to its first STEM letters."""
    return [w[:STEM] for w in content_words(text)]


def same_word(a: str, b: str) -> bool:
    """One word in two forms: the same first STEM letters, or the shorter (four letters and up) begins the
    longer ("talk", "talked")."""
    n = min(STEM, len(a), len(b))
    return a[:n] == b[:n] if n >= 4 else a == b


def share_held(words: list[str], text: str) -> float:
    """The share of `words` (content words) that `text` holds in some form."""
    held = content_words(text)
    return sum(any(same_word(w, h) for h in held) for w in words) / len(words) if words else 0.0
