"""The data model.

`*Draft` classes are what the model fills in: they cite sentence numbers and never carry offsets.
The grounded classes (`Event`, `Claim`, ...) are what we output: code has turned every citation into
character spans and evidence text (see grounding.py). Field descriptions are the model's instructions,
so they are written as prompts. Lists are bounded: a 1.5B model loops forever on unbounded arrays, and
`max_length` becomes a bound in the grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date as Date
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, create_model

SCHEMA_VERSION = "1.0"


class EventType(str, Enum):
    sanction = "sanction"
    arms_transfer = "arms_transfer"
    military_strike = "military_strike"
    weapons_test = "weapons_test"
    statement = "statement"
    condemnation = "condemnation"
    accusation = "accusation"
    denial = "denial"
    veto_or_vote = "veto_or_vote"
    agreement = "agreement"
    meeting_or_visit = "meeting_or_visit"
    production = "production"
    other = "other"


class ActorRole(str, Enum):
    agent = "agent"
    target = "target"
    other = "other"


class EventStatus(str, Enum):
    occurred = "occurred"
    planned = "planned"
    alleged = "alleged"
    denied = "denied"


class Stance(str, Enum):
    assert_ = "assert"
    deny = "deny"
    condemn = "condemn"
    accuse = "accuse"
    warn = "warn"
    call_for = "call_for"
    support = "support"


class ClaimantType(str, Enum):
    person = "person"
    government_body = "government_body"
    organization = "organization"
    country = "country"
    media = "media"
    anonymous = "anonymous"
    other = "other"


class Attribution(str, Enum):
    statement = "statement"
    told_reporters = "told_reporters"
    according_to = "according_to"
    interview = "interview"
    social_media = "social_media"
    report = "report"
    other = "other"


class EntityType(str, Enum):
    person = "person"
    organization = "organization"
    government_body = "government_body"
    country = "country"
    weapon = "weapon"
    other = "other"


# The kinds the entity and claimant vocabularies share: an entity's type is its type as a claimant, and back.
CLAIMANT_TYPE_OF_ENTITY = {
    EntityType.person: ClaimantType.person,
    EntityType.organization: ClaimantType.organization,
    EntityType.government_body: ClaimantType.government_body,
    EntityType.country: ClaimantType.country,
    EntityType.other: ClaimantType.other,
}


class DatePrecision(str, Enum):
    day = "day"
    month = "month"
    year = "year"
    unknown = "unknown"


# --- validation shared by the drafts -------------------------------------------------------------
# The validation context holds the sentences the model was shown ({number: text}). In strict mode a bad
# citation or quote raises, so instructor re-asks; in lenient mode (the last resort) it is dropped and
# counted. The context travels in a ContextVar rather than through instructor's `context=`, because
# instructor renders the messages as Jinja templates whenever a context is given, and article text must
# never be interpreted as a template.
_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("validation_context", default=None)


@contextmanager
def validation_context(sentences: dict[int, str], *, lenient: bool = False) -> Iterator[dict[str, Any]]:
    ctx: dict[str, Any] = {"sentences": sentences, "lenient": lenient, "dropped": {}}
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


def _ctx(info: ValidationInfo) -> dict[str, Any]:
    return info.context or _CONTEXT.get() or {}


def _count_drop(info: ValidationInfo, what: str) -> None:
    dropped = _ctx(info).setdefault("dropped", {})
    dropped[what] = dropped.get(what, 0) + 1


def check_citations(value: list[int], info: ValidationInfo) -> list[int]:
    shown = _ctx(info).get("sentences")
    if shown is None:
        return value
    bad = [i for i in value if i not in shown]
    if bad and not _ctx(info).get("lenient"):
        raise ValueError(f"sentence numbers {bad} were not shown: cite numbers between {min(shown)} and {max(shown)}")
    for _ in bad:
        _count_drop(info, "citations")
    return list(dict.fromkeys(i for i in value if i in shown))


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


# --- grounded output -----------------------------------------------------------------------------


class Evidence(BaseModel):
    """A cited sentence, located by code: `text == article_text[start:end]`."""

    sentence: int = Field(description="1-based sentence number.")
    start: int
    end: int = Field(description="Exclusive end offset.")
    text: str


class Actor(BaseModel):
    name: str
    role: ActorRole
    country: str | None = None


class EventDate(BaseModel):
    value: str | None = Field(default=None, description="ISO date: YYYY-MM-DD, YYYY-MM or YYYY, per precision.")
    precision: DatePrecision = DatePrecision.unknown
    text: str = Field(default="", description="The expression as the model read it from the article.")


class Event(BaseModel):
    id: str
    type: EventType
    description: str
    actors: list[Actor] = Field(default_factory=list)
    date: EventDate = Field(default_factory=EventDate)
    location: str | None = None
    status: EventStatus = EventStatus.occurred
    evidence: list[Evidence] = Field(default_factory=list)


class Claim(BaseModel):
    id: str
    claimant: str
    claimant_type: ClaimantType = ClaimantType.other
    claim: str
    quote: str | None = None
    attribution: Attribution = Attribution.other
    stance: Stance = Stance.assert_
    event_ids: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class KeyPoint(BaseModel):
    text: str
    evidence: list[Evidence] = Field(default_factory=list)


class Summary(BaseModel):
    headline: str = ""
    key_points: list[KeyPoint] = Field(default_factory=list)


class Entity(BaseModel):
    name: str
    type: EntityType = EntityType.other
    aliases: list[str] = Field(default_factory=list)


class ArticleMeta(BaseModel):
    id: str
    title: str | None = None
    published: Date | None = None
    source: str | None = None
    url: str | None = None
    text_hash: str
    n_sentences: int = 0


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{k: getattr(self, k) + getattr(other, k) for k in Usage.model_fields})


class Provenance(BaseModel):
    model: str
    backend: str
    mode: str
    prompt_name: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    attempts: int = 0
    windows: int = 1
    dropped: dict[str, int] = Field(default_factory=dict, description="Invalid items removed after re-asking, by kind.")
    created_at: datetime


class ArticleExtraction(BaseModel):
    schema_version: str = SCHEMA_VERSION
    article: ArticleMeta
    summary: Summary
    events: list[Event] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    provenance: Provenance
