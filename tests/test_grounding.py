"""Answers validate against the sentences shown; code computes every offset, quote, link and fold."""

import pytest
from pydantic import ValidationError

from conftest import SEED_000, ModelAnswer
from summarizer.io.articles import article_from_text
from summarizer.rules.attribution import Quotes
from summarizer.rules.event_status import event_status
from summarizer.extraction.grounding import GroundedWindow, named_actors, recited, whole_words
from summarizer.schema import DESCRIPTION_CHARS, ActorRole, ClaimNote, Entity, EventNote, ExtractionDraft, per_sentence, sentence_notes, validation_context
from summarizer.rules.sentences import split_sentences
from summarizer.rules.words import same_word


@pytest.fixture
def seed():
    article = article_from_text(SEED_000.read_text(), default_id="000", source="seed")
    sentences = split_sentences(article.text)
    return article, sentences, {s.n: s.text for s in sentences}


def notes(answer: ModelAnswer, note: type, numbers) -> list:
    """What the model's events or claims call over these sentences would give."""
    return sentence_notes(answer.validated(per_sentence(note, tuple(numbers))))


def ground(seed, answer, event_notes=None, claim_notes=None, lenient=False):
    article, sentences, shown = seed
    with validation_context(shown, lenient=lenient):
        draft = ExtractionDraft.model_validate(answer)
    numbers = [s.n for s in sentences]
    event_notes = notes(answer, EventNote, numbers) if event_notes is None else event_notes
    claim_notes = notes(answer, ClaimNote, numbers) if claim_notes is None else claim_notes
    return GroundedWindow(draft, event_notes, claim_notes, {s.n: s for s in sentences}, article.published, Quotes(article.text))


def test_answers_ground_to_exact_offsets(seed, seed_answer):
    article, _, shown = seed
    window = ground(seed, seed_answer)
    sanction = window.events[0]
    for item in window.events + window.claims + window.key_points:
        for ev in item.evidence:
            assert article.text[ev.start : ev.end] == ev.text == shown[ev.sentence]
    assert sanction.date.value == "2024-05-16" and sanction.date.precision.value == "day"
    assert [(a.name, a.role.value, a.country) for a in sanction.actors] == [("United States", "agent", "USA"), ("Russia-based entities", "target", None)]
    assert sanction.status.value == "occurred"
    assert [[e.sentence for e in c.evidence] for c in window.claims] == [[4], [9]]


def test_one_action_told_by_neighbouring_sentences_is_one_event(seed, seed_answer):
    window = ground(seed, seed_answer)  # the sanction answered for sentences 1 and 3, the veto for 7
    assert [(e.id, e.type.value, [x.sentence for x in e.evidence]) for e in window.events] == [("E1", "sanction", [1, 3]), ("E2", "veto_or_vote", [7])]


def test_same_type_apart_or_by_another_agent_stays_two_events(seed, seed_answer):
    def note(agent):
        return EventNote(description=f"{agent} imposed sanctions.", type="sanction", agent=agent, target="")

    window = ground(seed, seed_answer, event_notes=[(1, note("US")), (2, note("EU")), (3, note("US")), (9, note("US"))])
    assert [[x.sentence for x in e.evidence] for e in window.events] == [[1, 3], [2], [9]]


def test_a_claim_is_linked_to_the_events_citing_its_sentence(seed, seed_answer):
    note = ClaimNote(claimant="Russia", claim="Russia vetoed the resolution.", stance="assert")
    window = ground(seed, seed_answer, claim_notes=[(7, note), (12, note)])
    assert [c.event_ids for c in window.claims] == [["E2"], []]


def test_claimant_type_comes_from_the_article_entities_else_from_its_words(seed, seed_answer):
    claims = [(4, ClaimNote(claimant=name, claim="Russia relies on North Korean munitions.", stance="accuse"))
              for name in ["Matthew Miller", "DPRK", "the foreign ministry", "Some analyst"]]
    types = [c.claimant_type.value for c in ground(seed, seed_answer, claim_notes=claims).claims]
    assert types == ["person", "country", "government_body", "other"]


