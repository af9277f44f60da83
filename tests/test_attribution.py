import pytest

from summarizer.attribution import Quotes, attribution_of


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
