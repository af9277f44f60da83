"""Grounding by construction: the model cites sentence numbers, code turns them into character spans and
evidence text. Nothing the model writes is trusted as an offset or as a verbatim copy."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from summarizer import rules
from summarizer.rules.attribution import Quotes, attribution_of, reports_speech, stance_of
from summarizer.rules.countries import country_code
from summarizer.rules.dates import event_date
from summarizer.rules.event_status import event_status
from summarizer.rules.event_types import checked_type, is_background, is_filler
from summarizer.extraction.postprocess import ALL_STEPS, PostSteps
from summarizer.schema import CLAIMANT_TYPE_OF_ENTITY, DESCRIPTION_CHARS, Actor, ActorRole, Attribution, Claim, ClaimantType, ClaimNote, Entity, Event, EventDate, EventNote, EventStatus, EventType, Evidence, ExtractionDraft, KeyPoint, normalize_quote_text
from summarizer.rules.thresholds import DRIFT, MAX_CLAIM_EVENTS, NEIGHBOURS, RECITE_GAIN, RECITE_MIN, SAME_TEXT
from summarizer.rules.sentences import Sentence
from summarizer.rules.words import content_words, share_held


def evidence(citations: list[int], sentences: dict[int, Sentence]) -> list[Evidence]:
    """Cited sentence numbers -> spans into the article text, in article order."""
    return [
        Evidence(sentence=n, start=sentences[n].start, end=sentences[n].end, text=sentences[n].text)
        for n in sorted(set(citations))
        if n in sentences
    ]


def quote_found(quote: str, cited: list[Evidence]) -> bool:
    return normalize_quote_text(quote) in normalize_quote_text(" ".join(e.text for e in cited))


def named_actors(name: str, role: ActorRole, entities: list[Entity], steps: PostSteps = ALL_STEPS) -> list[Actor]:
    """The note's agent or target as actors: "the United States and Britain" is two when each part is a
    country or one of the article's entities (a plain split would cut "Ministry of Trade and Industry" in two)."""
    known = {n.lower() for e in entities for n in [e.name, *e.aliases]}
    parts = [p.strip() for p in _LIST_SEPARATOR.split(name.strip())]
    named = steps.split_actors and len(parts) > 1 and all(p.lower().removeprefix("the ") in known or country_code(p) for p in parts)
    code = country_code if steps.actor_countries else lambda _: None
    return [Actor(name=n, role=role, country=code(n)) for n in (parts if named else [name.strip()]) if n]


_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def whole_words(description: str) -> str:
    """The description, cut back to its last whole word when the grammar's length cap cut it (the model tends to
    copy the sentence rather than write twelve words)."""
    if len(description) < DESCRIPTION_CHARS:
        return description.strip()
    return description.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def ground_event(
    number: int, note: EventNote, sentences: dict[int, Sentence], published: date | None, entities: list[Entity], steps: PostSteps
) -> Event:
    """An action the model read off one sentence; its id is given once neighbours are folded. Date and status
    are read off the sentence by code."""
    cited = evidence([number], sentences)
    return Event(
        id="",
        type=checked_type(note.type, note.description) if steps.check_type else note.type,
        description=whole_words(note.description) if steps.trim_description else note.description.strip(),
        actors=named_actors(note.agent, ActorRole.agent, entities, steps) + named_actors(note.target, ActorRole.target, entities, steps),
        date=event_date("", [e.text for e in cited], published) if steps.event_date else EventDate(),
        status=event_status(cited[0].text) if steps.event_status else EventStatus.occurred,
        evidence=cited,
    )


_GOVERNMENT_WORDS = rules.government_words()  # rules/tables/speakers.toml


def claimant_type(claimant: str, entities: list[Entity]) -> ClaimantType:
    """The claimant's type from the article's own entity list (the model typed them there), else from its words."""
    name = claimant.strip().lower()
    for entity in entities:
        if name in {n.lower() for n in [entity.name, *entity.aliases]}:
            return CLAIMANT_TYPE_OF_ENTITY.get(entity.type, ClaimantType.other)
    return ClaimantType.government_body if _GOVERNMENT_WORDS.search(claimant) else ClaimantType.other


def ground_claim(number: int, note: ClaimNote, local_id: str, window: GroundedWindow, quotes: Quotes, steps: PostSteps) -> Claim:
    """A claim the model read off one sentence; everything but who, what and stance is read by code."""
    cited = evidence([number], window.sentences)
    text = " ".join(e.text for e in cited)
    events = [e.id for e in window.events if any(x.sentence == number for x in e.evidence)][:MAX_CLAIM_EVENTS]
    return Claim(
        id=local_id,
        claimant=note.claimant.strip(),
        claimant_type=claimant_type(note.claimant, window.entities) if steps.claimant_type else ClaimantType.other,
        claim=note.claim.strip(),
        quote=quotes.within([(e.start, e.end) for e in cited]) if steps.claim_quote else None,
        attribution=(attribution_of(text) if steps.claim_attribution else None) or Attribution.other,
        stance=stance_of(note.stance, text) if steps.claim_stance else note.stance,
        event_ids=events if steps.claim_events else [],
        evidence=cited,
    )


