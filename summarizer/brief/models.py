"""The briefing record: what `build_briefing` returns, `render` prints and `--format json` writes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from summarizer.schema import Actor, Attribution, EntityType, EventDate, EventStatus, EventType, Evidence, Provenance, Stance


class Citation(BaseModel):
    """Where a briefing line comes from: source article `source` (1-based), its item, its sentences."""

    source: int
    item: str = Field(description="The article's own id of the event or claim (E1, C3).")
    sentences: list[int]


class TimelineEntry(BaseModel):
    id: str = Field(description="T1, T2... unique in the briefing.")
    type: EventType
    description: str
    date: EventDate
    status: EventStatus
    actors: list[Actor] = Field(default_factory=list)
    citations: list[Citation]


class BriefClaim(BaseModel):
    claimant: str = Field(description="As the article names the speaker.")
    claim: str
    quote: str | None = None
    stance: Stance
    attribution: Attribution
    entries: list[str] = Field(default_factory=list, description="Timeline entries the claim is about.")
    citations: list[Citation]


class ClaimGroup(BaseModel):
    name: str = Field(description="Who: a person, or the body a spokesperson speaks for.")
    speakers: list[str] = Field(default_factory=list, description="Spokespeople whose claims are the body's.")
    claims: list[BriefClaim]

    @property
    def label(self) -> str:
        return f"{self.name} ({', '.join(self.speakers)})" if self.speakers else self.name


class BriefEntity(BaseModel):
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    sources: list[int]


class LeadSentence(BaseModel):
    text: str
    entries: list[str]


class Lead(BaseModel):
    sentences: list[LeadSentence] = Field(default_factory=list)
    by: str = Field(description="'model' or 'records' (deterministic, --no-llm or the model's fallback).")
    provenance: Provenance | None = None
    note: str | None = None


class Story(BaseModel):
    id: str
    headline: str
    sources: list[int]
    lead: Lead
    timeline: list[TimelineEntry]
    claims: list[ClaimGroup]
    entities: list[BriefEntity]


class SourceArticle(BaseModel):
    n: int
    id: str
    title: str | None = None
    headline: str | None = None
    published: date | None = None
    origin: str | None = None
    url: str | None = None
    text: str | None = Field(default=None, exclude=True, description="The article text, when known (for the HTML page).")
    cited: dict[int, str] = Field(default_factory=dict, description="Text of every sentence the records cite, by number.")


class Skipped(BaseModel):
    source: str
    reason: str


class Briefing(BaseModel):
    title: str
    stories: list[Story]
    sources: list[SourceArticle]
    skipped: list[Skipped] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def citation(n: int, item: str, evidence: list[Evidence]) -> Citation:
    return Citation(source=n, item=item, sentences=sorted({e.sentence for e in evidence}))
