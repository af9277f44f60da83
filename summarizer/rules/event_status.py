"""An event's status read off its sentence by code.

Asked for it, the 1.5B model was right for 20 of 29 matched `dev/` events, fewer than saying `occurred` for
all (26): it marked plain past actions `planned` or `alleged` after any future or hedging word in the
sentence. Only the plainest cues count here (25 of 29); each costs no answer tokens."""

from __future__ import annotations

import re

from summarizer.schema import EventStatus

_PLANNED = re.compile(r"\b(?:will|plans? to|intends? to|(?:is|are) (?:set|due|expected|scheduled) to)\b", re.I)
_ALLEGED = re.compile(r"\b(?:allegedly|reportedly|suspected)\b", re.I)


def event_status(sentence: str) -> EventStatus:
    """planned or alleged when the sentence says so in so many words, else occurred."""
    if _PLANNED.search(sentence):
        return EventStatus.planned
    if _ALLEGED.search(sentence):
        return EventStatus.alleged
    return EventStatus.occurred
