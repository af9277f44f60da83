"""Scoring one fixture: align predicted with expected events, claims and entities, then count what the
metrics need. The alignments are kept for the report."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.schema import Event, Evidence
from summarizer.match.align import CLAIM_THRESHOLD, ENTITY_THRESHOLD, EVENT_THRESHOLD, Aliases, Alignment, alias_table, align, claim_similarities, entity_similarities, event_similarities, same_name
from summarizer.evals.fixtures import Fixture
from summarizer.evals.metrics import ArticleScore, Counts, Ratio
from summarizer.evals.runs import RunLine
from summarizer.llm.prices import cost_usd


@dataclass(frozen=True)
class ArticleResult:
    fixture: Fixture
    line: RunLine
    events: Alignment
    claims: Alignment
    entities: Alignment
    score: ArticleScore


def score_article(fixture: Fixture, line: RunLine) -> ArticleResult:
    """A failed or schema-invalid line scores as an empty prediction: everything expected is missed."""
    extraction = line.extraction if line.status == "ok" else None
    pred_events = extraction.events if extraction else []
    pred_claims = extraction.claims if extraction else []
    pred_entities = extraction.entities if extraction else []
    gold = fixture.expected
    # aliases come from the labels only: a model's own alias list must not make two names equal
    aliases = alias_table(gold.entities)
    events = align(pred_events, gold.events, event_similarities(pred_events, gold.events, aliases=aliases, same_article=True), EVENT_THRESHOLD)
    claims = align(pred_claims, gold.claims, claim_similarities(pred_claims, gold.claims, aliases=aliases, same_article=True), CLAIM_THRESHOLD)
    entities = align(pred_entities, gold.entities, entity_similarities(pred_entities, gold.entities, aliases=aliases), ENTITY_THRESHOLD)
    event_pairs = [(pred_events[p.pred], gold.events[p.gold]) for p in events.pairs]
    claim_pairs = [(pred_claims[p.pred], gold.claims[p.gold]) for p in claims.pairs]
    right_type = sum(p.type == g.type for p, g in event_pairs)
    right_claimant = sum(same_name(p.claimant, g.claimant, aliases) for p, g in claim_pairs)
    score = ArticleScore(
        fixture_id=fixture.id,
        valid=extraction is not None,
        events=Counts(len(pred_events), len(gold.events), len(event_pairs)),
        typed_events=Counts(len(pred_events), len(gold.events), right_type),
        claims=Counts(len(pred_claims), len(gold.claims), len(claim_pairs)),
        claimant_claims=Counts(len(pred_claims), len(gold.claims), right_claimant),
        entities=Counts(len(pred_entities), len(gold.entities), len(entities.pairs)),
        event_type=Ratio(right_type, len(event_pairs)),
        actor_role=sum((_actor_roles(p, g, aliases) for p, g in event_pairs), Ratio()),
        claimant=Ratio(right_claimant, len(claim_pairs)),
        stance=Ratio(sum(p.stance == g.stance for p, g in claim_pairs), len(claim_pairs)),
        date_exact=Ratio(sum(date_exact(p, g) for p, g in event_pairs), len(event_pairs)),
        date_within=Ratio(sum(date_within(p, g) for p, g in event_pairs), len(event_pairs)),
        grounding=sum((_grounding(p.evidence, g.evidence) for p, g in [*event_pairs, *claim_pairs]), Ratio()),
        **_usage(line),
    )
    return ArticleResult(fixture, line, events, claims, entities, score)


def _actor_roles(pred: Event, gold: Event, aliases: Aliases) -> Ratio:
    """Each expected actor is right when a predicted actor of the same name has its role."""
    hits = sum(any(same_name(p.name, g.name, aliases) and p.role == g.role for p in pred.actors) for g in gold.actors)
    return Ratio(hits, len(gold.actors))


def date_exact(pred: Event, gold: Event) -> bool:
    return (pred.date.value, pred.date.precision) == (gold.date.value, gold.date.precision)


def date_within(pred: Event, gold: Event) -> bool:
    """Right at the expected precision: "2024-05-16" is right for an expected "2024-05". With no expected
    date, only no date is right (a date the article doesn't give is invented)."""
    if not gold.date.value:
        return not pred.date.value
    return bool(pred.date.value) and pred.date.value.startswith(gold.date.value)


def _grounding(pred: list[Evidence], gold: list[Evidence]) -> Ratio:
    """Predicted cited sentences that are among the expected evidence sentences (when some are labeled)."""
    if not gold:
        return Ratio()
    expected = {e.sentence for e in gold}
    cited = {e.sentence for e in pred}
    return Ratio(len(cited & expected), len(cited))


def _usage(line: RunLine) -> dict[str, object]:
    if line.extraction is None:
        return {"latency_s": line.timings.latency_s, "cost_usd": cost_usd(line.backend, 0, 0)}
    prov = line.extraction.provenance
    return {
        "tokens": prov.usage.total_tokens,
        "latency_s": prov.latency_s,
        "attempts": prov.attempts,
        "cost_usd": cost_usd(prov.backend, prov.usage.prompt_tokens, prov.usage.completion_tokens),
    }


def score_all(pairs: list[tuple[Fixture, RunLine]]) -> list[ArticleResult]:
    return [score_article(fixture, line) for fixture, line in pairs]