def recited(notes: list[tuple[int, Any]], sentences: dict[int, Sentence], words: Callable[[Any], str]) -> list[tuple[int, Any]]:
    """Notes under the sentence they were read from. Answering sentence by sentence, the small model sometimes
    drifts: under "sentence 11" it writes what sentence 13 says, and so on down the list. The note's own words
    say where it belongs; a note that lands on a sentence whose own note says the same is a repeat, dropped."""
    placed: list[tuple[int, bool, Any]] = []  # (sentence, moved, note)
    for n, note in notes:
        own = content_words(words(note))
        held = {m: share_held(own, sentences[m].text) for m in range(n - DRIFT, n + DRIFT + 1) if m in sentences}
        best = max(held, key=lambda m: (held[m], m == n))
        moves = held[best] >= RECITE_MIN and held[best] - held[n] >= RECITE_GAIN
        placed.append((best, True, note) if moves else (n, False, note))
    kept: list[tuple[int, Any]] = []
    for n, moved, note in sorted(placed, key=lambda item: item[:2]):  # a sentence's own note before one moved onto it
        if not (moved and any(m == n and fuzz.token_sort_ratio(words(other), words(note)) >= SAME_TEXT for m, other in kept)):
            kept.append((n, note))
    return kept


def _agents(event: Event) -> set[str]:
    return {a.name.lower() for a in event.actors if a.role.value == "agent"}


def _same_action(earlier: Event, later: Event) -> bool:
    """One action told by neighbouring sentences: a shared agent, at most NEIGHBOURS apart, and the same type
    (or the later one only a statement, the agent saying more about what it did)."""
    gap = later.evidence[0].sentence - earlier.evidence[-1].sentence
    same_type = later.type in (earlier.type, EventType.statement)
    return same_type and gap <= NEIGHBOURS and bool(_agents(earlier) & _agents(later))


def fold_neighbours(events: list[Event]) -> list[Event]:
    """Events read sentence by sentence, in article order, with one action's sentences folded into one
    event (the first sentence's description, date and status; every sentence's evidence and actors)."""
    folded: list[Event] = []
    for event in events:
        match = next((f for f in reversed(folded) if _same_action(f, event)), None)
        if match is None:
            folded.append(event)
            continue
        names = {a.name.lower() for a in match.actors}
        match.actors = [*match.actors, *(a for a in event.actors if a.name.lower() not in names)]
        match.evidence = [*match.evidence, *event.evidence]
        if match.date.value is None:
            match.date = event.date
    return folded


class GroundedWindow:
    """One window's answers, grounded; items the model could not support with a citation are dropped."""

    def __init__(
        self,
        draft: ExtractionDraft,
        event_notes: list[tuple[int, EventNote]],
        claim_notes: list[tuple[int, ClaimNote]],
        sentences: dict[int, Sentence],
        published: date | None,
        quotes: Quotes,
        steps: PostSteps = ALL_STEPS,
    ):
        self.dropped: dict[str, int] = {}
        self.sentences = sentences
        self.headline = draft.headline.strip()
        self.key_points = self._kept(
            [KeyPoint(text=k.text.strip(), evidence=evidence(k.sentences, sentences)) for k in draft.key_points], "key_points"
        )
        self.entities = [Entity(name=e.name.strip(), type=e.type, aliases=[a.strip() for a in e.aliases if a.strip()])
                         for e in draft.entities if e.name.strip()]
        drops: list[tuple[bool, str, Callable[[EventNote], Any]]] = [
            (True, "no_action_events", lambda note: note.type != "none"),
            (True, "empty_events", lambda note: note.description.strip()),
            # someone speaking is a claim, which the claims call reads off the same sentence
            (steps.drop_speech_events, "speech_events", lambda note: not reports_speech(note.description)),
            (steps.drop_filler_events, "filler_events", lambda note: not is_filler(note.type, note.description)),
            (steps.drop_background_events, "background_events", lambda note: not is_background(note.description)),
        ]
        acted = event_notes
        for on, dropped, keep in drops:
            acted = self._kept_notes(acted, dropped, keep) if on else acted
        events = [ground_event(n, note, sentences, published, self.entities, steps) for n, note in acted]
        events = fold_neighbours(events) if steps.fold_neighbours else events
        self.events = [event.model_copy(update={"id": f"E{i}"}) for i, event in enumerate(events, 1)]
        said = self._kept_notes(claim_notes, "empty_claims", lambda note: note.claimant.strip() and note.claim.strip())
        said = recited(said, sentences, lambda note: note.claim) if steps.recite_claims else said
        self.claims = [ground_claim(n, note, f"C{i}", self, quotes, steps) for i, (n, note) in enumerate(said, 1)]

    def _kept_notes(self, notes: list[tuple[int, Any]], dropped: str, keep: Callable[[Any], Any]) -> list[tuple[int, Any]]:
        """The notes `keep` accepts; the others are dropped and counted under `dropped`."""
        kept = [(n, note) for n, note in notes if keep(note)]
        if len(kept) < len(notes):
            self.dropped[dropped] = len(notes) - len(kept)
        return kept

    def _kept(self, items: list, kind: str) -> list:
        kept = [item for item in items if item.evidence]
        if len(kept) < len(items):
            self.dropped[f"ungrounded_{kind}"] = len(items) - len(kept)
        return kept
