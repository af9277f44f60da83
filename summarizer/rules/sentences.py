"""Numbered sentences with character spans: the unit the model cites and code grounds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer import rules
from summarizer.rules.thresholds import MAX_SENTENCE_CHARS

# Tokens ending in a period that do not end a sentence (titles: not even before a sentence's first word), and
# the words that open a sentence after initials or an abbreviation (rules/tables/words.toml).
ABBREVIATIONS = rules.abbreviations()
TITLES = rules.titles()
SENTENCE_STARTS = rules.sentence_starts()

_CANDIDATE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])|\n\s*\n")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")
_WORD_AFTER = re.compile(r"[\"'\u201d\u2019)\]]*\s+[\"'\u201c\u2018(\[]?(\w+)")


@dataclass(frozen=True)
class Sentence:
    n: int  # 1-based, as shown to the model
    start: int
    end: int  # exclusive
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or initials (U.S., Mr., Jan.) and no sentence: a
    sentence's first word after it ("in the U.S. The ministry", "Acme Co. Ltd. The firm") opens the next one,
    but not after a title ("Gen. He Weidong") or a single initial ("George W. Bush")."""
    match = _WORD_BEFORE.search(text[max(0, dot - 20) : dot + 1])
    if not match:
        return False
    word = match.group(1)
    if word.lower() in TITLES:
        return True
    if word.lower() not in ABBREVIATIONS and not re.fullmatch(r"(?:[A-Za-z]\.)*[A-Z]", word):
        return False
    after = _WORD_AFTER.match(text, dot + 1)
    return len(word) == 1 or not (after and after.group(1) in SENTENCE_STARTS)


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut
    return pieces + [(start, end)]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; each span indexes `text` exactly (`text[s.start:s.end] == s.text`)."""
    bounds, start = [], 0
    for match in _CANDIDATE.finditer(text):
        if match.group().strip() and text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    spans = [
        piece
        for s, e in bounds
        for piece in _cut_long(text, *_trimmed(text, s, e))
        if piece[1] > piece[0]
    ]
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans, 1)]


def numbered(sentences: list[Sentence]) -> str:
    """The article as the model sees it: one `[n] sentence` per line."""
    return "\n".join(f"[{s.n}] {' '.join(s.text.split())}" for s in sentences)
