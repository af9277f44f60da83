"""syntok (a small pure-Python splitter, dev extra only) as an independent oracle for rules/sentences.py: on
every dev/ article and seed, and on passages written here in the style of news copy, both put every sentence
boundary in the same place. `test/`'s articles are held out, so they are not checked here."""

from __future__ import annotations

from pathlib import Path

import pytest
from syntok import segmenter

from summarizer.evals.fixtures import load_fixtures
from summarizer.rules.sentences import split_sentences

_PASSAGES = [
    "Sanctions were announced in the U.S. The ministry in Moscow called them illegal.",
    "The talks with the U.K. ended early. In a statement, the ministry said no date was set.",
    "The U.S. Treasury named four firms. It gave them 30 days to wind down.",
    "Former President George W. Bush met the envoy. Gen. Smith spoke first. He left at noon.",
    "Mr. Lee said the vote on Jan. 5 was \"a turning point.\" The opposition disagreed.",
    "The aid came from the U.S. A spokesman for the U.N. mission confirmed it on Tuesday.",
    "Lockheed Martin Corp. Vice President Ray signed the deal. Deliveries start in 2026.",
    "The Treasury also named Acme Trading Co. Ltd. The firm denied any link.",
    "Two ships left the port! Did they reach Odessa? Officials would not say.",
]


def _starts(text: str) -> list[int]:
    return [sentence[0].offset for paragraph in segmenter.analyze(text) for sentence in paragraph if sentence]


def _dev_articles() -> list[tuple[str, str]]:
    fixtures, problems = load_fixtures(Path(__file__).parent.parent / "evals" / "fixtures" / "dev")
    assert fixtures and not problems
    return [(f.id, f.article.text) for f in fixtures]


@pytest.mark.parametrize("text", _PASSAGES, ids=[p[:40] for p in _PASSAGES])
def test_passage_splits_as_syntok_does(text: str) -> None:
    assert [s.start for s in split_sentences(text)] == _starts(text)


@pytest.mark.parametrize("article", _dev_articles(), ids=lambda a: a[0])
def test_dev_article_splits_as_syntok_does(article: tuple[str, str]) -> None:
    text = article[1]
    ours, theirs = {s.start for s in split_sentences(text)}, set(_starts(text))
    assert sorted((o, text[o : o + 40]) for o in ours ^ theirs) == []
