"""What code can read off a sentence better than a 1.5B model: whether it attributes a statement to
someone, how (said / told reporters / according to ...), the words it puts in quotation marks, and the stance
its words name when the model answered the default one."""

from __future__ import annotations

import re

from summarizer import rules
from summarizer.schema import Attribution, Stance
from summarizer.rules.sentences import Sentence

# The cue words of every rule here are rows of rules/tables/verbs.toml.
_VERBS = rules.verbs()

QUOTE_MARKS = ('"', "\u201c")  # a sentence opening with one is quoted speech
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{12,}?)[\"\u201d]")
# Across sentences (a quoted statement often runs over several) but not across paragraphs.
_QUOTED_SPAN = re.compile(r"[\"\u201c]((?:(?!\n\s*\n)[^\"\u201c\u201d]){12,}?)[\"\u201d]")


def reports_speech(description: str) -> bool:
    """Whether an event described so is someone speaking: that is a claim, and the claims call reads it."""
    return bool(_VERBS.speech.search(description))


def attribution_of(text: str) -> Attribution | None:
    """How `text` attributes a statement, or None when it attributes nothing and quotes nothing."""
    for pattern, how in _VERBS.attribution:
        if pattern.search(text):
            return how
    return Attribution.statement if _QUOTED.search(text) else None


class Quotes:
    """Every passage the article puts in quotation marks, located once; a claim's quote is the part of
    one that lies inside the claim's cited sentences, so it is verbatim by construction."""

    def __init__(self, text: str):
        self.text = text
        self.spans = [(m.start(1), m.end(1)) for m in _QUOTED_SPAN.finditer(text)]

    def inside(self, start: int, end: int) -> bool:
        """Whether a quoted passage overlaps these characters (a quote running on from an earlier sentence)."""
        return any(qs < end and start < qe for qs, qe in self.spans)

    def within(self, ranges: list[tuple[int, int]]) -> str | None:
        """The longest quoted passage (3+ words) inside the given character ranges."""
        pieces = []
        for qs, qe in self.spans:
            for rs, re_ in ranges:
                start, end = max(qs, rs), min(qe, re_)
                piece = self.text[start:end].strip(" ,.\n")
                if end > start and len(piece.split()) >= 3:
                    pieces.append(piece)
        return max(pieces, key=len) if pieces else None


def says_something(sentence: Sentence, quotes: Quotes) -> bool:
    """Whether a sentence attributes a statement to someone or carries quoted words: a claims call asks about it."""
    return attribution_of(sentence.text) is not None or quotes.inside(sentence.start, sentence.end)


def _cued(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the sentence uses the stance's words, not negated ("did not condemn")."""
    return any(not _VERBS.negated.search(text[: m.start()]) for m in pattern.finditer(text))


def stance_of(stance: Stance, text: str) -> Stance:
    """The model's stance, unless it is the default and the sentence's own words name another: the first stance
    (in the table's order) whose words the sentence uses."""
    if stance is not Stance.assert_:
        return stance
    return next((cue for pattern, cue in _VERBS.stance if _cued(pattern, text)), stance)
