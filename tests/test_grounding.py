"""Drafts validate against the sentences shown; code computes every offset."""

import pytest
from pydantic import ValidationError

from conftest import SEED_000
from summarizer.articles import article_from_text
from summarizer.attribution import Quotes
from summarizer.grounding import GroundedWindow
from summarizer.schema import ClaimNote, ExtractionDraft, claim_notes, claims_draft, validation_context
from summarizer.sentences import split_sentences


@pytest.fixture
def seed():
    article = article_from_text(SEED_000.read_text(), default_id="000", source="seed")
    sentences = split_sentences(article.text)
    return article, sentences, {s.n: s.text for s in sentences}


def notes_of(answer: dict) -> list[tuple[int, ClaimNote]]:
    return [(c["sentences"][0], ClaimNote(claimant=c["claimant"], claim=c["claim"], stance=c["stance"])) for c in answer["claims"]]


def ground(seed, answer, notes=None, lenient=False):
    article, sentences, shown = seed
    with validation_context(shown, lenient=lenient):
        draft = ExtractionDraft.model_validate(answer)
    return GroundedWindow(draft, notes_of(answer) if notes is None else notes, {s.n: s for s in sentences}, article.published, Quotes(article.text))


def test_valid_draft_grounds_to_exact_offsets(seed, seed_answer):
    article, _, shown = seed
    window = ground(seed, seed_answer)
    sanction = window.events[0]
    assert [e.sentence for e in sanction.evidence] == [1, 3]
    for item in window.events + window.claims + window.key_points:
        for ev in item.evidence:
            assert article.text[ev.start : ev.end] == ev.text == shown[ev.sentence]
    assert sanction.date.value == "2024-05-16" and sanction.date.precision.value == "day"
    assert [a.country for a in sanction.actors] == ["USA", "RUS"]  # normalized code
    assert [[e.sentence for e in c.evidence] for c in window.claims] == [[4], [9]]


def test_a_claim_is_linked_to_the_events_citing_its_sentence(seed, seed_answer):
    note = ClaimNote(claimant="Russia", claim="Russia vetoed the resolution.", stance="assert")
    window = ground(seed, seed_answer, [(7, note), (12, note)])
    assert [c.event_ids for c in window.claims] == [["E2"], []]


def test_claimant_type_comes_from_the_article_entities_else_from_its_words(seed, seed_answer):
    notes = [(4, ClaimNote(claimant=name, claim="Russia relies on North Korean munitions.", stance="accuse"))
             for name in ["Matthew Miller", "DPRK", "the foreign ministry", "Some analyst"]]
    types = [c.claimant_type.value for c in ground(seed, seed_answer, notes).claims]
    assert types == ["person", "country", "government_body", "other"]


def test_claims_draft_asks_once_per_sentence_in_order_and_allows_null():
    model = claims_draft((4, 9, 12))
    schema = model.model_json_schema()
    assert list(schema["properties"]) == ["sentence 4", "sentence 9", "sentence 12"]
    assert schema["required"] == ["sentence 4", "sentence 9", "sentence 12"]  # a small model may not skip one
    answer = model.model_validate_json('{"sentence 4": {"claimant": "Miller", "claim": "c", "stance": "accuse"}, "sentence 9": null, "sentence 12": null}')
    assert [(n, note.claimant) for n, note in claim_notes(answer)] == [(4, "Miller")]
    with pytest.raises(ValidationError):
        model.model_validate_json('{"sentence 4": null, "sentence 9": null}')


def test_blank_claims_are_dropped_and_counted(seed, seed_answer):
    notes = [(4, ClaimNote(claimant=" ", claim="c", stance="assert")), (9, ClaimNote(claimant="Miller", claim="c", stance="assert"))]
    window = ground(seed, seed_answer, notes)
    assert [c.claimant for c in window.claims] == ["Miller"] and window.dropped == {"empty_claims": 1}


def test_out_of_range_citation_is_a_validation_error(seed, seed_answer):
    seed_answer["events"][0]["sentences"] = [1, 99]
    with validation_context(seed[2]), pytest.raises(ValidationError, match="sentence numbers \\[99\\] were not shown"):
        ExtractionDraft.model_validate(seed_answer)


def test_quote_and_attribution_are_read_off_the_cited_sentences_by_code(seed, seed_answer):
    article = seed[0]
    claims = ground(seed, seed_answer).claims
    quote = claims[0].quote
    assert quote.startswith("Russia has increasingly relied upon the DPRK") and quote in article.text
    assert claims[0].attribution.value == "statement"
    assert claims[1].quote.startswith("We condemn Russia's veto")


def test_lenient_mode_drops_and_counts(seed, seed_answer):
    seed_answer["events"][0]["sentences"] = [1, 99]
    seed_answer["events"][1]["sentences"] = [77]
    with validation_context(seed[2], lenient=True) as ctx:
        ExtractionDraft.model_validate(seed_answer)
    assert ctx["dropped"] == {"citations": 2}
    window = ground(seed, seed_answer, lenient=True)
    assert [e.description for e in window.events] == [seed_answer["events"][0]["description"]]
    assert window.dropped == {"ungrounded_events": 1}


def test_unbounded_lists_are_bounded_in_the_schema():
    schema = ExtractionDraft.model_json_schema()
    defs = schema["$defs"]
    assert schema["properties"]["events"]["maxItems"] == 8
    assert defs["EventDraft"]["properties"]["actors"]["maxItems"] == 4
    assert defs["EventDraft"]["properties"]["sentences"]["maxItems"] == 4
    assert "sanction" in defs["EventType"]["enum"]
