"""Grounding by construction: the model cites sentence numbers, code turns them into character spans and
evidence text. Nothing the model writes is trusted as an offset or as a verbatim copy."""

from __future__ import annotations

import re
from datetime import date

from .attribution import Quotes, attribution_of
from .dates import event_date
from .event_types import checked_type
from .schema import (
    Actor,
    Attribution,
    Claim,
    ClaimantType,
    ClaimNote,
    Entity,
    EntityType,
    Event,
    EventDraft,
    Evidence,
    ExtractionDraft,
    KeyPoint,
    normalize_quote_text,
)
from .sentences import Sentence


def evidence(citations: list[int], sentences: dict[int, Sentence]) -> list[Evidence]:
    """Cited sentence numbers -> spans into the article text, in article order."""
    return [
        Evidence(sentence=n, start=sentences[n].start, end=sentences[n].end, text=sentences[n].text)
        for n in sorted(set(citations))
        if n in sentences
    ]


def quote_found(quote: str, cited: list[Evidence]) -> bool:
    return normalize_quote_text(quote) in normalize_quote_text(" ".join(e.text for e in cited))


def ground_event(draft: EventDraft, local_id: str, sentences: dict[int, Sentence], published: date | None) -> Event:
    cited = evidence(draft.sentences, sentences)
    return Event(
        id=local_id,
        type=checked_type(draft.type, draft.description),
        description=draft.description.strip(),
        actors=[Actor(name=a.name.strip(), role=a.role, country=a.country) for a in draft.actors if a.name.strip()],
        date=event_date(draft.when, [e.text for e in cited], published),
        location=(draft.location or "").strip() or None,
        status=draft.status,
        evidence=cited,
    )


MAX_CLAIM_EVENTS = 3
_ENTITY_CLAIMANT = {
    EntityType.person: ClaimantType.person,
    EntityType.organization: ClaimantType.organization,
    EntityType.government_body: ClaimantType.government_body,
    EntityType.country: ClaimantType.country,
}
_GOVERNMENT_WORDS = re.compile(r"\b(?:ministry|ministers?|department|government|council|office|agency|officials?|military|army|navy|command|embassy|white house|kremlin|pentagon)\b", re.I)


def claimant_type(claimant: str, entities: list[Entity]) -> ClaimantType:
    """The claimant's type from the article's own entity list (the model typed them there), else from its words."""
    name = claimant.strip().lower()
    for entity in entities:
        if name in {n.lower() for n in [entity.name, *entity.aliases]}:
            return _ENTITY_CLAIMANT.get(entity.type, ClaimantType.other)
    return ClaimantType.government_body if _GOVERNMENT_WORDS.search(claimant) else ClaimantType.other


def ground_claim(
    number: int, note: ClaimNote, local_id: str, sentences: dict[int, Sentence], events: list[Event], entities: list[Entity], quotes: Quotes
) -> Claim:
    """A claim the model read off one sentence; everything but who, what and stance is read by code."""
    cited = evidence([number], sentences)
    return Claim(
        id=local_id,
        claimant=note.claimant.strip(),
        claimant_type=claimant_type(note.claimant, entities),
        claim=note.claim.strip(),
        quote=quotes.within([(e.start, e.end) for e in cited]),
        attribution=attribution_of(" ".join(e.text for e in cited)) or Attribution.other,
        stance=note.stance,
        event_ids=[e.id for e in events if any(x.sentence == number for x in e.evidence)][:MAX_CLAIM_EVENTS],
        evidence=cited,
    )


class GroundedWindow:
    """One window's draft, grounded; items the model could not support with a citation are dropped."""

    def __init__(
        self, draft: ExtractionDraft, notes: list[tuple[int, ClaimNote]], sentences: dict[int, Sentence], published: date | None, quotes: Quotes
    ):
        self.dropped: dict[str, int] = {}
        self.headline = draft.headline.strip()
        self.key_points = self._kept(
            [KeyPoint(text=k.text.strip(), evidence=evidence(k.sentences, sentences)) for k in draft.key_points], "key_points"
        )
        events = [ground_event(d, f"E{i}", sentences, published) for i, d in enumerate(draft.events, 1)]
        # ids are positional in the draft (the prompt says so), so they are assigned before dropping
        self.events = self._kept(events, "events")
        self.entities = [Entity(name=e.name.strip(), type=e.type, aliases=[a.strip() for a in e.aliases if a.strip()])
                         for e in draft.entities if e.name.strip()]
        said = [(n, note) for n, note in notes if note.claimant.strip() and note.claim.strip()]
        if len(said) < len(notes):
            self.dropped["empty_claims"] = len(notes) - len(said)
        self.claims = [ground_claim(n, note, f"C{i}", sentences, self.events, self.entities, quotes) for i, (n, note) in enumerate(said, 1)]

    def _kept(self, items: list, kind: str) -> list:
        kept = [item for item in items if item.evidence]
        if len(kept) < len(items):
            self.dropped[f"ungrounded_{kind}"] = len(items) - len(kept)
        return kept
