"""The grounded output: what `summarize`, `batch` and the API return for one article.

Code has turned every citation of a draft into character spans and evidence text (see extraction/grounding.py),
so every `Evidence.text == article_text[start:end]`.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from pydantic import BaseModel, Field

from summarizer.schema.vocab import ActorRole, Attribution, ClaimantType, DatePrecision, EntityType, EventStatus, EventType, Stance

SCHEMA_VERSION = "1.0"


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
