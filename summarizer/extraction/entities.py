"""The article's entity list: the windows' lists folded into one, then completed by code with the claimants
and the countries it lacks (the steps `entity_speakers` and `entity_countries`). The model's first call lists
at most 10 entities and often stops after two or three."""

from __future__ import annotations

from summarizer.extraction.grounding import GroundedWindow
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.rules.countries import country_code, named_countries
from summarizer.rules.names import normalize_name
from summarizer.rules.thresholds import MAX_SPEAKER_WORDS
from summarizer.schema import CLAIMANT_TYPE_OF_ENTITY, Claim, ClaimantType, Entity, EntityType

# A claimant's type as an entity's; an anonymous source is no entity.
_SPEAKER_TYPES = {c: e for e, c in CLAIMANT_TYPE_OF_ENTITY.items()} | {ClaimantType.media: EntityType.organization}


def article_entities(windows: list[GroundedWindow], claims: list[Claim], text: str, steps: PostSteps = ALL_STEPS) -> list[Entity]:
    """The windows' entities folded, completed with the (merged) claims' claimants and the countries `text` names."""
    entities = fold_entities(windows)
    entities = with_speakers(entities, claims) if steps.entity_speakers else entities
    return with_countries(entities, text) if steps.entity_countries else entities


def fold_entities(windows: list[GroundedWindow]) -> list[Entity]:
    """One entity per name across windows: an entity sharing a name or alias with an earlier one adds its other
    names to that one's aliases."""
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


def with_speakers(entities: list[Entity], claims: list[Claim]) -> list[Entity]:
    """The entity list completed with the claimants it lacks: claimants come one per sentence, while the model's
    list stops early. A claimant counts as listed when a listed name contains its name, word for word, or the
    other way round ("Chinese President Xi Jinping", "Xi Jinping")."""
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


def with_countries(entities: list[Entity], text: str) -> list[Entity]:
    """The entity list completed with the countries the article names that it lacks, under the names it writes:
    a country a news article names is one of its parties (the hand labels of dev/ list every one), and the
    model's list stops early. Code finds them by name, so none is guessed from a demonym or a capital."""
    listed = {country_code(n) for e in entities for n in [e.name, *e.aliases]}
    named = named_countries(text)
    return entities + [Entity(name=forms[0], type=EntityType.country, aliases=forms[1:]) for code, forms in named.items() if code not in listed]
