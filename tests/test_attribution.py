import pytest

from summarizer.rules.attribution import Quotes, attribution_of, reports_speech, stance_of
from summarizer.schema import Stance


@pytest.mark.parametrize(
    "sentence, how",
    [
        ("The minister told reporters on Monday that talks would resume.", "told_reporters"),
        ("Russia fired dozens of missiles, according to Ukrainian officials.", "according_to"),
        ("\"We will respond,\" he said.", "statement"),
        ("The ministry posted on X that the strike was a provocation.", "social_media"),
        ("Reuters reported that the deal was close.", "report"),
        ("The foreign ministry denied the accusation.", "statement"),
        ("The missile flew 1,000 km before landing in the sea.", None),
    ],
)
def test_attribution_cues(sentence, how):
    found = attribution_of(sentence)
    assert (found.value if found else None) == how


def test_quotes_are_found_across_sentences_and_cut_to_the_cited_ones():
    text = 'He called it "baseless". “The first sentence is quoted. The second one too,” she said.\n\nNext "paragraph starts'
    quotes = Quotes(text)
    second = text.index("The second")
    assert quotes.within([(second, len(text))]) == "The second one too"
    assert quotes.within([(0, len(text))]) == "The first sentence is quoted. The second one too"
    assert quotes.within([(0, text.index("“"))]) is None  # a one-word scare quote is not a direct quote


@pytest.mark.parametrize(
    ("model", "sentence", "expected"),
    [
        ("assert", "Iran's foreign ministry spokesman called the accusations baseless.", "deny"),
        ("assert", "Japan lodged a strong protest through diplomatic channels.", "condemn"),
        ("assert", '"We will not hesitate to take further actions," Blinken said.', "warn"),
        ("assert", "Hamas said it welcomed the resolution.", "support"),
        ("assert", "She said Washington could not support a text that did not condemn Hamas.", "assert"),  # negated
        ("assert", "The ministry said the talks were useful.", "assert"),  # no stance words
        ("accuse", "The ministry denied the report.", "accuse"),  # the model's own non-default stance stays
    ],
)
def test_a_default_stance_is_read_off_the_sentence_words(model, sentence, expected):
    assert stance_of(Stance(model), sentence) is Stance(expected)


@pytest.mark.parametrize(
    ("description", "speech"),
    [
        ("Ambassador Zhang Jun rejected the US description, telling the council its resolutions are binding.", True),
        ("America also claimed that Russia has relied upon North Korea.", True),
        ("Kristersson welcomed the Turkish vote.", True),
        ("The Houthis claimed responsibility for the attack on the tanker.", False),  # an action, not speech
        ("Russia vetoed the resolution.", False),
    ],
)
def test_an_event_description_that_reports_speech(description, speech):
    assert reports_speech(description) is speech
