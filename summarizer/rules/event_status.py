"""An event's status read off its sentence by code.

Asked for it, the 1.5B model was right for 20 of 29 matched `dev/` events, fewer than saying `occurred` for
all (26): it marked plain past actions `planned` or `alleged` after any future or hedging word in the
sentence. Only the plainest cues count here (25 of 29); each costs no answer tokens."""

from __future__ import annotations

from summarizer import rules
from summarizer.schema import EventStatus

_CUES = rules.status().cues  # rules/tables/status.toml, planned before alleged
_NEGATED = rules.status().negated  # "will not attend" is no plan


def event_status(sentence: str) -> EventStatus:
    """planned or alleged when the sentence says so in so many words, not negated, else occurred."""
    text = _NEGATED.sub(" ", sentence)
    return next((status for cue, status in _CUES if cue.search(text)), EventStatus.occurred)
