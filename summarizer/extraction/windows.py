"""Long articles: split on sentence boundaries into windows that fit the model, then fold the windows'
records into one. Sentence numbers are global, so citations point into the whole article unchanged."""

from __future__ import annotations

from rapidfuzz import fuzz

from summarizer.extraction.entities import article_entities
from summarizer.extraction.grounding import GroundedWindow
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.rules.thresholds import MAX_KEY_POINTS, SAME_TEXT
from summarizer.schema import Claim, Entity, Event, KeyPoint, Summary
from summarizer.rules.sentences import Sentence


def plan_windows(sentences: list[Sentence], window_chars: int) -> list[list[Sentence]]:
    windows: list[list[Sentence]] = [[]]
    size = 0
    for sentence in sentences:
        if windows[-1] and size + len(sentence.text) > window_chars:
            windows.append([])
            size = 0
        windows[-1].append(sentence)
        size += len(sentence.text) + 1
    return [w for w in windows if w]


def _cited(item: Event | Claim | KeyPoint) -> set[int]:
    return {e.sentence for e in item.evidence}


def _union_evidence(into: Event | Claim | KeyPoint, other: Event | Claim | KeyPoint) -> None:
    seen = _cited(into)
    into.evidence = sorted(into.evidence + [e for e in other.evidence if e.sentence not in seen], key=lambda e: e.sentence)


def _same_event(a: Event, b: Event) -> bool:
    return a.type == b.type and (bool(_cited(a) & _cited(b)) or fuzz.token_set_ratio(a.description, b.description) >= SAME_TEXT)


def _same_claim(a: Claim, b: Claim) -> bool:
    if a.claimant.lower() != b.claimant.lower():
        return False
    return fuzz.token_sort_ratio(a.claim, b.claim) >= SAME_TEXT or (_cited(a) == _cited(b) and a.stance == b.stance)


def merge_windows(
    windows: list[GroundedWindow], text: str, steps: PostSteps = ALL_STEPS
) -> tuple[Summary, list[Event], list[Claim], list[Entity], dict[str, int]]:
    """Fold duplicate events, claims and key points; renumber E1.., C1..; remap claim event ids. The entity list
    is `article_entities` (entities.py): folded, then completed from the claims and from `text`, the article's."""
    events: list[Event] = []
    claims: list[Claim] = []
    points: list[KeyPoint] = []
    dropped: dict[str, int] = {}
    for window in windows:
        local_to_final: dict[str, str] = {}
        for event in window.events:
            match = next((e for e in events if _same_event(e, event)), None)
            if match is None:
                match = event.model_copy(update={"id": f"E{len(events) + 1}"})
                events.append(match)
            else:
                _union_evidence(match, event)
            local_to_final[event.id] = match.id
        for claim in window.claims:
            claim = claim.model_copy(update={"event_ids": [local_to_final[i] for i in claim.event_ids if i in local_to_final]})
            match = next((c for c in claims if _same_claim(c, claim)), None)
            if match is None:
                claims.append(claim.model_copy(update={"id": f"C{len(claims) + 1}"}))
            else:
                _union_evidence(match, claim)
                match.event_ids = list(dict.fromkeys(match.event_ids + claim.event_ids))
        for point in window.key_points:
            if not any(fuzz.token_set_ratio(p.text, point.text) >= SAME_TEXT for p in points):
                points.append(point)
        for kind, n in window.dropped.items():
            dropped[kind] = dropped.get(kind, 0) + n
    headline = next((w.headline for w in windows if w.headline), "")
    entities = article_entities(windows, claims, text, steps)
    return Summary(headline=headline, key_points=points[:MAX_KEY_POINTS]), events, claims, entities, dropped
