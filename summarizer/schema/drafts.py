"""What the model fills in: the drafts of the first call, the per-sentence notes, and the validation of citations.

Drafts cite sentence numbers and never carry offsets; code grounds them (see extraction/grounding.py). Field
descriptions are the model's instructions, so they are written as prompts. Lists are bounded: a 1.5B model
loops forever on unbounded arrays, and `max_length` becomes a bound in the grammar.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from summarizer.schema.validation import only_shown
from summarizer.schema.vocab import EntityType, EventType, Stance

check_citations = only_shown(lambda bad, shown: f"sentence numbers {bad} were not shown: cite numbers between {min(shown)} and {max(shown)}")


Citations = Annotated[
    list[int],
    Field(min_length=1, max_length=4, description="Numbers of the article's sentences that support this, e.g. [3, 4]."),
    AfterValidator(check_citations),
]


def normalize_quote_text(text: str) -> str:
    """Whitespace and quote-mark normalization used for every verbatim check."""
    text = re.sub(r"[\u201c\u201d\u201e\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2018\u2019\u201a]", "'", text)
    return " ".join(text.split()).strip(" \"'").lower()


# --- model-facing drafts ------------------------------------------------------------------------------


class ClaimNote(BaseModel):
    """Who says what in one sentence; the sentence, quote and attribution come from code, not the model."""

    claimant: str = Field(max_length=100, description="Who says it, named as in the article; for 'he', 'she' or 'they', the one meant.")
    claim: str = Field(max_length=300, description="What they say, in plain words.")
    stance: Stance = Field(description="assert, deny, condemn, accuse, warn, call_for or support.")


DESCRIPTION_CHARS = 150  # an event note's description, capped in the grammar: the model tends to copy its sentence


class EventNote(BaseModel):
    """The action one sentence reports, in four short fields: a note is asked of nearly every sentence, and answer
    tokens are the time per article. Actors' countries, the date, the status and the evidence come from code."""

    description: str = Field(max_length=DESCRIPTION_CHARS, description="Who did what to whom, in at most 12 words of your own.")
    type: EventType | Literal["none"] = Field(description="The kind of action, from the closed list; none if the sentence reports no action.")
    agent: str = Field(max_length=100, description="Who acted, named as in the article; '' if not named.")
    target: str = Field(max_length=100, description="Who or what was acted upon, named as in the article; '' if none.")


SENTENCE_KEY = "sentence {n}"


@cache
def per_sentence(note: type[BaseModel], numbers: tuple[int, ...]) -> type[BaseModel]:
    """An answer with one key per sentence, in order, so a small model can neither skip a sentence nor drift
    onto its neighbour; null where the sentence holds nothing of the kind. `ClaimNote` -> `ClaimsDraft`."""
    fields: dict[str, Any] = {f"s{n}": (note | None, Field(alias=SENTENCE_KEY.format(n=n))) for n in numbers}
    # by name too: instructor's answer cache stores a draft by field name
    config = ConfigDict(populate_by_name=True)
    return create_model(note.__name__.replace("Note", "sDraft"), __doc__=note.__doc__, __config__=config, **fields)


def sentence_notes(draft: BaseModel) -> list[tuple[int, Any]]:
    """(sentence number, note) for every sentence the model gave a note for."""
    return [(int(name[1:]), note) for name, note in draft if note is not None]


class KeyPointDraft(BaseModel):
    sentences: Citations
    text: str = Field(max_length=300, description="One key point of the article, in one sentence.")



class EntityDraft(BaseModel):
    name: str = Field(max_length=100, description="Canonical name, e.g. 'North Korea'.")
    type: EntityType
    aliases: list[str] = Field(default_factory=list, max_length=4, description="Other names the article uses for it, e.g. ['DPRK'].")


class ExtractionDraft(BaseModel):
    """What the model extracts from one article (or one window of it) in its first call; events and claims come
from calls that ask about each sentence (`per_sentence`)."""

    headline: str = Field(max_length=200, description="A one-line headline for the article.")
    key_points: list[KeyPointDraft] = Field(min_length=1, max_length=5, description="3 to 5 key points, each citing its sentences.")
    entities: list[EntityDraft] = Field(default_factory=list, max_length=10, description="People, organizations, countries, weapons involved.")
