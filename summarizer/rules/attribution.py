"""What code can read off a sentence better than a 1.5B model: whether it attributes a statement to
someone, how (said / told reporters / according to ...), the words it puts in quotation marks, and the stance
its words name when the model answered the default one."""

from __future__ import annotations

import re

from summarizer.schema import Attribution, Stance
from summarizer.io.sentences import Sentence

# Checked in order: the first cue found decides how the sentence attributes its claim.
_HOW: list[tuple[re.Pattern[str], Attribution]] = [
    (re.compile(r"\btold (?:reporters|journalists|a news conference|a press conference)\b", re.I), Attribution.told_reporters),
    (re.compile(r"\baccording to\b", re.I), Attribution.according_to),
    (re.compile(r"\b(?:in an interview|told (?:the |a )?[A-Z]\w+|interview with)\b"), Attribution.interview),
    (re.compile(r"\b(?:posted|wrote) on\b|\bon (?:X|Twitter|Telegram|Facebook)\b|\bsocial media\b", re.I), Attribution.social_media),
    (re.compile(r"\b(?:report|reported|reports)\b", re.I), Attribution.report),
    (re.compile(r"\b(?:said|says|say|statement|stated|added|announced|declared|warned|denied|denies|accused|accuses|"
                r"condemned|condemns|urged|urges|called on|called for|claimed|claims|insisted|argued|noted|stressed|"
                r"emphasized|emphasised|vowed|pledged|told)\b", re.I), Attribution.statement),
]
QUOTE_MARKS = ('"', "\u201c")  # a sentence opening with one is quoted speech
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{12,}?)[\"\u201d]")
# Across sentences (a quoted statement often runs over several) but not across paragraphs.
_QUOTED_SPAN = re.compile(r"[\"\u201c]((?:(?!\n\s*\n)[^\"\u201c\u201d]){12,}?)[\"\u201d]")


# An event described by these words is someone speaking: that is a claim, and the claims call reads it.
_SPEECH = re.compile(r"\b(?:said|says|say|saying|told|tells|telling|stated|stating|added|noted|according to|pointed out|stress(?:ed|es|ing)|insist(?:ed|s|ing)|welcomed|claimed(?! responsibility))\b", re.I)


def reports_speech(description: str) -> bool:
    return bool(_SPEECH.search(description))


def attribution_of(text: str) -> Attribution | None:
    """How `text` attributes a statement, or None when it attributes nothing and quotes nothing."""
    for pattern, how in _HOW:
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


# Words that say how a speaker stands to what they say, checked in order: the first stance whose words the
# sentence uses is the claim's when the model answered the default, `assert`.
_STANCE_CUES: list[tuple[re.Pattern[str], Stance]] = [
    (re.compile(r"\b(?:den(?:y|ied|ies|ying)|reject\w*|dismiss\w*|baseless)\b", re.I), Stance.deny),
    (re.compile(r"\b(?:condemn\w*|denounc\w*|protest(?:s|ed)?|deplor\w*)\b", re.I), Stance.condemn),
    (re.compile(r"\b(?:accus\w*|blam\w*)\b", re.I), Stance.accuse),
    (re.compile(r"\b(?:warn\w*|will not hesitate)\b", re.I), Stance.warn),
    (re.compile(r"\b(?:urg(?:e|es|ed|ing)|call(?:s|ed)? (?:on|for)|demand\w*)\b", re.I), Stance.call_for),
    (re.compile(r"\b(?:welcom\w*|prais\w*)\b", re.I), Stance.support),
]


_NEGATED = re.compile(r"\b(?:not|never|n't)\s+$", re.I)


def _cued(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the sentence uses the stance's words, not negated ("did not condemn")."""
    return any(not _NEGATED.search(text[: m.start()]) for m in pattern.finditer(text))


def stance_of(stance: Stance, text: str) -> Stance:
    """The model's stance, unless it is the default and the sentence's own words name another."""
    if stance is not Stance.assert_:
        return stance
    return next((cue for pattern, cue in _STANCE_CUES if _cued(pattern, text)), stance)