def test_per_sentence_answers_ask_once_per_sentence_in_order_and_allow_null():
    model = per_sentence(ClaimNote, (4, 9, 12))
    assert model.__name__ == "ClaimsDraft" and per_sentence(EventNote, (4,)).__name__ == "EventsDraft"
    schema = model.model_json_schema()
    assert list(schema["properties"]) == ["sentence 4", "sentence 9", "sentence 12"]
    assert schema["required"] == ["sentence 4", "sentence 9", "sentence 12"]  # a small model may not skip one
    answer = model.model_validate_json('{"sentence 4": {"claimant": "Miller", "claim": "c", "stance": "accuse"}, "sentence 9": null, "sentence 12": null}')
    assert [(n, note.claimant) for n, note in sentence_notes(answer)] == [(4, "Miller")]
    with pytest.raises(ValidationError):
        model.model_validate_json('{"sentence 4": null, "sentence 9": null}')


def test_blank_items_are_dropped_and_counted(seed, seed_answer):
    claims = [(4, ClaimNote(claimant=" ", claim="c", stance="assert")), (9, ClaimNote(claimant="Miller", claim="c", stance="assert"))]
    events = [(1, EventNote(description=" ", type="sanction", agent="", target=""))]
    window = ground(seed, seed_answer, event_notes=events, claim_notes=claims)
    assert [c.claimant for c in window.claims] == ["Miller"] and window.events == []
    assert window.dropped == {"empty_claims": 1, "empty_events": 1}


def test_speech_and_filler_notes_are_not_events(seed, seed_answer):
    """An event note telling who said what is a claim's business; `sanction` (the list's first type) or
    `statement` over words of no type at all is the model filling in a sentence with no action. Both are
    dropped and counted."""

    def note(description, type_="sanction"):
        return EventNote(description=description, type=type_, agent="US", target="")

    events = [
        (1, note("The US imposed sanctions on five Russian entities.")),
        (2, note("Miller said the network supplied missiles.", "arms_transfer")),
        (5, note("Katz struck a similar tone.")),
        (7, note("Russia vetoed the resolution.")),  # the model's type is wrong, not empty: retyped
        (10, note("Taiwan remained the most sensitive issue.", "statement")),
        (12, note("The two governments issued a joint statement on fentanyl.", "statement")),
    ]
    window = ground(seed, seed_answer, event_notes=events)
    assert [(e.type.value, [x.sentence for x in e.evidence]) for e in window.events] == [("sanction", [1]), ("veto_or_vote", [7]), ("statement", [12])]
    assert window.dropped == {"speech_events": 1, "filler_events": 2}


def test_a_sentence_with_no_action_answers_none_and_is_counted(seed, seed_answer):
    answer = per_sentence(EventNote, (1, 2)).model_validate_json(
        '{"sentence 1": {"description": "The US sanctioned five firms.", "type": "sanction", "agent": "the US", "target": ""},'
        ' "sentence 2": {"description": "Background.", "type": "none", "agent": "", "target": ""}}'
    )
    window = ground(seed, seed_answer, event_notes=sentence_notes(answer))
    assert [[x.sentence for x in e.evidence] for e in window.events] == [[1]] and window.dropped == {"no_action_events": 1}


@pytest.mark.parametrize(
    ("named", "entities", "expected"),
    [
        ("The United States and Britain", [], [("The United States", "USA"), ("Britain", "GBR")]),
        ("Japan, South Korea and the EU", ["EU"], [("Japan", "JPN"), ("South Korea", "KOR"), ("the EU", None)]),
        ("Ministry of Trade and Industry", [], [("Ministry of Trade and Industry", None)]),
        ("Iran's foreign ministry", [], [("Iran's foreign ministry", None)]),
        ("", [], []),
    ],
)
def test_a_named_list_is_one_actor_each_when_every_part_is_known(named, entities, expected):
    actors = named_actors(named, ActorRole.agent, [Entity(name=e) for e in entities])
    assert [(a.name, a.country) for a in actors] == expected


