"""The closed vocabularies: every enum a record or a draft field takes its value from.

An enum's values are at once the model's choices in the grammar (drafts.py) and the output's values (records.py).
"""

from enum import Enum


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
