from conftest import SEED_000, SEED_003
from summarizer.io.articles import article_from_text
from summarizer.rules.sentences import MAX_SENTENCE_CHARS, numbered, split_sentences


def test_spans_index_the_text_exactly():
    for seed in (SEED_000, SEED_003):
        text = article_from_text(seed.read_text(), default_id="x", source="x").text
        sentences = split_sentences(text)
        assert len(sentences) > 10
        for s in sentences:
            assert text[s.start : s.end] == s.text
            assert s.text == s.text.strip()
        assert [s.n for s in sentences] == list(range(1, len(sentences) + 1))


def test_abbreviations_and_initials_do_not_split():
    text = "The U.S. State Department said Mr. Smith met Gen. Park on Jan. 5. Then they left."
    assert [s.text for s in split_sentences(text)] == [
        "The U.S. State Department said Mr. Smith met Gen. Park on Jan. 5.",
        "Then they left.",
    ]


def test_quotes_question_marks_and_paragraphs_split():
    text = '"We condemn it," he said. Will it work? Nobody knows\n\nA new paragraph without a period'
    assert [s.text for s in split_sentences(text)] == [
        '"We condemn it," he said.',
        "Will it work?",
        "Nobody knows",
        "A new paragraph without a period",
    ]


def test_unpunctuated_text_is_cut_into_bounded_pieces():
    text = "word " * 2000
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_numbered_view_flattens_whitespace():
    sentences = split_sentences("First  line\nwraps here. Second.")
    assert numbered(sentences) == "[1] First line wraps here.\n[2] Second."