def test_a_description_cut_by_the_length_cap_ends_on_a_whole_word():
    copied = "The European Union imposed sanctions on three senior Iranian military officers and the drone manufacturer Shahed Aviation Industries, accusing its gov"
    assert len(copied) == DESCRIPTION_CHARS and whole_words(copied).endswith("Industries, accusing its…")
    assert whole_words(" Britain sanctioned the firm. ") == "Britain sanctioned the firm."


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("The EU imposed sanctions on Thursday.", "occurred"),
        ("The US will impose further sanctions next month.", "planned"),
        ("Leaders are set to meet in Vilnius.", "planned"),
        ("The drones were reportedly shipped by sea.", "alleged"),
        ("Officials said the missiles would be delivered.", "occurred"),  # reported speech, not a plan in so many words
    ],
)
def test_status_is_read_off_the_sentence(sentence, status):
    assert event_status(sentence).value == status


def test_out_of_range_citation_is_a_validation_error(seed, seed_answer):
    seed_answer["key_points"][0]["sentences"] = [1, 99]
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
    seed_answer["key_points"][0]["sentences"] = [1, 99]
    seed_answer["key_points"][1]["sentences"] = [77]
    with validation_context(seed[2], lenient=True) as ctx:
        ExtractionDraft.model_validate(seed_answer)
    assert ctx["dropped"] == {"citations": 2}
    window = ground(seed, seed_answer, lenient=True)
    assert [k.text for k in window.key_points] == [seed_answer["key_points"][0]["text"], seed_answer["key_points"][2]["text"]]
    assert window.dropped == {"ungrounded_key_points": 1}


def test_unbounded_lists_are_bounded_in_the_schema():
    draft = ExtractionDraft.model_json_schema()
    assert draft["properties"]["key_points"]["maxItems"] == 5 and draft["properties"]["entities"]["maxItems"] == 10
    events = per_sentence(EventNote, (1, 2)).model_json_schema()
    assert events["$defs"]["EventNote"]["properties"]["description"]["maxLength"] == 150
    assert "sanction" in events["$defs"]["EventType"]["enum"]


_DRIFTED = (
    "Swedish Prime Minister Ulf Kristersson welcomed the Turkish vote. "
    '"I also count on Hungary to complete its national ratification as soon as possible," NATO chief Jens Stoltenberg said. '
    "Hungarian Prime Minister Viktor Orban said he had invited Kristersson to Budapest to negotiate. "
    "Kristersson told reporters that he was willing to talk to Orban. "
    "Greek Prime Minister Kyriakos Mitsotakis said the F-35 purchase would strengthen the armed forces."
)


def _claims(numbered: list[tuple[int, str, str]]) -> list[tuple[int, ClaimNote]]:
    return [(n, ClaimNote(claimant=who, claim=what, stance="assert")) for n, who, what in numbered]


def test_notes_that_drifted_onto_a_neighbour_are_cited_where_their_words_are():
    """Under each sentence the model wrote what the next one says; the words put each claim back, the moved
    repeat of sentence 5's own note goes, and a claim whose words are nowhere keeps its sentence."""
    sentences = {s.n: s for s in split_sentences(_DRIFTED)}
    notes = _claims([
        (1, "Stoltenberg", "Counts on Hungary to ratify"),
        (2, "Orban", "Invited Kristersson to negotiate"),
        (3, "Kristersson", "Talked to Orban"),
        (4, "Mitsotakis", "F-35 purchase strengthens armed forces"),
        (5, "Mitsotakis", "F-35 purchase strengthens armed forces"),
    ])
    placed = recited(notes, sentences, lambda note: note.claim)
    assert [(n, note.claimant) for n, note in placed] == [(2, "Stoltenberg"), (3, "Orban"), (4, "Kristersson"), (5, "Mitsotakis")]
    unsupported = _claims([(1, "Kristersson", "Welcomes progress")])
    assert recited(unsupported, sentences, lambda note: note.claim) == unsupported


def test_a_note_its_own_sentence_supports_stays_even_when_a_neighbour_shares_its_words():
    sentences = {s.n: s for s in split_sentences(_DRIFTED)}
    notes = _claims([(3, "Orban", "Invited Kristersson to Budapest to negotiate")])
    assert recited(notes, sentences, lambda note: note.claim) == notes


@pytest.mark.parametrize(("a", "b", "same"), [("talk", "talked", True), ("count", "counts", True), ("ratify", "ratification", True),
                                             ("supports", "support", True), ("war", "warn", False), ("strike", "strengthen", False)])
def test_one_word_in_two_forms(a, b, same):
    assert same_word(a, b) is same
