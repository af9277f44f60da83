"""Drafts validate against the sentences shown; code computes every offset."""

import pytest
from pydantic import ValidationError

from conftest import SEED_000
from summarizer.articles import article_from_text
from summarizer.attribution import Quotes
from summarizer.grounding import GroundedWindow
from summarizer.schema import ExtractionDraft, validation_context
from summarizer.sentences import split_sentences


@pytest.fixture
def seed():
    article = article_from_text(SEED_000.read_text(), default_id="000", source="seed")
    sentences = split_sentences(article.text)
    return article, sentences, {s.n: s.text for s in sentences}


def test_valid_draft_grounds_to_exact_offsets(seed, seed_answer):
    article, sentences, shown = seed
    with validation_context(shown):
        draft = ExtractionDraft.model_validate(seed_answer)
    window = GroundedWindow(draft, {s.n: s for s in sentences}, article.published, Quotes(article.text))
    sanction = window.events[0]
    assert [e.sentence for e in sanction.evidence] == [1, 3]
    for item in window.events + window.claims + window.key_points:
        for ev in item.evidence:
            assert article.text[ev.start : ev.end] == ev.text == shown[ev.sentence]
    assert sanction.date.value == "2024-05-16" and sanction.date.precision.value == "day"
    assert [a.country for a in sanction.actors] == ["USA", "RUS"]  # normalized code
    assert window.claims[1].event_ids == ["E2"]  # a reference to a non-existent event is dropped


def test_out_of_range_citation_is_a_validation_error(seed, seed_answer):
    seed_answer["events"][0]["sentences"] = [1, 99]
    with validation_context(seed[2]), pytest.raises(ValidationError, match="sentence numbers \\[99\\] were not shown"):
        ExtractionDraft.model_validate(seed_answer)


def test_quote_not_in_cited_sentences_is_a_validation_error(seed, seed_answer):
    seed_answer["claims"][0]["quote"] = "Russia is a peaceful nation"
    with validation_context(seed[2]), pytest.raises(ValidationError, match="is not in sentences"):
        ExtractionDraft.model_validate(seed_answer)


def test_quote_and_attribution_are_read_off_the_cited_sentences_by_code(seed, seed_answer):
    article, sentences, shown = seed
    with validation_context(shown):
        draft = ExtractionDraft.model_validate(seed_answer)
    claims = GroundedWindow(draft, {s.n: s for s in sentences}, article.published, Quotes(article.text)).claims
    quote = claims[0].quote
    assert quote.startswith("Russia has increasingly relied upon the DPRK") and quote in article.text
    assert claims[0].attribution.value == "statement"
    assert claims[1].quote.startswith("We condemn Russia's veto")


def test_lenient_mode_drops_and_counts(seed, seed_answer):
    article, sentences, shown = seed
    seed_answer["events"][0]["sentences"] = [1, 99]
    seed_answer["events"][1]["sentences"] = [77]
    with validation_context(shown, lenient=True) as ctx:
        draft = ExtractionDraft.model_validate(seed_answer)
    assert ctx["dropped"] == {"citations": 2}
    window = GroundedWindow(draft, {s.n: s for s in sentences}, article.published, Quotes(article.text))
    assert [e.description for e in window.events] == [seed_answer["events"][0]["description"]]
    assert window.dropped == {"ungrounded_events": 1}


def test_unbounded_lists_are_bounded_in_the_schema():
    schema = ExtractionDraft.model_json_schema()
    defs = schema["$defs"]
    assert schema["properties"]["events"]["maxItems"] == 8
    assert defs["EventDraft"]["properties"]["actors"]["maxItems"] == 4
    assert defs["EventDraft"]["properties"]["sentences"]["maxItems"] == 4
    assert "sanction" in defs["EventType"]["enum"]
