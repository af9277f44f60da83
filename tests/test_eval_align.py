"""Alignment is one-to-one and optimal; similarity functions normalize names and work across articles."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.match.align import EVENT_THRESHOLD, align, alias_table, claim_similarities, claim_similarity, dates_compatible, entity_similarity, event_similarities, event_similarity, same_name
from summarizer.schema import Actor, ActorRole, Claim, Entity, EntityType, Event, EventDate, EventType, Evidence, Stance


def ev(description: str, type_: str = "sanction", actors: tuple[str, ...] = (), sentences: tuple[int, ...] = (), date: str | None = None) -> Event:
    return Event(
        id="E",
        type=EventType(type_),
        description=description,
        actors=[Actor(name=a, role=ActorRole.agent) for a in actors],
        date=EventDate(value=date),
        evidence=[Evidence(sentence=n, start=0, end=1, text=f"s{n}") for n in sentences],
    )


def test_optimal_assignment_beats_greedy_first_match():
    # Greedy (each prediction takes its best remaining gold) pairs p0-g0 (0.9), leaving p1 only g1 (0.0):
    # one match, total 0.9. The optimum pairs p0-g1 and p1-g0: two matches, total 1.6.
    sim = np.array([[0.9, 0.8], [0.8, 0.0]])
    pairs, unmatched_pred, unmatched_gold = align(["p0", "p1"], ["g0", "g1"], sim, threshold=0.5)
    assert {(p.pred, p.gold) for p in pairs} == {(0, 1), (1, 0)}
    assert unmatched_pred == unmatched_gold == []


def test_sub_threshold_pairs_never_displace_a_match():
    # With raw scores the solver would prefer p0-g1 + p1-g0 (0.3 + 0.85 = 1.15) over p0-g0 (0.9); the
    # 0.3 pair is no match, so that would lose the better 0.9 pair.
    sim = np.array([[0.9, 0.3], [0.85, 0.0]])
    pairs, unmatched_pred, unmatched_gold = align(["p0", "p1"], ["g0", "g1"], sim, threshold=0.5)
    assert [(p.pred, p.gold) for p in pairs] == [(0, 0)]
    assert unmatched_pred == [1] and unmatched_gold == [1]


@pytest.mark.parametrize("seed", range(5))
def test_alignment_is_one_to_one_and_maximal(seed):
    from itertools import permutations

    sim = np.random.default_rng(seed).random((4, 4))
    pairs, _, _ = align(list(range(4)), list(range(4)), sim, threshold=0.0)
    assert len({p.pred for p in pairs}) == len({p.gold for p in pairs}) == len(pairs) == 4
    best = max(sum(sim[i, j] for i, j in enumerate(perm)) for perm in permutations(range(4)))
    assert sum(p.score for p in pairs) == pytest.approx(best)


def test_empty_sides():
    assert align([], ["g"], event_similarities, EVENT_THRESHOLD) == ([], [], [0])
    assert align(["p"], [], np.zeros((1, 0)), 0.5) == ([], [0], [])


@pytest.mark.parametrize(("a", "b"), [("US", "United States"), ("U.S.", "the United States"), ("America", "USA"),
                                      ("DPRK", "North Korea"), ("Pyongyang", "north korea"), ("Erdoğan", "Erdogan"),
                                      ("Biden", "Joe Biden")])
def test_name_variants_are_the_same_actor(a, b):
    assert same_name(a, b)


@pytest.mark.parametrize(("a", "b"), [("North Korea", "South Korea"), ("Russia", "Ukraine"), ("US", "UK")])
def test_different_names_stay_different(a, b):
    assert not same_name(a, b)


def test_entity_aliases_from_labels_join_names():
    aliases = alias_table([Entity(name="Ministry of Unification", type=EntityType.government_body, aliases=["MOU"])])
    assert same_name("MOU", "Ministry of Unification", aliases) and not same_name("MOU", "Ministry of Unification")


def test_event_similarity_uses_type_actors_and_evidence():
    gold = ev("The United States imposed sanctions on five Russian entities.", actors=("United States",), sentences=(1, 3))
    paraphrase = ev("Washington sanctioned Russia-based firms.", actors=("U.S.",), sentences=(3,))
    other = ev("Russia vetoed the resolution.", type_="veto_or_vote", actors=("Russia",), sentences=(7,))
    assert event_similarity(paraphrase, gold, same_article=True) > EVENT_THRESHOLD > event_similarity(other, gold, same_article=True)


def test_across_articles_evidence_is_left_out():
    a = ev("The US imposed sanctions on Russian firms.", actors=("US",), sentences=(1,))
    b = ev("The United States imposed sanctions on Russian firms.", actors=("United States",), sentences=(9,))
    # same event reported by two articles: different sentence numbers must not count against it
    assert event_similarity(a, b) > 0.9 > event_similarity(a, b, same_article=True)


def test_dates_compatible_within_precision():
    assert dates_compatible(EventDate(value="2024-05"), EventDate(value="2024-05-16"))
    assert dates_compatible(EventDate(value="2024-05-17"), EventDate(value="2024-05-16")) is False
    assert dates_compatible(EventDate(), EventDate(value="2024")) is None


def test_matrix_and_pairwise_agree():
    events = [ev("A sanctioned B.", actors=("A",), sentences=(1,), date="2024"), ev("C tested a missile.", "weapons_test", ("C",), (2,))]
    matrix = event_similarities(events, events[::-1], same_article=True)
    for i, a in enumerate(events):
        for j, b in enumerate(events[::-1]):
            assert matrix[i, j] == pytest.approx(event_similarity(a, b, same_article=True))


def test_claim_similarity_matches_claimant_aliases():
    gold = Claim(id="C1", claimant="North Korea", claim="The drills are a rehearsal for invasion.", stance=Stance.accuse)
    pred = Claim(id="C1", claimant="DPRK", claim="The drills rehearse an invasion.", stance=Stance.accuse)
    wrong = Claim(id="C2", claimant="South Korea", claim="The drills are defensive.", stance=Stance.deny)
    sims = claim_similarities([pred, wrong], [gold])
    assert sims[0, 0] == pytest.approx(claim_similarity(pred, gold)) and sims[0, 0] > 0.6 > sims[1, 0]


def test_entity_similarity_by_alias_not_spelling():
    nk = Entity(name="North Korea", type=EntityType.country, aliases=["DPRK"])
    assert entity_similarity(Entity(name="DPRK", type=EntityType.country), nk) == pytest.approx(1.0)
    assert entity_similarity(Entity(name="South Korea", type=EntityType.country), nk) < 0.5
