from summarizer.rules.attribution import Quotes
from summarizer.extraction.grounding import GroundedWindow
from summarizer.schema import Claim, ClaimNote, Entity, EventNote, ExtractionDraft, validation_context
from summarizer.rules.sentences import split_sentences
from summarizer.extraction.entities import with_countries, with_speakers
from summarizer.extraction.windows import merge_windows, plan_windows

TEXT = " ".join(f"Sentence number {i} says the United States imposed sanctions on entity {i}." for i in range(1, 41))


def test_windows_cover_every_sentence_once_within_budget():
    sentences = split_sentences(TEXT)
    windows = plan_windows(sentences, 500)
    assert len(windows) > 3
    assert [s.n for w in windows for s in w] == [s.n for s in sentences]
    assert all(sum(len(s.text) + 1 for s in w) <= 500 + len(w[-1].text) for w in windows)


def _window(sentences, events, claims):
    shown = {s.n: s.text for s in sentences}
    draft_data = {"headline": "h", "key_points": [{"sentences": [sentences[0].n], "text": "k"}], "entities": [{"name": "United States", "type": "country", "aliases": ["US"]}]}
    with validation_context(shown):
        draft = ExtractionDraft.model_validate(draft_data)
    return GroundedWindow(draft, events, claims, {s.n: s for s in sentences}, None, Quotes(TEXT))


def _event(n, description="The United States imposed sanctions on entity one.", type="sanction"):
    return n, EventNote(description=description, type=type, agent="", target="")


def test_merge_folds_duplicates_and_remaps_ids():
    sentences = split_sentences(TEXT)
    first = _window(sentences[:20], [_event(1), _event(2, "A different test of a missile by another state entirely.")],
                    [(2, ClaimNote(claimant="Miller", claim="c", stance="assert"))])
    second = _window(sentences[20:], [_event(30, "The United States imposed sanctions on entity one again."), _event(31, "A weapons test.", "weapons_test")],
                     [(31, ClaimNote(claimant="Kim", claim="d", stance="deny"))])
    summary, events, claims, entities, _ = merge_windows([first, second], TEXT)
    assert [e.id for e in events] == ["E1", "E2", "E3"]
    assert [ev.sentence for ev in events[0].evidence] == [1, 30]  # same sanction in both windows: one event
    assert events[2].type.value == "weapons_test"
    assert claims[0].event_ids == ["E2"]
    assert claims[1].id == "C2" and claims[1].event_ids == ["E3"]  # window-local E2 -> global E3
    assert entities[0].name == "United States" and entities[0].aliases == ["US"]  # listed in both windows: once
    assert [e.name for e in entities[1:]] == ["Miller", "Kim"]  # the claimants the list lacked


def test_speakers_the_entity_list_lacks_are_added_once_and_listed_ones_are_not():
    entities = [Entity(name="Xi Jinping", type="person"), Entity(name="United States", type="country", aliases=["Washington"])]
    claims = [
        Claim(id="C1", claimant="Chinese President Xi Jinping", claimant_type="person", claim="c"),  # contains a listed name
        Claim(id="C2", claimant="Mao Ning", claimant_type="person", claim="c"),
        Claim(id="C3", claimant="Mao Ning", claimant_type="person", claim="d"),
        Claim(id="C4", claimant="a senior official", claimant_type="person", claim="c"),  # not a name
        Claim(id="C5", claimant="Two officials familiar with the talks", claimant_type="other", claim="c"),
        Claim(id="C6", claimant="Officials", claimant_type="anonymous", claim="c"),
        Claim(id="C7", claimant="Reuters", claimant_type="media", claim="c"),
    ]
    names = [(e.name, e.type.value) for e in with_speakers(entities, claims)]
    assert names == [("Xi Jinping", "person"), ("United States", "country"), ("Mao Ning", "person"), ("Reuters", "organization")]


def test_countries_the_article_names_complete_the_entity_list_under_its_own_names():
    entities = [Entity(name="Kremlin", type="government_body", aliases=["Russia"])]
    text = ("The U.S. and Britain said North Korea sent missiles to Russia, which Moscow denied. "
            "The United States, Russia-based firms and Chinese officials were named, Jordan Smith said.")
    added = [(e.name, e.type.value, e.aliases) for e in with_countries(entities, text)][1:]
    # the Kremlin entry already stands for Russia; no country from "Chinese" or a person's name
    assert added == [("U.S.", "country", ["United States"]), ("Britain", "country", []), ("North Korea", "country", [])]
