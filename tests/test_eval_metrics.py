"""Metric arithmetic on hand-made cases, and one fixture scored field by field."""

from __future__ import annotations

import pytest

from summarizer.evals.fixtures import load_fixture
from summarizer.evals.metrics import ArticleScore, Counts, Ratio, summarize
from summarizer.evals.runs import RunError, RunLine
from summarizer.evals.scorers import date_exact, date_within, score_article
from summarizer.schema import DatePrecision, Event, EventDate, EventType
from test_eval_support import SMALL_ANSWER, line_for, write_fixtures


def test_precision_recall_f1():
    c = Counts(pred=4, gold=5, matched=3)
    assert (c.precision, c.recall) == (0.75, 0.6)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_nothing_expected_nothing_predicted_is_perfect_and_otherwise_zero():
    assert Counts(0, 0, 0).f1 == 1.0
    # an empty side is right only when the other is empty too: a failed article must not get precision 1
    assert Counts(pred=2, gold=0).precision == Counts(pred=2, gold=0).recall == Counts(pred=2, gold=0).f1 == 0.0
    assert Counts(pred=0, gold=3).precision == Counts(pred=0, gold=3).f1 == 0.0


def test_ratio_without_cases_is_not_applicable():
    assert Ratio().value is None and (Ratio(1, 2) + Ratio(2, 2)).value == 0.75


def test_micro_pools_counts_macro_averages_articles():
    big = ArticleScore("big", valid=True, events=Counts(pred=10, gold=10, matched=10), stance=Ratio(9, 10))
    small = ArticleScore("small", valid=False, events=Counts(pred=0, gold=2, matched=0), stance=Ratio())
    totals = summarize([big, small])
    assert totals.micro["events.recall"] == pytest.approx(10 / 12)
    assert totals.macro["events.recall"] == pytest.approx(0.5)
    assert totals.micro["stance"] == totals.macro["stance"] == pytest.approx(0.9)  # n/a article left out of the mean
    assert totals.micro["schema_valid"] == 0.5


def test_total_cost_is_unknown_when_one_article_cost_is():  # the price table itself: tests/test_prices.py
    assert summarize([ArticleScore("a", True, cost_usd=0.1), ArticleScore("b", True, cost_usd=None)]).cost_usd is None


def event_on(value: str | None, precision: DatePrecision = DatePrecision.unknown) -> Event:
    return Event(id="E1", type=EventType.other, description="x", date=EventDate(value=value, precision=precision))


def test_date_accuracy_exact_and_within_precision():
    gold_month = event_on("2024-05", DatePrecision.month)
    assert date_within(event_on("2024-05-16", DatePrecision.day), gold_month)
    assert not date_exact(event_on("2024-05-16", DatePrecision.day), gold_month)
    assert date_exact(event_on("2024-05", DatePrecision.month), gold_month)
    assert not date_within(event_on("2024", DatePrecision.year), gold_month)  # coarser than labeled
    assert date_within(event_on(None), event_on(None)) and not date_within(event_on("2024", DatePrecision.year), event_on(None))


def test_small_fixture_scored_field_by_field(tmp_path):
    fixture = load_fixture(write_fixtures(tmp_path) / "small.yaml")
    score = score_article(fixture, line_for(fixture)).score
    # events: sanction and missile test found, denial missed, "analysts" statement a false positive
    assert score.events == Counts(pred=3, gold=3, matched=2) and score.typed_events.matched == 2
    # claims: Treasury right; Zakharova matched with the wrong stance (deny for condemn); South Korea missed
    assert score.claims == Counts(pred=2, gold=3, matched=2) and score.stance == Ratio(1, 2) and score.claimant == Ratio(2, 2)
    # entities: U.S. = United States, DPRK = North Korea (label aliases); Iran is not labeled; the pipeline adds
    # the claimants Treasury (not labeled) and Maria Zakharova (labeled) and the countries the text names that
    # the list lacks, Russia (labeled) and South Korea (not)
    assert score.entities == Counts(pred=7, gold=4, matched=4)
    assert score.date_exact == Ratio(2, 2) and score.actor_role == Ratio(3, 3) and score.grounding == Ratio(4, 4)


def test_wrong_type_and_role_and_stray_citation_are_counted(tmp_path):
    fixture = load_fixture(write_fixtures(tmp_path) / "small.yaml")
    answer = {**SMALL_ANSWER, "events": [dict(e) for e in SMALL_ANSWER["events"][:2]]}
    # a description naming no type's words keeps the wrong type; Treasury, the agent, folds sentences 1 and 2
    actors = [{"name": "US", "role": "target"}, {"name": "Treasury", "role": "agent"}]
    answer["events"][0] |= {"type": "other", "sentences": [1, 2], "description": "The US acted against three Russian firms.", "actors": actors}
    score = score_article(fixture, line_for(fixture, answer)).score
    assert score.events.matched == 2 and score.typed_events == Counts(pred=2, gold=3, matched=1)
    assert score.event_type == Ratio(1, 2)
    assert score.actor_role == Ratio(1, 3)  # US has the wrong role, the Russian firms are missing
    # events cite 1, 2 and 5 (sentence 2 is not the sanction's evidence), claims cite 2 and 4
    assert score.grounding == Ratio(4, 5)


def test_a_failed_line_misses_everything(tmp_path):
    fixture = load_fixture(write_fixtures(tmp_path) / "small.yaml")
    line = RunLine(fixture_id="small", status="error", backend="embedded/x", error=RunError(type="ExtractionError", message="no"))
    score = score_article(fixture, line).score
    assert not score.valid and score.events == Counts(0, 3, 0) and score.claims.recall == 0.0 and score.cost_usd == 0.0
