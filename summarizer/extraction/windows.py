"""Long articles: split on sentence boundaries into windows that fit the model, then fold the windows'
records into one. Sentence numbers are global, so citations point into the whole article unchanged."""

from __future__ import annotations

from rapidfuzz import fuzz

from summarizer.rules.countries import country_code, named_countries
from summarizer.extraction.grounding import GroundedWindow
from summarizer.rules.names import normalize_name
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.rules.thresholds import MAX_KEY_POINTS, MAX_SPEAKER_WORDS, SAME_TEXT
from summarizer.schema import CLAIMANT_TYPE_OF_ENTITY, Claim, ClaimantType, Entity, EntityType, Event, KeyPoint, Summary
from summarizer.rules.sentences import Sentence

# A claimant's type as an entity's; an anonymous source is no entity.
_SPEAKER_TYPES = {c: e for e, c in CLAIMANT_TYPE_OF_ENTITY.items()} | {ClaimantType.media: EntityType.organization}


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


def _fold_entities(windows: list[GroundedWindow]) -> list[Entity]:
    folded: list[Entity] = []
    for entity in (e for w in windows for e in w.entities):
        names = {n.lower() for n in [entity.name, *entity.aliases]}
        match = next((f for f in folded if names & {n.lower() for n in [f.name, *f.aliases]}), None)
        if match is None:
            folded.append(entity.model_copy())  # shallow: merging reassigns lists, never mutates them
            continue
        known = {n.lower() for n in [match.name, *match.aliases]}
        for name in [entity.name, *entity.aliases]:
            if name.lower() not in known:
                match.aliases = [*match.aliases, name]
                known.add(name.lower())
    return folded


def _with_speakers(entities: list[Entity], claims: list[Claim]) -> list[Entity]:
    """The entity list completed with the claimants it lacks. The model's first call lists at most 10 entities
    and often stops after two or three, while claimants come one per sentence. A claimant counts as listed
    when a listed name contains its name, word for word, or the other way round ("Chinese President Xi
    Jinping", "Xi Jinping")."""
    known = [f" {normalize_name(n)} " for e in entities for n in [e.name, *e.aliases]]
    added = []
    speakers = [(c.claimant, _SPEAKER_TYPES[c.claimant_type]) for c in claims if c.claimant_type in _SPEAKER_TYPES]
    for name, kind in speakers:
        key = f" {normalize_name(name)} "
        if not key.strip() or not name[0].isupper() or len(name.split()) > MAX_SPEAKER_WORDS:
            continue
        if not any(key in k or k in key for k in known):
            added.append(Entity(name=name, type=kind))
            known.append(key)
    return entities + added


def _with_countries(entities: list[Entity], text: str) -> list[Entity]:
    """The entity list completed with the countries the article names that it lacks, under the names it writes:
    a country a news article names is one of its parties (the hand labels of dev/ list every one), and the
    model's list stops early. Code finds them by name, so none is guessed from a demonym or a capital."""
    listed = {country_code(n) for e in entities for n in [e.name, *e.aliases]}
    named = named_countries(text)
    return entities + [Entity(name=forms[0], type=EntityType.country, aliases=forms[1:]) for code, forms in named.items() if code not in listed]


def merge_windows(
    windows: list[GroundedWindow], text: str, steps: PostSteps = ALL_STEPS
) -> tuple[Summary, list[Event], list[Claim], list[Entity], dict[str, int]]:
    """Fold duplicate events, claims, entities and key points; renumber E1.., C1..; remap claim event ids.
    `text` is the article's, whose named countries complete the entity list."""
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
    entities = _fold_entities(windows)
    entities = _with_speakers(entities, claims) if steps.entity_speakers else entities
    entities = _with_countries(entities, text) if steps.entity_countries else entities
    return Summary(headline=headline, key_points=points[:MAX_KEY_POINTS]), events, claims, entities, dropped
