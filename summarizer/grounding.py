"""Grounding by construction: the model cites sentence numbers, code turns them into character spans and
evidence text. Nothing the model writes is trusted as an offset or as a verbatim copy."""

from __future__ import annotations

from datetime import date

from .attribution import Quotes, attribution_of
from .dates import event_date
from .schema import (
    Actor,
    Claim,
    ClaimDraft,
    Entity,
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
        type=draft.type,
        description=draft.description.strip(),
        actors=[Actor(name=a.name.strip(), role=a.role, country=a.country) for a in draft.actors if a.name.strip()],
        date=event_date(draft.when, [e.text for e in cited], published),
        location=(draft.location or "").strip() or None,
        status=draft.status,
        evidence=cited,
    )


def ground_claim(draft: ClaimDraft, local_id: str, sentences: dict[int, Sentence], event_ids: set[str], quotes: Quotes) -> Claim:
    cited = evidence(draft.sentences, sentences)
    cited_text = " ".join(e.text for e in cited)
    return Claim(
        id=local_id,
        claimant=draft.claimant.strip(),
        claimant_type=draft.claimant_type,
        claim=draft.claim.strip(),
        quote=quotes.within([(e.start, e.end) for e in cited]),
        attribution=attribution_of(cited_text) or draft.attribution,
        stance=draft.stance,
        event_ids=[e for e in dict.fromkeys(x.strip().upper() for x in draft.event_ids) if e in event_ids],
        evidence=cited,
    )


class GroundedWindow:
    """One window's draft, grounded; items the model could not support with a citation are dropped."""

    def __init__(self, draft: ExtractionDraft, sentences: dict[int, Sentence], published: date | None, quotes: Quotes):
        self.dropped: dict[str, int] = {}
        self.headline = draft.headline.strip()
        self.key_points = self._kept(
            [KeyPoint(text=k.text.strip(), evidence=evidence(k.sentences, sentences)) for k in draft.key_points], "key_points"
        )
        events = [ground_event(d, f"E{i}", sentences, published) for i, d in enumerate(draft.events, 1)]
        # ids are positional in the draft (the prompt says so), so they are assigned before dropping
        self.events = self._kept(events, "events")
        ids = {e.id for e in self.events}
        claims = [ground_claim(d, f"C{i}", sentences, ids, quotes) for i, d in enumerate(draft.claims, 1)]
        self.claims = self._kept(claims, "claims")
        self.entities = [Entity(name=e.name.strip(), type=e.type, aliases=[a.strip() for a in e.aliases if a.strip()])
                         for e in draft.entities if e.name.strip()]

    def _kept(self, items: list, kind: str) -> list:
        kept = [item for item in items if item.evidence]
        if len(kept) < len(items):
            self.dropped[f"ungrounded_{kind}"] = len(items) - len(kept)
        return kept
