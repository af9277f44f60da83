"""The data model: vocab (the closed vocabularies), drafts (what the model fills in: sentence citations, never
offsets), records (the grounded output). `from summarizer.schema import X` reaches every public name."""

from summarizer.schema.drafts import (
    DESCRIPTION_CHARS,
    SENTENCE_KEY,
    Citations,
    ClaimNote,
    EntityDraft,
    EventNote,
    ExtractionDraft,
    KeyPointDraft,
    check_citations,
    normalize_quote_text,
    per_sentence,
    sentence_notes,
)
from summarizer.schema.validation import validation_context
from summarizer.schema.records import (
    SCHEMA_VERSION,
    Actor,
    ArticleExtraction,
    ArticleMeta,
    Claim,
    Entity,
    Event,
    EventDate,
    Evidence,
    KeyPoint,
    Provenance,
    Summary,
    Usage,
)
from summarizer.schema.vocab import (
    CLAIMANT_TYPE_OF_ENTITY,
    ActorRole,
    Attribution,
    ClaimantType,
    DatePrecision,
    EntityType,
    EventStatus,
    EventType,
    Stance,
)

__all__ = [
    "CLAIMANT_TYPE_OF_ENTITY", "DESCRIPTION_CHARS", "SCHEMA_VERSION", "SENTENCE_KEY",
    "Actor", "ActorRole", "ArticleExtraction", "ArticleMeta", "Attribution", "Citations", "Claim", "ClaimNote",
    "ClaimantType", "DatePrecision", "Entity", "EntityDraft", "EntityType", "Event", "EventDate", "EventNote",
    "EventStatus", "EventType", "Evidence", "ExtractionDraft", "KeyPoint", "KeyPointDraft", "Provenance", "Stance",
    "Summary", "Usage", "check_citations", "normalize_quote_text", "per_sentence", "sentence_notes", "validation_context",
]
